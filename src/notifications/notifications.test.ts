import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { createCustomer, createPlan, createTenant, createVoucher } from '../../test/helpers/factories.js';
import type { Tenant } from '../store/index.js';
import { normalizeTemplate, renderTemplate } from './template.js';
import { TEMPLATE_VARIABLES } from '../../test/helpers/notifications.js';

describe('status page templates', () => {
  const variables = TEMPLATE_VARIABLES;

  it('accepts both {{ link }} and the Go-template spelling {{ .link }}', async () => {
    expect(normalizeTemplate('{{ .link }} {{.customer_name}} {{- .plan_name -}}')).toBe(
      '{{ link }} {{ customer_name}} {{- plan_name -}}',
    );
    await expect(renderTemplate('Hi {{ .customer_name }}: {{ link }}', variables)).resolves.toBe(
      'Hi Ana: https://wifi.example.com/portal',
    );
  });

  it('renders plain text (no HTML escaping) and refuses broken or unknown filters', async () => {
    await expect(renderTemplate('{{ tenant_name }} <b>&</b>', variables)).resolves.toBe(
      'Beach Café <b>&</b>',
    );
    await expect(renderTemplate('{{ link | evil }}', variables)).rejects.toThrow('could not be rendered');
    await expect(renderTemplate('{% if %}', variables)).rejects.toThrow();
  });

  it('refuses texts that render too long', async () => {
    await expect(renderTemplate('{% for i in (1..100) %}{{ link }}{% endfor %}', variables)).rejects.toThrow(
      'too long once filled in',
    );
  });
});

