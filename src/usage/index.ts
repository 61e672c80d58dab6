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
  type DisconnectReason,
  type SessionDisconnectResult,
  type DeviceDisconnectResult,
} from './service.js';
export { SessionsRepository } from './sessions-repository.js';
export {
  FakeSessionTerminator,
  type SessionTerminator,
  type DisconnectTarget,
  type DisconnectOutcome,
} from './terminator.js';
export { UsagePortalQueries, type CustomerSession, type DailyUsage } from './portal-queries.js';
