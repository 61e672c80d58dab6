export { normalizeMacAddress, isRandomizedMacAddress } from './mac-address.js';
export { DeviceAccessRepository, type DeviceWithPresence } from './access-repository.js';
