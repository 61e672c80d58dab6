export {
  parseMac,
  parseDeviceMac,
  requireMac,
  isMulticastMac,
  isRandomizedMac,
  MAC_FORMAT_MESSAGE,
} from './mac.js';
export {
  DevicesRepository,
  LIVE_VOUCHER_STATUSES,
  DEVICE_EVENT_ACTORS,
  type DeviceEvent,
  type DeviceEventCursor,
  type DeviceEventFilter,
} from './repository.js';
export {
  DevicesService,
  customerDevicesEnabled,
  deviceLimitText,
  NO_SESSIONS,
  type DeviceActor,
  type DeviceSessionTerminator,
  type DisconnectSummary,
  type DeviceDetails,
  type DevicesOverview,
} from './service.js';
export { DeviceAccessRepository, type DeviceWithPresence } from './access-repository.js';
export { boundedTerminator } from './bounded-terminator.js';
export {
  disconnectOutcome,
  parseDisconnectOutcome,
  deviceEventFacts,
  eventMacs,
  type DisconnectOutcome,
  type DeviceEventFacts,
  type DeviceEventKind,
} from './describe.js';
