/**
 * Splitting texts into SMS parts (3GPP TS 23.038 / 23.040). GSM-7 when every character is in the
 * default alphabet or its extension table (extension characters cost two septets): 160 septets in
 * one SMS, 153 per part of a concatenated one. Otherwise UCS-2: 70 UTF-16 units, 67 per part.
 * Parts carry the 6-octet concatenation UDH (IEI 0x00, 8-bit reference). A part never ends in
 * the middle of an escape sequence or a surrogate pair.
 */

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION: Record<string, number> = {
  '\f': 0x0a,
  '^': 0x14,
  '{': 0x28,
  '}': 0x29,
  '\\': 0x2f,
  '[': 0x3c,
  '~': 0x3d,
  ']': 0x3e,
  '|': 0x40,
  '€': 0x65,
};
const GSM_INDEX = new Map<string, number>([...GSM_BASIC].map((c, i) => [c, i]));
GSM_INDEX.delete('\x1b');

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface SmsPart {
  /** Octets for short_message: UDH (when concatenated) followed by the payload. */
  shortMessage: Buffer;
  /** SMPP data_coding: 0x00 SMSC default (GSM-7, one septet per octet), 0x08 UCS-2. */
  dataCoding: number;
  /** esm_class UDHI bit (0x40) set when the part carries a UDH. */
  hasUdh: boolean;
  /** Characters of the original text in this part (for tests and logs). */
  text: string;
}

export const MAX_PARTS = 10;

export function isGsm7(text: string): boolean {
  for (const c of text) if (!GSM_INDEX.has(c) && GSM_EXTENSION[c] === undefined) return false;
  return true;
}

/** GSM-7 septets of one character (1, or 2 for an extension character). */
function septets(c: string): number[] {
  const basic = GSM_INDEX.get(c);
  if (basic !== undefined) return [basic];
  return [0x1b, GSM_EXTENSION[c]!];
}

/** Splits into units that must stay together, with their cost in the encoding's units. */
function units(text: string, encoding: SmsEncoding): Array<{ text: string; bytes: Buffer; cost: number }> {
  const result: Array<{ text: string; bytes: Buffer; cost: number }> = [];
  for (const c of text) {
    if (encoding === 'gsm7') {
      const s = septets(c);
      result.push({ text: c, bytes: Buffer.from(s), cost: s.length });
    } else {
      const bytes = Buffer.from(c, 'utf16le').swap16(); // UCS-2/UTF-16 big-endian
      result.push({ text: c, bytes, cost: bytes.length / 2 });
    }
  }
  return result;
}

/**
 * The parts to submit for `text`. `reference` is the concatenation reference (0-255) shared by
 * all parts. Throws when the text would need more than MAX_PARTS parts or is empty.
 */
export function splitSms(text: string, reference: number): SmsPart[] {
  if (text.length === 0) throw new Error('empty SMS text');
  const encoding: SmsEncoding = isGsm7(text) ? 'gsm7' : 'ucs2';
  const single = encoding === 'gsm7' ? 160 : 70;
  const perPart = encoding === 'gsm7' ? 153 : 67;
  const dataCoding = encoding === 'gsm7' ? 0x00 : 0x08;
  const all = units(text, encoding);
  const total = all.reduce((sum, u) => sum + u.cost, 0);
  if (total <= single) {
    return [{ shortMessage: Buffer.concat(all.map((u) => u.bytes)), dataCoding, hasUdh: false, text }];
  }
  const chunks: Array<typeof all> = [];
  let current: typeof all = [];
  let used = 0;
  for (const unit of all) {
    if (used + unit.cost > perPart) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(unit);
    used += unit.cost;
  }
  if (current.length > 0) chunks.push(current);
  if (chunks.length > MAX_PARTS)
    throw new Error(`the text needs ${chunks.length} SMS parts (at most ${MAX_PARTS})`);
  const ref = reference & 0xff;
  return chunks.map((chunk, index) => {
    const udh = Buffer.from([0x05, 0x00, 0x03, ref, chunks.length, index + 1]);
    return {
      shortMessage: Buffer.concat([udh, ...chunk.map((u) => u.bytes)]),
      dataCoding,
      hasUdh: true,
      text: chunk.map((u) => u.text).join(''),
    };
  });
}

export interface SmsTextInfo {
  encoding: SmsEncoding;
  /** Parts the text is sent in (1 for an empty text). */
  parts: number;
  /** Septets (GSM-7) or UTF-16 units (UCS-2) the text uses. */
  units: number;
  /** Characters that still fit in the last part (extension characters such as € cost two). */
  charactersLeft: number;
  /** The characters that force UCS-2, each once, in order of appearance. */
  nonGsmCharacters: string[];
}

/** What a text costs as an SMS: encoding, parts, room left in the last part (admin previews). */
export function describeSmsText(text: string): SmsTextInfo {
  const encoding: SmsEncoding = isGsm7(text) ? 'gsm7' : 'ucs2';
  const all = text.length > 0 ? units(text, encoding) : [];
  const used = all.reduce((sum, u) => sum + u.cost, 0);
  const single = encoding === 'gsm7' ? 160 : 70;
  const perPart = encoding === 'gsm7' ? 153 : 67;
  let parts = 1;
  let left = single - used;
  if (used > single) {
    // Same packing as splitSms: a unit never straddles two parts.
    let inPart = 0;
    for (const unit of all) {
      if (inPart + unit.cost > perPart) {
        parts++;
        inPart = 0;
      }
      inPart += unit.cost;
    }
    left = perPart - inPart;
  }
  const nonGsmCharacters = [...new Set([...text].filter((c) => !isGsm7(c)))];
  return { encoding, parts, units: used, charactersLeft: left, nonGsmCharacters };
}

/** Decodes a GSM-7 payload (one septet per octet), for tests and receipts. */
export function decodeGsm7(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x1b && i + 1 < bytes.length) {
      const next = bytes[++i]!;
      const ext = Object.entries(GSM_EXTENSION).find(([, v]) => v === next);
      out += ext ? ext[0] : ' ';
    } else out += GSM_BASIC[b] ?? ' ';
  }
  return out;
}

export function decodeUcs2(bytes: Buffer): string {
  return Buffer.from(bytes).swap16().toString('utf16le');
}
