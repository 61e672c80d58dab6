/** The notifications module's door: status page (portal link) SMS and their templates. */
export {
  NotificationsService,
  type VoucherActivated,
  type NotificationSender,
  type ActivationOutcome,
  type PreviewResult,
} from './service.js';
export { NotificationsRepository, type ActivationFacts } from './repository.js';
export {
  TEMPLATE_VARIABLES,
  MAX_TEMPLATE_LENGTH,
  normalizeTemplate,
  checkTemplate,
  templateHasLink,
  renderTemplate,
  formatExpiry,
  type StatusPageVariables,
} from './template.js';
export { portalAddressFor, portalUrlFor, type PortalAddress, type PortalUrlSource } from './portal-url.js';
export { VoucherDetailsSms, voucherDetailsText, type VoucherDetailsDeps } from './voucher-details.js';
export { createSafeLiquid, describeLiquidError, type SafeLiquidLimits } from './safe-liquid.js';
