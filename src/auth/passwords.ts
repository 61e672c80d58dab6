import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { safeEqual } from '../shared/index.js';

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keyLength: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

// OWASP: scrypt N=2^17, r=8, p=1 (128 MiB). We use 2^15 to keep sign-in fast on 2-core boxes;
// maxmem must allow 128 * N * r bytes.
const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;

/** scrypt$N$r$p$salt$hash (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, KEY_BYTES, { ...PARAMS, maxmem: 256 * PARAMS.N * PARAMS.r });
  return [
    'scrypt',
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), KEY_BYTES, {
    ...params,
    maxmem: 256 * params.N * params.r,
  });
  return safeEqual(actual.toString('base64url'), hash);
}

/** A password for humans to type once: 20 characters, ~119 bits. */
export function generatePassword(): string {
  return crypto.randomBytes(15).toString('base64url');
}
