/** The sms module's door: gateways, the durable outbox, the SMS log. */
export * from './gateway.js';
export * from './gateway-settings.js';
export {
  DestinationGuard,
  DestinationRefused,
  type AllowedDestinations,
  type HostResolver,
  type ResolvedAddress,
} from './destinations.js';
export { GatewayRegistry, createGateway, type GatewayFactoryDeps } from './gateways/registry.js';
export { HttpGateway } from './gateways/http.js';
export { TwilioGateway } from './gateways/twilio.js';
export { SmppGateway, parseReceipt } from './gateways/smpp.js';
export { twilioSignature } from './gateways/twilio.js';
export { smsCallbackRoutes, genericOutcome, type SmsCallbackDeps } from './callbacks.js';
export { publicBaseUrl, statusCallbackUrl } from './callback-urls.js';
export { LogGateway } from './gateways/log.js';
export { splitSms, isGsm7, describeSmsText, type SmsPart, type SmsTextInfo } from './sms-parts.js';
export { SmsOutbox, DEFAULT_OUTBOX_OPTIONS, maskLoginCode, type OutboxOptions } from './outbox.js';
export {
  SmsRepository,
  SMS_TYPES,
  SMS_STATUSES,
  type SmsType,
  type SmsStatus,
  type NewSms,
  type SmsLogFilter,
  type AttemptOutcomeKind,
} from './repository.js';
export * from './service.js';
export { createSmsModule, type SmsModule } from './module.js';
export { seedDemoSms } from './demo.js';
export { SmsAdminCounts, smsOfCustomer, type SmsSummary } from './admin-counts.js';
