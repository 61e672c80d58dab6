import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, TEST_DIALECTS, type TestStore } from '../../test/helpers/databases.js';
import { openDatabase, type Store } from './database.js';
import { StatementNames } from './pg-prepared.js';

describe('StatementNames', () => {
  it('names a text the second time it is seen, then always the same name', () => {
    const names = new StatementNames();
    expect(names.nameOf('select $1')).toBeUndefined();
    const name = names.nameOf('select $1');
    expect(name).toMatch(/^portico_\d+$/);
    expect(names.nameOf('select $1')).toBe(name);
    expect(names.nameOf('select $1 + 1')).toBeUndefined();
    expect(names.nameOf('select $1 + 1')).not.toBe(name);
  });

  it('names 500 texts at most: the rest run unnamed', () => {
    const names = new StatementNames();
    for (let i = 0; i < 600; i++) {
      names.nameOf(`select ${i}`);
      names.nameOf(`select ${i}`);
    }
    expect(names.size).toBe(500);
    expect(names.nameOf('select 599')).toBeUndefined();
    expect(names.nameOf('select 0')).toBe('portico_1');
  });

  it('never names a refused text again', () => {
    const names = new StatementNames();
    names.nameOf('select *');
    expect(names.nameOf('select *')).toBeDefined();
    names.refuse('select *');
    expect(names.nameOf('select *')).toBeUndefined();
    expect(names.nameOf('select *')).toBeUndefined();
  });
});

describe.skipIf(!TEST_DIALECTS.includes('postgres'))('prepared statements on PostgreSQL', () => {
  let testStore: TestStore;
  const stores: Store[] = [];
  const open = (preparedStatements?: boolean) => {
    // One connection: every query below runs on the connection whose statements it reads.
    const store = openDatabase(testStore.url, { poolSize: 1, preparedStatements });
    stores.push(store);
    return store;
  };
  const prepared = async (store: Store) =>
    (
      await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(store.db)
    ).rows.map((r) => r.statement);

  beforeAll(async () => {
    testStore = await createTestStore('postgres');
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await testStore.destroy();
  });

  it('prepares a parameterised text on its second run, and answers the same', async () => {
    const store = open();
    const results = [];
    for (const n of [1, 2, 3])
      results.push(
        (await sql<{ tripled: number }>`select cast(${n} as integer) * 3 as tripled`.execute(store.db)).rows,
      );
    expect(results).toEqual([[{ tripled: 3 }], [{ tripled: 6 }], [{ tripled: 9 }]]);
    for (let i = 0; i < 3; i++) await sql.raw('select 2 * 2 as four').execute(store.db);
    const statements = await prepared(store);
    expect(statements).toContain('select cast($1 as integer) * 3 as tripled');
    // A text without parameters stays a simple query, never prepared.
    expect(statements.some((s) => s.includes('four'))).toBe(false);
  });

  it('prepares nothing when turned off', async () => {
    const store = open(false);
    for (const n of [1, 2, 3]) await sql`select cast(${n} as integer) as n`.execute(store.db);
    expect(await prepared(store)).toEqual([]);
  });

  it('a result type changed under a prepared statement fails that call only; later calls run unnamed', async () => {
    const store = open();
    await sql`create table prepared_probe (id integer primary key)`.execute(store.db);
    await sql`insert into prepared_probe values (1)`.execute(store.db);
    const read = () =>
      sql<Record<string, unknown>>`select * from prepared_probe where id = ${1}`.execute(store.db);
    await read();
    expect((await read()).rows).toEqual([{ id: 1 }]);
    expect(await prepared(store)).toContain('select * from prepared_probe where id = $1');

    // What another process's migration does: the prepared `select *` would now return a column more.
    await sql`alter table prepared_probe add column note text`.execute(store.db);
    await expect(read()).rejects.toMatchObject({ code: '0A000' });
    expect((await read()).rows).toEqual([{ id: 1, note: null }]);
    expect((await read()).rows).toEqual([{ id: 1, note: null }]);
  });
});
