/**
 * Builds the operator-side modules (plans, vouchers, customers admin, read queries) and the deps
 * the admin area and the API share. Called once from app.ts.
 */
import type { Logger } from 'pino';
import { AdminsRepository, ApiTokensRepository, type SignInGuard, type WebSessions } from '../auth/index.js';
import { CustomersAdminRepository } from '../customers/index.js';
import { DevicesAdminQueries, type DevicesService } from '../devices/index.js';
import { PlansRepository, PlansService } from '../plans/index.js';
import type { Clock, RandomSource } from '../shared/index.js';
import { SmsAdminCounts } from '../sms/index.js';
import type { Store } from '../store/index.js';
import type { HotspotsService } from '../hotspots/index.js';
import { SessionsAdminQueries, type UsageService } from '../usage/index.js';
import type { TenantResolver, TenantsRepository } from '../tenants/index.js';
import {
  SERIES_BATCH_SIZE,
  SERIES_STALE_AFTER_MS,
  SeriesGenerator,
  VoucherEvents,
  VouchersRepository,
  VouchersService,
} from '../vouchers/index.js';
import { DashboardQueries } from './dashboard-queries.js';
import { SetupProgressQueries } from './setup-progress.js';
import type { AdminDeps } from './deps.js';

export interface OperatorModules {
  deps: AdminDeps;
  voucherEvents: VoucherEvents;
  seriesGenerator: SeriesGenerator;
  /** Resumes series a stopped process left half-made, now and then every minute. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createOperatorModules(parts: {
  store: Store;
  tenants: TenantsRepository;
  tenantResolver: TenantResolver;
  webSessions: WebSessions;
  /** Per-account admin sign-in backoff (keyed with the server secret). */
  signInGuard: SignInGuard;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  hotspots: HotspotsService;
  usage: UsageService;
  radius: { authPort: number; acctPort: number };
  smsSender: AdminDeps['smsSender'];
  /** Whether a router of the tenant downloaded its hosted login page's files (checklist). */
  loginPageInstalled: (tenantId: number) => Promise<boolean>;
  /** How long disabling a voucher waits for the hotspots to confirm its sessions' disconnects. */
  disconnectWaitMs: number;
  /** The devices service of web pages: it waits a blink, then reports the disconnect in progress. */
  pageDevices: DevicesService;
  /** How long the admin's Disconnect button waits before it follows the outcome live. */
  pageDisconnectWaitMs: number;
}): OperatorModules {
  const { store, clock, random, logger } = parts;
  const db = store.db;
  const vouchersRepository = new VouchersRepository(db, store.dialect);
  const customers = new CustomersAdminRepository(db);
  const sessions = new SessionsAdminQueries(db);
  const sms = new SmsAdminCounts(db);
  const plansRepository = new PlansRepository(db);
  const plans = new PlansService(plansRepository, clock);
  const voucherEvents = new VoucherEvents((error, event) =>
    logger.error({ err: error, voucherId: event.voucherId }, 'a voucher-activated listener failed'),
  );

  const announce = (tenantId: number, voucherId: number, customerId: number) =>
    voucherEvents.emitVoucherActivated({
      tenantId,
      voucherId,
      customerId,
      source: 'operator',
      atMs: clock.nowMs(),
    });
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
    voucherEvents,
    clock,
    logger,
    {
      disconnectVoucher: (tenantId, voucherId, reason) =>
        parts.usage.disconnectVoucherWithin(tenantId, voucherId, reason, parts.disconnectWaitMs),
    },
  );
  const deps: AdminDeps = {
    admins: new AdminsRepository(db, clock),
    apiTokens: new ApiTokensRepository(db, clock, random),
    webSessions: parts.webSessions,
    signInGuard: parts.signInGuard,
    tenants: parts.tenants,
    tenantResolver: parts.tenantResolver,
    plans,
    vouchers,
    customers,
    sessions,
    devices: new DevicesAdminQueries(db),
    voucherDevices: parts.pageDevices,
    dashboard: new DashboardQueries(vouchersRepository, sessions, sms, clock),
    setup: new SetupProgressQueries({
      plan: (tenantId) => plansRepository.hasAny(tenantId),
      hotspot: (tenantId) => parts.hotspots.hasAny(tenantId),
      loginPage: parts.loginPageInstalled,
      smsGateway: (tenantId) => parts.smsSender.hasEnabledGateway(tenantId),
      // Saving Config > Portal once stores the document.
      portal: (tenantId) => parts.tenants.hasSavedSettings(tenantId, 'portal'),
      series: (tenantId) => vouchersRepository.hasAnySeries(tenantId),
      assigned: (tenantId) => vouchersRepository.hasAnyAssigned(tenantId),
      voucherSms: (tenantId) => sms.hasAnyOfTypes(tenantId, ['voucher_details', 'portal_link']),
    }),
    sms,
    hotspots: parts.hotspots,
    usage: parts.usage,
    disconnectSession: (tenantId, sessionId, options) =>
      parts.usage.disconnectSessionWithin(
        tenantId,
        sessionId,
        'operator',
        options?.forPage ? parts.pageDisconnectWaitMs : parts.disconnectWaitMs,
      ),
    radius: parts.radius,
    smsSender: parts.smsSender,
    clock,
    logger,
  };
  let resumeTimer: NodeJS.Timeout | undefined;
  return {
    deps,
    voucherEvents,
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
