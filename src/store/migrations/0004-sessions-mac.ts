/**
 * Operators look a device up by MAC ("which voucher is this phone on, is it online?"): the
 * session list filtered by MAC, newest first, is one index range instead of a scan of the
 * tenant's session history. (devices_tenant_mac already serves the voucher list's MAC filter.)
 */
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('sessions_mac')
    .on('sessions')
    .columns(['tenant_id', 'mac', 'started_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('sessions_mac').execute();
}
