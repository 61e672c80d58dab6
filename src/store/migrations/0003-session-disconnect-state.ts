/**
 * Durable Disconnect-Request state per session, so a disconnect the hotspot did not confirm is
 * retried after the RFC 5176 retransmission window (by any process sharing the database):
 * why Portico last asked, how many request exchanges were made, when the next may be tried
 * (backoff, and the compare-and-set claim between processes), and when the hotspot ACKed.
 * A partial index lists the open sessions without scanning the session history.
 */
import { sql, type Kysely } from 'kysely';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: AnyDb): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one column at a time.
  await db.schema.alterTable('sessions').addColumn('disconnect_reason', 'varchar(32)').execute();
  await db.schema
    .alterTable('sessions')
    .addColumn('disconnect_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('sessions').addColumn('disconnect_next_at', 'bigint').execute();
  await db.schema.alterTable('sessions').addColumn('disconnect_acked_at', 'bigint').execute();
  await db.schema
    .createIndex('sessions_live')
    .on('sessions')
    .columns(['hotspot_id', 'id'])
    .where(sql.ref('stopped_at'), 'is', null)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('sessions_live').execute();
  for (const column of [
    'disconnect_acked_at',
    'disconnect_next_at',
    'disconnect_attempts',
    'disconnect_reason',
  ]) {
    await db.schema.alterTable('sessions').dropColumn(column).execute();
  }
}
