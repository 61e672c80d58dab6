/**
 * The SMS texts other than the status page (which has its own settings): the voucher details an
 * operator sends and the portal sign-in code. Each is a template (same sandboxed LiquidJS as the
 * status page) with named variables and a text per language; a tenant may replace any of them
 * under Config > Notifications, and an empty one falls back to the built-in text.
 */
import { AppError } from '../shared/index.js';
import type { Tenant } from '../store/index.js';
import type { SmsTextTemplates, TenantsRepository } from '../tenants/index.js';
import { checkTemplate, renderTemplate } from './template.js';

/**
 * Languages the built-in texts exist in (the portal's languages). The Spanish ones keep to the
 * GSM-7 alphabet (no á í ó ú), so they cost no more parts than the English ones.
 */
export const SMS_LANGUAGES = ['en', 'es'] as const;
export type SmsLanguage = (typeof SMS_LANGUAGES)[number];

export const SMS_LANGUAGE_NAMES: Record<SmsLanguage, string> = { en: 'English', es: 'Spanish' };

export interface SmsTextVariables {
  voucher_details: {
    tenant_name: string;
    voucher_code: string;
    plan_name: string;
    /** "500 MB data, 1 h online, valid until 2026-12-31", or '' without limits. */
    limits: string;
    /** The portal link, or '' when there is none. */
    link: string;
  };
  login_code: {
    code: string;
    tenant_name: string;
    minutes: number;
  };
}

export type SmsTextKind = keyof SmsTextVariables;

interface SmsTextDefinition<K extends SmsTextKind> {
  title: string;
  variables: Array<{ name: keyof SmsTextVariables[K]; description: string }>;
  defaults: Record<SmsLanguage, string>;
  /** What the preview fills in. */
  sample: SmsTextVariables[K];
}

export const SMS_TEXTS: { [K in SmsTextKind]: SmsTextDefinition<K> } = {
  voucher_details: {
    title: 'Voucher details (sent by an operator)',
    variables: [
      { name: 'tenant_name', description: 'your business name' },
      { name: 'voucher_code', description: 'the voucher code' },
      { name: 'plan_name', description: "the voucher's plan" },
      { name: 'limits', description: 'data, time and validity in plain words (empty when it has none)' },
      { name: 'link', description: 'the portal link (empty when there is none)' },
    ],
    defaults: {
      en: "{{ tenant_name }}: your Wi-Fi voucher code is {{ voucher_code }}. {{ plan_name }}{% if limits != '' %} ({{ limits }}){% endif %}.{% if link != '' %} Your usage: {{ link }}{% endif %}",
      es: "{{ tenant_name }}: tu ficha Wi-Fi es {{ voucher_code }}. {{ plan_name }}{% if limits != '' %} ({{ limits }}){% endif %}.{% if link != '' %} Tu consumo: {{ link }}{% endif %}",
    },
    sample: {
      tenant_name: 'Seaside Cafe',
      voucher_code: '202611-1h500m-J8TiJDyT',
      plan_name: '1 hour 500 MB',
      limits: '500 MB data, 1 h online',
      link: 'https://wifi.example.com/portal',
    },
  },
  login_code: {
    title: 'Portal sign-in code',
    variables: [
      { name: 'code', description: 'the one-time code' },
      { name: 'tenant_name', description: 'your business name' },
      { name: 'minutes', description: 'minutes until the code expires (a number)' },
    ],
    // The tenant's name often ends in "Wi-Fi" already: the text must not say it twice.
    defaults: {
      en: '{{ code }} is your sign-in code for {{ tenant_name }}. It expires in {{ minutes }} {% if minutes == 1 %}minute{% else %}minutes{% endif %}. Do not share it.',
      es: '{{ code }} es tu clave para entrar en {{ tenant_name }}. Vence en {{ minutes }} {% if minutes == 1 %}minuto{% else %}minutos{% endif %}. No la compartas.',
    },
    sample: { code: '482913', tenant_name: 'Seaside Cafe', minutes: 5 },
  },
};

export const SMS_TEXT_KINDS = Object.keys(SMS_TEXTS) as SmsTextKind[];

/** The first of the locales ("es-MX", "en") that has texts; English when none has. */
export function smsLanguageOf(...locales: Array<string | null | undefined>): SmsLanguage {
  for (const locale of locales) {
    const language = locale?.toLowerCase().split(/[-_]/)[0];
    const found = SMS_LANGUAGES.find((l) => l === language);
    if (found) return found;
  }
  return 'en';
}

/** The tenant's template for this text and language: its own, else the built-in one. */
export function smsTextTemplate(saved: SmsTextTemplates, kind: SmsTextKind, language: SmsLanguage): string {
  return saved[kind]?.[language] || SMS_TEXTS[kind].defaults[language];
}

/** Checks every template in `input` (VALIDATION naming the text) and drops empty ones (built-in). */
export function checkSmsTextTemplates(input: SmsTextTemplates): SmsTextTemplates {
  const checked: SmsTextTemplates = {};
  for (const kind of SMS_TEXT_KINDS)
    for (const language of SMS_LANGUAGES) {
      const template = input[kind]?.[language]?.trim();
      if (!template) continue;
      try {
        (checked[kind] ??= {})[language] = checkTemplate(template);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        throw new AppError(
          'VALIDATION',
          `${SMS_TEXTS[kind].title} (${SMS_LANGUAGE_NAMES[language]}): ${error.message}`,
        );
      }
    }
  return checked;
}

/** Renders the tenant's SMS texts (read from its notifications settings). */
export class SmsTexts {
  constructor(private readonly tenants: Pick<TenantsRepository, 'getSettings'>) {}

  async render<K extends SmsTextKind>(
    tenant: Tenant,
    kind: K,
    language: SmsLanguage,
    variables: SmsTextVariables[K],
  ): Promise<string> {
    const saved = (await this.tenants.getSettings(tenant.id, 'notifications')).smsTexts ?? {};
    return renderTemplate(smsTextTemplate(saved, kind, language), { ...variables });
  }

  /** The portal sign-in code's text, in the customer's language when known, else the tenant's. */
  loginCode(tenant: Tenant, locale: string | null, code: string, minutes: number): Promise<string> {
    const language = smsLanguageOf(locale, tenant.locale);
    return this.render(tenant, 'login_code', language, { code, tenant_name: tenant.name, minutes });
  }

  /**
   * The text as a guest would get it, with sample values and the tenant's name: `template` (a
   * draft being edited) or else the saved one. VALIDATION when the draft does not parse or render.
   */
  async preview(
    tenant: Tenant,
    kind: SmsTextKind,
    language: SmsLanguage,
    template?: string,
  ): Promise<string> {
    const saved = (await this.tenants.getSettings(tenant.id, 'notifications')).smsTexts ?? {};
    const source = template?.trim() ? checkTemplate(template) : smsTextTemplate(saved, kind, language);
    return renderTemplate(source, { ...SMS_TEXTS[kind].sample, tenant_name: tenant.name });
  }
}
