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
export {
  SMS_LANGUAGES,
  SMS_LANGUAGE_NAMES,
  SMS_TEXTS,
  SMS_TEXT_KINDS,
  SmsTexts,
  checkSmsTextTemplates,
  smsLanguageOf,
  smsTextTemplate,
  type SmsLanguage,
  type SmsTextKind,
  type SmsTextVariables,
} from './sms-texts.js';
export {
  VoucherDetailsSms,
  voucherDetailsText,
  voucherDetailsVariables,
  type VoucherDetailsDeps,
} from './voucher-details.js';
export { createSafeLiquid, describeLiquidError, type SafeLiquidLimits } from './safe-liquid.js';
