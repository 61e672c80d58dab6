/**
 * Composition root: builds every module by hand and owns shutdown in reverse order
 * (HTTP → RADIUS → workers → database). No container, no decorators.
 */
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Config } from './config/index.js';
import { ensureFirstAdmin, WebSessions, type FirstAdminResult } from './auth/index.js';
import { registerAdmin } from './admin/index.js';
import { createOperatorModules } from './admin/compose.js';
import { registerApi } from './api/index.js';
import type { VoucherEvents, VouchersService } from './vouchers/index.js';
import { resolveServerSecret } from './config/server-secret.js';
import { NotificationsRepository, NotificationsService, portalUrlFor } from './notifications/index.js';
import { CustomerPhoneLookup, OtpRepository, OtpService } from './portal/otp/index.js';
import { createSmsModule, type SmsModule } from './sms/index.js';
import { bootstrap, type BootstrapResult } from './bootstrap/index.js';
import { createHttpServer } from './http/server.js';
import { cryptoRandom, systemClock, type Clock, type RandomSource } from './shared/index.js';
import { migrateToLatest, openDatabase, type Store } from './store/index.js';
import { TenantResolver, TenantsRepository } from './tenants/index.js';

export interface AppOverrides {
  clock?: Clock;
  random?: RandomSource;
  logger?: Logger;
  /** Use this store instead of opening config.databaseUrl (tests); the app does not close it. */
  store?: Store;
  /** Check every REST API answer against its response schema (tests). */
  strictApiResponses?: boolean;
}

export interface App {
  config: Readonly<Config>;
  store: Store;
  http: FastifyInstance;
  logger: Logger;
  clock: Clock;
  random: RandomSource;
  tenants: TenantsRepository;
  webSessions: WebSessions;
  /** SMS gateways, the durable outbox and the SMS log. */
  sms: SmsModule;
  /** Portal sign-in one-time codes. */
  otp: OtpService;
  /** Status page notifications (call `notifications.handleVoucherActivated` on activation). */
  notifications: NotificationsService;
  /** What first-start bootstrap did (default tenant, demo). */
  bootstrapped: BootstrapResult;
  /** What first start did about the first admin (print its instructions after listening). */
  firstAdmin: FirstAdminResult;
  vouchers: VouchersService;
  /** "Voucher activated" (operator assigned a voucher): notifications subscribe here. */
  voucherEvents: VoucherEvents;
  /** Starts listening (HTTP, RADIUS) and background workers. */
  listen(): Promise<{ httpUrl: string }>;
  close(): Promise<void>;
}

export async function createApp(config: Readonly<Config>, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? pino({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? cryptoRandom;
  const ownsStore = overrides.store === undefined;
  const store = overrides.store ?? openDatabase(config.databaseUrl);
  await migrateToLatest(store.db);

  const tenants = new TenantsRepository(store.db);
  const tenantResolver = new TenantResolver(tenants, () => clock.nowMs());
  const webSessions = new WebSessions(store.db, clock, random);
  const bootstrapped = await bootstrap(config, store, tenants, clock);

  const firstAdmin = await ensureFirstAdmin({ config, store, tenants, clock, random });
  const sms = createSmsModule({ db: store.db, tenants, clock, logger });
  const otp = new OtpService({
    repo: new OtpRepository(store.db),
    customers: new CustomerPhoneLookup(store.db),
    sender: sms.outbox,
    tenants,
    clock,
    random,
    secret: resolveServerSecret(config),
    logger,
  });
  const notifications = new NotificationsService({
    repo: new NotificationsRepository(store.db),
    tenants,
    sender: sms.outbox,
    clock,
    logger,
    portalUrl: (tenant) =>
      portalUrlFor(tenant, {
        publicUrl: config.publicUrl,
        hostsOf: (id) => tenants.hostsOf(id),
        port: config.port,
      }),
  });

  const http = await createHttpServer({ logger, tenantResolver, trustProxy: config.trustProxy });
  const operator = createOperatorModules({
    store,
    tenants,
    tenantResolver,
    webSessions,
    clock,
    random,
    logger,
  });
  await operator.start();
  // An operator assigning a voucher counts as an activation for the status-page SMS.
  operator.voucherEvents.onVoucherActivated((event) =>
    notifications.handleVoucherActivated({
      tenantId: event.tenantId,
      voucherId: event.voucherId,
      customerId: event.customerId,
      activatedAtMs: event.atMs,
    }),
  );
  await registerAdmin(http, operator.deps);
  await registerApi(http, operator.deps, { strictResponses: overrides.strictApiResponses ?? false });

  const closers: Array<() => Promise<void>> = [];
  closers.push(() => operator.stop());
  let closed = false;
  closers.push(() => sms.close());
  closers.push(() => otp.idle());

  return {
    config,
    store,
    http,
    logger,
    clock,
    random,
    tenants,
    webSessions,
    sms,
    otp,
    notifications,
    bootstrapped,
    firstAdmin,
    vouchers: operator.deps.vouchers,
    voucherEvents: operator.voucherEvents,
    async listen() {
      const address = await http.listen({ port: config.port, host: config.host });
      sms.start();
      // Print a URL a person can open: 0.0.0.0 is where we listen, not where to browse.
      const httpUrl = address.replace('://0.0.0.0', '://localhost').replace('://[::]', '://localhost');
      return { httpUrl };
    },
    async close() {
      if (closed) return;
      closed = true;
      await http.close();
      for (const close of closers.reverse()) await close();
      if (ownsStore) await store.close();
    },
  };
}
