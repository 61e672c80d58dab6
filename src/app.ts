/**
 * Composition root: builds every module by hand and owns shutdown in reverse order
 * (HTTP → RADIUS → workers → database). No container, no decorators.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';
import { resolveServerSecret, type Config } from './config/index.js';
import { ensureFirstAdmin, SignInGuard, WebSessions, type FirstAdminResult } from './auth/index.js';
import { ADMIN_COOKIE, adminArea, smsAdminPages, type SmsAdminDeps } from './admin/index.js';
import { devicesApiRoutes, restApi, smsApiRoutes } from './api/index.js';
import {
  createAdminDeps,
  createDevices,
  createHotspotLogin,
  createMessaging,
  createRadius,
  createVouchersModule,
  meteredTerminator,
  RadiusThreads,
  readinessOf,
  sumPoolStats,
  sumRadiusStats,
} from './compose/index.js';
import { VoucherPortalQueries, type VoucherActivatedEvent, type VouchersService } from './vouchers/index.js';
import type { NotificationsService } from './notifications/index.js';
import type { OtpService, PortalSettingsService } from './otp/index.js';
import { smsCallbackRoutes, toE164, type SmsModule } from './sms/index.js';
import { bootstrap, checkSharedSecret, type BootstrapResult } from './bootstrap/index.js';
import { CustomersRepository } from './customers/index.js';
import {
  PORTAL_SESSION_COOKIE,
  PortalDashboard,
  PortalDevices,
  PortalSignIn,
  portalPlugin,
} from './portal/index.js';
import {
  DisconnectRetrySweep,
  UsagePortalQueries,
  UsageService,
  UsageSweepWorker,
  type AccountingRecorder,
  type DisconnectRetryPolicy,
  type SessionTerminator,
} from './usage/index.js';
import { cryptoRandom, systemClock, type Clock, type RandomSource } from './shared/index.js';
import { migrateToLatest, openDatabase, type Store } from './store/index.js';
import { TenantResolver, TenantsRepository } from './tenants/index.js';
import { HotspotsRepository, HotspotsService } from './hotspots/index.js';
import { DisconnectClient, type RadiusServer } from './radius/index.js';
import type { DevicesService } from './devices/index.js';
import { instrumentHttp, Metrics, metricsRoute, startMetricsServer } from './metrics/index.js';
import { DatabaseCounters, fastifyRateLimitStore, MemoryCounters } from './rate-limits/index.js';
import { createHttpServer, healthRoutes } from './http/index.js';
import type { FreeAccessService, HotspotLoginService } from './hotspot-login/index.js';
import {
  freeAccessPausedNotice,
  hotspotLoginAdminPages,
  hotspotLoginApiRoutes,
  hotspotLoginPlugin,
  hotspotLoginSection,
} from './hotspot-login/index.js';

export interface AppOverrides {
  clock?: Clock;
  random?: RandomSource;
  logger?: Logger;
  /** Use this store instead of opening config.databaseUrl (tests); the app does not close it. */
  store?: Store;
  /** Check every REST API answer against its response schema (tests). */
  strictApiResponses?: boolean;
  /** Replaces the RFC 5176 Disconnect client (tests). */
  sessionTerminator?: SessionTerminator;
  /** Disconnect client retransmission timing (tests shorten it). */
  disconnectTiming?: { initialTimeoutMs: number; maxDurationMs: number };
  /** How long a device removal or a voucher disable waits for the hotspot's Disconnect answer. */
  deviceDisconnectWaitMs?: number;
  /**
   * How long a web page (portal and admin device changes, admin Disconnect) waits before it
   * answers "disconnecting…" and follows the outcome live (default 300 ms).
   */
  pageDisconnectWaitMs?: number;
  /** Backoff and cap of Disconnect-Request retries (tests shorten it). */
  disconnectRetryPolicy?: DisconnectRetryPolicy;
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
  /** Config > Portal (OTP switch, devices block, OTP limits). */
  portalSettings: PortalSettingsService;
  /** What first-start bootstrap did (default tenant, demo). */
  bootstrapped: BootstrapResult;
  /** What first start did about the first admin (print its instructions after listening). */
  firstAdmin: FirstAdminResult;
  /** Operator-side vouchers: series generation (`vouchers.generator.idle()` in tests), assign, disable. */
  vouchers: VouchersService;
  hotspots: HotspotsService;
  /** The hosted hotspot login pages (public ids, flows, the signed voucher view). */
  hotspotLogin: HotspotLoginService;
  freeAccess: FreeAccessService;
  /** Sessions: operator disconnects (disconnectSession, disconnectDevice), the periodic sweep. */
  usage: UsageService;
  /** Retries of unconfirmed disconnects (`disconnectRetries.runOnce()` in tests). */
  disconnectRetries: DisconnectRetrySweep;
  /** The usage background worker (started by listen()): housekeeping sweep, then retries. */
  usageWorker: UsageSweepWorker;
  /** Associated devices (customers in the portal, operators in the admin area and API). */
  devices: DevicesService;
  /** Accounting group commit (its stats show batch sizes). */
  accounting: AccountingRecorder;
  /** The RADIUS server, when RADIUS is enabled (its ports() after listen()). */
  radius: RadiusServer | undefined;
  /** Prometheus metrics (served per config.metrics). */
  metrics: Metrics;
  /** What /readyz reports: undefined when ready, else the reason. */
  notReadyReason(): Promise<string | undefined>;
  /** Marks the app as stopping (/readyz answers 503) before close() begins. */
  beginShutdown(): void;
  /** The separate metrics listener's port, when config.metrics.port is set (after listen()). */
  metricsPort(): number | undefined;
  /** Subscribes to "voucher activated" (first accepted login); returns an unsubscribe function. */
  onVoucherActivated(listener: (event: VoucherActivatedEvent) => void): () => void;
  /** Starts listening (HTTP, RADIUS) and background workers. */
  listen(): Promise<{ httpUrl: string }>;
  close(): Promise<void>;
}

