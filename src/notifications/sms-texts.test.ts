import { describe, expect, it } from 'vitest';
import type { Tenant } from '../store/index.js';
import { SETTINGS_DEFAULTS, type NotificationSettings } from '../tenants/index.js';
import { checkSmsTextTemplates, SMS_TEXTS, SmsTexts, smsLanguageOf } from './sms-texts.js';
import { describeSmsText } from '../sms/index.js';

const tenant = { id: 1, name: 'Seaside Wi-Fi', locale: 'en-US', time_zone: 'UTC' } as Tenant;
const textsWith = (smsTexts: NotificationSettings['smsTexts']) =>
  new SmsTexts({
    getSettings: async () => ({ ...SETTINGS_DEFAULTS.notifications, smsTexts }) as never,
  });

describe('SMS texts (templates per language)', () => {
  it('renders the built-in English sign-in code text as it was written before templates', async () => {
    const texts = textsWith({});
    expect(await texts.loginCode(tenant, null, '482913', 5)).toBe(
      '482913 is your sign-in code for Seaside Wi-Fi. It expires in 5 minutes. Do not share it.',
    );
    expect(await texts.loginCode(tenant, null, '482913', 1)).toContain('expires in 1 minute.');
  });

  it("picks the customer's language, else the tenant's, else English", async () => {
    expect(smsLanguageOf('es-MX', 'en-US')).toBe('es');
    expect(smsLanguageOf(null, 'es')).toBe('es');
    expect(smsLanguageOf('fr-FR', 'de-DE')).toBe('en');
    const spanish = await textsWith({}).loginCode(tenant, 'es-ES', '482913', 5);
    expect(spanish).toBe(
      '482913 es tu clave para entrar en Seaside Wi-Fi. Vence en 5 minutos. No la compartas.',
    );
  });

  it('keeps every built-in text in the GSM-7 alphabet (one part, not UCS-2)', async () => {
    for (const [kind, definition] of Object.entries(SMS_TEXTS))
      for (const language of ['en', 'es'] as const) {
        const text = await textsWith({}).preview(tenant, kind as keyof typeof SMS_TEXTS, language);
        expect(describeSmsText(text).nonGsmCharacters, `${kind} ${language}: ${text}`).toEqual([]);
        expect(text, definition.title).not.toContain('{{');
      }
  });

  it("uses the tenant's own text for that language only, and previews a draft", async () => {
    const texts = textsWith({ login_code: { es: 'Clave {{ code }} ({{ tenant_name }})' } });
    expect(await texts.loginCode(tenant, 'es', '111222', 5)).toBe('Clave 111222 (Seaside Wi-Fi)');
    expect(await texts.loginCode(tenant, 'en', '111222', 5)).toContain('is your sign-in code');
    expect(await texts.preview(tenant, 'voucher_details', 'en', 'Code {{ voucher_code }}')).toBe(
      'Code 202611-1h500m-J8TiJDyT',
    );
  });

  it('refuses a broken template with the name of the text, and drops emptied ones', () => {
    expect(() => checkSmsTextTemplates({ voucher_details: { es: 'Hola {{ voucher_code ' } })).toThrow(
      /Voucher details \(sent by an operator\) \(Spanish\): The SMS text is not a valid template/,
    );
    expect(checkSmsTextTemplates({ login_code: { en: '  ', es: ' {{ code }} ' } })).toEqual({
      login_code: { es: '{{ code }}' },
    });
  });
});
