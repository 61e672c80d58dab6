/**
 * Test databases, one per dialect in TEST_DIALECTS (default: sqlite, plus postgres when
 * TEST_DATABASE_URL or the local server is configured). Each test file gets fresh databases.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import {
  migrateToLatest,
  openDatabase,
  parseDialect,
  type Dialect,
  type Store,
} from '../../src/store/index.js';

export const TEST_DIALECTS: Dialect[] = (process.env.TEST_DIALECTS ?? 'sqlite')
  .split(',')
  .map((d) => d.trim())
  .filter((d) => d !== '')
  // A misspelt dialect fails the run instead of being skipped without a word.
  .map(parseDialect);

const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestStore extends Store {
  /** Drops the database (PostgreSQL) and closes connections. */
  destroy(): Promise<void>;
  url: string;
}

/** A new, migrated, empty database of the given dialect. */
export async function createTestStore(dialect: Dialect): Promise<TestStore> {
  if (dialect === 'sqlite') {
    const store = openDatabase(':memory:');
    await migrateToLatest(store.db);
    return { ...store, url: ':memory:', destroy: () => store.close() };
  }
  const name = `portico_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const store = openDatabase(url.toString(), { poolSize: 5 });
  await migrateToLatest(store.db);
  return {
    ...store,
    url: url.toString(),
    async destroy() {
      await store.close();
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      // pg's pool.end() resolves before its connections have finished closing; dropping "with
      // (force)" at once would kill them mid-goodbye, and their FATAL arrives as an uncaught
      // error in the test. Give them a moment to go (force still ends any that linger).
      for (let i = 0; i < 100; i++) {
        const { rows } = await client.query<{ n: string }>(
          'select count(*) as n from pg_stat_activity where datname = $1',
          [name],
        );
        if (Number(rows[0]?.n ?? 0) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
