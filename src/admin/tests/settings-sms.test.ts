import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { type AdminClient, createApiToken, signedInAdmin } from '../../../test/helpers/admin.js';
import { createCustomer, createPlan, createVoucher } from '../../../test/helpers/factories.js';

describe.each(TEST_DIALECTS)('voucher code settings and voucher details by SMS (%s)', (dialect) => {
  let app: TestApp;
  let tenantId: number;
  let owner: AdminClient;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    tenantId = app.bootstrapped.tenant.id;
    owner = await signedInAdmin(app, tenantId);
  });
  afterAll(() => app.destroy());

  it('generates codes with the configured length and alphabet, refusing guessable settings', async () => {
    const weak = await owner.post(
      '/admin/config/vouchers',
      { codeLength: '6', codeAlphabet: 'ABCDEFGHJK', deviceLimitPolicy: 'reject' },
      '/admin/config/vouchers',
    );
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain('bits');
    const saved = await owner.post(
      '/admin/config/vouchers',
      {
        codeLength: '12',
        codeAlphabet: 'ABCDEFGHJKMNPQRSTUVWXYZ',
        acceptShortCode: 'on',
        deviceLimitPolicy: 'reject',
      },
      '/admin/config/vouchers',
    );
    expect(saved.statusCode).toBe(303);
    expect(await app.tenants.getSettings(tenantId, 'vouchers')).toMatchObject({
      codeLength: 12,
      codeAlphabet: 'ABCDEFGHJKMNPQRSTUVWXYZ',
      deviceLimitPolicy: 'reject',
    });
    const plan = await createPlan(app.store.db, tenantId);
    const series = await app.vouchers.createSeries(
      tenantId,
      { planId: plan.id, quantity: 300, expiryMode: 'after_activation' },
      null,
    );
    await app.vouchers.generator.idle();
    const codes = await app.store.db
      .selectFrom('vouchers')
      .select('short_code')
      .where('series_id', '=', series.id)
      .execute();
    expect(codes).toHaveLength(300);
    for (const { short_code } of codes) expect(short_code).toMatch(/^[A-HJKMNP-Z]{12}$/);
    const token = await createApiToken(app, tenantId, 'admin');
    const api = await app.http.inject({
      url: '/api/v1/settings/vouchers',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(api.json()).toMatchObject({ codeLength: 12 });
    const bad = await app.http.inject({
      method: 'PUT',
      url: '/api/v1/settings/vouchers',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        codeLength: 8,
        codeAlphabet: 'abc-def-ghij',
        acceptShortCode: true,
        deviceLimitPolicy: 'reject',
      },
    });
    expect(bad.statusCode).toBe(400);
  });

  it("queues the voucher's details for its customer once a gateway is enabled", async () => {
    const plan = await createPlan(app.store.db, tenantId, { title: 'Beach <day>' });
    const customer = await createCustomer(app.store.db, tenantId);
    const voucher = await createVoucher(app.store.db, plan, { customer_id: customer.id });
    const unassigned = await createVoucher(app.store.db, plan);
    const noGateway = await owner.post(
      `/admin/vouchers/${voucher.id}/send-sms`,
      {},
      `/admin/vouchers/${voucher.id}`,
    );
    expect(noGateway.statusCode).toBe(400);
    expect(noGateway.body).toContain('No SMS gateway is enabled');
    await app.sms.service.createGateway(tenantId, { name: 'Log', type: 'log', enabled: true, settings: {} });
    const sent = await owner.post(
      `/admin/vouchers/${voucher.id}/send-sms`,
      {},
      `/admin/vouchers/${voucher.id}`,
    );
    expect(sent.statusCode).toBe(303);
    const message = await app.store.db
      .selectFrom('sms_messages')
      .selectAll()
      .where('type', '=', 'voucher_details')
      .executeTakeFirstOrThrow();
    expect(message).toMatchObject({
      tenant_id: tenantId,
      customer_id: customer.id,
      recipient: customer.phone,
    });
    expect(message.text).toContain(voucher.code);
    const token = await createApiToken(app, tenantId, 'admin');
    const noCustomer = await app.http.inject({
      method: 'POST',
      url: `/api/v1/vouchers/${unassigned.id}/send-sms`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(noCustomer.statusCode).toBe(409);
    const viaApi = await app.http.inject({
      method: 'POST',
      url: `/api/v1/vouchers/${voucher.id}/send-sms`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(viaApi.statusCode).toBe(202);
  });

  it('shows the dashboard figures', async () => {
    const plan = await createPlan(app.store.db, tenantId);
    await createVoucher(app.store.db, plan, { status: 'active', activated_at: app.clock.nowMs() - 60_000 });
    const page = await owner.get('/admin');
    expect(page.body).toMatch(/data-figure="activated">1</);
    expect(page.body).toContain('<svg');
    const token = await createApiToken(app, tenantId, 'readonly');
    const api = await app.http.inject({
      url: '/api/v1/dashboard',
      headers: { authorization: `Bearer ${token}` },
    });
    const figures = api.json<{ activatedToday: number; days: Array<{ activations: number }> }>();
    expect(figures.activatedToday).toBe(1);
    expect(figures.days).toHaveLength(30);
    expect(figures.days.at(-1)?.activations).toBe(1);
  });
});
