/**
 * Voucher codes: `SERIES-PREFIX-RANDOM`, e.g. `202611-1h100m-J8TiJDyT`. The random part is drawn
 * from a CSPRNG over the tenant's alphabet without modulo bias (rejection sampling on bytes), so
 * codes are unguessable: 8 characters of the default 55-letter alphabet are ~46 bits.
 */
import type { RandomSource } from '../shared/index.js';

/** `count` random strings of `length` characters from `alphabet` (2..256 distinct characters). */
export function randomCodes(count: number, length: number, alphabet: string, random: RandomSource): string[] {
  const letters = [...new Set(alphabet)];
  if (letters.length < 2 || letters.length > 256)
    throw new Error('the code alphabet needs 2-256 distinct characters');
  // Accept a byte only below the largest multiple of the alphabet size: every letter equally likely.
  const limit = 256 - (256 % letters.length);
  const codes: string[] = [];
  let pool = random.bytes(0);
  let at = 0;
  for (let n = 0; n < count; n++) {
    let code = '';
    while (code.length < length) {
      if (at >= pool.length) {
        pool = random.bytes(Math.max(256, (count - n) * length * 2));
        at = 0;
      }
      const byte = pool[at++]!;
      if (byte < limit) code += letters[byte % letters.length];
    }
    codes.push(code);
  }
  return codes;
}

/** The series part of a code: year and month of the series' creation, e.g. 202611. */
export function seriesCode(nowMs: number): string {
  const date = new Date(nowMs);
  return `${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function fullCode(series: string, prefix: string, random: string): string {
  return `${series}-${prefix}-${random}`;
}

/** Bits of entropy of one random part: operators see whether their settings are strong enough. */
export function codeEntropyBits(length: number, alphabet: string): number {
  return length * Math.log2(new Set(alphabet).size);
}
