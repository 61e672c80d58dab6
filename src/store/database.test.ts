import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, TEST_DIALECTS, type TestStore } from '../../test/helpers/databases.js';
import { KEPT_CONNECTIONS, openDatabase, type Store } from './database.js';

describe.skipIf(!TEST_DIALECTS.includes('postgres'))('PostgreSQL connections', () => {
  let testStore: TestStore;
  let store: Store;
  const idleErrors: Error[] = [];

  beforeAll(async () => {
    testStore = await createTestStore('postgres');
    store = openDatabase(testStore.url, {
      poolSize: 3,
      onIdleConnectionError: (error) => idleErrors.push(error),
    });
  });
  afterAll(async () => {
    await store.close();
    await testStore.destroy();
  });

  it('survives the server closing its idle connections, and reconnects for the next query', async () => {
    // Fill the pool with three connections that then sit idle.
    await Promise.all([1, 2, 3].map(() => sql`select pg_sleep(0.05)`.execute(store.db)));
    const url = new URL(testStore.url);
    const admin = new pg.Client({ connectionString: testStore.url.replace(url.pathname, '/postgres') });
    await admin.connect();
    const killed = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [url.pathname.slice(1)],
    );
    await admin.end();
    expect(killed.rowCount).toBeGreaterThanOrEqual(3);
    // Wait for all three: a query taken while one of them is still in the pool would get a dead
    // connection (seen under load when only the first error had arrived).
    await expect.poll(() => idleErrors.length).toBeGreaterThanOrEqual(3);

    const row = await sql<{ n: number }>`select 41 + 1 as n`.execute(store.db);
    expect(row.rows[0]?.n).toBe(42);
  });
});

describe.skipIf(!TEST_DIALECTS.includes('postgres'))('PostgreSQL pool', () => {
  let testStore: TestStore;
  let store: Store;
  const idleConnectionTimeoutMs = 100;

  beforeAll(async () => {
    testStore = await createTestStore('postgres');
    store = openDatabase(testStore.url, { poolSize: 4, idleConnectionTimeoutMs });
  });
  afterAll(async () => {
    await store.close();
    await testStore.destroy();
  });

  const backendPid = async () =>
    (await sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.05)`.execute(store.db)).rows[0]!
      .pid;

  it('closes idle connections beyond the kept ones, and answers on the kept ones without reconnecting', async () => {
    const opened = new Set(await Promise.all([1, 2, 3, 4].map(backendPid)));
    expect(opened.size).toBe(4);
    await expect.poll(() => store.poolStats()?.total, { timeout: 5000 }).toBe(KEPT_CONNECTIONS);
    // Several idle timeouts later the kept ones are still open...
    await new Promise((resolve) => setTimeout(resolve, idleConnectionTimeoutMs * 5));
    expect(store.poolStats()?.total).toBe(KEPT_CONNECTIONS);
    // ...and still the connections opened first: no new server process behind them.
    const answering = await Promise.all(Array.from({ length: KEPT_CONNECTIONS }, backendPid));
    for (const pid of answering) expect(opened).toContain(pid);
  });
});
