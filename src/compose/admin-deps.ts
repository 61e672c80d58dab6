/**
 * What the admin area and the REST API are given (AdminDeps): the services the root built, plus
 * the read queries of the owning modules that only the operator's pages ask.
 */
import type { Logger } from 'pino';
import { DashboardQueries, SetupProgressQueries, type AdminDeps } from '../admin/index.js';
import { AdminsRepository, ApiTokensRepository, type SignInGuard, type WebSessions } from '../auth/index.js';
import { DevicesAdminQueries, type DevicesService } from '../devices/index.js';
import type { HotspotsService } from '../hotspots/index.js';
import type { Clock, RandomSource } from '../shared/index.js';
import { SmsAdminCounts } from '../sms/index.js';
import type { Store, Tenant } from '../store/index.js';
import { VoucherDetailsSms, type SmsTexts, type VoucherDetailsDeps } from '../notifications/index.js';
import { TenantsAdminService, type TenantResolver, type TenantsRepository } from '../tenants/index.js';
import { SessionsAdminQueries, type UsageService } from '../usage/index.js';
import type { VouchersModule } from './vouchers.js';

export function createAdminDeps(parts: {
  store: Store;
  tenants: TenantsRepository;
  tenantResolver: TenantResolver;
  webSessions: WebSessions;
  /** Per-account admin sign-in backoff (keyed with the server secret). */
  signInGuard: SignInGuard;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  vouchers: VouchersModule;
  hotspots: HotspotsService;
  usage: UsageService;
  radius: AdminDeps['radius'];
  /** Where voucher details are queued (the SMS outbox), in the tenant's texts, with its portal link. */
  smsOutbox: Pick<VoucherDetailsDeps['sender'], 'enqueue'>;
  texts: SmsTexts;
  portalUrl: (tenant: Tenant) => Promise<string>;
  /** Whether a router of the tenant downloaded its hosted login page's files (checklist). */
  loginPageInstalled: (tenantId: number) => Promise<boolean>;
  /** Whether the tenant has an SMS gateway on (the first-run checklist). */
  hasEnabledGateway(tenantId: number): Promise<boolean>;
  /** How long an operator's disconnect waits for the hotspot's answer before saying `pending`. */
  disconnectWaitMs: number;
  /** The devices service of web pages: it waits a blink, then reports the disconnect in progress. */
  pageDevices: DevicesService;
  /** How long the admin's Disconnect button waits before it follows the outcome live. */
  pageDisconnectWaitMs: number;
}): AdminDeps {
  const { store, clock, random, vouchers } = parts;
  const db = store.db;
  const sessions = new SessionsAdminQueries(db);
  const sms = new SmsAdminCounts(db);
  const admins = new AdminsRepository(db, clock);
  const owners = {
    createOwner: (tenantId: number, owner: { email: string; password: string }) =>
      admins.create(tenantId, { ...owner, name: 'Owner', role: 'owner' }),
  };
  return {
    admins,
    apiTokens: new ApiTokensRepository(db, clock, random),
    webSessions: parts.webSessions,
    signInGuard: parts.signInGuard,
    tenants: parts.tenants,
    tenantResolver: parts.tenantResolver,
    tenantsAdmin: new TenantsAdminService(parts.tenants, parts.tenantResolver, owners, clock),
    plans: vouchers.plans,
    vouchers: vouchers.vouchers,
    customers: vouchers.customers,
    sessions,
    devices: new DevicesAdminQueries(db),
    voucherDevices: parts.pageDevices,
    dashboard: new DashboardQueries(vouchers.vouchersRepository, sessions, sms, clock),
    setup: new SetupProgressQueries({
      plan: (tenantId) => vouchers.plansRepository.hasAny(tenantId),
      hotspot: (tenantId) => parts.hotspots.hasAny(tenantId),
      loginPage: parts.loginPageInstalled,
      smsGateway: (tenantId) => parts.hasEnabledGateway(tenantId),
      // Saving Config > Portal once stores the document.
      portal: (tenantId) => parts.tenants.hasSavedSettings(tenantId, 'portal'),
      series: (tenantId) => vouchers.vouchersRepository.hasAnySeries(tenantId),
      assigned: (tenantId) => vouchers.vouchersRepository.hasAnyAssigned(tenantId),
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
    voucherSms: new VoucherDetailsSms({
      vouchers: vouchers.vouchers,
      customers: vouchers.customers,
      sender: {
        enqueue: (message) => parts.smsOutbox.enqueue(message),
        hasEnabledGateway: (tenantId) => parts.hasEnabledGateway(tenantId),
      },
      texts: parts.texts,
      portalUrl: parts.portalUrl,
    }),
    clock,
    logger: parts.logger,
  };
}
