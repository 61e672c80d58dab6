/** Read-only device queries for the operator area and the API (writes belong to the devices module). */
import type { Kysely } from 'kysely';
import type { Database, Device } from '../store/index.js';

export interface DeviceView {
  id: number;
  voucherId: number;
  mac: string;
  title: string | null;
  addedBy: string;
  isRandomized: boolean;
  firstSeenAtMs: number | null;
  lastSeenAtMs: number | null;
  lastHotspotId: number | null;
  downloadedBytes: number;
  uploadedBytes: number;
  onlineSeconds: number;
}

export function toDeviceView(row: Device): DeviceView {
  return {
    id: row.id,
    voucherId: row.voucher_id,
    mac: row.mac,
    title: row.title,
    addedBy: row.added_by,
    isRandomized: row.is_randomized === 1,
    firstSeenAtMs: row.first_seen_at,
    lastSeenAtMs: row.last_seen_at,
    lastHotspotId: row.last_hotspot_id,
    downloadedBytes: row.downloaded_bytes,
    uploadedBytes: row.uploaded_bytes,
    onlineSeconds: row.online_seconds,
  };
}

export class DevicesAdminQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async ofVouchers(tenantId: number, voucherIds: number[]): Promise<DeviceView[]> {
    if (voucherIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('devices')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('voucher_id', 'in', voucherIds)
      .orderBy('id')
      .limit(1000)
      .execute();
    return rows.map(toDeviceView);
  }
}
