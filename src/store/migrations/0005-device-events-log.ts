/**
 * The tenant-wide device change log (Logs > Device changes, GET /api/v1/device-events): newest
 * first across all vouchers, filtered by MAC, actor and date. The MACs an event is about move out
 * of details_json into columns so a MAC filter is an index range, not a scan of JSON text:
 * `mac` is the address the change leaves on the voucher (or removed/disconnected), and
 * `replaced_mac` the address a replacement took away (a search for either finds the event).
 * Existing rows are filled in from their details (in id batches, portable to both databases).
 */
import { sql, type Kysely } from 'kysely';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BATCH_ROWS = 1000;
const NORMALISED_MAC = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;

function macOf(value: unknown): string | null {
  return typeof value === 'string' && NORMALISED_MAC.test(value) ? value : null;
}

/**
 * A copy of the app's reading (src/devices/describe.ts, eventMacs) as it stood when this
 * migration was written: migrations never import app code.
 */
function macsOf(action: string, detailsJson: string): { mac: string | null; replaced_mac: string | null } {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(detailsJson) as Record<string, unknown>;
  } catch {
    return { mac: null, replaced_mac: null };
  }
  if (action === 'replaced') {
    // People write {fromMac, toMac}; the RADIUS device-limit policy writes {mac, replacedBy}.
    if (details.toMac !== undefined)
      return { mac: macOf(details.toMac), replaced_mac: macOf(details.fromMac) };
    return { mac: macOf(details.replacedBy), replaced_mac: macOf(details.mac) };
  }
  return { mac: macOf(details.mac), replaced_mac: null };
}

export async function up(db: AnyDb): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one column at a time.
  await db.schema.alterTable('device_events').addColumn('mac', 'varchar(17)').execute();
  await db.schema.alterTable('device_events').addColumn('replaced_mac', 'varchar(17)').execute();

  let afterId = 0;
  for (;;) {
    const rows = (await db
      .selectFrom('device_events')
      .select(['id', 'action', 'details_json'])
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(BATCH_ROWS)
      .execute()) as Array<{ id: number | string; action: string; details_json: string }>;
    if (rows.length === 0) break;
    for (const row of rows) {
      const macs = macsOf(row.action, row.details_json);
      if (macs.mac !== null || macs.replaced_mac !== null)
        await db.updateTable('device_events').set(macs).where('id', '=', row.id).execute();
    }
    afterId = Number(rows[rows.length - 1]!.id);
  }

  // The log, newest first: one index range per page (keyset) instead of sorting the tenant's trail.
  await db.schema
    .createIndex('device_events_tenant_time')
    .on('device_events')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('device_events_mac')
    .on('device_events')
    .columns(['tenant_id', 'mac', 'created_at'])
    .execute();
  // Few events replace a MAC: a partial index keeps this one small.
  await db.schema
    .createIndex('device_events_replaced_mac')
    .on('device_events')
    .columns(['tenant_id', 'replaced_mac', 'created_at'])
    .where(sql.ref('replaced_mac'), 'is not', null)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const index of ['device_events_replaced_mac', 'device_events_mac', 'device_events_tenant_time'])
    await db.schema.dropIndex(index).execute();
  await db.schema.alterTable('device_events').dropColumn('replaced_mac').execute();
  await db.schema.alterTable('device_events').dropColumn('mac').execute();
}
