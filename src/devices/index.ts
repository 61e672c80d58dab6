export {
  parseMac,
  parseDeviceMac,
  requireMac,
  isMulticastMac,
  isRandomizedMac,
  MAC_FORMAT_MESSAGE,
} from './mac.js';
export { DEVICE_EVENT_ACTORS, type DeviceActor, type DeviceEvent, type DisconnectSummary } from './model.js';
export {
  DevicesRepository,
  LIVE_VOUCHER_STATUSES,
  type DeviceEventCursor,
  type DeviceEventFilter,
} from './repository.js';
export {
  DevicesService,
  customerDevicesEnabled,
  deviceLimitText,
  NO_SESSIONS,
  type DeviceSessionTerminator,
  type DisconnectProgress,
  type DeviceDetails,
  type DevicesOverview,
} from './service.js';
export {
  DeviceAccessRepository,
  type DeviceUsageDelta,
  type DeviceWithPresence,
} from './access-repository.js';
export { boundedTerminator } from './bounded-terminator.js';
export {
  disconnectOutcome,
  disconnectQuery,
  editedDeviceQuery,
  endedDeviceQuery,
  followedDisconnect,
  parseDisconnectOutcome,
  parseSince,
  deviceEventFacts,
  eventMacs,
  type DeviceChangeResult,
  type DisconnectOutcome,
  type DeviceEventFacts,
  type DeviceEventKind,
} from './describe.js';
export { DevicesAdminQueries, toDeviceView, type DeviceView } from './admin-queries.js';
