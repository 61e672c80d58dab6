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
} from './service.js';
export { SeriesGenerator, MAX_SERIES_QUANTITY, SERIES_BATCH_SIZE } from './series.js';
export { VoucherEvents, type VoucherActivatedEvent, type VoucherActivatedListener } from './events.js';
export { randomCodes, codeEntropyBits, fullCode, seriesCode } from './codes.js';
export * from './model.js';
export { validateVoucherSettings, MIN_CODE_ENTROPY_BITS } from './settings.js';
