/**
 * The hosted hotspot login page (issue 13): a page per hotspot that the router's login.html hands
 * guests to, the voucher checked in plain words before the router is involved, HTTP-CHAP to the
 * router, the flow kept on the server, the signed view of the voucher just used, and the files
 * and RouterOS commands for the router.
 */
export {
  hotspotLoginPlugin,
  readRouterVariables,
  routerErrorText,
  type HotspotLoginOptions,
} from './plugin.js';
export {
  HotspotLoginService,
  FLOW_TTL_MS,
  MAX_ROUTER_ATTEMPTS,
  type VoucherCheck,
  type LoginPageInstallation,
} from './service.js';
export { HotspotLoginRepository, type LoginBy, type LoginPage, type LoginFlow } from './repository.js';
export { FreeAccessService } from './free-access.js';
export {
  FREE_ACCESS_BOUNDS,
  FREE_ACCESS_TENANT_BOUNDS,
  startOfMonthInZone,
  type FreeAccessAvailability,
  type FreeAccessStart,
  type FreeAccessVerify,
} from './free-access-model.js';
export {
  FreeAccessRepository,
  FREE_ACCESS_DEFAULTS,
  type FreeAccessConfig,
} from './free-access-repository.js';
export { WelcomeLinks, WELCOME_LINK_TTL_MS, type WelcomeClaims } from './welcome-link.js';
export {
  decodeRouterOsString,
  encodeRouterOsString,
  parseChapParameters,
  chapPasswordHex,
  type ChapParameters,
} from './chap.js';
export {
  loginHtml,
  aloginHtml,
  apiJson,
  routerFile,
  routerOsLoginPageConfig,
  ROUTER_FILE_NAMES,
  FORWARDED_ROUTER_VARIABLES,
  type RouterFileName,
} from './router-files.js';
export {
  hotspotLoginAdminPages,
  type HotspotLoginAdminOptions,
  hotspotLoginSection,
  freeAccessPausedNotice,
  publicOrigin,
} from './admin.js';
export { hotspotLoginApiRoutes, type HotspotLoginApiOptions } from './api.js';
