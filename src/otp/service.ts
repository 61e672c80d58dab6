/**
 * SMS one-time codes (the otp domain module; the portal sign-in is its first user) (protocols.md, security rules; NIST SP 800-63B
 * §5.1.3, OWASP ASVS V2.7):
 * - 6+ digits from the CSPRNG, valid 5 minutes (≤ 10), single use, bound to the sign-in attempt
 *   (the browser holds a random attempt token; the row holds its SHA-256);
 * - stored only as HMAC-SHA256(server secret, tenant ‖ attempt ‖ code), compared in constant time;
 * - at most 5 tries per code (taken atomically before comparing), ≤ 100 tries per number per hour;
 * - resend cooldown per number, caps per number and per client IP per hour (every request), per
 *   tenant per day (codes actually texted: unknown numbers do not use it up);
 * - no enumeration: a registered and an unknown number get the same answer after the same work
 *   (the same queries, a challenge row either way); the SMS is queued only for registered, active
 *   numbers, after the answer is decided, through the durable outbox.
 * Expected outcomes (a cap applies, a wrong or expired code) are returned as discriminated unions;
 * the edges map them to their own words. Only the unexpected throws.
 */
import type { CounterStore } from '../rate-limits/index.js';
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import {
  AppError,
  HOUR_MS,
  DAY_MS,
  randomToken,
  safeEqual,
  sha256Hex,
  type Clock,
  type RandomSource,
} from '../shared/index.js';
import type { Tenant } from '../store/index.js';
import type { PortalSettings, TenantsRepository } from '../tenants/index.js';
import type { OtpPurpose, OtpRepository } from './repository.js';

/** Finds registered customers by E.164 number (the customers module implements it). */
export interface CustomerDirectory {
  findByPhone(
    tenantId: number,
    e164: string,
  ): Promise<{ id: number; status: string; locale?: string | null } | undefined>;
}

/**
 * The code's SMS text, from the tenant's templates in the customer's language (the notifications
 * module's SmsTexts implements it).
 */
export interface CodeTexts {
  loginCode(tenant: Tenant, locale: string | null, code: string, minutes: number): Promise<string>;
}

/** Where codes are queued (the sms module's outbox). */
export interface CodeSender {
  enqueue(sms: {
    tenantId: number;
    customerId: number | null;
    type: 'login_code';
    recipient: string;
    text: string;
  }): Promise<unknown>;
}

export interface OtpPolicy {
  length: number;
  ttlSeconds: number;
  maxTries: number;
  resendCooldownSeconds: number;
  maxPerNumberPerHour: number;
  maxPerIpPerHour: number;
  maxPerTenantPerDay: number;
  maxTriesPerNumberPerHour: number;
  allowedPrefixes: string[];
}

/** The safe bounds operators can move the limits within. */
export const OTP_BOUNDS = {
  length: [6, 10],
  ttlSeconds: [60, 600],
  maxTries: [1, 5],
  resendCooldownSeconds: [60, 3600],
  maxPerNumberPerHour: [1, 20],
  maxPerIpPerHour: [1, 200],
  maxPerTenantPerDay: [1, 1_000_000],
} as const;

const clamp = (value: number, [min, max]: readonly [number, number]) =>
  Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : min;

export function otpPolicy(settings: PortalSettings): OtpPolicy {
  return {
    length: clamp(settings.otpLength, OTP_BOUNDS.length),
    ttlSeconds: clamp(settings.otpTtlSeconds, OTP_BOUNDS.ttlSeconds),
    maxTries: clamp(settings.otpMaxAttempts, OTP_BOUNDS.maxTries),
    resendCooldownSeconds: clamp(settings.otpResendCooldownSeconds, OTP_BOUNDS.resendCooldownSeconds),
    maxPerNumberPerHour: clamp(settings.otpMaxPerNumberPerHour, OTP_BOUNDS.maxPerNumberPerHour),
    maxPerIpPerHour: clamp(settings.otpMaxPerIpPerHour, OTP_BOUNDS.maxPerIpPerHour),
    maxPerTenantPerDay: clamp(settings.otpMaxPerTenantPerDay, OTP_BOUNDS.maxPerTenantPerDay),
    maxTriesPerNumberPerHour: 100,
    allowedPrefixes: settings.otpAllowedPrefixes.filter((p) => /^\+\d{1,6}$/.test(p)),
  };
}

