/**
 * Sign-in attempts per key (a phone number) in fixed windows, in this process's memory. The
 * per-address limit (@fastify/rate-limit) must be wide enough for a whole venue behind one NAT,
 * so one guest hammering one number is held back here instead. With several processes each
 * would count its own attempts, so on PostgreSQL the plugin counts in the database instead
 * (signInCounters); the OTP caps in the database stay the hard limit on codes sent.
 */
export class AttemptWindow {
  private readonly counts = new Map<string, { startMs: number; count: number }>();

  constructor(private readonly limit: { max: number; windowMs: number }) {}

  /** The seconds to wait before another attempt for `key` (0: go ahead), without counting one. */
  waitSeconds(key: string, nowMs: number): number {
    const entry = this.counts.get(key);
    if (!entry || nowMs - entry.startMs >= this.limit.windowMs || entry.count < this.limit.max) return 0;
    return Math.max(1, Math.ceil((entry.startMs + this.limit.windowMs - nowMs) / 1000));
  }

  /** Counts an attempt; the seconds to wait when it is over the limit, else 0. */
  take(key: string, nowMs: number): number {
    let entry = this.counts.get(key);
    if (!entry || nowMs - entry.startMs >= this.limit.windowMs) {
      if (this.counts.size >= 10_000) this.dropExpired(nowMs);
      entry = { startMs: nowMs, count: 0 };
      this.counts.set(key, entry);
    }
    entry.count += 1;
    if (entry.count <= this.limit.max) return 0;
    return Math.max(1, Math.ceil((entry.startMs + this.limit.windowMs - nowMs) / 1000));
  }

  private dropExpired(nowMs: number): void {
    for (const [key, entry] of this.counts)
      if (nowMs - entry.startMs >= this.limit.windowMs) this.counts.delete(key);
    if (this.counts.size >= 10_000) this.counts.clear(); // a flood of distinct numbers
  }
}
