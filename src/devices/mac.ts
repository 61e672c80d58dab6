/**
 * MAC addresses as people and routers write them. Stored normalised as AA:BB:CC:DD:EE:FF.
 */
import { AppError } from '../shared/index.js';

/** aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff (Cisco), aabbccddeeff, aabb-ccdd-eeff. */
const MAC_FORMATS = [
  /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i,
  /^([0-9a-f]{2})([0-9a-f]{2})[.-]?([0-9a-f]{2})([0-9a-f]{2})[.-]?([0-9a-f]{2})([0-9a-f]{2})$/i,
];

/** The normalised MAC, or undefined when the text is not a MAC in a common format. */
export function parseMac(text: string): string | undefined {
  const trimmed = text.trim();
  for (const format of MAC_FORMATS) {
    const match = format.exec(trimmed);
    if (match) return match.slice(1, 7).join(':').toUpperCase();
  }
  return undefined;
}

/** Multicast bit (I/G) of the first octet: such an address never belongs to one device. */
export function isMulticastMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 0b01) !== 0;
}

/** Locally administered bit (U/L): set on the private/randomised addresses phones use. */
export function isRandomizedMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 0b10) !== 0;
}

/** What is wrong with text that is not a MAC in a common format (for people). */
export const MAC_FORMAT_MESSAGE = 'Enter a MAC address such as AA:BB:CC:DD:EE:FF (12 hexadecimal digits).';

/** The normalised MAC (to search by, for instance); throws MAC_INVALID when it is not one. */
export function requireMac(text: string): string {
  const mac = parseMac(text);
  if (!mac) throw new AppError('MAC_INVALID', MAC_FORMAT_MESSAGE);
  return mac;
}

/**
 * A MAC a customer or operator may bind to a voucher: a common format, not all zeros, not
 * broadcast or multicast. Throws MAC_INVALID with a message for people.
 */
export function parseDeviceMac(text: string): string {
  const mac = requireMac(text);
  if (mac === '00:00:00:00:00:00')
    throw new AppError('MAC_INVALID', 'The all-zero MAC address is not a device.');
  if (isMulticastMac(mac)) {
    throw new AppError(
      'MAC_INVALID',
      'This is a multicast or broadcast address, not the address of one device.',
    );
  }
  return mac;
}
