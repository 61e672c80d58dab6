/**
 * The customer portal's read side of usage: sessions and per-day rollups. Every query joins the
 * voucher and filters on tenant AND customer, so nothing of another customer can come back.
 */
import type { Kysely } from 'kysely';
import { CompiledOnce, slot, type Database } from '../store/index.js';

/** One RADIUS session as the customer sees it (instants in epoch ms). */
export interface CustomerSession {
  id: number;
  voucherId: number;
  voucherPlanTitle: string;
  hotspotTitle: string | null;
  deviceTitle: string | null;
  mac: string | null;
  startedAtMs: number;
  updatedAtMs: number;
  stoppedAtMs: number | null; // null while online
  downloadedBytes: number;
  uploadedBytes: number;
  sessionSeconds: number;
  terminateCause: string | null; // RADIUS Acct-Terminate-Cause name, e.g. Idle-Timeout
}

/** Usage of one calendar day (tenant time zone), summed over the customer's vouchers. */
export interface DailyUsage {
  day: string; // YYYY-MM-DD
  downloadedBytes: number;
  uploadedBytes: number;
  onlineSeconds: number;
}

/** Vouchers per UNION ALL statement (keeps statements and bind parameters small). */
const VOUCHERS_PER_STATEMENT = 50;

export class UsagePortalQueries {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The customer's most recent sessions, newest first, optionally of one voucher.
   * Per voucher of the customer, a backward walk of the sessions_voucher index that stops after
   * `limit` rows, merged here: a join sorted as a whole would read every
   * session the customer ever had (5,000+ for a regular) to return ten.
   */
  async listSessions(
    tenantId: number,
    customerId: number,
    options: { limit: number; voucherId?: number },
  ): Promise<CustomerSession[]> {
    const { rows: owned } = await this.db.executeQuery(
      options.voucherId === undefined
        ? this.ownedQuery.bind({ tenantId, customerId })
        : this.ownedOneQuery.bind({ tenantId, customerId, voucherId: options.voucherId }),
    );
    const titles = new Map(owned.map((v) => [v.id, v.plan_title]));
    const sessions: CustomerSession[] = [];
    // One statement per batch: UNION ALL of per-voucher "newest N" subqueries, each an index walk.
    for (let i = 0; i < owned.length; i += VOUCHERS_PER_STATEMENT) {
      const batch = owned.slice(i, i + VOUCHERS_PER_STATEMENT);
      const values: Record<string, number> = { tenantId, limit: options.limit };
      batch.forEach((voucher, index) => (values[`voucher${index}`] = voucher.id));
      const { rows } = await this.db.executeQuery(this.recentSessionsQuery(batch.length).bind(values));
      for (const row of rows) {
        sessions.push({
          id: row.id,
          voucherId: Number(row.voucher_id),
          voucherPlanTitle: titles.get(Number(row.voucher_id)) ?? '',
          hotspotTitle: row.hotspot_title,
          deviceTitle: row.device_title,
          mac: row.mac,
          startedAtMs: row.started_at,
          updatedAtMs: row.updated_at,
          stoppedAtMs: row.stopped_at,
          downloadedBytes: Number(row.downloaded_bytes),
          uploadedBytes: Number(row.uploaded_bytes),
          sessionSeconds: Number(row.session_seconds),
          terminateCause: row.terminate_cause,
        });
      }
    }
    return sessions.sort((a, b) => b.startedAtMs - a.startedAtMs || b.id - a.id).slice(0, options.limit);
  }

  // A changed dashboard runs these: built and compiled once (store/compiled-once.ts).
  private readonly ownedQuery = new CompiledOnce(() =>
    this.db
      .selectFrom('vouchers')
      .select(['id', 'plan_title'])
      .where('tenant_id', '=', slot<number>('tenantId'))
      .where('customer_id', '=', slot<number>('customerId')),
  );

  private readonly ownedOneQuery = new CompiledOnce(() =>
    this.db
      .selectFrom('vouchers')
      .select(['id', 'plan_title'])
      .where('tenant_id', '=', slot<number>('tenantId'))
      .where('customer_id', '=', slot<number>('customerId'))
      .where('id', '=', slot<number>('voucherId')),
  );

