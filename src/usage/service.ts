/**
 * Ending sessions (operator disconnect, device removal, quota exhaustion, expiry) through the
 * SessionTerminator port, with every request and outcome in `disconnect_requests`; and the
 * periodic sweep that closes stale sessions and expires vouchers.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { DeviceAccessRepository } from '../devices/index.js';
import { AppError, type Clock } from '../shared/index.js';
import type { Database } from '../store/index.js';
import { VoucherAccessRepository } from '../vouchers/index.js';
import { SessionsRepository, type SessionRow } from './sessions-repository.js';
import type { DisconnectOutcome, SessionTerminator } from './terminator.js';

/** RFC 5176 §3.5 Error-Cause 503: the NAS has no such session — it is already gone. */
export const ERROR_CAUSE_SESSION_NOT_FOUND = 503;

export type DisconnectReason =
  'quota' | 'expired' | 'operator' | 'device_removed' | 'device_replaced' | 'device_limit';

export interface SessionDisconnectResult {
  sessionId: number;
  status: DisconnectOutcome['status'] | 'not_online';
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
    private readonly dialect: 'sqlite' | 'postgres',
    private readonly clock: Clock,
    private readonly terminator: SessionTerminator,
    private readonly logger: Logger,
  ) {}

  private sessions(): SessionsRepository {
    return new SessionsRepository(this.db, this.dialect);
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
    const device = await new DeviceAccessRepository(this.db).findById(tenantId, deviceId);
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
      const known: DisconnectReason[] = [
        'quota',
        'expired',
        'operator',
        'device_removed',
        'device_replaced',
        'device_limit',
      ];
      const result = await this.disconnectMac(
        tenantId,
        voucherId,
        mac,
        known.includes(reason as DisconnectReason) ? (reason as DisconnectReason) : 'device_removed',
      );
      const confirmed = result.sessions.filter((s) => s.confirmed).length;
      return { sessions: result.sessions.length, confirmed, unconfirmed: result.sessions.length - confirmed };
    },
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

  private async disconnect(session: SessionRow, reason: DisconnectReason): Promise<SessionDisconnectResult> {
    if (session.stopped_at !== null) {
      return { sessionId: session.id, status: 'not_online', errorCause: null, attempts: 0, confirmed: true };
    }
    const hotspot = await this.db
      .selectFrom('hotspots')
      .select(['id', 'vendor', 'ip_address', 'coa_port', 'secret'])
      .where('tenant_id', '=', session.tenant_id)
      .where('id', '=', session.hotspot_id)
      .executeTakeFirst();
    if (!hotspot) throw new AppError('NOT_FOUND', 'Hotspot not found');
    const repository = this.sessions();
    const requestId = await repository.insertDisconnectRequest({
      tenantId: session.tenant_id,
      sessionId: session.id,
      hotspotId: hotspot.id,
      reason,
      nowMs: this.clock.nowMs(),
    });
    let outcome: DisconnectOutcome;
    try {
      outcome = await this.terminator.disconnect({
        hotspot: {
          id: hotspot.id,
          vendor: hotspot.vendor,
          ipAddress: hotspot.ip_address,
          coaPort: hotspot.coa_port,
          secret: hotspot.secret,
        },
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
    await repository.finishDisconnectRequest(session.tenant_id, requestId, {
      status: outcome.status,
      attempts: outcome.attempts,
      errorCause: outcome.errorCause,
      nowMs: this.clock.nowMs(),
    });
    const gone = outcome.status === 'nacked' && outcome.errorCause === ERROR_CAUSE_SESSION_NOT_FOUND;
    if (gone) {
      await repository.closeSession(session.tenant_id, session.id, 'Admin-Reset', this.clock.nowMs());
      if (session.voucher_id !== null) {
        await new VoucherAccessRepository(this.db, this.dialect).markOfflineIfIdle(
          session.tenant_id,
          session.voucher_id,
          this.clock.nowMs(),
        );
      }
    }
    this.logger.info(
      {
        sessionId: session.id,
        hotspotId: hotspot.id,
        reason,
        outcome: outcome.status,
        errorCause: outcome.errorCause,
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
    let expiredVouchers = 0;
    for (const voucher of await vouchers.listExpired(nowMs, 1000)) {
      if (await vouchers.markUsed(voucher.tenant_id, voucher.id, 'expired', nowMs)) {
        expiredVouchers++;
        void this.disconnectVoucher(voucher.tenant_id, voucher.id, 'expired').catch((error: unknown) =>
          this.logger.error({ err: error, voucherId: voucher.id }, 'disconnecting an expired voucher failed'),
        );
      }
    }
    return { staleSessions: stale.length, expiredVouchers };
  }
}
