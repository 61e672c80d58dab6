/**
 * Ending sessions (operator disconnect, device removal, quota exhaustion, expiry) through the
 * SessionTerminator port, with every request and outcome in `disconnect_requests`; and the
 * periodic sweep that closes stale sessions and expires vouchers.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { DeviceAccessRepository } from '../devices/index.js';
import { AppError, settleWithin, type Clock } from '../shared/index.js';
import { touchVoucherOwnersPortals, type Database, type Dialect } from '../store/index.js';
import { VoucherAccessRepository } from '../vouchers/index.js';
import {
  DEFAULT_DISCONNECT_RETRY_POLICY,
  nextDisconnectAttemptAt,
  type DisconnectRetryPolicy,
} from './disconnect-policy.js';
import { judgeDisconnectProgress, type DisconnectProgress } from './disconnect-progress.js';
import { SessionsRepository, type SessionRow } from './sessions-repository.js';
import { DisconnectRepository } from './disconnect-repository.js';
import type { DisconnectOutcome, HotspotDirectory, SessionTerminator } from './terminator.js';

/** RFC 5176 §3.5 Error-Cause 503: the NAS has no such session — it is already gone. */
export const ERROR_CAUSE_SESSION_NOT_FOUND = 503;

export type DisconnectReason =
  'quota' | 'expired' | 'disabled' | 'operator' | 'device_removed' | 'device_replaced' | 'device_limit';

export const DISCONNECT_REASONS: readonly DisconnectReason[] = [
  'quota',
  'expired',
  'disabled',
  'operator',
  'device_removed',
  'device_replaced',
  'device_limit',
];

/** Live sessions asked to end: how many the hotspot confirmed gone, how many not yet (retried). */
export interface DisconnectSummary {
  sessions: number;
  confirmed: number;
  unconfirmed: number;
}

export interface SessionDisconnectResult {
  sessionId: number;
  /** pending: no answer within a person's wait (disconnectSessionWithin); it goes on. */
  status: DisconnectOutcome['status'] | 'not_online' | 'pending';
  errorCause: number | null;
  attempts: number;
  /** The session is no longer on the hotspot: ACK, or NAK with Session-Context-Not-Found. */
  confirmed: boolean;
}

export interface DeviceDisconnectResult {
  sessions: SessionDisconnectResult[];
  /** True when every live session was confirmed gone (vacuously true with none). */
  confirmed: boolean;
}