export interface OtpStarted {
  kind: 'code-sent';
  /** Goes to the browser (hidden field or cookie); the code is bound to it. */
  attemptToken: string;
  expiresAtMs: number;
  /** A new code can be requested from this instant. */
  resendAtMs: number;
  codeLength: number;
}

/**
 * Why no code was sent: `cooldown` (asked again too soon), `number` (the number's hourly cap),
 * `network` (the client IP's hourly cap), `tenant` (the tenant's daily cap). The same for
 * registered and unknown numbers.
 */
export type OtpLimit = 'cooldown' | 'number' | 'network' | 'tenant';

export type OtpStartResult =
  | OtpStarted
  | {
      kind: 'rate-limited';
      limit: OtpLimit;
      retryAfterSeconds: number;
      /**
       * With `cooldown`: a code went to this number moments ago (or would have, for an unknown
       * number: the answer is the same). A browser that does not hold that attempt (a fresh one,
       * another tab) can still enter it through verify's `phone`.
       */
      pendingCode?: { codeLength: number; expiresAtMs: number };
    };

/** invalid: wrong (triesLeft > 0), used or unknown attempt; expired; locked: no tries left. */
export type OtpCodeError = {
  kind: 'code-error';
  reason: 'invalid' | 'expired' | 'locked';
  triesLeft?: number;
};

export type OtpVerifyResult = { kind: 'verified'; customerId: number; phone: string } | OtpCodeError;

/** A guest's code proves the phone; the number may not be a customer yet (customerId null). */
export type OtpGuestVerifyResult =
  { kind: 'verified'; customerId: number | null; phone: string } | OtpCodeError;

/** Whether codes may be texted to `phone` under the tenant's allowed prefixes (none: all). */
export function phoneAllowed(policy: Pick<OtpPolicy, 'allowedPrefixes'>, phone: string): boolean {
  return policy.allowedPrefixes.length === 0 || policy.allowedPrefixes.some((p) => phone.startsWith(p));
}

const rateLimited = (
  limit: OtpLimit,
  retryAfterSeconds: number,
): Extract<OtpStartResult, { kind: 'rate-limited' }> => ({
  kind: 'rate-limited',
  limit,
  retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)),
});
const codeError = (reason: OtpCodeError['reason'], triesLeft?: number): OtpCodeError => ({
  kind: 'code-error',
  reason,
  ...(triesLeft !== undefined ? { triesLeft } : {}),
});

