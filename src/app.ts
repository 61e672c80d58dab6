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
import type { VouchersService } from './vouchers/index.js';
import { resolveServerSecret } from './config/server-secret.js';
import {
  NotificationsRepository,
  NotificationsService,
  portalAddressFor,
  portalUrlFor,
} from './notifications/index.js';
import { OtpRepository, OtpService, PortalSettingsService } from './portal/otp/index.js';
import { smsApiRoutes } from './admin/sms-api.js';
import { smsAdminPages, type SmsAdminDeps } from './admin/sms-pages.js';
import { createSmsModule, smsCallbackRoutes, toE164, type SmsModule } from './sms/index.js';
import { bootstrap, type BootstrapResult } from './bootstrap/index.js';
import { createHttpServer } from './http/server.js';
import { CustomersRepository } from './customers/index.js';
import { PortalDashboard, PortalSignIn, portalPlugin } from './portal/index.js';
import { PortalDevices } from './portal/devices.js';
import { UsagePortalQueries } from './usage/index.js';
import { VoucherPortalQueries } from './vouchers/index.js';
import { cryptoRandom, systemClock, type Clock, type RandomSource } from './shared/index.js';
import { migrateToLatest, openDatabase, type Store, type Tenant } from './store/index.js';
import { TenantResolver, TenantsRepository } from './tenants/index.js';
import { HotspotsRepository, HotspotsService } from './hotspots/index.js';
import { AccessHandler, AccountingHandler, DisconnectClient, RadiusServer } from './radius/index.js';
import {
  AccountingRecorder,
  DisconnectRetrySweep,
  UsageService,
  UsageSweepWorker,
  type DisconnectRetryPolicy,
  type SessionTerminator,
} from './usage/index.js';
import { VoucherAccessPolicy, type VoucherActivatedEvent } from './vouchers/index.js';
import { boundedTerminator, DevicesRepository, DevicesService } from './devices/index.js';
import { devicesApiRoutes } from './devices/api.js';
import {
  HotspotLoginRepository,
  HotspotLoginService,
  WelcomeLinks,
  hotspotLoginPlugin,
} from './hotspot-login/index.js';
import { VoucherAccessRepository } from './vouchers/index.js';

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
      onIdleConnectionError: (error) =>
        logger.warn({ err: error }, 'a pooled database connection broke; it will be replaced'),
    });
  await migrateToLatest(store.db);

  const tenants = new TenantsRepository(store.db);
  const tenantResolver = new TenantResolver(tenants, () => clock.nowMs());
  const webSessions = new WebSessions(store.db, clock, random);
  const bootstrapped = await bootstrap(config, store, tenants, clock);

  const firstAdmin = await ensureFirstAdmin({ config, store, tenants, clock, random });
  const sms = createSmsModule({
    db: store.db,
    tenants,
    clock,
    logger,
    publicUrl: config.publicUrl,
    allowedDestinations: config.smsAllowedHosts,
  });
  const otp = new OtpService({
    repo: new OtpRepository(store.db),
    customers: new CustomersRepository(store.db),
    sender: sms.outbox,
    tenants,
    clock,
    random,
    secret: resolveServerSecret(config),
    logger,
  });
  const portalSettings = new PortalSettingsService({
    tenants,
    hasEnabledGateway: (tenantId) => sms.service.hasEnabledGateway(tenantId),
    clock,
  });
  // The portal link in every SMS (status page notifications, voucher details).
  const portalUrlFallback = {
    publicUrl: config.publicUrl,
    hostsOf: (id: number) => tenants.hostsOf(id),
    adminOriginOf: async (id: number) => (await tenants.getSettings(id, 'reach')).adminOrigin,
    port: config.port,
  };
  const portalUrl = (tenant: Tenant) => portalUrlFor(tenant, portalUrlFallback);
  const notifications = new NotificationsService({
    repo: new NotificationsRepository(store.db),
    tenants,
    sender: sms.outbox,
    clock,
    logger,
    portalUrl,
  });

  // RADIUS, hotspots, accounting, disconnects.
  const hotspots = new HotspotsService(new HotspotsRepository(store.db), clock, random, logger);
  const disconnectClient = overrides.sessionTerminator
    ? undefined
    : new DisconnectClient({ logger, ...overrides.disconnectTiming });
  const terminator: SessionTerminator = overrides.sessionTerminator ?? disconnectClient!;
  const usage = new UsageService(
    store.db,
    store.dialect,
    clock,
    terminator,
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
  const devicesRepository = new DevicesRepository(store.db);
  const deviceTerminator = boundedTerminator(usage.deviceTerminator, {
    waitMs: disconnectWaitMs,
    countOpenSessions: (tenantId, voucherId, mac) =>
      devicesRepository.countOpenSessions(tenantId, voucherId, mac),
    logger,
  });
  const devices = new DevicesService(devicesRepository, deviceTerminator, clock);
  const activationListeners = new Set<(event: VoucherActivatedEvent) => void>([
    (event) => notifications.handleVoucherActivated(event),
  ]);
  const accessPolicy = new VoucherAccessPolicy(
    store.db,
    store.dialect,
    tenants,
    clock,
    {
      voucherActivated: (event) => {
        for (const listener of activationListeners) listener(event);
      },
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
  );
  const accessHandler = new AccessHandler(accessPolicy);
  const accountingHandler = new AccountingHandler(accounting, clock);
  const radius = config.radius.enabled
    ? new RadiusServer(
        {
          host: config.radius.host,
          authPort: config.radius.authPort,
          acctPort: config.radius.acctPort,
          logger: logger.child({ module: 'radius' }),
        },
        {
          findNas: (ip) => hotspots.findNasByIp(ip),
          access: (packet, nas, secret) => accessHandler.handle(packet, nas, secret),
          accounting: (packet, nas) => accountingHandler.handle(packet, nas),
        },
      )
    : undefined;

  const http = await createHttpServer({ logger, tenantResolver, trustProxy: config.trustProxy });
  const operator = createOperatorModules({
    store,
    tenants,
    tenantResolver,
    webSessions,
    clock,
    random,
    logger,
    hotspots,
    usage,
    devices,
    radius: { authPort: config.radius.authPort, acctPort: config.radius.acctPort },
    disconnectWaitMs,
    smsSender: {
      enqueue: (message) => sms.outbox.enqueue(message),
      hasEnabledGateway: (tenantId) => sms.service.hasEnabledGateway(tenantId),
      portalUrl,
      portalAddress: (tenant) => portalAddressFor(tenant, portalUrlFallback),
    },
  });
  await operator.start();
  // An operator assigning a voucher to a customer is an activation too (status-page SMS...).
  operator.voucherEvents.onVoucherActivated((event) => {
    for (const listener of activationListeners)
      listener({
        tenantId: event.tenantId,
        voucherId: event.voucherId,
        customerId: event.customerId,
        activatedAtMs: event.atMs,
      });
  });
  // The hosted hotspot login page (/hotspot/<public id>/login) and its router files.
  const hotspotLogin = new HotspotLoginService({
    repository: new HotspotLoginRepository(store.db),
    hotspots,
    policy: accessPolicy,
    vouchers: new VoucherPortalQueries(store.db),
    countDevices: (tenantId, voucherId) =>
      new VoucherAccessRepository(store.db, store.dialect).countDevices(tenantId, voucherId),
    tenants,
    welcomeLinks: new WelcomeLinks(resolveServerSecret(config)),
    clock,
    random,
  });
  await http.register(hotspotLoginPlugin, { service: hotspotLogin });

  const smsAdmin: SmsAdminDeps = {
    sms: sms.service,
    notifications,
    portalSettings,
    portalAddress: (tenant) => portalAddressFor(tenant, portalUrlFallback),
    findCustomerIdByPhone: async (tenant, phone) =>
      (await operator.deps.customers.findByPhone(tenant.id, toE164(phone, tenant.default_country)))?.id,
  };
  await registerAdmin(http, operator.deps, { extensions: [smsAdminPages(smsAdmin)] });
  await registerApi(http, operator.deps, {
    strictResponses: overrides.strictApiResponses ?? false,
    extensions: [smsApiRoutes(smsAdmin), devicesApiRoutes(devices)],
  });

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
    devices: new PortalDevices({ devices, portalSettings }),
    clock,
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
    vouchers: operator.deps.vouchers,
    hotspots,
    hotspotLogin,
    usage,
    disconnectRetries,
    usageWorker,
    devices,
    accounting,
    radius,
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
      }
      usageWorker.start();
      closers.push(() => {
        usageWorker.stop();
        return Promise.resolve();
      });
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
