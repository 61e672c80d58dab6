import crypto from 'node:crypto';

/** Random source (a port): CSPRNG in production, seedable in tests where determinism matters. */
export interface RandomSource {
  bytes(length: number): Buffer;
  /** Uniform integer in [0, maxExclusive), without modulo bias. */
  int(maxExclusive: number): number;
}

export const cryptoRandom: RandomSource = {
  bytes: (length) => crypto.randomBytes(length),
  int: (maxExclusive) => crypto.randomInt(maxExclusive),
};

/** A URL-safe token with `bytes` bytes (≥ 16 → ≥ 128 bits) of entropy. */
export function randomToken(random: RandomSource = cryptoRandom, bytes = 32): string {
  return random.bytes(bytes).toString('base64url');
}

/** A string of `length` characters drawn uniformly from `alphabet`. */
export function randomString(length: number, alphabet: string, random: RandomSource = cryptoRandom): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[random.int(alphabet.length)];
  return out;
}

export function sha256Hex(value: string | Buffer): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

/** Constant-time equality of two strings (false for different lengths without early exit on content). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    crypto.timingSafeEqual(left, left);
    return false;
  }
  return crypto.timingSafeEqual(left, right);
}
