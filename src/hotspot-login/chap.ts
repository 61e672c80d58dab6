/**
 * MikroTik HTTP-CHAP as the hotspot's login.html does it: the router hands the page `chap-id`
 * and `chap-challenge` as strings of octal escapes (`\061\264…`, meant for a JavaScript string
 * literal, one byte per escape) and expects `password` = hex MD5(chap-id ‖ password ‖
 * chap-challenge). The router then sends RADIUS CHAP-Password = id ‖ MD5 and CHAP-Challenge
 * (RFC 2865 §5.3), so the voucher code itself never crosses the guest network.
 */
import crypto from 'node:crypto';

/** RouterOS's challenge is 16 octets; the id is one. */
export const CHAP_CHALLENGE_BYTES = 16;

/**
 * Decodes a RouterOS octal-escaped string into bytes: `\NNN` (1-3 octal digits, ≤ 0o377) is one
 * byte, `\\` a backslash, any other character its Latin-1 byte (what a JavaScript string of
 * code units 0-255 hashes as). Undefined when it is not such a string.
 */
export function decodeRouterOsString(escaped: string): Buffer | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length;) {
    const char = escaped[i]!;
    if (char === '\\') {
      const octal = /^[0-7]{1,3}/.exec(escaped.slice(i + 1, i + 4))?.[0];
      if (octal !== undefined) {
        const value = parseInt(octal, 8);
        if (value > 0xff) return undefined;
        bytes.push(value);
        i += 1 + octal.length;
        continue;
      }
      if (escaped[i + 1] === '\\') {
        bytes.push(0x5c);
        i += 2;
        continue;
      }
      return undefined;
    }
    const code = char.charCodeAt(0);
    if (code > 0xff) return undefined;
    bytes.push(code);
    i += 1;
  }
  return Buffer.from(bytes);
}

/** Encodes bytes the way RouterOS shows them (every byte as a 3-digit octal escape). */
export function encodeRouterOsString(bytes: Buffer): string {
  return [...bytes].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
}

export interface ChapParameters {
  id: Buffer;
  challenge: Buffer;
}

/** The router's chap-id and chap-challenge, decoded and checked; undefined if malformed. */
export function parseChapParameters(chapId: string, chapChallenge: string): ChapParameters | undefined {
  const id = decodeRouterOsString(chapId);
  const challenge = decodeRouterOsString(chapChallenge);
  if (id?.length !== 1 || challenge === undefined) return undefined;
  if (challenge.length < 1 || challenge.length > 64) return undefined;
  return { id, challenge };
}

/** The login form's `password` for HTTP-CHAP: hex MD5(id ‖ password ‖ challenge). */
export function chapPasswordHex(parameters: ChapParameters, password: string): string {
  return crypto
    .createHash('md5')
    .update(parameters.id)
    .update(Buffer.from(password, 'utf8'))
    .update(parameters.challenge)
    .digest('hex');
}
