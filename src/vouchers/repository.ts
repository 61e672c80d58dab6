import { sql, type Kysely } from 'kysely';
import {
  containsText,
  selectPage,
  touchCustomerPortals,
  touchVoucherOwnersPortals,
  type Database,
  type Dialect,
  type Insertable,
  type Selectable,
  type VoucherSeriesTable,
  type VouchersTable,
} from '../store/index.js';
import { pageOffset, type Page, type PageRequest, type Sort } from '../shared/index.js';
import {
  SERIES_STATUSES,
  toVoucherView,
  type ExpiryMode,
  type SeriesStatus,
  type VoucherSeriesView,
  type VoucherStatus,
  type VoucherView,
} from './model.js';

export const VOUCHER_SORT_KEYS = ['created_at', 'code', 'activated_at', 'expires_at', 'status'] as const;
export type VoucherSortKey = (typeof VOUCHER_SORT_KEYS)[number];

export interface VoucherFilter {
  status?: VoucherStatus;
  seriesId?: number;
  planId?: number;
  customerId?: number;
  /** Part of the code (case-insensitive). */
  code?: string;
  activatedFromMs?: number;
  activatedToMs?: number;
  /** Vouchers with an associated device of this MAC (normalised AA:BB:CC:DD:EE:FF). */
  mac?: string;
}

type SeriesRow = Selectable<VoucherSeriesTable>;

function toSeriesView(row: SeriesRow): VoucherSeriesView {
  return {
    id: row.id,
    code: row.code,
    planId: row.plan_id,
    customerId: row.customer_id,
    quantity: row.quantity,
    createdCount: row.created_count,
    status: (SERIES_STATUSES as readonly string[]).includes(row.status)
      ? (row.status as SeriesStatus)
      : 'failed',
    expiryMode: row.expiry_mode === 'valid_until' ? 'valid_until' : 'after_activation',
    validUntilAtMs: row.valid_until_at,
    createdByAdminId: row.created_by_admin_id,
    createdAtMs: row.created_at,
  };
}

/** The columns every voucher of one series batch shares (all but the codes). */
export type SeriesBatchBase = Omit<Insertable<VouchersTable>, 'code' | 'short_code' | 'id'> & {
  tenant_id: number;
  series_id: number;
  plan_id: number;
};

