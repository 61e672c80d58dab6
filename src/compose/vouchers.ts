/**
 * The operator-side domain: plans, vouchers (with the series generator and its resume timer) and
 * the customers the vouchers are assigned to. Built once by the composition root (app.ts); the
 * admin area and the API receive the services, they do not build them.
 */
import type { Logger } from 'pino';
import { CustomersAdminRepository } from '../customers/index.js';
import { PlansRepository, PlansService } from '../plans/index.js';
import type { Clock, RandomSource } from '../shared/index.js';
import type { Store } from '../store/index.js';
import type { TenantsRepository } from '../tenants/index.js';
import {
  SERIES_BATCH_SIZE,
  SERIES_STALE_AFTER_MS,
  SeriesGenerator,
  VoucherEvents,
  VouchersRepository,
  VouchersService,
  type VoucherSessionTerminator,
} from '../vouchers/index.js';

export interface VouchersModule {
  plans: PlansService;
  plansRepository: PlansRepository;
  vouchers: VouchersService;
  vouchersRepository: VouchersRepository;
  customers: CustomersAdminRepository;
  /** "Voucher activated" by an operator (assigning a voucher to a customer). */
  events: VoucherEvents;
  seriesGenerator: SeriesGenerator;
  /** Resumes series a stopped process left half-made, now and then every minute. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createVouchersModule(parts: {
  store: Store;
  tenants: TenantsRepository;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  /** Disabling a voucher disconnects its sessions (the usage module's port, bounded in time). */
  disconnectVoucher: VoucherSessionTerminator['disconnectVoucher'];
}): VouchersModule {
  const { store, clock, random, logger } = parts;
  const vouchersRepository = new VouchersRepository(store.db, store.dialect);
  const customers = new CustomersAdminRepository(store.db);
  const plansRepository = new PlansRepository(store.db);
  const plans = new PlansService(plansRepository, clock);
  const events = new VoucherEvents((error, event) =>
    logger.error({ err: error, voucherId: event.voucherId }, 'a voucher-activated listener failed'),
  );
  const announce = (tenantId: number, voucherId: number, customerId: number) =>
    events.emitVoucherActivated({ tenantId, voucherId, customerId, source: 'operator', atMs: clock.nowMs() });
  const seriesGenerator = new SeriesGenerator(
    vouchersRepository,
    clock,
    random,
    logger,
    announce,
    SERIES_BATCH_SIZE[store.dialect],
  );
  const vouchers = new VouchersService(
    vouchersRepository,
    plans,
    customers,
    parts.tenants,
    seriesGenerator,
    events,
    clock,
    logger,
    { disconnectVoucher: parts.disconnectVoucher },
  );
  let resumeTimer: NodeJS.Timeout | undefined;
  return {
    plans,
    plansRepository,
    vouchers,
    vouchersRepository,
    customers,
    events,
    seriesGenerator,
    async start() {
      const resume = () =>
        vouchers
          .resumeStaleSeries()
          .catch((error: unknown) => logger.error({ err: error }, 'resuming voucher series failed'));
      await resume();
      // Another process sharing the database may die mid-series at any time, not only before we start.
      resumeTimer = setInterval(() => void resume(), SERIES_STALE_AFTER_MS);
      resumeTimer.unref();
    },
    async stop() {
      clearInterval(resumeTimer);
      await seriesGenerator.stop();
    },
  };
}
