/**
 * Per-account limit on admin sign-in, on top of the per-address one: after a few wrong passwords
 * for one account (tenant + e-mail), clients wait before the next try, the wait doubling up to a
 * cap. So that an attacker cannot keep an admin locked out, a browser that has signed in to that
 * account before (it holds a device token: OWASP's "device cookie") is not held by the account's
 * wait; it has its own, counted from its own failures.
 *
 * Unknown e-mails are counted exactly like real ones, so the wait reveals nothing. Counts live in
 * the shared counters (rate-limits: the database with PostgreSQL, so every process sees the same
 * failures and waits; memory with SQLite's single process). Counter keys are hashes: no e-mail
 * address is stored in them.
 */
import crypto from 'node:crypto';
import type { CounterStore } from '../rate-limits/index.js';
import { randomToken, safeEqual, type Clock, type RandomSource } from '../shared/index.js';

export const SIGN_IN_BACKOFF = {
  /** Wrong passwords allowed before any wait. */
  freeFailures: 5,
  /** The first wait, doubled by each further failure. */
  firstWaitMs: 30_000,
  /** The longest wait: the worst an attacker can do to an account is one try per this. */
  maxWaitMs: 15 * 60_000,
  /** Failures older than this are forgotten. */
  forgetAfterMs: 24 * 3_600_000,
} as const;

/** The wait after `over` failures beyond the free ones (0 = the first held failure). */
function waitAfterMs(over: number): number {
  return Math.min(SIGN_IN_BACKOFF.maxWaitMs, SIGN_IN_BACKOFF.firstWaitMs * 2 ** Math.min(over, 20));
}

export class SignInGuard {
  constructor(
    /** Keys the device tokens (the server secret). */
    private readonly secret: string,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    /** Failure counts and waits, shared by every process on the database. */
    private readonly counters: CounterStore,
  ) {}

  /** A device token for the browser that just signed in to this account (goes in a cookie). */
  issueDeviceToken(tenantId: number, email: string): string {
    const nonce = randomToken(this.random, 16);
    return `${nonce}.${this.mac(tenantId, email, nonce)}`;
  }

  /** How long this client must wait before trying this account; 0 when it may try now. */
  async retryAfterMs(tenantId: number, email: string, deviceToken: string | undefined): Promise<number> {
    const key = this.keyFor(tenantId, email, deviceToken);
    const nowMs = this.clock.nowMs();
    const failures = await this.counters.peek(key, nowMs);
    if (!failures || failures.count < SIGN_IN_BACKOFF.freeFailures) return 0;
    const hold = await this.counters.peek(holdKey(key, failures), nowMs);
    return hold ? Math.max(0, hold.resetAtMs - nowMs) : 0;
  }

  async recordFailure(tenantId: number, email: string, deviceToken: string | undefined): Promise<void> {
    const key = this.keyFor(tenantId, email, deviceToken);
    const nowMs = this.clock.nowMs();
    const failures = await this.counters.hit(key, SIGN_IN_BACKOFF.forgetAfterMs, nowMs);
    const over = failures.count - SIGN_IN_BACKOFF.freeFailures;
    // The wait is a window of its own, keyed by the failure it follows: a later failure gets a
    // new (longer) one, and an old one never stands in for it.
    if (over >= 0) await this.counters.hit(holdKey(key, failures), waitAfterMs(over), nowMs);
  }

  /** The right password: this account's counts (and this device's) start again. */
  async recordSuccess(tenantId: number, email: string, deviceToken: string | undefined): Promise<void> {
    await this.counters.clear(this.keyFor(tenantId, email, undefined));
    await this.counters.clear(this.keyFor(tenantId, email, deviceToken));
  }

  /** The account's counter, or the device's own when it holds a valid token for this account. */
  private keyFor(tenantId: number, email: string, deviceToken: string | undefined): string {
    const account = `${tenantId}\0${email}`;
    const nonce = this.trustedNonce(tenantId, email, deviceToken);
    const identity = nonce ? `${account}\0device\0${nonce}` : account;
    return `admin-sign-in:${crypto.createHash('sha256').update(identity).digest('base64url')}`;
  }

  private trustedNonce(tenantId: number, email: string, token: string | undefined): string | undefined {
    if (!token || token.length > 200) return undefined;
    const [nonce, mac] = token.split('.');
    if (!nonce || !mac) return undefined;
    return safeEqual(mac, this.mac(tenantId, email, nonce)) ? nonce : undefined;
  }

  private mac(tenantId: number, email: string, nonce: string): string {
    return crypto
      .createHmac('sha256', this.secret)
      .update(`portico admin device\0${tenantId}\0${email}\0${nonce}`)
      .digest('base64url');
  }
}

/** The key of the wait that follows failure number `failures.count` of this failure window. */
function holdKey(key: string, failures: { count: number; resetAtMs: number }): string {
  return `${key}:hold:${failures.resetAtMs}:${failures.count}`;
}