describe.each(TEST_DIALECTS)('status page notifications (%s)', (dialect) => {
  let app: TestApp;
  let tenant: Tenant;
  let customerId: number;
  let plan: Awaited<ReturnType<typeof createPlan>>;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
  });
  afterAll(() => app.destroy());

  beforeEach(async () => {
    tenant = await createTenant(app.store.db, {
      name: 'Beach Café',
      locale: 'de-DE',
      time_zone: 'Europe/Berlin',
      public_url: 'https://wifi.beach.example',
    });
    customerId = (await createCustomer(app.store.db, tenant.id, { phone: '+4915112345678', name: 'Jonas' }))
      .id;
    plan = await createPlan(app.store.db, tenant.id, { title: 'Tagespass' });
    await app.notifications.updateSettings(tenant.id, {
      statusPageEnabled: true,
      statusPageTemplate:
        'Hallo {{ .customer_name }}, {{ tenant_name }}: {{ plan_name }} ({{ voucher_code }}) bis {{ expiry }}. {{ link }} {{ customer_phone }}',
    });
  });

  const activate = async (values: { activated_at?: number; expires_at?: number } = {}) => {
    const voucher = await createVoucher(app.store.db, plan, {
      customer_id: customerId,
      status: 'active',
      activated_at: app.clock.nowMs(),
      expires_at: Date.UTC(2026, 10, 28, 13, 30),
      ...values,
    });
    return voucher;
  };
  const portalLinks = () =>
    app.store.db
      .selectFrom('sms_messages')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .where('type', '=', 'portal_link')
      .execute();

  it('queues the rendered portal link with every variable, in the tenant locale and time zone', async () => {
    const voucher = await activate();
    const outcome = await app.notifications.onVoucherActivated({
      tenantId: tenant.id,
      voucherId: voucher.id,
    });
    expect(outcome.queued).toBe(true);
    const [message] = await portalLinks();
    expect(message).toMatchObject({ status: 'queued', recipient: '+4915112345678', customer_id: customerId });
    expect(message!.text).toBe(
      `Hallo Jonas, Beach Café: Tagespass (${voucher.code}) bis 28.11.2026, 14:30. https://wifi.beach.example/portal +4915112345678`,
    );
  });

  it('"once" texts a customer only for the first activation, whatever happens twice', async () => {
    await app.notifications.updateSettings(tenant.id, { statusPageFrequency: 'once' });
    const first = await activate();
    const second = await activate();
    const results = await Promise.all([
      app.notifications.onVoucherActivated({ tenantId: tenant.id, voucherId: first.id }),
      app.notifications.onVoucherActivated({ tenantId: tenant.id, voucherId: first.id }),
      app.notifications.onVoucherActivated({ tenantId: tenant.id, voucherId: second.id }),
    ]);
    expect(results.filter((r) => r.queued)).toHaveLength(1);
    expect(await portalLinks()).toHaveLength(1);
    const third = await activate();
    expect(await app.notifications.onVoucherActivated({ tenantId: tenant.id, voucherId: third.id })).toEqual({
      queued: false,
      reason: 'already_sent',
    });
  });

  it('"every_activation" texts once per voucher, never twice for the same activation', async () => {
    await app.notifications.updateSettings(tenant.id, { statusPageFrequency: 'every_activation' });
    const first = await activate();
    const second = await activate();
    await Promise.all([
      app.notifications.onVoucherActivated({ tenantId: tenant.id, voucherId: first.id }),
      app.notifications.onVoucherActivated({ tenantId: tenant.id, voucherId: first.id }),
    ]);
    await app.notifications.onVoucherActivated({ tenantId: tenant.id, voucherId: second.id });
    await app.notifications.onVoucherActivated({ tenantId: tenant.id, voucherId: second.id });
    const links = await portalLinks();
    expect(links.map((l) => l.dedupe_key).sort()).toEqual(
      [`portal_link:voucher:${first.id}`, `portal_link:voucher:${second.id}`].sort(),
    );
  });

  it('sends nothing when disabled, without a customer, or to a blocked customer', async () => {
    const voucher = await activate();
    await app.notifications.updateSettings(tenant.id, { statusPageEnabled: false });
    expect(
      await app.notifications.onVoucherActivated({ tenantId: tenant.id, voucherId: voucher.id }),
    ).toEqual({
      queued: false,
      reason: 'disabled',
    });
    await app.notifications.updateSettings(tenant.id, { statusPageEnabled: true });
    const anonymous = await createVoucher(app.store.db, plan, { status: 'active' });
    expect(
      await app.notifications.onVoucherActivated({ tenantId: tenant.id, voucherId: anonymous.id }),
    ).toMatchObject({
      reason: 'no_customer',
    });
    await app.store.db
      .updateTable('customers')
      .set({ status: 'blocked' })
      .where('id', '=', customerId)
      .execute();
    expect(
      await app.notifications.onVoucherActivated({ tenantId: tenant.id, voucherId: voucher.id }),
    ).toMatchObject({
      reason: 'customer_blocked',
    });
    expect(await portalLinks()).toHaveLength(0);
  });

  it('never reads another tenant’s voucher', async () => {
    const other = await createTenant(app.store.db);
    const voucher = await activate();
    expect(
      await app.notifications.onVoucherActivated({ tenantId: other.id, voucherId: voucher.id }),
    ).toMatchObject({
      queued: false,
    });
  });

  it('previews an unsaved template for a real customer, or the latest one', async () => {
    const voucher = await activate();
    const preview = await app.notifications.preview(tenant, {
      template: '{{ .customer_name }} {{ voucher_code }}',
      customerId,
    });
    expect(preview.text).toBe(`Jonas ${voucher.code}`);
    expect(preview.customer).toEqual({ id: customerId, name: 'Jonas', phone: '+4915112345678' });
    const latest = await app.notifications.preview(tenant);
    expect(latest.customer?.id).toBe(customerId);
    expect(latest.text).toContain('https://wifi.beach.example/portal');
  });

  it('refuses invalid templates and frequencies on save', async () => {
    await expect(
      app.notifications.updateSettings(tenant.id, { statusPageTemplate: '{% if %}' }),
    ).rejects.toThrow('not a valid template');
    await expect(app.notifications.updateSettings(tenant.id, { statusPageTemplate: '   ' })).rejects.toThrow(
      'empty',
    );
    await expect(
      app.notifications.updateSettings(tenant.id, { statusPageFrequency: 'daily' as 'once' }),
    ).rejects.toThrow('frequency');
  });
});
