/**
 * Customer sign-in to the portal. `start(phone)` is step one; with OTP off (the default) the
 * registered number alone signs in, read-only. The OTP step slots in as another outcome of
 * `start` (e.g. `{ kind: 'code-sent', attemptToken }`, answered the same way for known and
 * unknown numbers) and a `verify(attemptToken, code)` that ends in 'signed-in'.
 */
import {
  parsePhone,
  type CustomerSummary,
  type CustomersRepository,
  type PhoneProblem,
} from '../customers/index.js';
import type { OtpService, OtpStarted, OtpVerifyResult } from '../otp/index.js';
import { AppError } from '../shared/index.js';
import type { Tenant } from '../store/index.js';

export type SignInStart =
  /** The browser gets a new portal session for this customer. */
  | { kind: 'signed-in'; customer: CustomerSummary }
  /** The number could not be read; nothing was looked up. */
  | { kind: 'invalid-phone'; problem: PhoneProblem }
  /** A well-formed number that is not a customer of this tenant. */
  | { kind: 'unknown'; e164: string }
  /** The customer exists but the operator blocked them. */
  | { kind: 'blocked'; e164: string }
  /**
   * OTP on: a code was sent if the number is registered (the same answer either way). The
   * browser keeps `attemptToken`; the code is bound to it.
   */
  | (OtpStarted & { e164: string })
  /**
   * OTP on: a cooldown or cap applies (the same for registered and unknown numbers). With
   * `pendingCode` (the resend cooldown), a code went out moments ago and can still be entered.
   */
  | {
      kind: 'rate-limited';
      e164: string;
      retryAfterSeconds: number;
      pendingCode?: { codeLength: number; expiresAtMs: number };
    };

export type SignInVerify =
  { kind: 'signed-in'; customer: CustomerSummary } | Extract<OtpVerifyResult, { kind: 'code-error' }>;

export class PortalSignIn {
  constructor(
    private readonly customers: CustomersRepository,
    /** SMS one-time codes; when the tenant turns them on, `start` sends a code instead. */
    private readonly otp?: OtpService,
  ) {}

  /** Whether the tenant requires an SMS code to open the portal (one-time codes on). */
  async codesRequired(tenant: Tenant): Promise<boolean> {
    return this.otp ? this.otp.isRequired(tenant.id) : false;
  }

  async start(tenant: Tenant, phoneInput: string, meta: { clientIp?: string } = {}): Promise<SignInStart> {
    const parsed = parsePhone(phoneInput, tenant.default_country);
    if (!parsed.ok) return { kind: 'invalid-phone', problem: parsed.problem };
    if (this.otp && (await this.otp.isRequired(tenant.id))) return this.sendCode(tenant, parsed.e164, meta);
    const customer = await this.customers.findByPhone(tenant.id, parsed.e164);
    if (!customer) return { kind: 'unknown', e164: parsed.e164 };
    if (customer.status !== 'active') return { kind: 'blocked', e164: parsed.e164 };
    return { kind: 'signed-in', customer };
  }

  /** Sends (or re-sends) a code for `e164`; no customer lookup happens here (no enumeration). */
  async sendCode(tenant: Tenant, e164: string, meta: { clientIp?: string } = {}): Promise<SignInStart> {
    if (!this.otp) throw new AppError('OTP_UNAVAILABLE', 'One-time codes are not set up');
    const started = await this.otp.start({ tenant, phone: e164, clientIp: meta.clientIp ?? null });
    if (started.kind === 'rate-limited')
      return {
        kind: 'rate-limited',
        e164,
        retryAfterSeconds: started.retryAfterSeconds,
        ...(started.pendingCode ? { pendingCode: started.pendingCode } : {}),
      };
    return { ...started, e164 };
  }

  /**
   * Checks the code of a sign-in attempt; without `attemptToken`, the latest code sent to
   * `e164` (a browser that asked during the resend cooldown).
   */
  async verify(
    tenant: Tenant,
    attemptToken: string | undefined,
    code: string,
    e164?: string,
  ): Promise<SignInVerify> {
    if (!this.otp) throw new AppError('OTP_UNAVAILABLE', 'One-time codes are not set up');
    const verified = await this.otp.verify({
      tenant,
      attemptToken,
      code,
      ...(attemptToken ? {} : { phone: e164 }),
    });
    if (verified.kind !== 'verified') return verified;
    const customer = await this.customers.findById(tenant.id, verified.customerId);
    if (!customer || customer.status !== 'active') return { kind: 'code-error', reason: 'invalid' };
    return { kind: 'signed-in', customer };
  }
}
