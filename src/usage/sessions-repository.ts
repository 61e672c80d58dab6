/**
 * Queries of the accounting write side: sessions and per-day rollups (a session's Disconnect
 * state is in disconnect-repository.ts). Every query is scoped by tenant (or by hotspot, whose id
 * is globally unique and tenant-owned).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import {
  rowChunks,
  rowsTable,
  waitsFor,
  type Database,
  type Dialect,
  type FollowingWrite,
  type Session,
} from '../store/index.js';

export type SessionRow = Session;

/** One voucher's usage growth on one calendar day (the tenant's, YYYY-MM-DD). */
export interface DailyRow {
  tenantId: number;
  voucherId: number;
  day: string;
  downloadedBytes: number;
  uploadedBytes: number;
  onlineSeconds: number;
}

/**
 * The session columns the accounting planner reads (batch-plan.ts): what an accounting batch
 * reads back of its sessions, not the whole row (every column returned is parsed per row, per
 * packet on the RADIUS hot path).
 */
const PLANNED_SESSION_COLUMNS = [
  'id',
  'tenant_id',
  'hotspot_id',
  'acct_session_id',
  'voucher_id',
  'device_id',
  'downloaded_bytes',
  'uploaded_bytes',
  'session_seconds',
  'stopped_at',
  'terminate_cause',
  'framed_ip',
] as const;

export type PlannedSession = Pick<SessionRow, (typeof PLANNED_SESSION_COLUMNS)[number]>;

/** PLANNED_SESSION_COLUMNS as an SQL column list, qualified by the sessions table. */
const plannedSessionColumns = sql.join(
  PLANNED_SESSION_COLUMNS.map((column) => sql.ref(`sessions.${column}`)),
);

export interface SessionCounters {
  downloadedBytes: number;
  uploadedBytes: number;
  sessionSeconds: number;
}

export interface SessionUpdate extends SessionCounters {
  id: number;
  updatedAtMs: number;
  stoppedAtMs: number | null;
  terminateCause: string | null;
  framedIp: string | null;
}

/** A session to open, as the packet that first named it describes it. */
export interface NewSession {
  tenantId: number;
  hotspotId: number;
  acctSessionId: string;
  /**
   * What its owner is decided from (the insert decides): our Class's voucher (its device if it
   * still exists, else the device with the session's MAC on that voucher), else the voucher whose
   * full code is `code` (and its device with that MAC). Neither: the session is inserted without
   * an owner, and the caller looks further (session-owners.ts).
   */
  owner: { tagVoucherId: number | null; tagDeviceId: number | null; code: string };
  userName: string;
  mac: string | null;
  framedIp: string | null;
  nasPort: string | null;
  classTag: string | null;
  startedAtMs: number;
  nowMs: number;
}

