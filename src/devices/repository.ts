import type { Kysely, SelectQueryBuilder } from 'kysely';
import { touchVoucherOwnersPortals, type Database, type Device } from '../store/index.js';
import { pageOffset, type Page, type PageRequest } from '../shared/index.js';
import { eventMacs } from './describe.js';
import type { DeviceEvent } from './model.js';

/** Voucher statuses in which a voucher still lets devices in. */
export const LIVE_VOUCHER_STATUSES = ['new', 'active', 'online'] as const;

/** Where a page of the audit trail ends: the next page holds the changes before this one. */
export interface DeviceEventCursor {
  createdAtMs: number;
  id: number;
}

/** Which changes of a tenant's device audit trail to list (all of them when empty). */
export interface DeviceEventFilter {
  voucherId?: number | undefined;
  /** Normalised MAC: changes about it, replacements from or to it included. */
  mac?: string | undefined;
  actor?: DeviceEvent['actor'] | undefined;
  /** At or after this instant (epoch ms). */
  createdFromMs?: number | undefined;
  /** Before this instant (epoch ms, exclusive). */
  createdToMs?: number | undefined;
}

/** The mac and replaced_mac columns of an audit row, read from its details (one rule for every writer). */
export function eventMacColumns(
  action: string,
  details: Record<string, unknown>,
): { mac: string | null; replaced_mac: string | null } {
  const macs = eventMacs(action, details);
  return { mac: macs.mac, replaced_mac: macs.replacedMac };
}

const EVENT_COLUMNS = [
  'id',
  'voucher_id',
  'device_id',
  'actor',
  'actor_id',
  'client_ip',
  'action',
  'details_json',
  'created_at',
] as const;

function toDeviceEvent(row: {
  id: number;
  voucher_id: number;
  device_id: number | null;
  actor: string;
  actor_id: number | null;
  client_ip: string | null;
  action: string;
  details_json: string;
  created_at: number;
}): DeviceEvent {
  return {
    id: row.id,
    voucherId: row.voucher_id,
    deviceId: row.device_id,
    actor: row.actor as DeviceEvent['actor'],
    actorId: row.actor_id,
    clientIp: row.client_ip,
    action: row.action,
    details: JSON.parse(row.details_json) as Record<string, unknown>,
    createdAtMs: row.created_at,
  };
}

/** One audit row of a voucher's devices. */
export type NewDeviceEvent = Omit<DeviceEvent, 'id'> & { tenantId: number };

/**
 * The one writer of device_events, for the service (customers, operators) and the RADIUS access
 * policy (system) alike, inside whatever transaction `db` is.
 */
export async function insertDeviceEvent(db: Kysely<Database>, event: NewDeviceEvent): Promise<void> {
  await db
    .insertInto('device_events')
    .values({
      tenant_id: event.tenantId,
      voucher_id: event.voucherId,
      device_id: event.deviceId,
      actor: event.actor,
      actor_id: event.actorId,
      client_ip: event.clientIp,
      action: event.action,
      details_json: JSON.stringify(event.details),
      ...eventMacColumns(event.action, event.details),
      created_at: event.createdAtMs,
    })
    .execute();
  // Every device change is audited here, after the change: the owner's portal shows devices.
  await touchVoucherOwnersPortals(db, [event.voucherId]);
}

/** Deletes one of the tenant's devices (its audit rows stay). */
export async function deleteDevice(db: Kysely<Database>, tenantId: number, deviceId: number): Promise<void> {
  await db.deleteFrom('devices').where('tenant_id', '=', tenantId).where('id', '=', deviceId).execute();
}

/** A device to put on a voucher; `seenAtHotspotId` when it is being seen right now (a first login). */
export interface NewDevice {
  tenantId: number;
  voucherId: number;
  mac: string;
  title?: string | null;
  addedBy: 'first_login' | 'customer' | 'operator';
  isRandomized: boolean;
  nowMs: number;
  seenAtHotspotId?: number;
}

