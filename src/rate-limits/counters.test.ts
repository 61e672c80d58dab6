import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS, createTestStore, type TestStore } from '../../test/helpers/databases.js';
import { SIGN_IN_BACKOFF, SignInGuard } from '../auth/index.js';
import { cryptoRandom, FakeClock } from '../shared/index.js';
import { DatabaseCounters, MemoryCounters, type CounterStore } from './index.js';

describe.each(TEST_DIALECTS)('shared rate-limit counters (%s)', (dialect) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(() => store.destroy());

  const kinds: Array<[string, () => CounterStore]> = [
    ['database', () => new DatabaseCounters(store.db)],
    ['memory', () => new MemoryCounters()],
  ];
  it.each(kinds)('%s: concurrent hits each get their own count; a window restarts', async (kind, make) => {
    const counters = make();
    // Two "processes" (two counter objects) on one database hit the same key at once.
    const other = kind === 'database' ? make() : counters;
    const hits = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? counters : other).hit(`k-${kind}`, 60_000, 1_000)),
    );
    expect(hits.map((h) => h.count).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    expect(new Set(hits.map((h) => h.resetAtMs))).toEqual(new Set([61_000]));
    // Within the window the count goes on; at its end a new window starts at 1.
    expect(await counters.hit(`k-${kind}`, 60_000, 60_999)).toEqual({ count: 41, resetAtMs: 61_000 });
    expect(await counters.hit(`k-${kind}`, 60_000, 61_000)).toEqual({ count: 1, resetAtMs: 121_000 });
    // Keys are independent.
    expect((await counters.hit(`other-${kind}`, 1000, 61_000)).count).toBe(1);
  });

  it.each(kinds)('%s: peek reads a running window without counting; clear ends it', async (kind, make) => {
    const counters = make();
    expect(await counters.peek(`p-${kind}`, 1_000)).toBeUndefined();
    await counters.hit(`p-${kind}`, 10_000, 1_000);
    await counters.hit(`p-${kind}`, 10_000, 2_000);
    expect(await counters.peek(`p-${kind}`, 5_000)).toEqual({ count: 2, resetAtMs: 11_000 });
    expect(await counters.peek(`p-${kind}`, 5_000)).toEqual({ count: 2, resetAtMs: 11_000 });
    expect(await counters.peek(`p-${kind}`, 11_000)).toBeUndefined();
    await counters.clear(`p-${kind}`);
    expect(await counters.peek(`p-${kind}`, 5_000)).toBeUndefined();
    expect((await counters.hit(`p-${kind}`, 10_000, 5_000)).count).toBe(1);
  });

  it('the admin sign-in backoff holds across processes: failures at one, the wait at another', async () => {
    const clock = new FakeClock(1_000_000);
    // Two processes: two guards, each with its own counters object, on one database.
    const guard = () => new SignInGuard('secret', clock, cryptoRandom, new DatabaseCounters(store.db));
    const [a, b] = [guard(), guard()];
    for (let i = 0; i < SIGN_IN_BACKOFF.freeFailures; i++)
      await (i % 2 ? a : b).recordFailure(1, 'owner@example.com', undefined);
    expect(await a.retryAfterMs(1, 'owner@example.com', undefined)).toBe(SIGN_IN_BACKOFF.firstWaitMs);
    expect(await b.retryAfterMs(1, 'owner@example.com', undefined)).toBe(SIGN_IN_BACKOFF.firstWaitMs);
    // Another account, and a browser that signed in before, are not held.
    expect(await b.retryAfterMs(1, 'other@example.com', undefined)).toBe(0);
    const device = a.issueDeviceToken(1, 'owner@example.com');
    expect(await b.retryAfterMs(1, 'owner@example.com', device)).toBe(0);
    // The next failure, at the other process, doubles the wait; the right password ends it.
    clock.advance(SIGN_IN_BACKOFF.firstWaitMs);
    expect(await a.retryAfterMs(1, 'owner@example.com', undefined)).toBe(0);
    await b.recordFailure(1, 'owner@example.com', undefined);
    expect(await a.retryAfterMs(1, 'owner@example.com', undefined)).toBe(2 * SIGN_IN_BACKOFF.firstWaitMs);
    await a.recordSuccess(1, 'owner@example.com', undefined);
    expect(await b.retryAfterMs(1, 'owner@example.com', undefined)).toBe(0);
  });
});
