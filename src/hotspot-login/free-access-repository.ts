/**
 * Queries of free access by phone: each hotspot's free-access settings (columns of its login
 * page) and the guests' requests, counted for the limits. Every query is scoped by tenant.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

/** A hotspot's free access by phone (issue 13, item 4). */
export interface FreeAccessConfig {
  enabled: boolean;
  /** The plan the guests' vouchers are made of; null = none chosen (free access stays off). */
  planId: number | null;
  /** The window every limit below counts in. */
  periodHours: number;
  vouchersPerPhone: number;
  codesPerPhone: number;
  /** Per router client MAC. */
  codesPerDevice: number;
  codesPerHotspot: number;
}

export const FREE_ACCESS_DEFAULTS: FreeAccessConfig = {
  enabled: false,
  planId: null,
  periodHours: 24,
  vouchersPerPhone: 1,
  codesPerPhone: 3,
  codesPerDevice: 3,
  codesPerHotspot: 100,
};

export interface FreeAccessRequest {
  id: number;
  hotspotId: number;
  nonce: string;
  phone: string;
  mac: string | null;
  clientIp: string | null;
  createdAtMs: number;
  expiresAtMs: number;
  verifiedAtMs: number | null;
  voucherId: number | null;
}

const REQUEST_COLUMNS = [
  'id',
  'hotspot_id',
  'nonce',
  'phone',
  'mac',
  'client_ip',
  'created_at',
  'expires_at',
  'verified_at',
  'voucher_id',
] as const;

type RequestRow = Pick<Database['free_access_requests'], Exclude<(typeof REQUEST_COLUMNS)[number], 'id'>> & {
  id: number;
};

const toRequest = (row: RequestRow): FreeAccessRequest => ({
  id: Number(row.id),
  hotspotId: Number(row.hotspot_id),
  nonce: row.nonce,
  phone: row.phone,
  mac: row.mac,
  clientIp: row.client_ip,
  createdAtMs: Number(row.created_at),
  expiresAtMs: Number(row.expires_at),
  verifiedAtMs: row.verified_at === null ? null : Number(row.verified_at),
  voucherId: row.voucher_id === null ? null : Number(row.voucher_id),
});

/** What a request count is scoped to (besides the tenant). */
export type RequestScope =
  | { by: 'phone'; phone: string }
  | { by: 'mac'; mac: string }
  | { by: 'hotspot'; hotspotId: number }
  | { by: 'tenant' };

