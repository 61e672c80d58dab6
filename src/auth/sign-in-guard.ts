/**
 * Per-account limit on admin sign-in, on top of the per-address one: after a few wrong passwords
 * for one account (tenant + e-mail), clients wait before the next try, the wait doubling up to a
 * cap. So that an attacker cannot keep an admin locked out, a browser that has signed in to that
 * account before (it holds a device token: OWASP's "device cookie") is not held by the account's
 * wait; it has its own, counted from its own failures.
 *
 * Unknown e-mails are counted exactly like real ones, so the wait reveals nothing. Counts live in
 * this process's memory (bounded); with several processes each keeps its own.
 */
import crypto from 'node:crypto';
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

const MAX_TRACKED = 100_000;

interface Counter {
  failures: number;
  lastFailureMs: number;
  waitUntilMs: number;
}

export class SignInGuard {
  private readonly counters = new Map<string, Counter>();

  constructor(
    /** Keys the device tokens (the server secret). */
    private readonly secret: string,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /** A device token for the browser that just signed in to this account (goes in a cookie). */
  issueDeviceToken(tenantId: number, email: string): string {
    const nonce = randomToken(this.random, 16);
    return `${nonce}.${this.mac(tenantId, email, nonce)}`;
  }

  /** How long this client must wait before trying this account; 0 when it may try now. */
  retryAfterMs(tenantId: number, email: string, deviceToken: string | undefined): number {
    const counter = this.counters.get(this.keyFor(tenantId, email, deviceToken));
    if (!counter) return 0;
    return Math.max(0, counter.waitUntilMs - this.clock.nowMs());
  }

  recordFailure(tenantId: number, email: string, deviceToken: string | undefined): void {
    const key = this.keyFor(tenantId, email, deviceToken);
    const nowMs = this.clock.nowMs();
    const previous = this.counters.get(key);
    const failures =
      previous && nowMs - previous.lastFailureMs < SIGN_IN_BACKOFF.forgetAfterMs ? previous.failures + 1 : 1;
    const over = failures - SIGN_IN_BACKOFF.freeFailures;
    const waitMs =
      over < 0
        ? 0
        : Math.min(SIGN_IN_BACKOFF.maxWaitMs, SIGN_IN_BACKOFF.firstWaitMs * 2 ** Math.min(over, 20));
    // Re-inserted so the Map's order is least recently failed first (evicted first).
    this.counters.delete(key);
    this.counters.set(key, { failures, lastFailureMs: nowMs, waitUntilMs: nowMs + waitMs });
    if (this.counters.size > MAX_TRACKED) {
      const oldest = this.counters.keys().next().value;
      if (oldest !== undefined) this.counters.delete(oldest);
    }
  }

  /** The right password: this account's counts (and this device's) start again. */
  recordSuccess(tenantId: number, email: string, deviceToken: string | undefined): void {
    this.counters.delete(this.keyFor(tenantId, email, undefined));
    this.counters.delete(this.keyFor(tenantId, email, deviceToken));
  }

  /** The account's counter, or the device's own when it holds a valid token for this account. */
  private keyFor(tenantId: number, email: string, deviceToken: string | undefined): string {
    const account = `${tenantId}\0${email}`;
    const nonce = this.trustedNonce(tenantId, email, deviceToken);
    return nonce ? `${account}\0device\0${nonce}` : account;
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
