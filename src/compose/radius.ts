/**
 * The RADIUS side as the composition root wires it: the voucher access policy, the accounting
 * group commit and, when enabled, the UDP server, each request timed into the metrics.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { HotspotsService } from '../hotspots/index.js';
import type { Metrics } from '../metrics/index.js';
import { AccessHandler, AccountingHandler, RadiusServer } from '../radius/index.js';
import type { Clock } from '../shared/index.js';
import type { Store } from '../store/index.js';
import type { TenantsRepository } from '../tenants/index.js';
import { AccountingRecorder, type DisconnectReason } from '../usage/index.js';
import { VoucherAccessPolicy, type VoucherActivatedEvent } from '../vouchers/index.js';

/**
 * What the RADIUS side asks of the usage module: disconnects (a replaced device, an exhausted
 * voucher), whose outcome it only logs when they fail. A RADIUS thread sends them to the main
 * thread (radius-threads.ts).
 */
export interface RadiusDisconnects {
  disconnectMac(tenantId: number, voucherId: number, mac: string, reason: DisconnectReason): Promise<unknown>;
  disconnectVoucher(tenantId: number, voucherId: number, reason: DisconnectReason): Promise<unknown>;
}
/** What the RADIUS side reports to the metrics. */
export type RadiusMetrics = Pick<Metrics, 'radiusRequest' | 'accountingBatch'>;

export function createRadius(parts: {
  config: Readonly<Config>;
  store: Store;
  tenants: TenantsRepository;
  hotspots: HotspotsService;
  usage: RadiusDisconnects;
  metrics: RadiusMetrics;
  clock: Clock;
  logger: Logger;
  /** A voucher's first accepted login (status-page SMS and other listeners). */
  voucherActivated: (event: VoucherActivatedEvent) => void;
}): { accessPolicy: VoucherAccessPolicy; accounting: AccountingRecorder; radius: RadiusServer | undefined } {
  const { config, store, tenants, hotspots, usage, metrics, clock, logger } = parts;
  const accessPolicy = new VoucherAccessPolicy(
    store.db,
    store.dialect,
    tenants,
    clock,
    {
      voucherActivated: parts.voucherActivated,
      deviceReplaced: ({ tenantId, voucherId, mac }) =>
        void usage.disconnectMac(tenantId, voucherId, mac, 'device_limit').catch((error: unknown) => {
          logger.error({ err: error }, 'disconnecting a replaced device failed');
        }),
    },
    logger,
  );
  const accounting = new AccountingRecorder(
    store.db,
    store.dialect,
    clock,
    logger,
    ({ tenantId, voucherId }) => {
      void usage.disconnectVoucher(tenantId, voucherId, 'quota').catch((error: unknown) => {
        logger.error({ err: error, voucherId }, 'disconnecting an exhausted voucher failed');
      });
    },
    {
      maxInFlight: config.radius.accountingBatchesInFlight,
      onBatch: ({ records, commitSeconds, committed }) =>
        metrics.accountingBatch(records, commitSeconds, committed),
    },
  );
  const accessHandler = new AccessHandler(accessPolicy);
  const accountingHandler = new AccountingHandler(accounting, clock);
  const radius = config.radius.enabled
    ? new RadiusServer(
        {
          host: config.radius.host,
          authPort: config.radius.authPort,
          acctPort: config.radius.acctPort,
          // More than one thread answers on these ports (radius-threads.ts).
          reusePort: config.radius.threads > 1,
          logger: logger.child({ module: 'radius' }),
        },
        {
          findNas: (ip) => hotspots.findNasByIp(ip),
          access: async (packet, nas, secret) => {
            const startedAt = performance.now();
            const plan = await accessHandler.handle(packet, nas, secret);
            metrics.radiusRequest('access', accessResult(plan.code), (performance.now() - startedAt) / 1000);
            return plan;
          },
          accounting: async (packet, nas) => {
            const startedAt = performance.now();
            try {
              await accountingHandler.handle(packet, nas);
              metrics.radiusRequest('accounting', 'stored', (performance.now() - startedAt) / 1000);
            } catch (error) {
              metrics.radiusRequest('accounting', 'failed', (performance.now() - startedAt) / 1000);
              throw error;
            }
          },
        },
      )
    : undefined;
  return { accessPolicy, accounting, radius };
}

function accessResult(code: number): string {
  if (code === 2) return 'accept';
  if (code === 3) return 'reject';
  if (code === 11) return 'challenge';
  return 'other';
}