export class FreeAccessRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async config(tenantId: number, hotspotId: number): Promise<FreeAccessConfig> {
    const row = await this.db
      .selectFrom('hotspot_login_pages')
      .select([
        'free_access_enabled',
        'free_access_plan_id',
        'free_access_period_hours',
        'free_access_vouchers_per_phone',
        'free_access_codes_per_phone',
        'free_access_codes_per_device',
        'free_access_codes_per_hotspot',
      ])
      .where('tenant_id', '=', tenantId)
      .where('hotspot_id', '=', hotspotId)
      .executeTakeFirst();
    if (!row) return FREE_ACCESS_DEFAULTS;
    return {
      enabled: Number(row.free_access_enabled) === 1,
      planId: row.free_access_plan_id === null ? null : Number(row.free_access_plan_id),
      periodHours: Number(row.free_access_period_hours),
      vouchersPerPhone: Number(row.free_access_vouchers_per_phone),
      codesPerPhone: Number(row.free_access_codes_per_phone),
      codesPerDevice: Number(row.free_access_codes_per_device),
      codesPerHotspot: Number(row.free_access_codes_per_hotspot),
    };
  }

  async setConfig(
    tenantId: number,
    hotspotId: number,
    config: FreeAccessConfig,
    nowMs: number,
  ): Promise<void> {
    await this.db
      .updateTable('hotspot_login_pages')
      .set({
        free_access_enabled: config.enabled ? 1 : 0,
        free_access_plan_id: config.planId,
        free_access_period_hours: config.periodHours,
        free_access_vouchers_per_phone: config.vouchersPerPhone,
        free_access_codes_per_phone: config.codesPerPhone,
        free_access_codes_per_device: config.codesPerDevice,
        free_access_codes_per_hotspot: config.codesPerHotspot,
        updated_at: nowMs,
      })
      .where('tenant_id', '=', tenantId)
      .where('hotspot_id', '=', hotspotId)
      .execute();
  }

  /** Whether any hotspot of the tenant has free access turned on. */
  async anyEnabled(tenantId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('hotspot_login_pages')
      .select('hotspot_id')
      .where('tenant_id', '=', tenantId)
      .where('free_access_enabled', '=', 1)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async insert(values: {
    tenantId: number;
    hotspotId: number;
    nonce: string;
    tokenHash: string;
    phone: string;
    mac: string | null;
    clientIp: string | null;
    nowMs: number;
    expiresAtMs: number;
  }): Promise<void> {
    await this.db
      .insertInto('free_access_requests')
      .values({
        tenant_id: values.tenantId,
        hotspot_id: values.hotspotId,
        nonce: values.nonce,
        token_hash: values.tokenHash,
        phone: values.phone,
        mac: values.mac,
        client_ip: values.clientIp,
        created_at: values.nowMs,
        expires_at: values.expiresAtMs,
      })
      .execute();
  }

  async findByToken(tenantId: number, tokenHash: string): Promise<FreeAccessRequest | undefined> {
    const row = await this.db
      .selectFrom('free_access_requests')
      .select(REQUEST_COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && toRequest(row);
  }

  /**
   * The newest request at this hotspot from this device (its MAC, else its IP) whose code is
   * still good and not used: what a reopened login sheet resumes instead of texting again.
   */
  async findPending(
    tenantId: number,
    hotspotId: number,
    device: { mac: string | null; clientIp: string | null },
    nowMs: number,
  ): Promise<FreeAccessRequest | undefined> {
    if (device.mac === null && device.clientIp === null) return undefined;
    let query = this.db
      .selectFrom('free_access_requests')
      .select(REQUEST_COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('hotspot_id', '=', hotspotId)
      .where('expires_at', '>', nowMs)
      .where('verified_at', 'is', null);
    query =
      device.mac !== null
        ? query.where('mac', '=', device.mac)
        : query.where('client_ip', '=', device.clientIp);
    const row = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row && toRequest(row);
  }

  /** Codes requested since `sinceMs` within a scope (every request texted a code or tried to). */
  async countSince(tenantId: number, scope: RequestScope, sinceMs: number): Promise<number> {
    let query = this.db
      .selectFrom('free_access_requests')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('created_at', '>=', sinceMs);
    if (scope.by === 'phone') query = query.where('phone', '=', scope.phone);
    if (scope.by === 'mac') query = query.where('mac', '=', scope.mac);
    if (scope.by === 'hotspot') query = query.where('hotspot_id', '=', scope.hotspotId);
    const row = await query.executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Vouchers given to this phone since `sinceMs`, newest first (each once). */
  async vouchersGivenSince(tenantId: number, phone: string, sinceMs: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('free_access_requests')
      .select(['voucher_id', (eb) => eb.fn.max('verified_at').as('last')])
      .where('tenant_id', '=', tenantId)
      .where('phone', '=', phone)
      .where('verified_at', '>=', sinceMs)
      .where('voucher_id', 'is not', null)
      .groupBy('voucher_id')
      .orderBy('last', 'desc')
      .execute();
    return rows.map((r) => Number(r.voucher_id));
  }

  async markVerified(
    tenantId: number,
    id: number,
    values: { customerId: number; voucherId: number; nowMs: number },
  ): Promise<void> {
    await this.db
      .updateTable('free_access_requests')
      .set({ verified_at: values.nowMs, customer_id: values.customerId, voucher_id: values.voucherId })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  /** Forgets requests created before `beforeMs` (past every period a limit counts in). */
  async purgeBefore(tenantId: number, beforeMs: number): Promise<void> {
    await this.db
      .deleteFrom('free_access_requests')
      .where('tenant_id', '=', tenantId)
      .where('created_at', '<', beforeMs)
      .execute();
  }
}