export class OtpService {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      repo: OtpRepository;
      customers: CustomerDirectory;
      sender: CodeSender;
      texts: CodeTexts;
      tenants: TenantsRepository;
      clock: Clock;
      random: RandomSource;
      /** The server secret (config.secret or the generated one). */
      secret: string;
      logger: Logger;
      /** Shared across processes: makes the resend cooldown hold for simultaneous requests. */
      counters?: CounterStore;
    },
  ) {}

  /** Whether the tenant requires a code to open the portal. */
  async isRequired(tenantId: number): Promise<boolean> {
    return (await this.deps.tenants.getSettings(tenantId, 'portal')).otpEnabled;
  }

  /**
   * Starts a sign-in attempt for `phone` (E.164). Same answer whether the number is registered
   * or not; `rate-limited` when a cooldown or cap applies, also the same for both. The SMS, if
   * any, is queued after this returns. Throws OTP_UNAVAILABLE when the tenant has codes off (the
   * caller asks `isRequired` first).
   */
  async start(input: { tenant: Tenant; phone: string; clientIp: string | null }): Promise<OtpStartResult> {
    const settings = await this.deps.tenants.getSettings(input.tenant.id, 'portal');
    if (!settings.otpEnabled) throw new AppError('OTP_UNAVAILABLE', 'One-time codes are not enabled');
    return this.issue({
      ...input,
      policy: otpPolicy(settings),
      purpose: 'portal',
      attemptToken: randomToken(this.deps.random, 32),
      // Only registered, active customers are texted; the others get the same answer.
      mayText: (customer) => customer?.status === 'active',
    });
  }

  /**
   * Starts a code for a walk-in guest's free access at a hotspot: the portal's code rules, caps
   * and gateways, but the number need not be a customer yet (it becomes one once the code is
   * verified) and the portal's OTP switch does not apply (the caller checks that a gateway is
   * enabled). The caller keeps `attemptToken` on the server: the guest's browser may forget it.
   * Blocked customers and numbers outside the allowed prefixes are not texted.
   */
  async startForGuest(input: {
    tenant: Tenant;
    phone: string;
    clientIp: string | null;
    attemptToken: string;
  }): Promise<OtpStartResult> {
    const settings = await this.deps.tenants.getSettings(input.tenant.id, 'portal');
    return this.issue({
      ...input,
      policy: otpPolicy(settings),
      purpose: 'free_access',
      mayText: (customer) => customer === undefined || customer.status === 'active',
    });
  }

  private async issue(input: {
    tenant: Tenant;
    phone: string;
    clientIp: string | null;
    policy: OtpPolicy;
    purpose: OtpPurpose;
    attemptToken: string;
    mayText: (customer: { id: number; status: string } | undefined) => boolean;
  }): Promise<OtpStartResult> {
    const { repo, clock } = this.deps;
    const { tenant, policy } = input;
    const nowMs = clock.nowMs();

    const phone = await repo.phoneStats(tenant.id, input.phone, nowMs - HOUR_MS);
    const ipCount = input.clientIp
      ? await repo.countForIpSince(tenant.id, input.clientIp, nowMs - HOUR_MS)
      : 0;
    // Only codes that were texted count against the tenant's daily cap (issue 10, item 5): junk
    // requests for unknown numbers cost no SMS and must not lock real customers out. The query
    // and everything else below run the same for every number, so answers stay alike.
    const sentToday = await repo.countSentForTenantSince(tenant.id, nowMs - DAY_MS);
    const customer = await this.deps.customers.findByPhone(tenant.id, input.phone);

    const cooldownMs = policy.resendCooldownSeconds * 1000;
    const pendingCode = (lastAtMs: number) => ({
      codeLength: policy.length,
      expiresAtMs: lastAtMs + policy.ttlSeconds * 1000,
    });
    if (phone.lastAtMs !== null && nowMs - phone.lastAtMs < cooldownMs)
      return {
        ...rateLimited('cooldown', (phone.lastAtMs + cooldownMs - nowMs) / 1000),
        pendingCode: pendingCode(phone.lastAtMs),
      };
    if (phone.count >= policy.maxPerNumberPerHour || phone.tries >= policy.maxTriesPerNumberPerHour)
      return rateLimited('number', 3600);
    if (input.clientIp && ipCount >= policy.maxPerIpPerHour) return rateLimited('network', 3600);
    if (sentToday >= policy.maxPerTenantPerDay) return rateLimited('tenant', 3600);

    // Two requests for one number at once (say, at two processes): both passed the checks above
    // on the same counts, so an atomic counter lets only the first within the cooldown through.
    if (this.deps.counters) {
      const key = `otp-cooldown:${tenant.id}:${input.phone}`;
      const hit = await this.deps.counters.hit(key, cooldownMs, nowMs);
      if (hit.count > 1)
        return {
          ...rateLimited('cooldown', (hit.resetAtMs - nowMs) / 1000),
          pendingCode: pendingCode(hit.resetAtMs - cooldownMs),
        };
    }

    const prefixAllowed = phoneAllowed(policy, input.phone);
    const texted = prefixAllowed && input.mayText(customer);

    // The code is drawn and hashed for every number, so both paths do the same work.
    let code = '';
    for (let i = 0; i < policy.length; i++) code += String(this.deps.random.int(10));
    const attemptHash = sha256Hex(input.attemptToken);
    const expiresAtMs = nowMs + policy.ttlSeconds * 1000;
    await repo.insert({
      tenantId: tenant.id,
      purpose: input.purpose,
      texted,
      attemptHash,
      phone: input.phone,
      customerId: texted && customer ? customer.id : null,
      codeHash: this.hashCode(tenant.id, attemptHash, code),
      clientIp: input.clientIp,
      nowMs,
      expiresAtMs,
    });

    if (texted) {
      const minutes = Math.round(policy.ttlSeconds / 60);
      this.later(async () =>
        this.deps.sender.enqueue({
          tenantId: tenant.id,
          customerId: customer?.id ?? null,
          type: 'login_code',
          recipient: input.phone,
          text: await this.deps.texts.loginCode(tenant, customer?.locale ?? null, code, minutes),
        }),
      );
    }
    // Now and then, forget challenges past every window they count in (the daily cap).
    if (this.deps.random.int(200) === 0) this.later(() => repo.purgeBefore(nowMs - 2 * DAY_MS));
    return {
      kind: 'code-sent',
      attemptToken: input.attemptToken,
      expiresAtMs,
      resendAtMs: nowMs + cooldownMs,
      codeLength: policy.length,
    };
  }

  /**
   * Checks a code for a sign-in attempt: `verified` with the customer to sign in, or a
   * `code-error` (invalid: wrong, used, or unknown attempt; expired; locked: no tries left).
   * Without an attempt token, `phone` names the number's latest code instead: a browser that
   * asked within the resend cooldown (start answered `pendingCode`) enters the code another tab
   * or device received. It spends the same code's tries (no extra guesses: the try limit is per
   * code, and a stranger could start an attempt of their own for the number anyway).
   */
  async verify(input: {
    tenant: Tenant;
    attemptToken: string | undefined;
    code: string;
    phone?: string;
  }): Promise<OtpVerifyResult> {
    const checked = await this.check({ ...input, purpose: 'portal' });
    if (checked.kind !== 'verified') return checked;
    // The customer may have been blocked or renumbered since the code was sent.
    const customer = await this.deps.customers.findByPhone(input.tenant.id, checked.phone);
    if (!customer || customer.id !== checked.customerId || customer.status !== 'active')
      return codeError('invalid');
    return { kind: 'verified', customerId: customer.id, phone: checked.phone };
  }

  /**
   * Checks a walk-in guest's code (see `startForGuest`): `verified` with the phone number it
   * proves (the caller makes it a customer), or a `code-error` as for `verify`.
   */
  async verifyForGuest(input: {
    tenant: Tenant;
    attemptToken: string;
    code: string;
  }): Promise<OtpGuestVerifyResult> {
    return this.check({ ...input, purpose: 'free_access' });
  }

  private async check(input: {
    tenant: Tenant;
    attemptToken: string | undefined;
    code: string;
    phone?: string;
    purpose: OtpPurpose;
  }): Promise<OtpGuestVerifyResult> {
    const { repo, clock } = this.deps;
    const tenantId = input.tenant.id;
    const settings = await this.deps.tenants.getSettings(tenantId, 'portal');
    const policy = otpPolicy(settings);
    const token = input.attemptToken ?? '';
    const attemptHash = sha256Hex(token.length <= 100 ? token : '');
    const code = input.code.replace(/\s+/g, '');

    const challenge =
      token && token.length <= 100
        ? await repo.findByAttempt(tenantId, attemptHash)
        : !token && input.phone && /^\+\d{6,15}$/.test(input.phone)
          ? await repo.findLatestForPhone(tenantId, input.phone, input.purpose)
          : undefined;
    // Hashed before any early answer, so every path does the same work.
    const candidate = this.hashCode(tenantId, challenge?.attemptHash ?? attemptHash, code);
    if (!challenge || challenge.consumedAtMs !== null || challenge.purpose !== input.purpose)
      return codeError('invalid');
    const nowMs = clock.nowMs();
    if (nowMs >= challenge.expiresAtMs) return codeError('expired');
    const triesUsed = await repo.takeTry(tenantId, challenge.id, policy.maxTries);
    if (triesUsed === undefined) return codeError('locked');
    const triesLeft = policy.maxTries - triesUsed;

    // A code that was never texted (unknown or refused number) fails like a wrong one.
    const matches = safeEqual(candidate, challenge.codeHash) && /^\d+$/.test(code);
    if (!matches || !challenge.texted)
      return triesLeft <= 0 ? codeError('locked') : codeError('invalid', triesLeft);
    if (!(await repo.consume(tenantId, challenge.id, nowMs))) return codeError('invalid');
    return { kind: 'verified', customerId: challenge.customerId, phone: challenge.phone };
  }

  /** Resolves when SMS queued by earlier calls are stored (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private hashCode(tenantId: number, attemptHash: string, code: string): string {
    return crypto
      .createHmac('sha256', this.deps.secret)
      .update(`otp\n${tenantId}\n${attemptHash}\n${code}`)
      .digest('hex');
  }

  private later(task: () => Promise<unknown>): void {
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(task)
      .then(
        () => undefined,
        (error: unknown) => this.deps.logger.error({ err: error }, 'queueing the login code failed'),
      )
      .finally(() => this.pending.delete(run));
    this.pending.add(run);
  }
}
