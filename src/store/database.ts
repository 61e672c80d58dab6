import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';
import { prepareRepeatedStatements } from './pg-prepared.js';

/** The SQL dialects Portico runs on; every dialect-specific query takes one (no default). */
export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

/** A dialect named on a command line or in a setting; anything else is an error, not a fallback. */
export function parseDialect(value: string): Dialect {
  const found = DIALECTS.find((dialect) => dialect === value);
  if (!found) throw new Error(`Unknown database dialect "${value}": use ${DIALECTS.join(' or ')}`);
  return found;
}

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** PostgreSQL pool figures (metrics); undefined for SQLite (one connection). */
  poolStats(): { total: number; idle: number; waiting: number; max: number } | undefined;
  close(): Promise<void>;
}

const PG_INT8_OID = 20;

/**
 * How long a pooled PostgreSQL connection may stay idle before the pool closes it, and how many
 * it never closes. A new connection costs a server process (fork), authentication and, on its
 * first calls, preparing every repeated statement again (pg-prepared.ts) with PostgreSQL's five
 * custom plans each before it settles on a generic one — one accounting batch's find went from
 * 0.7 ms to 8.8 ms on a fresh connection (auto_explain, bench/radius/README.md, sixth session).
 * With node-postgres's 10 s default, a RADIUS server whose traffic paused for ten seconds, or
 * whose one connection more than its steady use sat unused that long, opened connections again
 * in the middle of the next burst: the benchmark saw new connections inside its measured runs
 * every few seconds (log_connections).
 */
const IDLE_CONNECTION_TIMEOUT_MS = 5 * 60_000;
export const KEPT_CONNECTIONS = 2;

/** bigint columns (ids, bytes, epoch ms) as JS numbers; everything else as pg parses it. */
function int8AsNumber(oid: number, format?: string): (value: string) => unknown {
  if (oid === PG_INT8_OID) return (value: string) => Number(value);
  return pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown;
}

/**
 * Opens the database named by `url`: `postgres://…` for PostgreSQL, otherwise a SQLite file path
 * (or `:memory:`). 64-bit integers come back as JS numbers (safe to 2^53: 9 PB of traffic).
 */
export function openDatabase(
  url: string,
  options: {
    poolSize?: number;
    /** PostgreSQL: repeated statements prepared per connection (pg-prepared.ts); default on. */
    preparedStatements?: boolean;
    /** An idle pooled connection broke (server restart, admin kill); the pool replaces it. */
    onIdleConnectionError?: (error: Error) => void;
    /** PostgreSQL: how long a connection beyond the kept ones may idle (tests shorten it). */
    idleConnectionTimeoutMs?: number;
  } = {},
): Store {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const max = options.poolSize ?? 10;
    const pool = new pg.Pool({
      connectionString: url,
      max,
      min: Math.min(KEPT_CONNECTIONS, max),
      idleTimeoutMillis: options.idleConnectionTimeoutMs ?? IDLE_CONNECTION_TIMEOUT_MS,
      // A probe after a minute of quiet keeps a firewall or NAT between here and PostgreSQL from
      // dropping a kept connection, and finds one that was dropped (the pool replaces it) before
      // an accounting batch's statement does.
      keepAlive: true,
      keepAliveInitialDelayMillis: 60_000,
      types: { getTypeParser: int8AsNumber as typeof pg.types.getTypeParser },
    });
    // Without a listener, an idle connection the server closes is an unhandled 'error' event,
    // which ends the process. The pool drops that connection and opens a new one when needed.
    pool.on('error', (error) => options.onIdleConnectionError?.(error));
    if (options.preparedStatements ?? true) prepareRepeatedStatements(pool);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      dialect: 'postgres',
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
      close: () => db.destroy(),
    };
  }
  if (url !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(url)), { recursive: true });
  const sqlite = new SqliteDatabase(url);
  // WAL lets readers (portal pages) run while accounting commits; NORMAL sync is durable in WAL
  // across process crashes (only an OS crash can lose the last commits).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, dialect: 'sqlite', poolStats: () => undefined, close: () => db.destroy() };
}

/** Prepared statements kept per SQL text; the app's queries are a few hundred distinct texts. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every statement on every call, which cost a portal view more
 * than running its queries (profile in issue 12). This keeps prepared statements by SQL text
 * (least recently used out first). A statement still iterating (a streamed query) is busy and
 * cannot be shared, so a busy one is never handed out: that call gets a fresh statement.
 * SQLite re-prepares a cached statement by itself after a schema change.
 */
export function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = (source: string) => {
    const cached = cache.get(source);
    if (cached && !cached.busy) {
      cache.delete(source);
      cache.set(source, cached);
      return cached;
    }
    const statement = sqlite.prepare(source);
    if (!cached) {
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(source, statement);
    }
    return statement;
  };
  return new Proxy(sqlite, {
    get(target, name, receiver) {
      if (name === 'prepare') return prepare;
      const value = Reflect.get(target, name, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Brings the schema to the latest migration; throws with the failing migration's error. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(
      `migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      { cause: error },
    );
  }
}

/** Names of the migrations this build knows that the database has not run (readiness). */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  return (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
}
