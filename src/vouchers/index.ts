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
  LIVE_VOUCHER_STATUSES,
  type VoucherUsageDelta,
} from './access-repository.js';
