export { parseMac, parseDeviceMac, isMulticastMac, isRandomizedMac } from './mac.js';
