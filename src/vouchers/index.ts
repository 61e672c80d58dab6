export {
  VouchersRepository,
  VOUCHER_SORT_KEYS,
  type VoucherSortKey,
  type VoucherFilter,
} from './repository.js';
export {
  VouchersService,
  MAX_CUSTOMER_SERIES_QUANTITY,
  type CustomerLookup,
  type NewSeries,
  type VoucherDisconnectSummary,
  type VoucherSessionTerminator,
} from './service.js';
export { SeriesGenerator, MAX_SERIES_QUANTITY, SERIES_BATCH_SIZE, SERIES_STALE_AFTER_MS } from './series.js';
export {
  VoucherEvents,
  type VoucherActivatedEvent as OperatorVoucherEvent,
  type VoucherActivatedListener as OperatorVoucherListener,
} from './events.js';
export { randomCodes, codeEntropyBits, fullCode, seriesCode } from './codes.js';
export * from './model.js';
export { validateVoucherSettings, MIN_CODE_ENTROPY_BITS } from './settings.js';
export {
  VoucherAccessPolicy,
  evaluateVoucherLimits,
  expiryOnActivation,
  ACCESS_MESSAGES,
  type AccessAttempt,
  type AccessDecision,
  type AccessRefusal,
  type AccessPolicyHooks,
  type VoucherActivatedEvent,
  type VoucherLimitState,
} from './access-policy.js';
export {
  VoucherAccessRepository,
  type AccountedVoucher,
  type VoucherLimitFields,
  type VoucherUsageDelta,
} from './access-repository.js';
export { VoucherPortalQueries, type CustomerVoucher } from './portal-queries.js';
