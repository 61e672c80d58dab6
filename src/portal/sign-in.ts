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
import type { Tenant } from '../store/index.js';

export type SignInStart =
  /** The browser gets a new portal session for this customer. */
  | { kind: 'signed-in'; customer: CustomerSummary }
  /** The number could not be read; nothing was looked up. */
  | { kind: 'invalid-phone'; problem: PhoneProblem }
  /** A well-formed number that is not a customer of this tenant. */
  | { kind: 'unknown'; e164: string }
  /** The customer exists but the operator blocked them. */
  | { kind: 'blocked'; e164: string };

export class PortalSignIn {
  constructor(private readonly customers: CustomersRepository) {}

  async start(tenant: Tenant, phoneInput: string): Promise<SignInStart> {
    const parsed = parsePhone(phoneInput, tenant.default_country);
    if (!parsed.ok) return { kind: 'invalid-phone', problem: parsed.problem };
    const customer = await this.customers.findByPhone(tenant.id, parsed.e164);
    if (!customer) return { kind: 'unknown', e164: parsed.e164 };
    if (customer.status !== 'active') return { kind: 'blocked', e164: parsed.e164 };
    return { kind: 'signed-in', customer };
  }
}
