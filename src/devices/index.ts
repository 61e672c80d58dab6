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
  type DeviceEvent,
  type DeviceEventCursor,
} from './repository.js';
export {
  DevicesService,
  customerDevicesEnabled,
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
  type DisconnectOutcome,
  type DeviceEventFacts,
  type DeviceEventKind,
} from './describe.js';
