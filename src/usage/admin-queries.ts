/**
 * Read-only session and usage queries for the operator area and the REST API. The radius
 * engineer's usage module owns writes; these only read, always scoped by tenant.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, Session } from '../store/index.js';
import { pageOffset, type Page, type PageRequest, type Sort } from '../shared/index.js';

export const SESSION_SORT_KEYS = ['started_at', 'updated_at', 'stopped_at'] as const;
export type SessionSortKey = (typeof SESSION_SORT_KEYS)[number];

export interface SessionView {
  id: number;
  hotspotId: number;
  acctSessionId: string;
  voucherId: number | null;
  deviceId: number | null;
  userName: string;
  mac: string | null;
  framedIp: string | null;
  startedAtMs: number;
  updatedAtMs: number;
  stoppedAtMs: number | null;
  online: boolean;
  downloadedBytes: number;
  uploadedBytes: number;
  sessionSeconds: number;
  terminateCause: string | null;
  /**
   * Its User-Name is neither a voucher nor a registered device's MAC (no voucher): the hotspot
   * let it in on its own. Kept and listed, but apart from customers' usage and figures.
   */
  unknownUser: boolean;
  /** Portico's Disconnect-Requests for it; null when it was never asked to end. */
  disconnect: SessionDisconnectState | null;
}

export interface SessionDisconnectState {
  /** Why it was last asked to end (quota, expired, disabled, operator, device_removed, …). */
  reason: string;
  /** Request exchanges so far, each a whole RFC 5176 retransmission window. */
  attempts: number;
  /** The hotspot ACKed: it is gone there (its Accounting-Stop may still be on the way). */
  confirmedAtMs: number | null;
  /** When the next retry may be sent; null when confirmed, ended, or the attempts are used up. */
  nextAttemptAtMs: number | null;
}

export interface SessionFilter {
  online?: boolean;
  voucherId?: number;
  hotspotId?: number;
  /** Sessions of any voucher of this customer. */
  customerId?: number;
  startedFromMs?: number;
  startedToMs?: number;
  /** Sessions of this MAC (Calling-Station-Id, normalised AA:BB:CC:DD:EE:FF). */
  mac?: string;
  /** Only customers' sessions (a voucher or one of its devices), or only unknown users'. */
  user?: SessionUser;
}

export const SESSION_USERS = ['customers', 'unknown'] as const;
export type SessionUser = (typeof SESSION_USERS)[number];

/** Online sessions now: customers' apart from unknown users'. */
export interface OnlineCounts {
  customers: number;
  unknownUsers: number;
}

export function toSessionView(row: Session): SessionView {
  return {
    id: row.id,
    hotspotId: row.hotspot_id,
    acctSessionId: row.acct_session_id,
    voucherId: row.voucher_id,
    deviceId: row.device_id,
    userName: row.user_name,
    mac: row.mac,
    framedIp: row.framed_ip,
    startedAtMs: row.started_at,
    updatedAtMs: row.updated_at,
    stoppedAtMs: row.stopped_at,
    online: row.stopped_at === null,
    downloadedBytes: row.downloaded_bytes,
    uploadedBytes: row.uploaded_bytes,
    sessionSeconds: row.session_seconds,
    terminateCause: row.terminate_cause,
    unknownUser: row.voucher_id === null,
    disconnect:
      row.disconnect_reason === null
        ? null
        : {
            reason: row.disconnect_reason,
            attempts: row.disconnect_attempts,
            confirmedAtMs: row.disconnect_acked_at,
            nextAttemptAtMs: row.stopped_at === null ? row.disconnect_next_at : null,
          },
  };
}

export class SessionsAdminQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async list(
    tenantId: number,
    filter: SessionFilter,
    sort: Sort<SessionSortKey>,
    page: PageRequest,
  ): Promise<Page<SessionView>> {
    let query = this.db.selectFrom('sessions').where('sessions.tenant_id', '=', tenantId);
    if (filter.online !== undefined)
      query = query.where('sessions.stopped_at', filter.online ? 'is' : 'is not', null);
    if (filter.voucherId !== undefined) query = query.where('sessions.voucher_id', '=', filter.voucherId);
    if (filter.hotspotId !== undefined) query = query.where('sessions.hotspot_id', '=', filter.hotspotId);
    if (filter.mac !== undefined) query = query.where('sessions.mac', '=', filter.mac);
    if (filter.user !== undefined)
      query = query.where('sessions.voucher_id', filter.user === 'customers' ? 'is not' : 'is', null);
    if (filter.startedFromMs !== undefined)
      query = query.where('sessions.started_at', '>=', filter.startedFromMs);
    if (filter.startedToMs !== undefined) query = query.where('sessions.started_at', '<', filter.startedToMs);
    if (filter.customerId !== undefined) {
      const customerId = filter.customerId;
      query = query.where('sessions.voucher_id', 'in', (eb) =>
        eb
          .selectFrom('vouchers')
          .select('vouchers.id')
          .where('vouchers.tenant_id', '=', tenantId)
          .where('vouchers.customer_id', '=', customerId),
      );
    }
    const [rows, count] = await Promise.all([
      query
        .selectAll('sessions')
        .orderBy(`sessions.${sort.key}`, sort.direction)
        .orderBy('sessions.id', sort.direction)
        .limit(page.perPage)
        .offset(pageOffset(page))
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    ]);
    return { items: rows.map(toSessionView), total: Number(count?.n ?? 0), ...page };
  }

  async find(tenantId: number, id: number): Promise<SessionView | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toSessionView(row) : undefined;
  }

  /**
   * Sessions online now, customers' (with a voucher) apart from unknown users' (without): one
   * statement. The dashboard's "Online now" is the customers' figure.
   */
  async onlineCounts(tenantId: number): Promise<OnlineCounts> {
    const row = await this.db
      .selectFrom('sessions')
      .select((eb) => [
        eb.fn.countAll<number | string>().as('all'),
        eb.fn.count<number | string>('voucher_id').as('customers'),
      ])
      .where('tenant_id', '=', tenantId)
      .where('stopped_at', 'is', null)
      .executeTakeFirst();
    const all = Number(row?.all ?? 0);
    const customers = Number(row?.customers ?? 0);
    return { customers, unknownUsers: all - customers };
  }

  /** Data per day (YYYY-MM-DD in the tenant's zone, from the rollup) from `fromDay` on. */
  async dataPerDay(tenantId: number, fromDay: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('usage_daily')
      .select(['day', sql<number>`sum(downloaded_bytes + uploaded_bytes)`.as('bytes')])
      .where('tenant_id', '=', tenantId)
      .where('day', '>=', fromDay)
      .groupBy('day')
      .execute();
    return new Map(rows.map((r) => [r.day, Number(r.bytes)]));
  }
}
