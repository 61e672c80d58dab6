import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, TEST_DIALECTS, type TestStore } from '../../test/helpers/databases.js';
import { createTenant } from '../../test/helpers/factories.js';
import { CompiledOnce, slot } from './compiled-once.js';

describe.each(TEST_DIALECTS)('a statement compiled once (%s)', (dialect) => {
  let store: TestStore;
  let tenantIds: number[];

  beforeAll(async () => {
    store = await createTestStore(dialect);
    tenantIds = [];
    for (let i = 0; i < 3; i++) tenantIds.push((await createTenant(store.db)).id);
  });
  afterAll(() => store.destroy());

  it('runs with each call’s values in its slots and the built ones elsewhere', async () => {
    let builds = 0;
    const statement = new CompiledOnce(() => {
      builds++;
      return store.db
        .selectFrom('tenants')
        .select('id')
        .where('id', 'in', [slot<number>('first'), slot<number>('second'), -1])
        .orderBy('id')
        .limit(slot<number>('limit'));
    });
    const [a, b, c] = tenantIds as [number, number, number];
    const run = async (values: Record<string, unknown>) =>
      (await store.db.executeQuery(statement.bind(values))).rows.map((row) => row.id);
    expect(await run({ first: a, second: c, limit: 10 })).toEqual([a, c]);
    expect(await run({ first: b, second: c, limit: 1 })).toEqual([b]);
    expect(builds).toBe(1);
    const first = statement.bind({ first: a, second: b, limit: 1 });
    expect(statement.bind({ first: a, second: b, limit: 1 }).queryId).not.toBe(first.queryId);
    expect(first.parameters).toContain(-1);
  });

  it('refuses a call that leaves a slot without a value', () => {
    const statement = new CompiledOnce(() =>
      store.db.selectFrom('tenants').select('id').where('id', '=', slot<number>('id')),
    );
    expect(() => statement.bind({})).toThrow(/slot id/);
  });
});