  /** Per number of vouchers (1..VOUCHERS_PER_STATEMENT): the UNION ALL of their newest sessions. */
  private readonly recentSessionsQueries = new Map<number, ReturnType<typeof this.buildRecentSessions>>();

  private recentSessionsQuery(voucherCount: number) {
    let query = this.recentSessionsQueries.get(voucherCount);
    if (!query)
      this.recentSessionsQueries.set(voucherCount, (query = this.buildRecentSessions(voucherCount)));
    return query;
  }

  private buildRecentSessions(voucherCount: number) {
    return new CompiledOnce(() => {
      const parts = Array.from({ length: voucherCount }, (_, index) =>
        this.db
          .selectFrom(
            this.recentSessionsOf(
              slot<number>('tenantId'),
              slot<number>(`voucher${index}`),
              slot<number>('limit'),
            ).as(`v${index}`),
          )
          .selectAll(),
      );
      const [first, ...rest] = parts;
      return rest.reduce((query, part) => query.unionAll(part), first!);
    });
  }

  /** The newest `limit` sessions of one voucher (a backward walk of sessions_voucher). */
  private recentSessionsOf(tenantId: number, voucherId: number, limit: number) {
    return this.db
      .selectFrom('sessions as s')
      .leftJoin('hotspots as h', (join) =>
        join.onRef('h.id', '=', 's.hotspot_id').onRef('h.tenant_id', '=', 's.tenant_id'),
      )
      .leftJoin('devices as d', (join) =>
        join.onRef('d.id', '=', 's.device_id').onRef('d.tenant_id', '=', 's.tenant_id'),
      )
      .select([
        's.id',
        's.voucher_id',
        'h.title as hotspot_title',
        'd.title as device_title',
        's.mac',
        's.started_at',
        's.updated_at',
        's.stopped_at',
        's.downloaded_bytes',
        's.uploaded_bytes',
        's.session_seconds',
        's.terminate_cause',
      ])
      .where('s.tenant_id', '=', tenantId)
      .where('s.voucher_id', '=', voucherId)
      .orderBy('s.started_at', 'desc')
      .orderBy('s.id', 'desc')
      .limit(limit);
  }

  /**
   * Per-day usage of the customer's vouchers from `fromDay` to `toDay` inclusive (YYYY-MM-DD in
   * the tenant's zone, as usage_daily stores them). Days without usage are absent.
   * Joins the voucher rather than trusting usage_daily.customer_id, so a voucher assigned to the
   * customer after it was used still counts.
   */
  async dailyUsage(
    tenantId: number,
    customerId: number,
    fromDay: string,
    toDay: string,
  ): Promise<DailyUsage[]> {
    const { rows } = await this.db.executeQuery(
      this.dailyQuery.bind({ tenantId, customerId, fromDay, toDay }),
    );
    // PostgreSQL returns sum(bigint) as numeric (a string); SQLite as a number.
    return rows.map((row) => ({
      day: row.day,
      downloadedBytes: Number(row.downloaded_bytes),
      uploadedBytes: Number(row.uploaded_bytes),
      onlineSeconds: Number(row.online_seconds),
    }));
  }

  private readonly dailyQuery = new CompiledOnce(() =>
    this.db
      .selectFrom('usage_daily as u')
      .innerJoin('vouchers as v', (join) =>
        join.onRef('v.id', '=', 'u.voucher_id').onRef('v.tenant_id', '=', 'u.tenant_id'),
      )
      .select((eb) => [
        'u.day',
        eb.fn.sum<number | string>('u.downloaded_bytes').as('downloaded_bytes'),
        eb.fn.sum<number | string>('u.uploaded_bytes').as('uploaded_bytes'),
        eb.fn.sum<number | string>('u.online_seconds').as('online_seconds'),
      ])
      .where('u.tenant_id', '=', slot<number>('tenantId'))
      .where('v.tenant_id', '=', slot<number>('tenantId'))
      .where('v.customer_id', '=', slot<number>('customerId'))
      .where('u.day', '>=', slot<string>('fromDay'))
      .where('u.day', '<=', slot<string>('toDay'))
      .groupBy('u.day')
      .orderBy('u.day'),
  );
}
