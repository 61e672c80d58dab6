import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { safeEqual } from '../shared/index.js';

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keyLength: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/**
 * OWASP (2025): scrypt N=2^17, r=8, p=1 — 128 MiB and ~0.2-0.4 s per hash on this kind of
 * machine, which is what a sign-in costs. Hashes made with other parameters still verify and are
 * re-hashed with these at the next successful sign-in.
 */
export const PASSWORD_HASH_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });
const KEY_BYTES = 32;
/** Parameters a stored hash may name (a corrupt row must not ask for gigabytes). */
const MAX_N = 2 ** 20;

let active: Readonly<ScryptParams> = PASSWORD_HASH_PARAMS;

/**
 * Lowers the cost for a test run (test/setup.ts), where hundreds of admins are made; production
 * never calls it. Pass nothing to go back to PASSWORD_HASH_PARAMS.
 */
export function setPasswordHashParamsForTests(params?: ScryptParams): void {
  active = params ? Object.freeze({ ...params }) : PASSWORD_HASH_PARAMS;
}

/** scrypt needs 128 * N * r bytes; Node refuses above maxmem (default 32 MiB), so allow twice that. */
const maxmemFor = (params: ScryptParams) => 256 * params.N * params.r;

/** scrypt$N$r$p$salt$hash (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const params = active;
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, KEY_BYTES, { ...params, maxmem: maxmemFor(params) });
  return [
    'scrypt',
    params.N,
    params.r,
    params.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

function parse(stored: string): { params: ScryptParams; salt: string; hash: string } | undefined {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return undefined;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (
    ![params.N, params.r, params.p].every(Number.isInteger) ||
    params.N > MAX_N ||
    params.r > 32 ||
    params.p > 16
  )
    return undefined;
  return { params, salt, hash };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const actual = await scrypt(password, Buffer.from(parsed.salt, 'base64url'), KEY_BYTES, {
    ...parsed.params,
    maxmem: maxmemFor(parsed.params),
  });
  return safeEqual(actual.toString('base64url'), parsed.hash);
}

/** Whether a stored hash was made with other parameters than today's (re-hash it at sign-in). */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return (
    !parsed || parsed.params.N !== active.N || parsed.params.r !== active.r || parsed.params.p !== active.p
  );
}

/** A password for humans to type once: 20 characters, ~119 bits. */
export function generatePassword(): string {
  return crypto.randomBytes(15).toString('base64url');
}
