import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, TEST_DIALECTS, type TestStore } from '../../test/helpers/databases.js';
import { createPlan, createTenant } from '../../test/helpers/factories.js';
import { PlansRepository } from '../plans/repository.js';
import { rowsTable } from './queries.js';

describe.each(TEST_DIALECTS)('list queries (%s)', (dialect) => {
  let store: TestStore;
  let plans: PlansRepository;
  let tenantId: number;
  const titles = ['Promo 50% off', 'Promo 500 MB', 'a_b plan', 'axb plan', 'back\\slash', 'BACKslash'];

  beforeAll(async () => {
    store = await createTestStore(dialect);
    plans = new PlansRepository(store.db);
    tenantId = (await createTenant(store.db)).id;
    const other = (await createTenant(store.db)).id;
    for (const title of titles) {
      await createPlan(store.db, tenantId, { title });
      await createPlan(store.db, other, { title }); // never listed: another tenant's
    }
  });
  afterAll(() => store.destroy());

  const search = async (text: string) =>
    (
      await plans.list(
        tenantId,
        { search: text },
        { key: 'title', direction: 'asc' },
        { page: 1, perPage: 50 },
      )
    ).items.map((p) => p.title);

  it('takes the % _ and \\ of a search literally, case-insensitively', async () => {
    expect(await search('50%')).toEqual(['Promo 50% off']);
    expect(await search('a_b')).toEqual(['a_b plan']);
    expect(await search('k\\s')).toEqual(['back\\slash']);
    expect((await search('SLASH')).sort()).toEqual(['BACKslash', 'back\\slash'].sort());
  });

  it('pages with the total of all matches; equal sort keys are ordered by id, so pages never overlap', async () => {
    const seen: string[] = [];
    for (const page of [1, 2, 3]) {
      const result = await plans.list(
        tenantId,
        {},
        { key: 'created_at', direction: 'desc' },
        { page, perPage: 2 },
      );
      expect(result.total).toBe(titles.length);
      expect(result.page).toBe(page);
      seen.push(...result.items.map((p) => p.title));
    }
    // Every plan was created at the same instant: newest id first.
    expect(seen).toEqual([...titles].reverse());
  });

  it('reads rows back through rowsTable: nulls, integers up to 2^53, text with quotes, commas and backslashes', async () => {
    const rows: Array<Array<string | number | null>> = [
      [0, Number.MAX_SAFE_INTEGER, 'plain'],
      [1, null, 'with "quotes", {braces} and \\ backslash'],
      [2, -42, null],
      [3, 7, 'NULL'],
    ];
    const result = await sql<{ i: number; big: string | number | null; txt: string | null }>`
      select r.i, r.big, r.txt from ${rowsTable(dialect, 'r', { i: 'integer', big: 'bigint', txt: 'text' }, rows)}
      order by r.i`.execute(store.db);
    expect(
      result.rows.map((row) => [Number(row.i), row.big === null ? null : Number(row.big), row.txt]),
    ).toEqual(rows);
  });

  // Every size reads back exactly its rows (SQLite: one JSONB parameter, whatever the count).
  it.each([0, 1, 3, 5, 64, 65, 6000])(
    'reads back %i rows through rowsTable, no more and no fewer',
    async (count) => {
      const rows = Array.from({ length: count }, (_, i) => [i, i * 1_000_003, `row ${i}`]);
      const result = await sql<{ i: number; big: number; txt: string; kind: string }>`
      select r.i, r.big, r.txt, ${dialect === 'sqlite' ? sql`typeof(r.big)` : sql`'integer'`} as kind
      from ${rowsTable(dialect, 'r', { i: 'integer', big: 'bigint', txt: 'text' }, rows)}
      order by r.i`.execute(store.db);
      expect(result.rows.map((row) => [Number(row.i), Number(row.big), row.txt])).toEqual(rows);
      // SQLite: integer columns come back as integers (the comparisons with integer keys need it).
      expect(new Set(result.rows.map((row) => row.kind))).toEqual(new Set(count ? ['integer'] : []));
    },
  );
});
