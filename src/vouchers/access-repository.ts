/**
 * Voucher queries for RADIUS authorization and accounting: lookups by code, activation, status
 * transitions as conditional UPDATEs (safe with several Portico processes on one PostgreSQL),
 * and incremental usage counters. Every query is scoped by tenant.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import {
  rowChunks,
  rowsTable,
  updateFromRowsInIdOrder,
  type Database,
  type Dialect,
  type FollowingWrite,
  type Voucher,
} from '../store/index.js';
// The statuses a voucher logs in with are the ones its devices keep access in: one list.
import { LIVE_VOUCHER_STATUSES } from '../devices/index.js';

export interface VoucherUsageDelta {
  downloadedBytes: number;
  uploadedBytes: number;
  onlineSeconds: number;
}

/**
 * The voucher fields its limits are evaluated from: the accounting batch reads back only these
 * (and its owner) after adding usage, not the whole row.
 */
const VOUCHER_LIMIT_COLUMNS = [
  'expires_at',
  'valid_until_at',
  'data_limit_bytes',
  'download_limit_bytes',
  'upload_limit_bytes',
  'time_limit_seconds',
  'downloaded_bytes',
  'uploaded_bytes',
  'online_seconds',
] as const;

export type VoucherLimitFields = Pick<Voucher, (typeof VOUCHER_LIMIT_COLUMNS)[number]>;

/** What an accounting batch's write returns of each voucher (once per batch): its rollups and limit check read these. */
const ACCOUNTED_VOUCHER_COLUMNS = ['id', 'customer_id', ...VOUCHER_LIMIT_COLUMNS] as const;

/** A voucher as an accounting batch's write leaves it. */
export type AccountedVoucher = Pick<Voucher, (typeof ACCOUNTED_VOUCHER_COLUMNS)[number]>;

