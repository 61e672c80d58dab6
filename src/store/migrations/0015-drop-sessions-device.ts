/**
 * sessions_device (tenant_id, device_id, stopped_at) serves no query: a device's sessions are
 * found through its voucher and MAC (sessions_voucher_open, sessions_mac), and a session's device
 * is read by the device's primary key. Yet every session start inserts into it, and every stop —
 * which PostgreSQL cannot make a heap-only update, stopped_at being indexed — inserts again: one
 * index entry in seven of a Start/Stop pair's (pg_waldump --stats of a Start/Stop run: 14 B-tree
 * leaf inserts per pair, 45 % of its write-ahead log).
 */
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('sessions_device').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('sessions_device')
    .on('sessions')
    .columns(['tenant_id', 'device_id', 'stopped_at'])
    .execute();
}
