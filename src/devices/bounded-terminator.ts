/**
 * A portal or admin request must not hang for the whole RFC 5176 retransmission window (tens of
 * seconds when a hotspot is slow or unreachable): wait a bounded time for the hotspot's answer,
 * then report the sessions as "in progress" while the retransmissions go on in the background
 * (pages wait a fraction of a second and then follow the outcome through `progress`).
 */
import type { Logger } from 'pino';
import { settleWithin } from '../shared/index.js';
import type { DisconnectSummary } from './model.js';
import type { DeviceSessionTerminator } from './service.js';

export function boundedTerminator(
  inner: DeviceSessionTerminator,
  options: {
    waitMs: number;
    /** Live sessions of the MAC on the voucher, to report how many are still unconfirmed. */
    countOpenSessions: (tenantId: number, voucherId: number, mac: string) => Promise<number>;
    logger: Logger;
  },
): DeviceSessionTerminator {
  return {
    async disconnectMac(tenantId, voucherId, mac, reason): Promise<DisconnectSummary> {
      const open = await options.countOpenSessions(tenantId, voucherId, mac);
      const work = inner.disconnectMac(tenantId, voucherId, mac, reason);
      // Keep the background outcome observable in the logs (and never an unhandled rejection).
      work.then(
        (summary) => {
          if (summary.unconfirmed > 0)
            options.logger.warn({ tenantId, voucherId, mac, ...summary }, 'device disconnect not confirmed');
        },
        (error: unknown) =>
          options.logger.error({ err: error, tenantId, voucherId, mac }, 'device disconnect failed'),
      );
      // A failure is logged above; the caller's change stands, the disconnect is not confirmed.
      return settleWithin(work, options.waitMs, {
        sessions: open,
        confirmed: 0,
        unconfirmed: open,
        inProgress: true,
      });
    },
    progress: (tenantId, voucherId, mac, sinceMs) => inner.progress(tenantId, voucherId, mac, sinceMs),
  };
}