/** Voucher and series queries, all scoped by tenant. */
export class VouchersRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /**
   * Inserts one batch of a series with a constant number of parameters (the codes travel as one
   * array), skipping codes that already exist in the tenant. Returns how many were inserted.
   * A multi-row VALUES list costs ~24 parameters a row to build and parse; this does not.
   */
  async insertSeriesBatch(
    base: SeriesBatchBase,
    codes: Array<{ code: string; shortCode: string }>,
  ): Promise<number> {
    if (codes.length === 0) return 0;
    const pg = this.dialect === 'postgres';
    const v = (value: unknown, type: 'bigint' | 'integer' | 'varchar') =>
      pg ? sql`cast(${value} as ${sql.raw(type)})` : sql`${value}`;
    const shared = sql.join([
      v(base.tenant_id, 'bigint'),
      v(base.series_id, 'bigint'),
      v(base.plan_id, 'bigint'),
      v(base.customer_id ?? null, 'bigint'),
      v(base.status, 'varchar'),
      v(base.plan_title, 'varchar'),
      v(base.price_minor ?? 0, 'bigint'),
      v(base.currency, 'varchar'),
      v(base.speed_down_kbps ?? null, 'integer'),
      v(base.speed_up_kbps ?? null, 'integer'),
      v(base.data_limit_bytes ?? null, 'bigint'),
      v(base.download_limit_bytes ?? null, 'bigint'),
      v(base.upload_limit_bytes ?? null, 'bigint'),
      v(base.time_limit_seconds ?? null, 'bigint'),
      v(base.validity_seconds ?? null, 'bigint'),
      v(base.devices_limit ?? 1, 'integer'),
      v(base.valid_until_at ?? null, 'bigint'),
      v(base.expires_at ?? null, 'bigint'),
      v(base.created_at, 'bigint'),
      v(base.updated_at, 'bigint'),
    ]);
    const columns = sql.raw(
      'tenant_id, series_id, plan_id, customer_id, status, plan_title, price_minor, currency, speed_down_kbps, ' +
        'speed_up_kbps, data_limit_bytes, download_limit_bytes, upload_limit_bytes, time_limit_seconds, ' +
        'validity_seconds, devices_limit, valid_until_at, expires_at, created_at, updated_at, code, short_code',
    );
    const query = pg
      ? sql`insert into vouchers (${columns})
          select ${shared}, c.code, c.short_code
          from unnest(cast(${codes.map((c) => c.code)} as varchar[]), cast(${codes.map((c) => c.shortCode)} as varchar[])) as c(code, short_code)
          on conflict do nothing`
      : sql`insert into vouchers (${columns})
          select ${shared}, json_extract(value, '$[0]'), json_extract(value, '$[1]')
          from json_each(${JSON.stringify(codes.map((c) => [c.code, c.shortCode]))})
          where true
          on conflict do nothing`;
    const result = await query.execute(this.db);
    await touchCustomerPortals(this.db, base.tenant_id, [base.customer_id ?? null]);
    return Number(result.numAffectedRows ?? 0);
  }

  async list(
    tenantId: number,
    filter: VoucherFilter,
    sort: Sort<VoucherSortKey>,
    page: PageRequest,
  ): Promise<Page<VoucherView>> {
    let query = this.db.selectFrom('vouchers').where('tenant_id', '=', tenantId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.seriesId !== undefined) query = query.where('series_id', '=', filter.seriesId);
    if (filter.planId !== undefined) query = query.where('plan_id', '=', filter.planId);
    if (filter.customerId !== undefined) query = query.where('customer_id', '=', filter.customerId);
    if (filter.code) query = query.where(containsText(sql.ref('code'), filter.code));
    if (filter.activatedFromMs !== undefined)
      query = query.where('activated_at', '>=', filter.activatedFromMs);
    if (filter.activatedToMs !== undefined) query = query.where('activated_at', '<', filter.activatedToMs);
    if (filter.mac !== undefined) query = query.where('id', 'in', this.idsWithDevice(tenantId, filter.mac));
    return selectPage(query, sort, page, toVoucherView);
  }

  /** Ids of the vouchers with a device of this MAC: devices_tenant_mac, no scan of the vouchers. */
  private idsWithDevice(tenantId: number, mac: string) {
    return this.db
      .selectFrom('devices')
      .select('voucher_id')
      .where('tenant_id', '=', tenantId)
      .where('mac', '=', mac);
  }

  async find(tenantId: number, id: number): Promise<VoucherView | undefined> {
    const row = await this.db
      .selectFrom('vouchers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toVoucherView(row) : undefined;
  }

  /** Changes status fields; false when the voucher is not this tenant's. */
  async setState(
    tenantId: number,
    id: number,
    values: { status: VoucherStatus; disabled_at: number | null; updated_at: number },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('vouchers')
      .set(values)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    await touchVoucherOwnersPortals(this.db, [id]);
    return Number(result.numUpdatedRows) > 0;
  }

  async setCustomer(
    tenantId: number,
    id: number,
    customerId: number | null,
    nowMs: number,
  ): Promise<boolean> {
    const before = await this.db
      .selectFrom('vouchers')
      .select('customer_id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    const result = await this.db
      .updateTable('vouchers')
      .set({ customer_id: customerId, updated_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    // Both portals changed: the voucher left one and joined the other.
    await touchCustomerPortals(this.db, tenantId, [before?.customer_id ?? null, customerId]);
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Inserts vouchers, skipping any whose code or short code already exists in the tenant.
   * Returns how many were inserted (the caller makes up the rest with new codes).
   */
  async insertMany(rows: Insertable<VouchersTable>[]): Promise<number> {
    if (rows.length === 0) return 0;
    const result = await this.db
      .insertInto('vouchers')
      .values(rows)
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0);
  }

  async idsOfSeries(tenantId: number, seriesId: number, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('vouchers')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('series_id', '=', seriesId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** The series' vouchers in id order after `afterId`, for exports that stream page by page. */
  async seriesChunk(
    tenantId: number,
    seriesId: number,
    afterId: number,
    limit: number,
  ): Promise<VoucherView[]> {
    const rows = await this.db
      .selectFrom('vouchers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('series_id', '=', seriesId)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toVoucherView);
  }

  async createSeries(
    tenantId: number,
    values: {
      code: string;
      planId: number;
      customerId: number | null;
      quantity: number;
      expiryMode: ExpiryMode;
      validUntilAtMs: number | null;
      createdByAdminId: number | null;
      nowMs: number;
    },
  ): Promise<VoucherSeriesView> {
    const row = await this.db
      .insertInto('voucher_series')
      .values({
        tenant_id: tenantId,
        code: values.code,
        plan_id: values.planId,
        customer_id: values.customerId,
        quantity: values.quantity,
        created_count: 0,
        status: 'generating',
        expiry_mode: values.expiryMode,
        valid_until_at: values.validUntilAtMs,
        created_by_admin_id: values.createdByAdminId,
        created_at: values.nowMs,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSeriesView(row);
  }

  /** Records progress and the heartbeat that tells other processes this series is being made. */
  async setSeriesProgress(
    tenantId: number,
    id: number,
    createdCount: number,
    status: SeriesStatus,
    nowMs: number,
  ): Promise<void> {
    await this.db
      .updateTable('voucher_series')
      .set({ created_count: createdCount, status, heartbeat_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  /** Whether the tenant has generated any series (first-run checklist). */
  async hasAnySeries(tenantId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('voucher_series')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Whether any voucher of the tenant belongs to a customer (first-run checklist). */
  async hasAnyAssigned(tenantId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('vouchers')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('customer_id', 'is not', null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async failSeries(tenantId: number, id: number): Promise<void> {
    await this.db
      .updateTable('voucher_series')
      .set({ status: 'failed' })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  async findSeries(tenantId: number, id: number): Promise<VoucherSeriesView | undefined> {
    const row = await this.db
      .selectFrom('voucher_series')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toSeriesView(row) : undefined;
  }

  async listSeries(tenantId: number, page: PageRequest): Promise<Page<VoucherSeriesView>> {
    const query = this.db.selectFrom('voucher_series').where('tenant_id', '=', tenantId);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('id', 'desc').limit(page.perPage).offset(pageOffset(page)).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    ]);
    return { items: rows.map(toSeriesView), total: Number(count?.n ?? 0), ...page };
  }

  /**
   * Takes over series still `generating` whose heartbeat stopped before `staleBeforeMs` (their
   * process stopped or crashed). Each claim is a compare-and-set on the heartbeat, so when several
   * processes look at once only one of them gets a given series.
   */
  async claimStaleSeries(
    staleBeforeMs: number,
    nowMs: number,
  ): Promise<Array<VoucherSeriesView & { tenantId: number }>> {
    const lastBeat = sql<number>`coalesce(heartbeat_at, created_at)`;
    const candidates = await this.db
      .selectFrom('voucher_series')
      .select(['id', 'tenant_id', 'heartbeat_at'])
      .where('status', '=', 'generating')
      .where(lastBeat, '<', staleBeforeMs)
      .orderBy('id')
      .execute();
    const claimed: Array<VoucherSeriesView & { tenantId: number }> = [];
    for (const candidate of candidates) {
      const result = await this.db
        .updateTable('voucher_series')
        .set({ heartbeat_at: nowMs })
        .where('id', '=', candidate.id)
        .where('status', '=', 'generating')
        .where((eb) =>
          candidate.heartbeat_at === null
            ? eb('heartbeat_at', 'is', null)
            : eb('heartbeat_at', '=', candidate.heartbeat_at),
        )
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) continue; // another process took it
      const series = await this.findSeries(candidate.tenant_id, candidate.id);
      if (series) claimed.push({ ...series, tenantId: candidate.tenant_id });
    }
    return claimed;
  }

  /** How many vouchers of a series exist (the truth a resumed generation starts from). */
  async countSeriesVouchers(tenantId: number, seriesId: number): Promise<number> {
    const row = await this.db
      .selectFrom('vouchers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('series_id', '=', seriesId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Counts per day (epoch ms bounds) of activations, for the dashboard. */
  async countActivatedBetween(tenantId: number, fromMs: number, toMs: number): Promise<number> {
    const row = await this.db
      .selectFrom('vouchers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('activated_at', '>=', fromMs)
      .where('activated_at', '<', toMs)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async activatedAtSince(tenantId: number, fromMs: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('vouchers')
      .select('activated_at')
      .where('tenant_id', '=', tenantId)
      .where('activated_at', '>=', fromMs)
      .execute();
    return rows.map((r) => r.activated_at ?? 0);
  }
}
