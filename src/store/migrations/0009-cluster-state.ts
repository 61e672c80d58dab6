/**
 * State that several processes on one database share:
 * - rate_limit_counters: sign-in rate limits and the one-time-code cooldown hold across every
 *   process, not per process. One row per key; a row whose window has ended is restarted in
 *   place by the next hit and deleted now and then.
 * - cluster_facts: facts every process checks at start, e.g. a fingerprint of PORTICO_SECRET
 *   (an HMAC, never the secret), so a process started with a different secret refuses to run.
 */
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('rate_limit_counters')
    .addColumn('key', 'varchar(300)', (c) => c.primaryKey())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rate_limit_counters_expires')
    .on('rate_limit_counters')
    .column('expires_at')
    .execute();
  await db.schema
    .createTable('cluster_facts')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'varchar(200)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('cluster_facts').execute();
  await db.schema.dropTable('rate_limit_counters').execute();
}
