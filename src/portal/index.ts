export { portalPlugin, PORTAL_SESSION_COOKIE, LANGUAGE_COOKIE, type PortalOptions } from './plugin.js';
export { PortalSignIn, type SignInStart } from './sign-in.js';
export { PortalDashboard } from './dashboard.js';
export { PortalDevices, type PortalDevicesDeps } from './devices.js';
