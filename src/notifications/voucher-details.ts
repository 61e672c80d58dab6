/** "Send the voucher's details to its customer by SMS": one message through the SMS outbox. */
import { AppError, dayInZone, formatBytes, formatDuration } from '../shared/index.js';
import type { Tenant } from '../store/index.js';
import type { VoucherView } from '../vouchers/index.js';
import {
  SMS_TEXTS,
  smsLanguageOf,
  type SmsLanguage,
  type SmsTexts,
  type SmsTextVariables,
} from './sms-texts.js';
import { renderTemplate } from './template.js';

/** What sending a voucher's details needs (wired in the composition root). */
export interface VoucherDetailsDeps {
  vouchers: { get(tenantId: number, voucherId: number): Promise<VoucherView> };
  customers: {
    get(tenantId: number, customerId: number): Promise<{ id: number; phone: string; locale: string | null }>;
  };
  /** The tenant's SMS texts (its own templates, else the built-in ones). */
  texts: SmsTexts;
  /** The SMS outbox and its gateway check. */
  sender: {
    enqueue(sms: {
      tenantId: number;
      customerId: number | null;
      type: 'voucher_details';
      recipient: string;
      text: string;
    }): Promise<unknown>;
    hasEnabledGateway(tenantId: number): Promise<boolean>;
  };
  /** The tenant's portal address for the link in the text. */
  portalUrl(tenant: Tenant): Promise<string>;
}

const LIMIT_WORDS: Record<
  SmsLanguage,
  { data: string; online: string; until: (day: string) => string; after: (d: string) => string }
> = {
  en: {
    data: 'data',
    online: 'online',
    until: (day) => `valid until ${day}`,
    after: (duration) => `valid ${duration} after first use`,
  },
  es: {
    data: 'de datos',
    online: 'de uso',
    until: (day) => `vence el ${day}`,
    after: (duration) => `dura ${duration} desde el primer uso`,
  },
};

/** The template variables of a voucher's details, the limits in plain words of `language`. */
export function voucherDetailsVariables(
  tenant: Tenant,
  v: VoucherView,
  language: SmsLanguage,
  portalUrl?: string,
): SmsTextVariables['voucher_details'] {
  const words = LIMIT_WORDS[language];
  const limits = [
    v.dataLimitBytes !== null ? `${formatBytes(v.dataLimitBytes)} ${words.data}` : null,
    v.timeLimitSeconds !== null ? `${formatDuration(v.timeLimitSeconds)} ${words.online}` : null,
    v.validUntilAtMs !== null
      ? words.until(dayInZone(v.validUntilAtMs, tenant.time_zone))
      : v.validitySeconds !== null
        ? words.after(formatDuration(v.validitySeconds))
        : null,
  ].filter(Boolean);
  return {
    tenant_name: tenant.name,
    voucher_code: v.code,
    plan_name: v.planTitle,
    limits: limits.join(', '),
    link: portalUrl ?? '',
  };
}

/** The built-in English text (the demo and its tests print it without a tenant's templates). */
export async function voucherDetailsText(
  tenant: Tenant,
  v: VoucherView,
  portalUrl?: string,
): Promise<string> {
  return renderTemplate(
    SMS_TEXTS.voucher_details.defaults.en,
    voucherDetailsVariables(tenant, v, 'en', portalUrl),
  );
}

export class VoucherDetailsSms {
  constructor(private readonly deps: VoucherDetailsDeps) {}

  /** Queues the SMS to the voucher's customer: CONFLICT without a customer, SMS_NO_GATEWAY without a gateway. */
  async send(tenant: Tenant, voucherId: number): Promise<void> {
    const { deps } = this;
    const voucher = await deps.vouchers.get(tenant.id, voucherId);
    if (voucher.customerId === null) throw new AppError('CONFLICT', 'Assign the voucher to a customer first');
    const customer = await deps.customers.get(tenant.id, voucher.customerId);
    const language = smsLanguageOf(customer.locale, tenant.locale);
    if (!(await deps.sender.hasEnabledGateway(tenant.id)))
      throw new AppError('SMS_NO_GATEWAY', 'No SMS gateway is enabled: add one under Config > SMS gateways');
    await deps.sender.enqueue({
      tenantId: tenant.id,
      customerId: customer.id,
      type: 'voucher_details',
      recipient: customer.phone,
      // In the customer's language when known, else the tenant's.
      text: await deps.texts.render(
        tenant,
        'voucher_details',
        language,
        voucherDetailsVariables(tenant, voucher, language, await deps.portalUrl(tenant)),
      ),
    });
  }
}
