import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS, createTestStore, type TestStore } from '../../test/helpers/databases.js';
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
});