export class SessionsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  withDb(db: Kysely<Database>): SessionsRepository {
    return new SessionsRepository(db, this.dialect);
  }

  /**
   * The sessions of these (hotspot, Acct-Session-Id) keys (the PlannedSession columns), row-locked
   * in id order on PostgreSQL so two processes updating the same sessions serialise instead of
   * losing updates.
   */
  async findForUpdate(keys: Array<{ hotspotId: number; acctSessionId: string }>): Promise<PlannedSession[]> {
    if (keys.length === 0) return [];
    const rows: PlannedSession[] = [];
    for (const wanted of rowChunks(keys, (k) => [k.hotspotId, k.acctSessionId])) {
      const found = await sql<PlannedSession>`select ${plannedSessionColumns} from sessions
        join ${rowsTable(this.dialect, 'k', { hid: 'bigint', sid: 'text' }, wanted)}
          on sessions.hotspot_id = k.hid and sessions.acct_session_id = k.sid
        order by sessions.id ${sql.raw(this.dialect === 'postgres' ? 'for update of sessions' : '')}`.execute(
        this.db,
      );
      rows.push(...found.rows);
    }
    return rows;
  }

  /**
   * Inserts sessions unless another packet (or process) created them first, in the order given,
   * each with the owner its `owner` facts decide (NewSession): one INSERT … SELECT FROM (rows)
   * … ON CONFLICT DO NOTHING per 5,000, its text the same whatever the count. Answers the rows it
   * inserted, the PlannedSession columns (those another process created first are not among them).
   */
  async insertManyIfAbsent(rows: ReadonlyArray<NewSession>): Promise<PlannedSession[]> {
    const columns = {
      i: 'integer',
      tid: 'bigint',
      hid: 'bigint',
      sid: 'text',
      tvid: 'bigint',
      tdid: 'bigint',
      code: 'text',
      un: 'text',
      mac: 'text',
      ip: 'text',
      np: 'text',
      ct: 'text',
      sa: 'bigint',
      ua: 'bigint',
    } as const;
    const inserted: PlannedSession[] = [];
    for (const values of rowChunks(
      rows.map((r, i) => ({ r, i })),
      ({ r, i }) => [
        i,
        r.tenantId,
        r.hotspotId,
        r.acctSessionId,
        r.owner.tagVoucherId,
        r.owner.tagDeviceId,
        r.owner.code,
        r.userName.slice(0, 253),
        r.mac,
        r.framedIp,
        r.nasPort?.slice(0, 64) ?? null,
        r.classTag?.slice(0, 64) ?? null,
        r.startedAtMs,
        r.nowMs,
      ],
    )) {
      // tv/td/tm: our Class's voucher, its device, the MAC's device on it; cv/cm: the voucher of
      // the code and the MAC's device on it. `where true`: SQLite needs it to read ON CONFLICT as
      // the INSERT's, not the SELECT's. Ordered: concurrent processes insert in the same order.
      const result = await sql<PlannedSession>`insert into sessions (tenant_id, hotspot_id, acct_session_id,
          voucher_id, device_id, user_name, mac, framed_ip, nas_port, class_tag, started_at, updated_at)
        select n.tid, n.hid, n.sid, coalesce(tv.id, cv.id),
          case when tv.id is not null then coalesce(td.id, tm.id) else cm.id end,
          n.un, n.mac, n.ip, n.np, n.ct, n.sa, n.ua
        from ${rowsTable(this.dialect, 'n', columns, values)}
        left join vouchers tv on tv.tenant_id = n.tid and tv.id = n.tvid
        left join devices td on td.tenant_id = n.tid and td.id = n.tdid
        left join devices tm on tm.tenant_id = n.tid and tm.voucher_id = tv.id and tm.mac = n.mac
        left join vouchers cv on cv.tenant_id = n.tid and cv.code = n.code
        left join devices cm on cm.tenant_id = n.tid and cm.voucher_id = cv.id and cm.mac = n.mac
        where true order by n.i
        on conflict (hotspot_id, acct_session_id) do nothing returning ${plannedSessionColumns}`.execute(
        this.db,
      );
      inserted.push(...result.rows);
    }
    return inserted;
  }

  /** Gives a session this batch inserted without an owner the one found for it later. */
  async setOwner(id: number, voucherId: number, deviceId: number | null): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ voucher_id: voucherId, device_id: deviceId })
      .where('id', '=', id)
      .execute();
  }

  /**
   * The statements that write many sessions' new state: one UPDATE … FROM (rows) per 5,000
   * (instead of one per session), and apart the sessions this batch stops. A session that stays
   * open keeps its stopped_at (null) and terminate_cause, so its statement leaves both out of
   * the SET list: SQLite rewrites the entries of every index on a column the SET list names,
   * changed or not, and four indexes hold stopped_at (3.9-4.5 against 1.5-2.1 µs per row for a
   * batch of consecutive sessions, 13-15 against 7-9 spread: bench/radius/sqlite-rows.ts). Run by
   * the caller with its other writes.
   */
  updateWrites(updates: readonly SessionUpdate[]): Array<RawBuilder<unknown>> {
    const open = updates.filter((u) => u.stoppedAtMs === null);
    const stopped = updates.filter((u) => u.stoppedAtMs !== null);
    const counters = {
      id: 'bigint',
      d: 'bigint',
      u: 'bigint',
      t: 'bigint',
      ua: 'bigint',
      ip: 'text',
    } as const;
    const withStop = { ...counters, sa: 'bigint', tc: 'text' } as const;
    const countersRow = (u: SessionUpdate) => [
      u.id,
      u.downloadedBytes,
      u.uploadedBytes,
      u.sessionSeconds,
      u.updatedAtMs,
      u.framedIp,
    ];
    const set = sql`downloaded_bytes = v.d, uploaded_bytes = v.u, session_seconds = v.t, updated_at = v.ua,
      framed_ip = v.ip`;
    return [
      ...rowChunks(open, countersRow).map(
        (rows) => sql`update sessions set ${set}
          from ${rowsTable(this.dialect, 'v', counters, rows)} where sessions.id = v.id`,
      ),
      ...rowChunks(stopped, (u) => [...countersRow(u), u.stoppedAtMs, u.terminateCause]).map(
        (rows) => sql`update sessions set ${set}, stopped_at = v.sa, terminate_cause = v.tc
          from ${rowsTable(this.dialect, 'v', withStop, rows)} where sessions.id = v.id`,
      ),
    ];
  }

  /**
   * Accounting-On/Off (RFC 2866 §5.1): closes the NAS's sessions opened before the event, in one
   * statement; answers the vouchers they belonged to.
   */
  async closeAllOfHotspot(hotspotId: number, beforeMs: number, nowMs: number): Promise<number[]> {
    const closed = await this.db
      .updateTable('sessions')
      .set({ stopped_at: nowMs, updated_at: nowMs, terminate_cause: 'NAS-Reboot' })
      .where('hotspot_id', '=', hotspotId)
      .where('stopped_at', 'is', null)
      .where('started_at', '<=', beforeMs)
      .returning('voucher_id')
      .execute();
    return [...new Set(closed.map((s) => s.voucher_id).filter((v): v is number => v !== null))];
  }

  /**
   * Adds deltas to vouchers' days (tenant's calendar day), each (voucher, day) at most once, the
   * rows owned by the voucher's customer as it is: one INSERT … SELECT FROM (rows) … ON CONFLICT
   * DO UPDATE per 5,000, its text the same whatever the count. As a write for the caller to run,
   * alone or inside its own statement (after the vouchers' locks: a (voucher, day) row is written
   * only under its voucher's lock, so batches never wait on each other's new day rows).
   */
  dailyUsageWrites(rows: readonly DailyRow[]): FollowingWrite[] {
    const columns = {
      tid: 'bigint',
      vid: 'bigint',
      day: 'text',
      d: 'bigint',
      u: 'bigint',
      t: 'bigint',
    } as const;
    return rowChunks(rows, (r) => [
      r.tenantId,
      r.voucherId,
      r.day,
      r.downloadedBytes,
      r.uploadedBytes,
      r.onlineSeconds,
    ]).map((values) => {
      // `where …`: SQLite also needs a WHERE to read ON CONFLICT as the INSERT's, not the SELECT's.
      const insert = (waits: RawBuilder<unknown>) => sql`insert into usage_daily (tenant_id, voucher_id,
          customer_id, day, downloaded_bytes, uploaded_bytes, online_seconds)
        select r.tid, r.vid, v.customer_id, r.day, r.d, r.u, r.t
        from ${rowsTable(this.dialect, 'r', columns, values)}
        join vouchers v on v.tenant_id = r.tid and v.id = r.vid
        where ${waits}
        on conflict (voucher_id, day) do update set
          downloaded_bytes = usage_daily.downloaded_bytes + excluded.downloaded_bytes,
          uploaded_bytes = usage_daily.uploaded_bytes + excluded.uploaded_bytes,
          online_seconds = usage_daily.online_seconds + excluded.online_seconds`;
      return {
        following: (lockAfter, prefix) => ({
          items: [sql`${sql.raw(`${prefix}w`)} as (${insert(waitsFor(lockAfter))})`],
          locked: lockAfter,
        }),
        alone: () => [insert(sql`true`)],
      };
    });
  }

  findById(tenantId: number, id: number): Promise<SessionRow | undefined> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  listOpenOfVoucher(tenantId: number, voucherId: number, mac?: string): Promise<SessionRow[]> {
    let query = this.db
      .selectFrom('sessions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('voucher_id', '=', voucherId)
      .where('stopped_at', 'is', null);
    if (mac !== undefined) query = query.where('mac', '=', mac);
    return query.orderBy('id').execute();
  }

  async closeSession(tenantId: number, id: number, cause: string, nowMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ stopped_at: nowMs, updated_at: nowMs, terminate_cause: cause })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('stopped_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Open sessions with no accounting for more than two interim intervals plus a minute (the
   * hotspot is gone or lost our packets): closed at their last update, as Lost-Service — never
   * earlier than their start either (the start is on the hotspot's clock, which may run ahead), so
   * the stop time is at or after everything Portico saw of the session.
   */
  async closeStale(
    nowMs: number,
    limit: number,
  ): Promise<Array<{ tenant_id: number; voucher_id: number | null }>> {
    const stale = await this.db
      .selectFrom('sessions')
      .innerJoin('hotspots', 'hotspots.id', 'sessions.hotspot_id')
      .select(['sessions.id', 'sessions.tenant_id', 'sessions.voucher_id'])
      .where('sessions.stopped_at', 'is', null)
      .where(
        sql<boolean>`sessions.updated_at < cast(${nowMs} as bigint) - (hotspots.interim_interval_seconds * 2000 + 60000)`,
      )
      .limit(limit)
      .execute();
    for (const session of stale) {
      await this.db
        .updateTable('sessions')
        .set({
          stopped_at: sql<number>`case when updated_at >= started_at then updated_at else started_at end`,
          terminate_cause: 'Lost-Service',
        })
        .where('id', '=', session.id)
        .where('stopped_at', 'is', null)
        .execute();
    }
    return stale;
  }
}
