/**
 * Free access by phone: the limits an operator sets and their bounds, the service's answers (as
 * values, mapped to words at the page) and what the service needs. The flow is in free-access.ts.
 */
import type { Logger } from 'pino';
import type { CustomerSummary, PhoneProblem } from '../customers/index.js';
import type { OtpCodeError, OtpLimit, OtpService } from '../otp/index.js';
import type { PlanView } from '../plans/index.js';
import { dayInZone, startOfDayInZone, type Clock, type RandomSource } from '../shared/index.js';
import type { Voucher } from '../store/index.js';
import type { TenantsRepository } from '../tenants/index.js';
import type { VoucherView } from '../vouchers/index.js';
import type { FreeAccessRepository } from './free-access-repository.js';

/** The bounds an operator can set each limit within. */
export const FREE_ACCESS_BOUNDS = {
  periodHours: [1, 720],
  vouchersPerPhone: [1, 100],
  codesPerPhone: [1, 50],
  codesPerDevice: [1, 50],
  codesPerHotspot: [1, 100_000],
} as const satisfies Record<string, readonly [number, number]>;

/** Tenant-wide: codes per tenant per day, SMS per month (Config > Login page). */
export const FREE_ACCESS_TENANT_BOUNDS = {
  freeAccessCodesPerDay: [1, 1_000_000],
  smsBudgetPerMonth: [1, 10_000_000],
} as const satisfies Record<string, readonly [number, number]>;

/** Why free access is not offered: off (or no active plan), no SMS gateway, the SMS budget is spent. */
export type FreeAccessUnavailable = 'off' | 'no-gateway' | 'budget';

export type FreeAccessAvailability =
  { kind: 'on'; plan: PlanView } | { kind: 'unavailable'; reason: FreeAccessUnavailable };

/** Which free-access limit stopped a code (besides the portal's OTP caps). */
export type FreeAccessLimit = 'phone' | 'device' | 'hotspot' | 'tenant';

export type FreeAccessStart =
  | {
      kind: 'code-sent';
      flowId: string;
      phone: string;
      expiresAtMs: number;
      codeLength: number;
      /** True when a code sent earlier is still good: nothing was texted now. */
      resumed: boolean;
    }
  | { kind: 'invalid-phone'; problem: PhoneProblem }
  /** The number is outside the tenant's allowed prefixes (Config > Portal). */
  | { kind: 'prefix-refused' }
  | { kind: 'unavailable'; reason: FreeAccessUnavailable }
  | { kind: 'limited'; limit: FreeAccessLimit | OtpLimit; retryAfterSeconds: number };

export type FreeAccessVerify =
  | { kind: 'granted'; voucher: Voucher; customer: CustomerSummary; reused: boolean }
  | OtpCodeError
  /** The flow is unknown, expired or from another device: start again. */
  | { kind: 'unknown-flow' }
  /** The phone had its free vouchers for the period and none of them still lets it in. */
  | { kind: 'used-up'; retryAfterSeconds: number }
  | { kind: 'unavailable'; reason: FreeAccessUnavailable };

/** A code waiting at this device: what a reopened sheet shows instead of texting again. */
export interface PendingCode {
  flowId: string;
  phone: string;
  expiresAtMs: number;
  codeLength: number;
}

export interface FreeAccessDeps {
  repository: FreeAccessRepository;
  otp: Pick<OtpService, 'startForGuest' | 'verifyForGuest'>;
  tenants: TenantsRepository;
  plans: {
    find(tenantId: number, id: number): Promise<PlanView | undefined>;
    listActive(tenantId: number): Promise<PlanView[]>;
  };
  customers: {
    ensureByPhone(
      tenantId: number,
      e164: string,
      locale: string | null,
      nowMs: number,
    ): Promise<CustomerSummary>;
  };
  vouchers: {
    issueForCustomer(tenantId: number, planId: number, customerId: number): Promise<VoucherView>;
  };
  /** The voucher access policy's answer for a code at a device (read only). */
  checkVoucher: (
    tenantId: number,
    code: string,
    mac: string | undefined,
  ) => Promise<{ ok: true; voucher: Voucher } | { ok: false }>;
  findVoucherCode: (tenantId: number, voucherId: number) => Promise<string | undefined>;
  hasEnabledGateway: (tenantId: number) => Promise<boolean>;
  /** SMS the tenant queued since `sinceMs` (every type: the budget is the tenant's SMS bill). */
  smsCountSince: (tenantId: number, sinceMs: number) => Promise<number>;
  clock: Clock;
  random: RandomSource;
  secret: string;
  logger: Logger;
}

/** The first instant of the tenant's current calendar month. */
export function startOfMonthInZone(nowMs: number, timeZone: string): number {
  return startOfDayInZone(`${dayInZone(nowMs, timeZone).slice(0, 8)}01`, timeZone);
}
