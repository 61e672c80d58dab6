/**
 * MAC addresses as devices are stored: `AA:BB:CC:DD:EE:FF`. Accepts the common spellings
 * (colons, dashes, dots, none; any case) that RADIUS clients put in User-Name and
 * Calling-Station-Id.
 */
const SEPARATED =
  /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i;
const CISCO = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i;
const BARE = /^[0-9a-f]{12}$/i;

/** Normalises a MAC address, or returns undefined when `input` is not one. */
export function normalizeMacAddress(input: string | undefined | null): string | undefined {
  if (!input) return undefined;
  const value = input.trim();
  let hex: string | undefined;
  const separated = SEPARATED.exec(value);
  if (separated) hex = separated.slice(1).join('');
  else if (CISCO.test(value)) hex = value.replace(/\./g, '');
  else if (BARE.test(value)) hex = value;
  if (hex === undefined) return undefined;
  return hex.toUpperCase().match(/../g)!.join(':');
}

/** Locally administered bit (0x02 of the first octet): phones' per-network random MACs set it. */
export function isRandomizedMacAddress(mac: string): boolean {
  const first = Number.parseInt(mac.slice(0, 2), 16);
  return Number.isInteger(first) && (first & 0x02) !== 0;
}
