/**
 * A series being generated writes a heartbeat with every batch. A series whose heartbeat has
 * stopped was left by a process that stopped or crashed, and any process may take it over and
 * finish it (instead of marking it failed).
 */
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('voucher_series').addColumn('heartbeat_at', 'bigint').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('voucher_series').dropColumn('heartbeat_at').execute();
}
