/**
 * Voucher queries for RADIUS authorization and accounting: lookups by code, activation, status
 * transitions as conditional UPDATEs (safe with several Portico processes on one PostgreSQL),
 * and incremental usage counters. Every query is scoped by tenant.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, Voucher } from '../store/index.js';

/** Statuses a voucher can log in with. */
export const LIVE_VOUCHER_STATUSES = ['new', 'active', 'online'] as const;

export interface VoucherUsageDelta {
  downloadedBytes: number;
  uploadedBytes: number;
  onlineSeconds: number;
}

export class VoucherAccessRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
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

  findByShortCode(tenantId: number, shortCode: string): Promise<Voucher | undefined> {
    return this.db
      .selectFrom('vouchers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('short_code', '=', shortCode)
      .executeTakeFirst();
  }

  findById(tenantId: number, id: number): Promise<Voucher | undefined> {
    return this.db
      .selectFrom('vouchers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /**
   * Re-reads the voucher inside a transaction, locking its row on PostgreSQL so concurrent
   * logins (possibly in another process) take device slots one at a time. SQLite transactions
   * are already serialised.
   */
  lock(tenantId: number, id: number): Promise<Voucher | undefined> {
    let query = this.db
      .selectFrom('vouchers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id);
    if (this.dialect === 'postgres') query = query.forUpdate();
    return query.executeTakeFirst();
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

  /** active → online when a session is open. */
  async markOnline(tenantId: number, id: number, nowMs: number): Promise<void> {
    await this.db
      .updateTable('vouchers')
      .set({ status: 'online', updated_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('status', '=', 'active')
      .execute();
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

  /** Adds accounting deltas and returns the voucher as it is now (to check its limits). */
  addUsage(
    tenantId: number,
    id: number,
    delta: VoucherUsageDelta,
    lastSessionAtMs: number,
  ): Promise<Voucher | undefined> {
    return this.db
      .updateTable('vouchers')
      .set((eb) => ({
        downloaded_bytes: eb('downloaded_bytes', '+', delta.downloadedBytes),
        uploaded_bytes: eb('uploaded_bytes', '+', delta.uploadedBytes),
        online_seconds: eb('online_seconds', '+', delta.onlineSeconds),
        last_session_at: lastSessionAtMs,
      }))
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * addUsage for many vouchers: one UPDATE … FROM (VALUES …) RETURNING per 1000 vouchers (one
   * round trip, one statement). Returns the vouchers as they are now, by id.
   */
  async addUsageMany(
    items: Array<{ tenantId: number; id: number; delta: VoucherUsageDelta; lastSessionAtMs: number }>,
  ): Promise<Map<number, Voucher>> {
    const result = new Map<number, Voucher>();
    const big = (value: number) => sql`cast(${value} as bigint)`;
    for (let i = 0; i < items.length; i += 1000) {
      const rows = items
        .slice(i, i + 1000)
        .map(
          (item) =>
            sql`(${big(item.id)}, ${big(item.tenantId)}, ${big(item.delta.downloadedBytes)}, ${big(item.delta.uploadedBytes)}, ${big(item.delta.onlineSeconds)}, ${big(item.lastSessionAtMs)})`,
        );
      const updated = await sql<Voucher>`with d(id, tid, dd, du, ds, ls) as (values ${sql.join(rows)})
        update vouchers set
          downloaded_bytes = vouchers.downloaded_bytes + d.dd, uploaded_bytes = vouchers.uploaded_bytes + d.du,
          online_seconds = vouchers.online_seconds + d.ds, last_session_at = d.ls
        from d
        where vouchers.id = d.id and vouchers.tenant_id = d.tid
        returning ${sql.raw(this.dialect === 'postgres' ? 'vouchers.*' : '*')}`.execute(this.db);
      for (const voucher of updated.rows) result.set(Number(voucher.id), voucher);
    }
    return result;
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
