/**
 * Device queries the RADIUS access policy and accounting need (associated devices of a voucher,
 * MAC lookups, usage counters). Every query is scoped by tenant.
 */
import { sql, type Kysely } from 'kysely';
import {
  rowChunks,
  rowsTable,
  rowsUpdateWrite,
  updateFromRowsInIdOrder,
  type FollowingWrite,
  type RowsUpdate,
  type Database,
  type Device,
  type Dialect,
} from '../store/index.js';
import { deleteDevice, insertDevice, insertDeviceEvent, openSessionsByMac } from './repository.js';

export interface DeviceWithPresence extends Device {
  /** Start of the device's oldest open session, or null when it is offline. */
  online_since_at: number | null;
}

/** A device's usage growth in an accounting batch. */
export interface DeviceUsageDelta {
  tenantId: number;
  deviceId: number;
  hotspotId: number;
  downloadedBytes: number;
  uploadedBytes: number;
  onlineSeconds: number;
}

export class DeviceAccessRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  withDb(db: Kysely<Database>): DeviceAccessRepository {
    return new DeviceAccessRepository(db, this.dialect);
  }

  findOnVoucher(tenantId: number, voucherId: number, mac: string): Promise<Device | undefined> {
    return this.db
      .selectFrom('devices')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('voucher_id', '=', voucherId)
      .where('mac', '=', mac)
      .executeTakeFirst();
  }

  findById(tenantId: number, id: number): Promise<Device | undefined> {
    return this.db
      .selectFrom('devices')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Devices with this MAC in the tenant, most recently seen first (for MAC authentication). */
  findByMac(tenantId: number, mac: string): Promise<Device[]> {
    return this.db
      .selectFrom('devices')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('mac', '=', mac)
      .orderBy('last_seen_at', 'desc')
      .orderBy('id', 'desc')
      .limit(20)
      .execute();
  }

  /** The voucher's devices with whether (and since when) each has an open session. */
  async listWithPresence(tenantId: number, voucherId: number): Promise<DeviceWithPresence[]> {
    const devices = await this.db
      .selectFrom('devices')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('voucher_id', '=', voucherId)
      .orderBy('id')
      .execute();
    const since = await openSessionsByMac(this.db, tenantId, voucherId);
    return devices.map((device) => ({ ...device, online_since_at: since.get(device.mac) ?? null }));
  }

  insertFirstLogin(values: {
    tenantId: number;
    voucherId: number;
    mac: string;
    isRandomized: boolean;
    hotspotId: number;
    nowMs: number;
  }): Promise<Device> {
    const { hotspotId, ...device } = values;
    return insertDevice(this.db, { ...device, addedBy: 'first_login', seenAtHotspotId: hotspotId });
  }

  async markSeen(tenantId: number, deviceId: number, hotspotId: number, nowMs: number): Promise<void> {
    await this.db
      .updateTable('devices')
      .set((eb) => ({
        last_seen_at: nowMs,
        last_hotspot_id: hotspotId,
        first_seen_at: eb.fn.coalesce('first_seen_at', eb.val(nowMs)),
      }))
      .where('tenant_id', '=', tenantId)
      .where('id', '=', deviceId)
      .execute();
  }

  /** markSeen for many devices in one statement (each device once: its latest sighting wins). */
  async markSeenMany(
    items: ReadonlyArray<{ tenantId: number; deviceId: number; hotspotId: number; nowMs: number }>,
  ): Promise<void> {
    if (items.length === 0) return;
    const latest = new Map<number, (typeof items)[number]>();
    for (const item of items) {
      const previous = latest.get(item.deviceId);
      if (!previous || previous.nowMs <= item.nowMs) latest.set(item.deviceId, item);
    }
    const rows = [...latest.values()]
      .sort((a, b) => a.deviceId - b.deviceId)
      .map((i) => [i.deviceId, i.tenantId, i.hotspotId, i.nowMs]);
    await sql`update devices set last_seen_at = s.at, last_hotspot_id = s.hid,
        first_seen_at = coalesce(devices.first_seen_at, s.at)
      from ${rowsTable(this.dialect, 's', { id: 'bigint', tid: 'bigint', hid: 'bigint', at: 'bigint' }, rows)}
      where devices.id = s.id and devices.tenant_id = s.tid`.execute(this.db);
  }

  delete(tenantId: number, deviceId: number): Promise<void> {
    return deleteDevice(this.db, tenantId, deviceId);
  }

  /** An audit row written by the system (the access policy), not by a person. */
  recordEvent(values: {
    tenantId: number;
    voucherId: number;
    deviceId: number | null;
    action: string;
    details: Record<string, unknown>;
    nowMs: number;
  }): Promise<void> {
    const { nowMs, ...event } = values;
    return insertDeviceEvent(this.db, {
      ...event,
      actor: 'system',
      actorId: null,
      clientIp: null,
      createdAtMs: nowMs,
    });
  }

  /** Adds accounting deltas to devices' counters (in id order): one UPDATE … FROM (rows) per 5,000. */
  async addUsageMany(items: readonly DeviceUsageDelta[], nowMs: number): Promise<void> {
    for (const update of this.usageUpdates(items, nowMs))
      await updateFromRowsInIdOrder(this.dialect, update).execute(this.db);
  }

  /** addUsageMany as writes for a caller that runs them inside its own statement (or alone). */
  usageWrites(items: readonly DeviceUsageDelta[], nowMs: number): FollowingWrite[] {
    return this.usageUpdates(items, nowMs).map((update) => rowsUpdateWrite(this.dialect, update));
  }

  private usageUpdates(items: readonly DeviceUsageDelta[], nowMs: number): Array<RowsUpdate<'devices'>> {
    const columns = {
      id: 'bigint',
      tid: 'bigint',
      dd: 'bigint',
      du: 'bigint',
      ds: 'bigint',
      hid: 'bigint',
    } as const;
    return rowChunks(items, (item) => [
      item.deviceId,
      item.tenantId,
      item.downloadedBytes,
      item.uploadedBytes,
      item.onlineSeconds,
      item.hotspotId,
    ]).map((rows) => ({
      table: 'devices',
      assignments: sql`downloaded_bytes = devices.downloaded_bytes + d.dd, uploaded_bytes = devices.uploaded_bytes + d.du,
          online_seconds = devices.online_seconds + d.ds, last_seen_at = ${sql`cast(${nowMs} as bigint)`}, last_hotspot_id = d.hid`,
      columns,
      rows,
    }));
  }
}