export async function createApp(config: Readonly<Config>, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? pino({ level: config.logLevel });
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? cryptoRandom;
  const ownsStore = overrides.store === undefined;
  const store =
    overrides.store ??
    openDatabase(config.databaseUrl, {
      preparedStatements: config.databasePreparedStatements,
      onIdleConnectionError: (error) =>
        logger.warn({ err: error }, 'a pooled database connection broke; it will be replaced'),
    });
  await migrateToLatest(store.db);
  if (store.dialect === 'postgres')
    await checkSharedSecret(store.db, resolveServerSecret(config), clock.nowMs());
  // Counters every process on the database shares (sign-in limits, the code cooldown); an
  // embedded SQLite database serves one process, so it counts in memory.
  const counters = store.dialect === 'postgres' ? new DatabaseCounters(store.db) : new MemoryCounters();
  const rateLimitStore =
    store.dialect === 'postgres' ? fastifyRateLimitStore(counters, () => Date.now(), 'http') : undefined;
  // Built further down; the metrics read them at scrape time.
  const late: { radius?: RadiusServer; accounting?: AccountingRecorder; threads?: RadiusThreads } = {};
  const metrics = new Metrics({
    defaultMetrics: config.metrics.token !== undefined || config.metrics.port !== undefined,
    sources: {
      radiusStats: () => sumRadiusStats([late.radius?.stats, ...(late.threads?.stats() ?? [])]),
      accountingQueueLength: () => (late.accounting?.queueLength() ?? 0) + (late.threads?.queueLength() ?? 0),
      smsOutbox: () => sms.repository.outboxDepth(clock.nowMs()),
      dbPool: () => sumPoolStats([store.poolStats(), ...(late.threads?.poolStats() ?? [])]),
    },
  });

  const tenants = new TenantsRepository(store.db);
  const tenantResolver = new TenantResolver(tenants, () => clock.nowMs(), {
    fallback: config.hostFallback,
    publicUrl: config.publicUrl,
  });
  const webSessions = new WebSessions(store.db, clock, random);
  const bootstrapped = await bootstrap(config, store, tenants, clock);

  const firstAdmin = await ensureFirstAdmin({ config, store, tenants, clock, random });
  const { sms, otp, portalSettings, notifications, texts, portalUrl, portalAddress } = createMessaging({
    config,
    store,
    tenants,
    webSessions,
    counters,
    metrics,
    clock,
    random,
    logger,
  });

  // RADIUS, hotspots, accounting, disconnects.
  const hotspots = new HotspotsService(new HotspotsRepository(store.db), clock, random, logger);
  const disconnectClient = overrides.sessionTerminator
    ? undefined
    : new DisconnectClient({ logger, ...overrides.disconnectTiming });
  const terminator = meteredTerminator(overrides.sessionTerminator ?? disconnectClient!, metrics);
  const usage = new UsageService(
    store.db,
    store.dialect,
    clock,
    terminator,
    hotspots,
    logger,
    overrides.disconnectRetryPolicy,
  );
  const disconnectRetries = new DisconnectRetrySweep(store.db, store.dialect, clock, usage, logger);
  const usageWorker = new UsageSweepWorker(
    usage,
    disconnectRetries,
    logger,
    config.sweepIntervalSeconds * 1000,
  );
  // A person waiting on a page or an API call gets the hotspot's answer or "not confirmed yet".
  const disconnectWaitMs = overrides.deviceDisconnectWaitMs ?? 3000;
  // Pages answer at once (issue 15, 11): a hotspot that answers within a blink gives the final
  // word; otherwise the page says "disconnecting…" and follows the outcome (disconnectProgress).
  const pageDisconnectWaitMs = overrides.pageDisconnectWaitMs ?? 300;
  const { devices, pageDevices } = createDevices({
    store,
    usage,
    clock,
    logger,
    waitMs: disconnectWaitMs,
    pageWaitMs: pageDisconnectWaitMs,
  });
  const activationListeners = new Set<(event: VoucherActivatedEvent) => void>([
    (event) => notifications.handleVoucherActivated(event),
  ]);
  const voucherActivated = (event: VoucherActivatedEvent) => {
    for (const listener of activationListeners) listener(event);
  };
  const { accessPolicy, accounting, radius } = createRadius({
    config,
    store,
    tenants,
    hotspots,
    usage,
    metrics,
    clock,
    logger,
    voucherActivated,
  });
  late.accounting = accounting;
  late.radius = radius;

  const http = await createHttpServer({
    logger,
    tenantResolver,
    trustProxy: config.trustProxy,
    // Form tokens are bound to the session of the area the form is in.
    csrf: {
      key: resolveServerSecret(config),
      sessionCookies: [
        { pathPrefix: '/admin', cookie: ADMIN_COOKIE },
        { pathPrefix: '/portal', cookie: PORTAL_SESSION_COOKIE },
      ],
    },
  });
  instrumentHttp(http, metrics);
  if (config.metrics.token !== undefined) metricsRoute(http, metrics, config.metrics.token);
  let stopping = false;
  let listening = false;
  const notReadyReason = readinessOf({
    store,
    radius,
    outbox: sms.outbox,
    stopping: () => stopping,
    listening: () => listening,
  });
  await http.register(healthRoutes, { notReadyReason });
  const operator = createVouchersModule({
    store,
    tenants,
    clock,
    random,
    logger,
    disconnectVoucher: (tenantId, voucherId, reason) =>
      usage.disconnectVoucherWithin(tenantId, voucherId, reason, disconnectWaitMs),
  });
  const operatorDeps = createAdminDeps({
    store,
    tenants,
    tenantResolver,
    webSessions,
    signInGuard: new SignInGuard(resolveServerSecret(config), clock, random, counters),
    clock,
    random,
    logger,
    vouchers: operator,
    hotspots,
    usage,
    radius: { authPort: config.radius.authPort, acctPort: config.radius.acctPort },
    disconnectWaitMs,
    pageDevices,
    pageDisconnectWaitMs,
    loginPageInstalled: (tenantId) => hotspotLogin.isInstalled(tenantId),
    hasEnabledGateway: (tenantId) => sms.service.hasEnabledGateway(tenantId),
    smsOutbox: sms.outbox,
    texts,
    portalUrl,
  });
  await operator.start();
  // An operator assigning a voucher to a customer is an activation too (status-page SMS...).
  operator.events.onVoucherActivated((event) => {
    for (const listener of activationListeners)
      listener({
        tenantId: event.tenantId,
        voucherId: event.voucherId,
        customerId: event.customerId,
        activatedAtMs: event.atMs,
      });
  });
  const { hotspotLogin, freeAccess } = createHotspotLogin({
    config,
    store,
    tenants,
    hotspots,
    accessPolicy,
    otp,
    operator,
    sms,
    clock,
    random,
    logger,
  });
  await http.register(hotspotLoginPlugin, {
    service: hotspotLogin,
    freeAccess,
    ...(rateLimitStore ? { rateLimitStore } : {}),
  });

  const smsAdmin: SmsAdminDeps = {
    sms: sms.service,
    notifications,
    texts,
    portalSettings,
    portalAddress,
    deploymentPublicUrl: config.publicUrl,
    findCustomerIdByPhone: async (tenant, phone) =>
      (await operator.customers.findByPhone(tenant.id, toE164(phone, tenant.default_country)))?.id,
  };
  const adminDeps = {
    ...operatorDeps,
    ...(rateLimitStore ? { rateLimitStore } : {}),
    hotspotLoginSection: (request: FastifyRequest, hotspotId: number, csrf: string) =>
      hotspotLoginSection(hotspotLogin, request, hotspotId, csrf, config.publicUrl, freeAccess),
    dashboardNotice: (request: FastifyRequest) => freeAccessPausedNotice(freeAccess, request.tenant),
  };
  // The services the admin pages and the REST API routes read (their `declare module` is in admin).
  http.decorate('adminDeps', adminDeps);
  http.decorate('smsAdminDeps', smsAdmin);
  // The admin scope: adminArea (session, CSRF, refusals in the layout, its own pages) and, beside
  // it, the pages of the other modules, which get the same hooks and error handler.
  await http.register(async (admin) => {
    await admin.register(adminArea);
    await admin.register(smsAdminPages);
    await admin.register(hotspotLoginAdminPages, { service: hotspotLogin, freeAccess });
  });
  // The REST API's scope: restApi (token auth, limits, OpenAPI, its own routes) and, beside it,
  // the routes of the other modules, which get the same hooks and the same document.
  await http.register(
    async (api) => {
      await api.register(restApi, {
        ...(rateLimitStore ? { rateLimitStore } : {}),
        strictResponses: overrides.strictApiResponses ?? false,
      });
      await api.register(smsApiRoutes);
      await api.register(devicesApiRoutes, { devices });
      await api.register(hotspotLoginApiRoutes, {
        service: hotspotLogin,
        configuredPublicUrl: config.publicUrl,
        freeAccess,
      });
    },
    { prefix: '/api/v1' },
  );

  // Delivery reports of HTTP gateways (Twilio StatusCallback, Kannel-style dlr-url).
  await http.register(
    smsCallbackRoutes({
      repository: sms.repository,
      outbox: sms.outbox,
      tenants,
      publicUrl: config.publicUrl,
      logger,
    }),
  );

  // Customer portal (/portal).
  const customers = new CustomersRepository(store.db);
  await http.register(portalPlugin, {
    prefix: '/portal',
    webSessions,
    customers,
    signIn: new PortalSignIn(customers, otp),
    dashboard: new PortalDashboard(
      new VoucherPortalQueries(store.db),
      new UsagePortalQueries(store.db),
      clock,
    ),
    devices: new PortalDevices({ devices: pageDevices, portalSettings, clock }),
    clock,
    ...(rateLimitStore ? { rateLimitStore, signInCounters: counters } : {}),
  });

  const closers: Array<() => Promise<void>> = [];
  closers.push(() => operator.stop());
  // Runs after the Disconnect client is closed (which ends its pending requests at once), so a
  // retry pass in progress finishes promptly and writes its outcomes before the database closes.
  closers.push(() => usageWorker.idle());
  // Runs last (closers run in reverse): answer what was received, then stop the client.
  closers.push(async () => {
    await accounting.close();
    await disconnectClient?.close();
  });
  let closed = false;
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
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
    portalSettings,
    bootstrapped,
    firstAdmin,
    vouchers: operator.vouchers,
    hotspots,
    hotspotLogin,
    freeAccess,
    usage,
    disconnectRetries,
    usageWorker,
    devices,
    accounting,
    radius,
    metrics,
    notReadyReason,
    beginShutdown() {
      stopping = true;
    },
    metricsPort: () => metricsServer?.port,
    onVoucherActivated(listener) {
      activationListeners.add(listener);
      return () => activationListeners.delete(listener);
    },
    async listen() {
      if (radius) {
        await radius.start();
        closers.push(async () => {
          await radius.stop();
        });
        if (config.radius.threads > 1) {
          // Closed before the main thread's server (closers run in reverse), each draining its own.
          const threads = new RadiusThreads({ usage, metrics, voucherActivated, logger });
          late.threads = threads;
          const forgetNas = hotspots.onChange(() => threads.forgetNas());
          closers.push(async () => {
            forgetNas();
            await threads.stop();
          });
          await threads.start(config.radius.threads - 1, { config, ...radius.ports() });
        }
      }
      usageWorker.start();
      closers.push(() => {
        usageWorker.stop();
        return Promise.resolve();
      });
      const address = await http.listen({ port: config.port, host: config.host });
      sms.start();
      if (config.metrics.port !== undefined) {
        metricsServer = await startMetricsServer(metrics, {
          host: config.metrics.host,
          port: config.metrics.port,
        });
        const server = metricsServer;
        closers.push(() => server.close());
      }
      listening = true;
      // Print a URL a person can open: 0.0.0.0 is where we listen, not where to browse.
      const httpUrl = address.replace('://0.0.0.0', '://localhost').replace('://[::]', '://localhost');
      return { httpUrl };
    },
    async close() {
      if (closed) return;
      closed = true;
      stopping = true;
      await http.close();
      for (const close of closers.reverse()) await close();
      if (ownsStore) await store.close();
    },
  };
}