/** The one writer of new devices rows, for the service and the RADIUS access policy alike. */
export function insertDevice(db: Kysely<Database>, values: NewDevice): Promise<Device> {
  const seen =
    values.seenAtHotspotId === undefined
      ? {}
      : { first_seen_at: values.nowMs, last_seen_at: values.nowMs, last_hotspot_id: values.seenAtHotspotId };
  return db
    .insertInto('devices')
    .values({
      tenant_id: values.tenantId,
      voucher_id: values.voucherId,
      mac: values.mac,
      title: values.title ?? null,
      added_by: values.addedBy,
      is_randomized: values.isRandomized ? 1 : 0,
      ...seen,
      created_at: values.nowMs,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Start of each MAC's oldest open session on the voucher ("online now"). */
export async function openSessionsByMac(
  db: Kysely<Database>,
  tenantId: number,
  voucherId: number,
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('sessions')
    .select(['mac', (eb) => eb.fn.min<number>('started_at').as('since')])
    .where('tenant_id', '=', tenantId)
    .where('voucher_id', '=', voucherId)
    .where('stopped_at', 'is', null)
    .groupBy('mac')
    .execute();
  return new Map(rows.filter((r) => r.mac !== null).map((r) => [r.mac as string, Number(r.since)]));
}

export class DevicesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  listByVoucher(tenantId: number, voucherId: number): Promise<Device[]> {
    return this.db
      .selectFrom('devices')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('voucher_id', '=', voucherId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  findOnVoucher(tenantId: number, voucherId: number, deviceId: number): Promise<Device | undefined> {
    return this.db
      .selectFrom('devices')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('voucher_id', '=', voucherId)
      .where('id', '=', deviceId)
      .executeTakeFirst();
  }

  /** The live voucher (other than `exceptVoucherId`) that already holds this MAC, if any. */
  async findLiveVoucherIdWithMac(
    tenantId: number,
    mac: string,
    exceptVoucherId: number,
  ): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('devices')
      .innerJoin('vouchers', 'vouchers.id', 'devices.voucher_id')
      .select('vouchers.id')
      .where('devices.tenant_id', '=', tenantId)
      .where('vouchers.tenant_id', '=', tenantId)
      .where('devices.mac', '=', mac)
      .where('vouchers.id', '!=', exceptVoucherId)
      .where('vouchers.status', 'in', LIVE_VOUCHER_STATUSES)
      .executeTakeFirst();
    return row?.id;
  }

  async countOnVoucher(tenantId: number, voucherId: number): Promise<number> {
    const row = await this.db
      .selectFrom('devices')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('voucher_id', '=', voucherId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  insert(values: NewDevice): Promise<Device> {
    return insertDevice(this.db, values);
  }

  async update(
    tenantId: number,
    deviceId: number,
    changes: { mac?: string; title?: string | null; isRandomized?: boolean },
  ): Promise<void> {
    await this.db
      .updateTable('devices')
      .set({
        ...(changes.mac !== undefined ? { mac: changes.mac } : {}),
        ...(changes.title !== undefined ? { title: changes.title } : {}),
        ...(changes.isRandomized !== undefined ? { is_randomized: changes.isRandomized ? 1 : 0 } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', deviceId)
      .execute();
  }

  delete(tenantId: number, deviceId: number): Promise<void> {
    return deleteDevice(this.db, tenantId, deviceId);
  }

  /** The voucher owner's portal changed without an audited change (a racing add taken back). */
  touchPortal(voucherId: number): Promise<void> {
    return touchVoucherOwnersPortals(this.db, [voucherId]);
  }

  insertEvent(event: NewDeviceEvent): Promise<void> {
    return insertDeviceEvent(this.db, event);
  }

  /** The tenant's audit rows matching `filter` (every query starts here: tenant-scoped). */
  private eventsWhere(tenantId: number, filter: DeviceEventFilter) {
    let query = this.db.selectFrom('device_events').where('tenant_id', '=', tenantId);
    if (filter.voucherId !== undefined) query = query.where('voucher_id', '=', filter.voucherId);
    const mac = filter.mac;
    if (mac !== undefined) {
      // Each side of the OR names the tenant, so each is one range of its own index
      // (device_events_mac, device_events_replaced_mac) rather than a filter over the tenant's trail.
      query = query.where((eb) =>
        eb.or([
          eb.and([eb('tenant_id', '=', tenantId), eb('mac', '=', mac)]),
          eb.and([eb('tenant_id', '=', tenantId), eb('replaced_mac', '=', mac)]),
        ]),
      );
    }
    if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
    if (filter.createdFromMs !== undefined) query = query.where('created_at', '>=', filter.createdFromMs);
    if (filter.createdToMs !== undefined) query = query.where('created_at', '<', filter.createdToMs);
    return query;
  }

  private newestFirst<O>(query: SelectQueryBuilder<Database, 'device_events', O>) {
    return query.select(EVENT_COLUMNS).orderBy('created_at', 'desc').orderBy('id', 'desc');
  }

  /**
   * Changes matching `filter` (all of a tenant's when it is empty), newest first: `limit` of
   * them, from just after `before` when given (keyset paging).
   */
  async listEvents(
    tenantId: number,
    options: DeviceEventFilter & { limit: number; before?: DeviceEventCursor | undefined },
  ): Promise<DeviceEvent[]> {
    let query = this.newestFirst(this.eventsWhere(tenantId, options)).limit(options.limit);
    const before = options.before;
    if (before) {
      // Keyset paging in (created_at, id) order: stable while new changes arrive at the top.
      // The redundant `created_at <=` bounds the index range; the OR only breaks ties.
      query = query
        .where('created_at', '<=', before.createdAtMs)
        .where((eb) =>
          eb.or([
            eb('created_at', '<', before.createdAtMs),
            eb.and([eb('created_at', '=', before.createdAtMs), eb('id', '<', before.id)]),
          ]),
        );
    }
    return (await query.execute()).map(toDeviceEvent);
  }

  /** One offset page of the changes matching `filter`, newest first, with their total (the REST API). */
  async pageEvents(
    tenantId: number,
    filter: DeviceEventFilter,
    page: PageRequest,
  ): Promise<Page<DeviceEvent>> {
    const where = this.eventsWhere(tenantId, filter);
    const [rows, count] = await Promise.all([
      this.newestFirst(where).limit(page.perPage).offset(pageOffset(page)).execute(),
      where.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    ]);
    return { items: rows.map(toDeviceEvent), total: Number(count?.n ?? 0), ...page };
  }

  /** Codes of the tenant's vouchers among `ids` (the log names each change's voucher). */
  async voucherCodes(tenantId: number, ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('vouchers')
      .select(['id', 'code'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((r) => [r.id, r.code]));
  }

  /** The voucher a device change is about, with what the rules need. */
  findVoucher(tenantId: number, voucherId: number) {
    return this.db
      .selectFrom('vouchers')
      .select(['id', 'customer_id', 'status', 'devices_limit', 'code'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', voucherId)
      .executeTakeFirst();
  }

  /** Start of each MAC's oldest open session on the voucher ("online now"). */
  openSessionsByMac(tenantId: number, voucherId: number): Promise<Map<string, number>> {
    return openSessionsByMac(this.db, tenantId, voucherId);
  }

  async countOpenSessions(tenantId: number, voucherId: number, mac: string): Promise<number> {
    const row = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('tenant_id', '=', tenantId)
      .where('voucher_id', '=', voucherId)
      .where('mac', '=', mac)
      .where('stopped_at', 'is', null)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  /** Names of the tenant's hotspots among `ids` (a device's last hotspot). */
  async hotspotNames(tenantId: number, ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('hotspots')
      .select(['id', 'title'])
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.id, r.title]));
  }

  /** Device counts of the given vouchers (the dashboard's compact summary). */
  async countByVouchers(tenantId: number, voucherIds: number[]): Promise<Map<number, number>> {
    if (voucherIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('devices')
      .select(['voucher_id', (eb) => eb.fn.countAll<number>().as('count')])
      .where('tenant_id', '=', tenantId)
      .where('voucher_id', 'in', voucherIds)
      .groupBy('voucher_id')
      .execute();
    return new Map(rows.map((r) => [r.voucher_id, Number(r.count)]));
  }
}
