import type { FastifyRequest } from 'fastify';
import type { FastifyRateLimitStoreClass } from '../rate-limits/index.js';
import type { Logger } from 'pino';
import type { VNode } from 'preact';
import type { AdminsRepository, ApiTokensRepository, SignInGuard, WebSessions } from '../auth/index.js';
import type { CustomersAdminRepository } from '../customers/index.js';
import type { DevicesAdminQueries, DevicesService } from '../devices/index.js';
import type { PlansService } from '../plans/index.js';
import type { Clock } from '../shared/index.js';
import type {
  NotificationsService,
  PortalAddress,
  SmsTexts,
  VoucherDetailsSms,
} from '../notifications/index.js';
import type { PortalSettingsService } from '../otp/index.js';
import type { SmsAdminCounts, SmsService } from '../sms/index.js';
import type { Tenant } from '../store/index.js';
import type { TenantResolver, TenantsAdminService, TenantsRepository } from '../tenants/index.js';
import type { SessionDisconnectResult, SessionsAdminQueries, UsageService } from '../usage/index.js';
import type { VouchersService } from '../vouchers/index.js';
import type { DashboardQueries } from './dashboard-queries.js';
import type { SetupProgressQueries } from './setup-progress.js';
import type { HotspotsService } from '../hotspots/index.js';

/** What the admin area and the REST API are built from (wired in app.ts). */
export interface AdminDeps {
  admins: AdminsRepository;
  apiTokens: ApiTokensRepository;
  webSessions: WebSessions;
  /** Per-account admin sign-in backoff, with trusted devices exempt from the account's wait. */
  signInGuard: SignInGuard;
  tenants: TenantsRepository;
  tenantResolver: TenantResolver;
  /** A tenant's own details (Config > Business) and new tenants (super-admin). */
  tenantsAdmin: TenantsAdminService;
  plans: PlansService;
  vouchers: VouchersService;
  customers: CustomersAdminRepository;
  sessions: SessionsAdminQueries;
  devices: DevicesAdminQueries;
  /** A voucher's associated devices: add, edit, remove, disconnect, audit trail (actor operator). */
  voucherDevices: DevicesService;
  dashboard: DashboardQueries;
  /** The dashboard's first-run checklist. */
  setup: SetupProgressQueries;
  sms: SmsAdminCounts;
  hotspots: HotspotsService;
  /** Operator disconnects (RFC 5176 Disconnect-Request through the RADIUS module). */
  usage: UsageService;
  /**
   * An operator disconnects one session: the hotspot's answer, or `pending` after a few seconds
   * (the retransmissions and the retry sweep go on) — never the whole RFC 5176 window. For a
   * page (`forPage`), after a fraction of a second: the page then follows the outcome live.
   */
  disconnectSession(
    tenantId: number,
    sessionId: number,
    options?: { forPage?: boolean },
  ): Promise<SessionDisconnectResult>;
  /** Where routers reach Portico's RADIUS server (for the RouterOS snippet). */
  radius: { authPort: number; acctPort: number };
  /** "Send details by SMS" on a voucher (the notifications module). */
  voucherSms: VoucherDetailsSms;
  /**
   * The hosted login page's section on a MikroTik hotspot's page (address, router files, RouterOS
   * commands), rendered by the hotspot-login module; absent in tests that do not wire it.
   */
  hotspotLoginSection?: (request: FastifyRequest, hotspotId: number, csrf: string) => Promise<VNode>;
  /**
   * Notices other modules raise for the operator on the dashboard (e.g. free access by phone
   * paused by the monthly SMS budget); null when there is nothing to say.
   */
  dashboardNotice?: (request: FastifyRequest) => Promise<VNode | null>;
  clock: Clock;
  logger: Logger;
  /** Sign-in attempts per client IP and minute. */
  signInLimitPerMinute?: number;
  /** Where rate-limit counts live (shared across processes); default: this process's memory. */
  rateLimitStore?: FastifyRateLimitStoreClass;
}

/** What the SMS admin pages and their REST API are built from (wired in app.ts). */
export interface SmsAdminDeps {
  sms: SmsService;
  notifications: NotificationsService;
  /** The voucher-details and sign-in-code texts (Config > SMS texts). */
  texts: SmsTexts;
  portalSettings: PortalSettingsService;
  /** The portal address SMS links use, and where it came from. */
  portalAddress: (tenant: Tenant) => Promise<PortalAddress>;
  /** PORTICO_PUBLIC_URL: where providers report delivery when a tenant has no public address. */
  deploymentPublicUrl?: string;
  /** Finds a customer by phone (as typed) for the notification preview. */
  findCustomerIdByPhone: (tenant: Tenant, phone: string) => Promise<number | undefined>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The services of the admin area and the REST API (decorated by the composition root). */
    adminDeps: AdminDeps;
    /** The services of the SMS pages and their REST API (decorated by the composition root). */
    smsAdminDeps: SmsAdminDeps;
  }
}
