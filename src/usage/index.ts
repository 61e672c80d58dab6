export {
  AccountingRecorder,
  AcctStatusType,
  encodeClassTag,
  decodeClassTag,
  type AccountingRecord,
  type VoucherExhaustedEvent,
} from './accounting.js';
export {
  UsageService,
  ERROR_CAUSE_SESSION_NOT_FOUND,
  DISCONNECT_REASONS,
  type DisconnectReason,
  type DisconnectSummary,
  type SessionDisconnectResult,
  type DeviceDisconnectResult,
} from './service.js';
export { SessionsRepository } from './sessions-repository.js';
export { DisconnectRepository, type DisconnectDueSession } from './disconnect-repository.js';
export {
  DEFAULT_DISCONNECT_RETRY_POLICY,
  nextDisconnectAttemptAt,
  type DisconnectRetryPolicy,
} from './disconnect-policy.js';
export {
  DisconnectRetrySweep,
  UsageSweepWorker,
  retryReason,
  type DisconnectRetryOptions,
  type DisconnectRetryPassResult,
} from './disconnect-retry.js';
export {
  FakeSessionTerminator,
  type SessionTerminator,
  type HotspotDirectory,
  type DisconnectTarget,
  type DisconnectOutcome,
} from './terminator.js';
export { sessionDurationSeconds } from './duration.js';
export { UsagePortalQueries, type CustomerSession, type DailyUsage } from './portal-queries.js';
export {
  SessionsAdminQueries,
  SESSION_SORT_KEYS,
  SESSION_USERS,
  toSessionView,
  type OnlineCounts,
  type SessionDisconnectState,
  type SessionFilter,
  type SessionSortKey,
  type SessionUser,
  type SessionView,
} from './admin-queries.js';
