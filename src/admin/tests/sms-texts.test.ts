/**
 * Config > SMS texts: the voucher-details and sign-in-code SMS per language, with previews; the
 * saved text is what a guest then receives; bad templates, read-only admins and forged forms
 * change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { type AdminClient, signedInAdmin } from '../../../test/helpers/admin.js';
import { createCustomer, createPlan, createVoucher } from '../../../test/helpers/factories.js';

const PATH = '/admin/config/sms-texts';

describe.each(TEST_DIALECTS)('Config > SMS texts (%s)', (dialect) => {
  let app: TestApp;
  let tenantId: number;
  let owner: AdminClient;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    tenantId = app.bootstrapped.tenant.id;
    owner = await signedInAdmin(app, tenantId);
  });
  afterAll(() => app.destroy());

  it('shows each text per language with its variables and a preview', async () => {
    const page = await owner.get(PATH);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Portal sign-in code');
    expect(page.body).toContain('name="voucher_details.es"');
    expect(page.body).toContain('<code>voucher_code</code>');
    // The preview fills in sample values: no variable is left in braces.
    expect(page.body).toMatch(/<pre class="sms-preview">482913 is your sign-in code for [^<{]+<\/pre>/);
  });

  it('previews a draft without saving it, and refuses a broken one naming the text', async () => {
    const preview = await owner.post(PATH, { intent: 'preview', 'login_code.en': 'Code {{ code }}!' }, PATH);
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('<pre class="sms-preview">Code 482913!</pre>');
    expect((await app.tenants.getSettings(tenantId, 'notifications')).smsTexts).toEqual({});
    const broken = await owner.post(PATH, { intent: 'save', 'voucher_details.en': 'Hi {% if %}' }, PATH);
    expect(broken.statusCode).toBe(400);
    expect(broken.body).toContain('Voucher details (sent by an operator) (English)');
    expect((await app.tenants.getSettings(tenantId, 'notifications')).smsTexts).toEqual({});
  });

  it('saves a Spanish text, which a Spanish-speaking customer then receives', async () => {
    const saved = await owner.post(
      PATH,
      { intent: 'save', 'voucher_details.es': 'Tu ficha: {{ voucher_code }} <{{ plan_name }}>' },
      PATH,
    );
    expect(saved.statusCode).toBe(303);
    // Only the changed text is stored; the others stay the built-in ones.
    expect((await app.tenants.getSettings(tenantId, 'notifications')).smsTexts).toEqual({
      voucher_details: { es: 'Tu ficha: {{ voucher_code }} <{{ plan_name }}>' },
    });
    await app.sms.service.createGateway(tenantId, { name: 'Log', type: 'log', enabled: true, settings: {} });
    const plan = await createPlan(app.store.db, tenantId, { title: 'Playa' });
    const spanish = await createCustomer(app.store.db, tenantId, { locale: 'es-MX' });
    const english = await createCustomer(app.store.db, tenantId, { locale: 'en-GB' });
    for (const customer of [spanish, english]) {
      const voucher = await createVoucher(app.store.db, plan, { customer_id: customer.id });
      const sent = await owner.post(
        `/admin/vouchers/${voucher.id}/send-sms`,
        {},
        `/admin/vouchers/${voucher.id}`,
      );
      expect(sent.statusCode).toBe(303);
      const message = await app.store.db
        .selectFrom('sms_messages')
        .select('text')
        .where('customer_id', '=', customer.id)
        .where('type', '=', 'voucher_details')
        .executeTakeFirstOrThrow();
      if (customer === spanish) expect(message.text).toBe(`Tu ficha: ${voucher.code} <Playa>`);
      else expect(message.text).toContain(`your Wi-Fi voucher code is ${voucher.code}. Playa`);
    }
  });

  it('changes nothing for a read-only admin or a forged form', async () => {
    const before = await app.tenants.getSettings(tenantId, 'notifications');
    const reader = await signedInAdmin(app, tenantId, { role: 'readonly' });
    expect((await reader.get(PATH)).body).not.toContain('value="save"');
    const denied = await reader.post(PATH, { intent: 'save', 'login_code.en': 'x {{ code }}' }, PATH);
    expect(denied.statusCode).toBe(403);
    const forged = await owner.postRaw(
      PATH,
      new URLSearchParams({ intent: 'save', 'login_code.en': 'x {{ code }}' }).toString(),
    );
    expect(forged.statusCode).toBe(403);
    expect(await app.tenants.getSettings(tenantId, 'notifications')).toEqual(before);
  });
});