export class UsageService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly terminator: SessionTerminator,
    private readonly hotspots: HotspotDirectory,
    private readonly logger: Logger,
    /** Backoff of later attempts (the retry sweep); recorded with every first request. */
    readonly retryPolicy: DisconnectRetryPolicy = DEFAULT_DISCONNECT_RETRY_POLICY,
  ) {}

  private sessions(): SessionsRepository {
    return new SessionsRepository(this.db, this.dialect);
  }

  private disconnects(): DisconnectRepository {
    return new DisconnectRepository(this.db);
  }

  /**
   * Sends a Disconnect-Request for one session and records it. Throws NOT_FOUND for a session
   * of another tenant. A NAK with Error-Cause 503 closes our record (the hotspot has no such session).
   */
  async disconnectSession(
    tenantId: number,
    sessionId: number,
    reason: DisconnectReason = 'operator',
  ): Promise<SessionDisconnectResult> {
    const session = await this.sessions().findById(tenantId, sessionId);
    if (!session) throw new AppError('NOT_FOUND', 'Session not found');
    return this.disconnect(session, reason);
  }

  /** Disconnects every live session of a device's MAC on its voucher. */
  async disconnectDevice(
    tenantId: number,
    deviceId: number,
    reason: DisconnectReason = 'device_removed',
  ): Promise<DeviceDisconnectResult> {
    const device = await new DeviceAccessRepository(this.db, this.dialect).findById(tenantId, deviceId);
    if (!device) throw new AppError('NOT_FOUND', 'Device not found');
    return this.disconnectMac(tenantId, device.voucher_id, device.mac, reason);
  }

  /** Same as disconnectDevice, for a device row that is already deleted (removal, replacement). */
  async disconnectMac(
    tenantId: number,
    voucherId: number,
    mac: string,
    reason: DisconnectReason = 'device_removed',
  ): Promise<DeviceDisconnectResult> {
    const open = await this.sessions().listOpenOfVoucher(tenantId, voucherId, mac);
    const results = await Promise.all(open.map((s) => this.disconnect(s, reason)));
    return { sessions: results, confirmed: results.every((r) => r.confirmed) };
  }

  /**
   * The devices module's DeviceSessionTerminator port (device removal or MAC change), backed by
   * Disconnect-Requests: counts of live sessions, confirmed and unconfirmed.
   */
  readonly deviceTerminator = {
    disconnectMac: async (tenantId: number, voucherId: number, mac: string, reason: string) => {
      const result = await this.disconnectMac(
        tenantId,
        voucherId,
        mac,
        DISCONNECT_REASONS.includes(reason as DisconnectReason)
          ? (reason as DisconnectReason)
          : 'device_removed',
      );
      const confirmed = result.sessions.filter((s) => s.confirmed).length;
      return { sessions: result.sessions.length, confirmed, unconfirmed: result.sessions.length - confirmed };
    },
    progress: async (tenantId: number, voucherId: number, mac: string, sinceMs: number) =>
      (await this.disconnectProgress(tenantId, { voucherId, mac }, sinceMs)).progress,
  };

  /** Disconnects every live session of a voucher (quota exhausted, expired). */
  async disconnectVoucher(
    tenantId: number,
    voucherId: number,
    reason: DisconnectReason,
  ): Promise<DeviceDisconnectResult> {
    const open = await this.sessions().listOpenOfVoucher(tenantId, voucherId);
    const results = await Promise.all(open.map((s) => this.disconnect(s, reason)));
    return { sessions: results, confirmed: results.every((r) => r.confirmed) };
  }

  /**
   * disconnectVoucher for a person waiting on a page or an API call: answers after at most
   * `waitMs` with what the hotspot confirmed by then; the rest goes on in the background (its
   * outcome logged) and, when still unconfirmed, the retry sweep tries again later.
   */
  async disconnectVoucherWithin(
    tenantId: number,
    voucherId: number,
    reason: DisconnectReason,
    waitMs: number,
  ): Promise<DisconnectSummary> {
    const open = await this.sessions().listOpenOfVoucher(tenantId, voucherId);
    if (open.length === 0) return { sessions: 0, confirmed: 0, unconfirmed: 0 };
    const notYet: DisconnectSummary = { sessions: open.length, confirmed: 0, unconfirmed: open.length };
    const work = Promise.all(open.map((s) => this.disconnect(s, reason))).then((results) => {
      const confirmed = results.filter((r) => r.confirmed).length;
      const summary = { sessions: results.length, confirmed, unconfirmed: results.length - confirmed };
      if (summary.unconfirmed > 0)
        this.logger.warn({ tenantId, voucherId, reason, ...summary }, 'voucher disconnect not confirmed');
      return summary;
    });
    // Observed here so a failure after the wait is logged, never an unhandled rejection.
    work.catch((error: unknown) =>
      this.logger.error({ err: error, tenantId, voucherId, reason }, 'voucher disconnect failed'),
    );
    return settleWithin(work, waitMs, notYet);
  }

  /**
   * disconnectSession for a person waiting: the hotspot's answer if it comes within `waitMs`,
   * otherwise `pending` while retransmissions (and later the retry sweep) go on.
   */
  async disconnectSessionWithin(
    tenantId: number,
    sessionId: number,
    reason: DisconnectReason,
    waitMs: number,
  ): Promise<SessionDisconnectResult> {
    const session = await this.sessions().findById(tenantId, sessionId);
    if (!session) throw new AppError('NOT_FOUND', 'Session not found');
    const work = this.disconnect(session, reason);
    work.then(
      (result) => {
        if (!result.confirmed)
          this.logger.warn({ tenantId, reason, ...result }, 'session disconnect not confirmed');
      },
      (error: unknown) =>
        this.logger.error({ err: error, tenantId, sessionId, reason }, 'session disconnect failed'),
    );
    const pending: SessionDisconnectResult = {
      sessionId,
      status: 'pending',
      errorCause: null,
      attempts: 1,
      confirmed: false,
    };
    return settleWithin(work, waitMs, pending);
  }

  /**
   * How the disconnect of a voucher's MAC (or of one session) asked for at `sinceMs` stands
   * now, for a page that polls or is reloaded. Tenant-scoped; another tenant's ids read `none`.
   */
  async disconnectProgress(
    tenantId: number,
    target: { voucherId: number; mac: string } | { sessionId: number },
    sinceMs: number,
  ): Promise<{ progress: DisconnectProgress; errorCause: number | null }> {
    const facts = await this.disconnects().disconnectProgressFacts(tenantId, target, sinceMs);
    return judgeDisconnectProgress(facts.sessions, facts.requests, sinceMs, this.clock.nowMs());
  }

  /**
   * Another attempt for a session whose disconnect the retry sweep claimed (the attempt count
   * and backoff are already stored); same recording and outcome handling as a first request.
   */
  retryDisconnect(session: SessionRow, reason: DisconnectReason): Promise<SessionDisconnectResult> {
    return this.disconnect(session, reason, { retry: true });
  }

  private async disconnect(
    session: SessionRow,
    reason: DisconnectReason,
    options: { retry?: boolean } = {},
  ): Promise<SessionDisconnectResult> {
    if (session.stopped_at !== null) {
      return { sessionId: session.id, status: 'not_online', errorCause: null, attempts: 0, confirmed: true };
    }
    const hotspot = await this.hotspots.disconnectTarget(session.tenant_id, session.hotspot_id);
    if (!hotspot) throw new AppError('NOT_FOUND', 'Hotspot not found');
    const repository = this.sessions();
    if (!options.retry) {
      // Durable before anything is sent: if the hotspot never answers (or this process stops),
      // the retry sweep of any process picks the session up once the backoff has passed.
      const nowMs = this.clock.nowMs();
      await this.disconnects().recordDisconnectRequested(session.tenant_id, session.id, {
        reason,
        nextAttemptAtMs: nextDisconnectAttemptAt(1, nowMs, this.retryPolicy),
      });
    }
    const requestId = await this.disconnects().insertDisconnectRequest({
      tenantId: session.tenant_id,
      sessionId: session.id,
      hotspotId: hotspot.id,
      reason,
      nowMs: this.clock.nowMs(),
    });
    let outcome: DisconnectOutcome;
    try {
      outcome = await this.terminator.disconnect({
        hotspot,
        session: {
          acctSessionId: session.acct_session_id,
          userName: session.user_name,
          framedIp: session.framed_ip,
          mac: session.mac,
        },
      });
    } catch (error) {
      this.logger.error({ err: error, sessionId: session.id }, 'disconnect request failed');
      outcome = { status: 'timeout', errorCause: null, attempts: 0 };
    }
    await this.disconnects().finishDisconnectRequest(session.tenant_id, requestId, {
      status: outcome.status,
      attempts: outcome.attempts,
      errorCause: outcome.errorCause,
      nowMs: this.clock.nowMs(),
    });
    const gone = outcome.status === 'nacked' && outcome.errorCause === ERROR_CAUSE_SESSION_NOT_FOUND;
    // ACKed: the hotspot ended it and will send the Accounting-Stop; until then the session stays
    // open in our records, but it is never asked again.
    if (outcome.status === 'acked')
      await this.disconnects().markDisconnectAcked(session.tenant_id, session.id, this.clock.nowMs());
    if (gone) {
      await repository.closeSession(session.tenant_id, session.id, 'Admin-Reset', this.clock.nowMs());
      if (session.voucher_id !== null) {
        await new VoucherAccessRepository(this.db, this.dialect).markOfflineIfIdle(
          session.tenant_id,
          session.voucher_id,
          this.clock.nowMs(),
        );
        await touchVoucherOwnersPortals(this.db, [session.voucher_id]);
      }
    }
    this.logger.info(
      {
        sessionId: session.id,
        hotspotId: hotspot.id,
        tenantId: session.tenant_id,
        reason,
        retry: options.retry === true,
        outcome: outcome.status,
        errorCause: outcome.errorCause,
        packets: outcome.attempts,
      },
      'disconnect request finished',
    );
    return {
      sessionId: session.id,
      status: outcome.status,
      errorCause: outcome.errorCause,
      attempts: outcome.attempts,
      confirmed: outcome.status === 'acked' || gone,
    };
  }

  /**
   * Periodic housekeeping: closes sessions without accounting for two interim intervals (plus a
   * minute), and expires vouchers past their expiry, disconnecting their sessions. Safe to run
   * in several processes at once (conditional updates; only the winner disconnects).
   */
  async sweep(): Promise<{ staleSessions: number; expiredVouchers: number }> {
    const nowMs = this.clock.nowMs();
    const vouchers = new VoucherAccessRepository(this.db, this.dialect);
    const stale = await this.sessions().closeStale(nowMs, 1000);
    for (const session of stale) {
      if (session.voucher_id !== null)
        await vouchers.markOfflineIfIdle(session.tenant_id, session.voucher_id, nowMs);
    }
    const changed = stale.flatMap((session) => (session.voucher_id === null ? [] : [session.voucher_id]));
    let expiredVouchers = 0;
    const disconnects: Array<Promise<unknown>> = [];
    for (const voucher of await vouchers.listExpired(nowMs, 1000)) {
      if (await vouchers.markUsed(voucher.tenant_id, voucher.id, 'expired', nowMs)) {
        expiredVouchers++;
        changed.push(voucher.id);
        disconnects.push(
          this.disconnectVoucher(voucher.tenant_id, voucher.id, 'expired').catch((error: unknown) =>
            this.logger.error(
              { err: error, voucherId: voucher.id },
              'disconnecting an expired voucher failed',
            ),
          ),
        );
      }
    }
    // Awaited (in parallel) so the disconnect retry pass that follows sees these requests recorded
    // and does not send them a second time; a background worker can wait out a silent hotspot.
    await touchVoucherOwnersPortals(this.db, changed);
    await Promise.all(disconnects);
    return { staleSessions: stale.length, expiredVouchers };
  }
}
