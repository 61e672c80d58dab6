export { VoucherPortalQueries, LIVE_VOUCHER_STATUSES, type CustomerVoucher } from './portal-queries.js';
