/**
 * Hit counters shared by every process on one database. A window starts at a key's first hit
 * and lasts `windowMs`; each hit is one atomic upsert (PostgreSQL locks the row for the
 * conflict, SQLite has one writer), so two processes never both see "first".
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.js';

export interface HitCount {
  /** Hits in the current window, this one included. */
  count: number;
  /** When the current window ends (epoch ms). */
  resetAtMs: number;
}

/** The port the rate limiters use; DatabaseCounters implements it (a fake is a Map). */
export interface CounterStore {
  hit(key: string, windowMs: number, nowMs: number): Promise<HitCount>;
  /** The key's current window without counting a hit; undefined when none is running. */
  peek(key: string, nowMs: number): Promise<HitCount | undefined>;
  /** Ends the key's window now (the next hit starts a new one). */
  clear(key: string): Promise<void>;
}

/** Purge ended windows about once per this many hits (cheap: indexed by expires_at). */
const PURGE_EVERY_HITS = 1000;

export class DatabaseCounters implements CounterStore {
  private hitsSincePurge = 0;

  constructor(private readonly db: Kysely<Database>) {}

  async hit(key: string, windowMs: number, nowMs: number): Promise<HitCount> {
    const expiresAtMs = nowMs + windowMs;
    const row = await this.db
      .insertInto('rate_limit_counters')
      .values({ key, hits: 1, expires_at: expiresAtMs })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          hits: sql<number>`case when rate_limit_counters.expires_at <= ${nowMs} then 1 else rate_limit_counters.hits + 1 end`,
          expires_at: sql<number>`case when rate_limit_counters.expires_at <= ${nowMs} then ${expiresAtMs} else rate_limit_counters.expires_at end`,
        }),
      )
      .returning(['hits', 'expires_at'])
      .executeTakeFirstOrThrow();
    if (++this.hitsSincePurge >= PURGE_EVERY_HITS) {
      this.hitsSincePurge = 0;
      await this.db.deleteFrom('rate_limit_counters').where('expires_at', '<', nowMs).execute();
    }
    return { count: Number(row.hits), resetAtMs: Number(row.expires_at) };
  }

  async peek(key: string, nowMs: number): Promise<HitCount | undefined> {
    const row = await this.db
      .selectFrom('rate_limit_counters')
      .select(['hits', 'expires_at'])
      .where('key', '=', key)
      .where('expires_at', '>', nowMs)
      .executeTakeFirst();
    return row ? { count: Number(row.hits), resetAtMs: Number(row.expires_at) } : undefined;
  }

  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('rate_limit_counters').where('key', '=', key).execute();
  }
}

/** Per-process counters (SQLite installs, tests): same contract, no database round trip. */
export class MemoryCounters implements CounterStore {
  private readonly windows = new Map<string, HitCount>();

  hit(key: string, windowMs: number, nowMs: number): Promise<HitCount> {
    let window = this.windows.get(key);
    if (!window || window.resetAtMs <= nowMs) {
      if (this.windows.size > 50_000) this.forgetEnded(nowMs);
      window = { count: 0, resetAtMs: nowMs + windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    return Promise.resolve({ ...window });
  }

  peek(key: string, nowMs: number): Promise<HitCount | undefined> {
    const window = this.windows.get(key);
    return Promise.resolve(window && window.resetAtMs > nowMs ? { ...window } : undefined);
  }

  clear(key: string): Promise<void> {
    this.windows.delete(key);
    return Promise.resolve();
  }

  private forgetEnded(nowMs: number): void {
    for (const [key, window] of this.windows) if (window.resetAtMs <= nowMs) this.windows.delete(key);
  }
}
