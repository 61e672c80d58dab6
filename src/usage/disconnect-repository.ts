/**
 * A session's Disconnect-Request state (RFC 5176): why Portico asked, the attempts and when the
 * next may be tried (the retry sweep's compare-and-set claim between processes), the hotspot's
 * ACK, and the log of request exchanges. Every query is scoped by tenant.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import type { ProgressRequest, ProgressSession } from './disconnect-progress.js';
import type { SessionRow } from './sessions-repository.js';

/** An open session the retry sweep should disconnect, with the facts that say why. */
export interface DisconnectDueSession {
  session: SessionRow;
  /** Its voucher's status in the same tenant (null without a voucher). */
  voucherStatus: string | null;
  voucherUsedReason: string | null;
  /** Whether its MAC is still an associated device of its voucher. */
  macOnVoucher: boolean;
}

export class DisconnectRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * A new Disconnect-Request for the session (operator, device removal, voucher disabled, quota,
   * expiry): records why, restarts the attempt count at 1 (a new request gets a fresh retry
   * budget) and when the retry sweep may try again.
   */
  async recordDisconnectRequested(
    tenantId: number,
    id: number,
    values: { reason: string; nextAttemptAtMs: number | null },
  ): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({
        disconnect_reason: values.reason,
        disconnect_attempts: 1,
        disconnect_next_at: values.nextAttemptAtMs,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  /**
   * Claims the next retry of a session's disconnect (compare-and-set on the attempt count), so
   * several sweeps and processes never send the same retry twice. False when another got it
   * first, the session ended or was confirmed meanwhile, or it is not due yet.
   */
  async claimDisconnectRetry(
    tenantId: number,
    id: number,
    values: { seenAttempts: number; reason: string; nowMs: number; nextAttemptAtMs: number | null },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({
        disconnect_reason: values.reason,
        disconnect_attempts: values.seenAttempts + 1,
        disconnect_next_at: values.nextAttemptAtMs,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('stopped_at', 'is', null)
      .where('disconnect_acked_at', 'is', null)
      .where('disconnect_attempts', '=', values.seenAttempts)
      .where((eb) =>
        eb.or([eb('disconnect_next_at', 'is', null), eb('disconnect_next_at', '<=', values.nowMs)]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The hotspot ACKed a Disconnect-Request: the session is gone there, never retried. */
  async markDisconnectAcked(tenantId: number, id: number, nowMs: number): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ disconnect_acked_at: nowMs, disconnect_next_at: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('disconnect_acked_at', 'is', null)
      .execute();
  }

  /**
   * Open sessions (any tenant: the retry sweep) that should no longer be online and whose
   * disconnect is due for another attempt: not ACKed, under the attempt cap, past their backoff.
   * "Should no longer be online" (each join stays inside the session's tenant):
   * - its voucher is used (data or time used up, expired — as quota enforcement and the expiry
   *   sweep marked it) or disabled;
   * - it has a MAC that is no longer an associated device of its voucher (removed, replaced, or
   *   displaced under the device limit): every accepted login with a MAC registers that MAC on
   *   the voucher (access policy), so a missing device means it lost access;
   * - an operator asked for it to be disconnected and the hotspot has not confirmed it.
   */
  async listDisconnectDue(
    nowMs: number,
    maxAttempts: number,
    limit: number,
  ): Promise<DisconnectDueSession[]> {
    // The session's MAC is still an associated device of its voucher (same tenant).
    const macOnVoucher = (eb: ExpressionBuilder<Database, 'sessions'>) =>
      eb.exists(
        eb
          .selectFrom('devices')
          .select('devices.id')
          .whereRef('devices.tenant_id', '=', 'sessions.tenant_id')
          .whereRef('devices.voucher_id', '=', 'sessions.voucher_id')
          .whereRef('devices.mac', '=', 'sessions.mac'),
      );
    const rows = await this.db
      .selectFrom('sessions')
      .leftJoin('vouchers', (join) =>
        join
          .onRef('vouchers.id', '=', 'sessions.voucher_id')
          .onRef('vouchers.tenant_id', '=', 'sessions.tenant_id'),
      )
      .selectAll('sessions')
      .select([
        'vouchers.status as voucher_status',
        'vouchers.used_reason as voucher_used_reason',
        (eb) => macOnVoucher(eb).as('mac_on_voucher'),
      ])
      .where('sessions.stopped_at', 'is', null)
      .where('sessions.disconnect_acked_at', 'is', null)
      .where('sessions.disconnect_attempts', '<', maxAttempts)
      .where((eb) =>
        eb.or([
          eb('sessions.disconnect_next_at', 'is', null),
          eb('sessions.disconnect_next_at', '<=', nowMs),
        ]),
      )
      .where((eb) =>
        eb.or([
          eb('sessions.disconnect_reason', '=', 'operator'),
          eb('vouchers.status', 'in', ['used', 'disabled']),
          eb.and([
            eb('vouchers.id', 'is not', null),
            eb('sessions.mac', 'is not', null),
            eb.not(macOnVoucher(eb)),
          ]),
        ]),
      )
      .orderBy('sessions.id')
      .limit(limit)
      .execute();
    return rows.map(({ voucher_status, voucher_used_reason, mac_on_voucher, ...session }) => ({
      session,
      voucherStatus: voucher_status,
      voucherUsedReason: voucher_used_reason,
      // SQLite answers EXISTS with 0/1, PostgreSQL with a boolean.
      macOnVoucher: Boolean(mac_on_voucher),
    }));
  }

  /**
   * What a disconnect asked for at `sinceMs` needs to be judged (disconnect-progress.ts): the
   * sessions live then — of one voucher's MAC, or one session — and the requests sent since.
   */
  async disconnectProgressFacts(
    tenantId: number,
    target: { voucherId: number; mac: string } | { sessionId: number },
    sinceMs: number,
  ): Promise<{ sessions: ProgressSession[]; requests: ProgressRequest[] }> {
    let query = this.db
      .selectFrom('sessions')
      .select(['id', 'stopped_at'])
      .where('tenant_id', '=', tenantId)
      .where('started_at', '<=', sinceMs)
      .where((eb) => eb.or([eb('stopped_at', 'is', null), eb('stopped_at', '>=', sinceMs)]));
    query =
      'sessionId' in target
        ? query.where('id', '=', target.sessionId)
        : query.where('voucher_id', '=', target.voucherId).where('mac', '=', target.mac);
    const sessions = (await query.orderBy('id').limit(50).execute()).map((row) => ({
      id: row.id,
      stoppedAtMs: row.stopped_at,
    }));
    if (sessions.length === 0) return { sessions, requests: [] };
    const requests = await this.db
      .selectFrom('disconnect_requests')
      .select(['session_id', 'status', 'error_cause', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where(
        'session_id',
        'in',
        sessions.map((s) => s.id),
      )
      .where('created_at', '>=', sinceMs)
      .orderBy('id')
      .execute();
    return {
      sessions,
      requests: requests.map((row) => ({
        sessionId: row.session_id,
        status: row.status,
        errorCause: row.error_cause,
        createdAtMs: row.created_at,
      })),
    };
  }

  async insertDisconnectRequest(values: {
    tenantId: number;
    sessionId: number;
    hotspotId: number;
    reason: string;
    nowMs: number;
  }): Promise<number> {
    const row = await this.db
      .insertInto('disconnect_requests')
      .values({
        tenant_id: values.tenantId,
        session_id: values.sessionId,
        hotspot_id: values.hotspotId,
        reason: values.reason,
        status: 'pending',
        created_at: values.nowMs,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async finishDisconnectRequest(
    tenantId: number,
    id: number,
    values: { status: string; attempts: number; errorCause: number | null; nowMs: number },
  ): Promise<void> {
    await this.db
      .updateTable('disconnect_requests')
      .set({
        status: values.status,
        attempts: values.attempts,
        error_cause: values.errorCause,
        finished_at: values.nowMs,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }
}