export class VoucherAccessRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  withDb(db: Kysely<Database>): VoucherAccessRepository {
    return new VoucherAccessRepository(db, this.dialect);
  }

  findByCode(tenantId: number, code: string): Promise<Voucher | undefined> {
    return this.db
      .selectFrom('vouchers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('code', '=', code)
      .executeTakeFirst();
  }

  /**
   * Logins in one statement: for each (tenant, code, MAC), the voucher with that code and the id
   * of its device with that MAC (null when the MAC is not on it). Results are in input order,
   * undefined where no voucher has the code.
   */
  async findForLoginMany(
    logins: ReadonlyArray<{ tenantId: number; code: string; mac: string | null }>,
  ): Promise<Array<{ voucher: Voucher; deviceId: number | null } | undefined>> {
    const found: Array<{ voucher: Voucher; deviceId: number | null } | undefined> = logins.map(
      () => undefined,
    );
    const rows = await sql<Voucher & { login_index: number; login_device_id: number | null }>`
      select r.i as login_index, d.id as login_device_id, v.*
      from ${rowsTable(
        this.dialect,
        'r',
        { i: 'integer', tid: 'bigint', code: 'text', mac: 'text' },
        logins.map((l, i) => [i, l.tenantId, l.code, l.mac]),
      )}
      join vouchers v on v.tenant_id = r.tid and v.code = r.code
      left join devices d on d.voucher_id = v.id and d.mac = r.mac and d.tenant_id = r.tid`.execute(this.db);
    for (const row of rows.rows) {
      // The row is the voucher, with the two login columns along: copying it without them (object
      // rest over ~40 columns) was the largest share of this function in a CHAP login's profile.
      const deviceId = row.login_device_id;
      found[Number(row.login_index)] = {
        voucher: row,
        deviceId: deviceId === null ? null : Number(deviceId),
      };
    }
    return found;
  }

  findByShortCode(tenantId: number, shortCode: string): Promise<Voucher | undefined> {
    return this.db
      .selectFrom('vouchers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('short_code', '=', shortCode)
      .executeTakeFirst();
  }

  /** The tenant's voucher with this id: one query for reading and for locking it. */
  private byId(tenantId: number, id: number) {
    return this.db.selectFrom('vouchers').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  }

  findById(tenantId: number, id: number): Promise<Voucher | undefined> {
    return this.byId(tenantId, id).executeTakeFirst();
  }

  /**
   * Re-reads the voucher inside a transaction, locking its row on PostgreSQL so concurrent
   * logins (possibly in another process) take device slots one at a time. SQLite transactions
   * are already serialised.
   */
  lock(tenantId: number, id: number): Promise<Voucher | undefined> {
    const query = this.byId(tenantId, id);
    return (this.dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  }

  /** new → active on the first accepted login; false when another login activated it first. */
  async activate(tenantId: number, id: number, nowMs: number, expiresAtMs: number | null): Promise<boolean> {
    const result = await this.db
      .updateTable('vouchers')
      .set({ status: 'active', activated_at: nowMs, expires_at: expiresAtMs, updated_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', 'new')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Live → used; true only for the caller that made the transition (it then disconnects sessions). */
  async markUsed(
    tenantId: number,
    id: number,
    reason: 'data' | 'time' | 'expired',
    nowMs: number,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('vouchers')
      .set({ status: 'used', used_reason: reason, used_at: nowMs, updated_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', 'in', [...LIVE_VOUCHER_STATUSES])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * markOfflineIfIdle for many vouchers, one statement (none for no vouchers): reads sessions,
   * writes only these vouchers, which the caller has locked.
   */
  async markOfflineIfIdleMany(
    vouchers: ReadonlyArray<{ tenantId: number; id: number }>,
    nowMs: number,
  ): Promise<void> {
    if (vouchers.length === 0) return;
    const rows = vouchers.map((v) => [v.id, v.tenantId]);
    await sql`update vouchers set status = 'active', updated_at = ${sql`cast(${nowMs} as bigint)`}
      from ${rowsTable(this.dialect, 'm', { id: 'bigint', tid: 'bigint' }, rows)}
      where vouchers.id = m.id and vouchers.tenant_id = m.tid and vouchers.status = 'online'
        and not exists (select 1 from sessions where sessions.tenant_id = m.tid
          and sessions.voucher_id = m.id and sessions.stopped_at is null)`.execute(this.db);
  }

  /** online → active once none of its sessions is open. */
  async markOfflineIfIdle(tenantId: number, id: number, nowMs: number): Promise<void> {
    await this.db
      .updateTable('vouchers')
      .set({ status: 'active', updated_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', 'online')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('sessions')
              .select('sessions.id')
              .where('sessions.tenant_id', '=', tenantId)
              .where('sessions.voucher_id', '=', id)
              .where('sessions.stopped_at', 'is', null),
          ),
        ),
      )
      .execute();
  }

  /**
   * An accounting batch's voucher writes: adds the usage of those that grew and moves those with
   * `goOnline` from active to online. On PostgreSQL one statement whatever the count (its text
   * the same) that first locks every voucher in `items` in id order — all of them, before it
   * writes any (updateFromRowsInIdOrder) — so batches in flight at once (this process's or
   * another's) wait for each other instead of deadlocking; the caller's later writes to these
   * vouchers (mark used, offline) find them locked already. On SQLite two statements
   * (applyAccountingSqlite). Returns the written vouchers as they are now (the AccountedVoucher
   * columns only), by id.
   *
   * With it, in the same statement on PostgreSQL (one round trip; see updateFromRowsInIdOrder):
   * `alongWith`, the caller's writes of rows it has locked already, and `followedBy`, writes
   * that lock rows of other tables only after these vouchers (devices, customers). SQLite runs
   * them before and after.
   */
  async applyAccountingMany(
    items: readonly AccountingVoucherWrite[],
    nowMs: number,
    writes: { alongWith?: ReadonlyArray<RawBuilder<unknown>>; followedBy?: readonly FollowingWrite[] } = {},
  ): Promise<Map<number, AccountedVoucher>> {
    const result = new Map<number, AccountedVoucher>();
    // One statement on PostgreSQL; SQLite (or nothing of its own to write) runs them apart.
    const together = this.dialect === 'postgres' && items.length > 0;
    if (!together) for (const write of writes.alongWith ?? []) await write.execute(this.db);
    const now = sql`cast(${nowMs} as bigint)`;
    if (this.dialect === 'sqlite') {
      await this.applyAccountingSqlite(items, now, result);
      for (const write of writes.followedBy ?? [])
        for (const statement of write.alone()) await statement.execute(this.db);
      return result;
    }
    const columns = {
      id: 'bigint',
      tid: 'bigint',
      dd: 'bigint',
      du: 'bigint',
      ds: 'bigint',
      ls: 'bigint',
      grew: 'integer',
      online: 'integer',
    } as const;
    const goesOnline = sql`d.online = 1 and vouchers.status = 'active'`;
    // Chunks are in id order too, so the lock order holds across them.
    const chunks = rowChunks(items, (item) => [...usageRow(item), item.grew ? 1 : 0, item.goOnline ? 1 : 0]);
    for (const [index, rows] of chunks.entries()) {
      const written = await updateFromRowsInIdOrder(
        this.dialect,
        {
          table: 'vouchers',
          assignments: sql`downloaded_bytes = vouchers.downloaded_bytes + d.dd, uploaded_bytes = vouchers.uploaded_bytes + d.du,
          online_seconds = vouchers.online_seconds + d.ds,
          last_session_at = case when d.grew = 1 then d.ls else vouchers.last_session_at end,
          status = case when ${goesOnline} then 'online' else vouchers.status end,
          updated_at = case when ${goesOnline} then ${now} else vouchers.updated_at end`,
          columns,
          rows,
          filter: sql`d.grew = 1 or (${goesOnline})`,
        },
        {
          returning: ACCOUNTED_VOUCHER_COLUMNS,
          // The first statement takes the writes along, the last the updates locked after it.
          alongWith: together && index === 0 ? writes.alongWith : undefined,
          followedBy: together && index === chunks.length - 1 ? writes.followedBy : undefined,
        },
      ).execute(this.db);
      for (const voucher of written.rows) result.set(Number(voucher.id), voucher);
    }
    if (!together)
      for (const write of writes.followedBy ?? [])
        for (const statement of write.alone()) await statement.execute(this.db);
    return result;
  }

  /**
   * applyAccountingMany on SQLite, as two statements: the vouchers going online, then the usage
   * of those that grew. One statement would name `status` in its SET list for every voucher,
   * and SQLite rewrites the entries of every index on a column the SET list names, changed or
   * not (two indexes hold status); here only the few that go online touch them.
   */
  private async applyAccountingSqlite(
    items: readonly AccountingVoucherWrite[],
    now: RawBuilder<unknown>,
    result: Map<number, AccountedVoucher>,
  ): Promise<void> {
    const online = items.filter((item) => item.goOnline);
    const grown = items.filter((item) => item.grew);
    const statements = [
      ...rowChunks(online, (item) => [item.id, item.tenantId]).map((rows) =>
        updateFromRowsInIdOrder(
          'sqlite',
          {
            table: 'vouchers',
            assignments: sql`status = 'online', updated_at = ${now}`,
            columns: { id: 'bigint', tid: 'bigint' },
            rows,
            filter: sql`vouchers.status = 'active'`,
          },
          { returning: ACCOUNTED_VOUCHER_COLUMNS },
        ),
      ),
      ...rowChunks(grown, usageRow).map((rows) =>
        updateFromRowsInIdOrder(
          'sqlite',
          {
            table: 'vouchers',
            assignments: sql`downloaded_bytes = vouchers.downloaded_bytes + d.dd,
              uploaded_bytes = vouchers.uploaded_bytes + d.du,
              online_seconds = vouchers.online_seconds + d.ds, last_session_at = d.ls`,
            columns: { id: 'bigint', tid: 'bigint', dd: 'bigint', du: 'bigint', ds: 'bigint', ls: 'bigint' },
            rows,
          },
          { returning: ACCOUNTED_VOUCHER_COLUMNS },
        ),
      ),
    ];
    // The later statement's rows are the newer: they overwrite the earlier's.
    for (const statement of statements)
      for (const voucher of (await statement.execute(this.db)).rows) result.set(Number(voucher.id), voucher);
  }

  /** Live vouchers whose expiry has passed (any tenant: the periodic sweep). */
  listExpired(nowMs: number, limit: number): Promise<Array<{ id: number; tenant_id: number }>> {
    return this.db
      .selectFrom('vouchers')
      .select(['id', 'tenant_id'])
      .where('status', 'in', [...LIVE_VOUCHER_STATUSES])
      .where((eb) =>
        eb.or([
          eb.and([eb('expires_at', 'is not', null), eb('expires_at', '<=', nowMs)]),
          eb.and([eb('valid_until_at', 'is not', null), eb('valid_until_at', '<=', nowMs)]),
        ]),
      )
      .limit(limit)
      .execute();
  }

  /** Counts devices of a voucher (cheap check before listing them). */
  async countDevices(tenantId: number, voucherId: number): Promise<number> {
    const row = await this.db
      .selectFrom('devices')
      .select(sql<number>`count(*)`.as('n'))
      .where('tenant_id', '=', tenantId)
      .where('voucher_id', '=', voucherId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}

/** One voucher of an accounting batch's write (applyAccountingMany). */
export interface AccountingVoucherWrite {
  tenantId: number;
  id: number;
  delta: VoucherUsageDelta;
  grew: boolean;
  lastSessionAtMs: number;
  goOnline: boolean;
}

/** A voucher's row of an accounting write: id, tenant, usage grown, last session (rows tables). */
function usageRow(item: AccountingVoucherWrite): Array<number> {
  return [
    item.id,
    item.tenantId,
    item.delta.downloadedBytes,
    item.delta.uploadedBytes,
    item.delta.onlineSeconds,
    item.lastSessionAtMs,
  ];
}
