/**
 * Parts of the composition root that app.ts uses (only app.ts imports this folder): the modules
 * it builds are constructed here, and the edges receive them.
 */
export { createVouchersModule, type VouchersModule } from './vouchers.js';
export { createAdminDeps } from './admin-deps.js';
export { createRadius } from './radius.js';
export { RadiusThreads, sumPoolStats, sumRadiusStats } from './radius-threads.js';
export { meteredGatewayFactory, MeteredOtpService, meteredTerminator } from './metered.js';
export { readinessOf } from './readiness.js';
export { createMessaging } from './messaging.js';
export { createDevices } from './devices.js';
export { createHotspotLogin } from './hotspot-login.js';
