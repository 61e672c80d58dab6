import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, createAdmin, createApiToken } from '../../test/helpers/admin.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { createCustomer, createPlan, createTenant, createVoucher } from '../../test/helpers/factories.js';
import {
  STAND_IN_ALLOWED_HOSTS,
  kannelResponder,
  startHttpStandIn,
  type StandIn,
} from '../sms/test-servers.js';

describe.each(TEST_DIALECTS)('SMS admin pages and API (%s)', (dialect) => {
  let app: TestApp;
  let kannel: StandIn;
  let tenantId: number;
  let owner: AdminClient;
  let readonly: AdminClient;
  let token: string;
  let readonlyToken: string;
  const host = 'beach.example.com';

  beforeAll(async () => {
    app = await buildTestApp(dialect, {
      overrides: { strictApiResponses: true },
      // The stand-in Kannel listens on 127.0.0.1, which the operator allows here.
      env: { PORTICO_SMS_ALLOWED_HOSTS: STAND_IN_ALLOWED_HOSTS },
    });
    kannel = await startHttpStandIn(kannelResponder({ username: 'portico', password: 'kannel-secret' }));
    tenantId = (await createTenant(app.store.db, { name: 'Beach Café', hosts: [host] })).id;
    const ownerAdmin = await createAdmin(app, tenantId, { role: 'owner' });
    const readonlyAdmin = await createAdmin(app, tenantId, { role: 'readonly' });
    owner = new AdminClient(app, host);
    readonly = new AdminClient(app, host);
    expect((await owner.signIn(ownerAdmin.email)).statusCode).toBe(303);
    expect((await readonly.signIn(readonlyAdmin.email)).statusCode).toBe(303);
    token = await createApiToken(app, tenantId, 'owner');
    readonlyToken = await createApiToken(app, tenantId, 'readonly');
  });
  afterAll(async () => {
    await kannel.close();
    await app.destroy();
  });

  const api = (method: string, url: string, payload?: unknown, bearer = token) =>
    app.http.inject({
      method: method as 'GET',
      url,
      headers: { host, authorization: `Bearer ${bearer}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  it('adds a Kannel gateway in the admin area, never shows its secret, and test-sends through it', async () => {
    const form = await owner.get('/admin/config/sms-gateways/new?type=http');
    expect(form.statusCode).toBe(200);
    const created = await owner.post(
      '/admin/config/sms-gateways',
      {
        type: 'http',
        name: 'Kannel <main>',
        enabled: 'on',
        s_url: `${kannel.url}/cgi-bin/sendsms?username={username}&password={password}&to={to}&text={text}`,
        s_method: 'GET',
        s_contentType: 'form',
        s_username: 'portico',
        s_password: 'kannel-secret',
        s_successSubstring: 'Accepted',
        s_verifyTls: 'on',
        s_timeoutSeconds: '5',
      },
      '/admin/config/sms-gateways/new?type=http',
    );
    expect(created.statusCode).toBe(303);
    for (const type of ['fax', '']) {
      const refused = await owner.post(
        '/admin/config/sms-gateways',
        { type, name: 'Odd type' },
        '/admin/config/sms-gateways/new?type=http',
      );
      expect(refused.statusCode, type).toBe(400);
      expect(refused.body).toContain('Choose a gateway type');
    }
    expect((await owner.get('/admin/config/sms-gateways')).body).not.toContain('Odd type');
    const location = created.headers.location as string;
    const page = await owner.get(location);
    expect(page.body).toContain('Kannel &lt;main>');
    expect(page.body).not.toContain('Kannel <main>');
    expect(page.body).not.toContain('kannel-secret');
    expect(page.body).toContain('(set; leave empty to keep it)');

    const id = /\/admin\/config\/sms-gateways\/(\d+)/.exec(location)![1]!;
    const test = await owner.post(
      `/admin/config/sms-gateways/${id}/test`,
      { to: '(202) 555-0123' },
      location,
    );
    expect(test.statusCode).toBe(200);
    expect(test.body).toContain('The test SMS was sent.');
    expect(test.body).toContain('HTTP 202, the answer contains &quot;Accepted&quot;');
    expect(kannel.requests.at(-1)!.url).toContain('password=kannel-secret&to=%2B12025550123');

    // Saving the form again with the password left empty keeps it.
    await owner.post(
      `/admin/config/sms-gateways/${id}`,
      {
        name: 'Kannel',
        s_url: `${kannel.url}/cgi-bin/sendsms?username={username}&password={password}&to={to}&text={text}`,
        s_method: 'GET',
        s_contentType: 'form',
        s_username: 'portico',
        s_password: '',
        s_successSubstring: 'Accepted',
        s_timeoutSeconds: '5',
      },
      location,
    );
    await owner.post(`/admin/config/sms-gateways/${id}/test`, { to: '+12025550123' }, location);
    expect(kannel.requests.at(-1)!.url).toContain('password=kannel-secret');

    const list = await api('GET', '/api/v1/sms-gateways');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('kannel-secret');
    expect(list.json()).toMatchObject({
      items: [{ name: 'Kannel', type: 'http', secretsSet: ['password'] }],
    });
  });

  it('refuses changes by a read-only admin and without the CSRF token', async () => {
    const refused = await readonly.post(
      '/admin/config/portal',
      { showDevices: 'on' },
      '/admin/config/portal',
    );
    expect(refused.statusCode).toBe(403);
    const noCsrf = await owner.postRaw('/admin/config/portal', 'showDevices=on');
    expect(noCsrf.statusCode).toBe(403);
    expect(
      (await api('PATCH', '/api/v1/settings/portal', { showDevices: true }, readonlyToken)).statusCode,
    ).toBe(403);
  });

  it('switches OTP on only while a gateway is enabled, and refuses to disable the last one', async () => {
    const other = await createTenant(app.store.db, { hosts: ['other.example.com'] });
    const otherToken = await createApiToken(app, other.id, 'owner');
    const call = (method: string, url: string, payload?: unknown) =>
      app.http.inject({
        method: method as 'GET',
        url,
        headers: { host: 'other.example.com', authorization: `Bearer ${otherToken}` },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
    const refused = await call('PATCH', '/api/v1/settings/portal', { otpEnabled: true });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().title).toContain('need an SMS gateway');

    const gateway = (await call('POST', '/api/v1/sms-gateways', { name: 'Log', type: 'log' })).json<{
      id: number;
    }>();
    const on = await call('PATCH', '/api/v1/settings/portal', {
      otpEnabled: true,
      showDevices: true,
      otpTtlSeconds: 120,
    });
    expect(on.statusCode).toBe(200);
    expect(on.json()).toMatchObject({
      otpEnabled: true,
      showDevices: true,
      otpTtlSeconds: 120,
      otpLength: 6,
    });
    const disable = await call('PATCH', `/api/v1/sms-gateways/${gateway.id}`, { enabled: false });
    expect(disable.statusCode).toBe(409);
    expect((await call('DELETE', `/api/v1/sms-gateways/${gateway.id}`)).statusCode).toBe(409);
    const bounds = await call('PATCH', '/api/v1/settings/portal', { otpMaxAttempts: 50 });
    expect(bounds.statusCode).toBe(400);
    // Another tenant's gateway is invisible here.
    expect((await api('GET', `/api/v1/sms-gateways/${gateway.id}`)).statusCode).toBe(404);
  });

  it('orders gateways through the API and the admin buttons', async () => {
    const t = await createTenant(app.store.db, { hosts: ['order.example.com'] });
    const tk = await createApiToken(app, t.id, 'owner');
    const call = (method: string, url: string, payload?: unknown) =>
      app.http.inject({
        method: method as 'GET',
        url,
        headers: { host: 'order.example.com', authorization: `Bearer ${tk}` },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
    const a = (await call('POST', '/api/v1/sms-gateways', { name: 'A', type: 'log' })).json<{ id: number }>();
    const b = (await call('POST', '/api/v1/sms-gateways', { name: 'B', type: 'log', enabled: false })).json<{
      id: number;
    }>();
    const ordered = await call('PUT', '/api/v1/sms-gateways/order', { ids: [b.id, a.id] });
    expect(ordered.statusCode).toBe(200);
    expect(
      ordered.json<{ items: Array<{ name: string; position: number }> }>().items.map((g) => g.name),
    ).toEqual(['B', 'A']);
    const bad = await call('POST', '/api/v1/sms-gateways', {
      name: 'X',
      type: 'http',
      settings: { url: 'nope' },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('saves notification settings with a preview rendered for a real customer', async () => {
    const customer = await createCustomer(app.store.db, tenantId, {
      phone: '+12025550177',
      name: 'Maria <3',
    });
    const plan = await createPlan(app.store.db, tenantId, { title: 'Weekend' });
    const voucher = await createVoucher(app.store.db, plan, { customer_id: customer.id, status: 'active' });
    const preview = await owner.post(
      '/admin/config/notifications',
      {
        intent: 'preview',
        enabled: 'on',
        frequency: 'once',
        template: 'Hi {{ .customer_name }}: {{ voucher_code }}',
        previewPhone: '+1 202 555 0177',
      },
      '/admin/config/notifications',
    );
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain(`Hi Maria &lt;3: ${voucher.code}`);
    const text = `Hi Maria <3: ${voucher.code}`;
    expect(preview.body).toContain(
      `GSM-7, 1 part, ${160 - text.length} characters left in this part (${text.length} characters).`,
    );
    const unicode = await owner.post(
      '/admin/config/notifications',
      { intent: 'preview', enabled: 'on', frequency: 'once', template: '{{ plan_name }} · 2 GB' },
      '/admin/config/notifications',
    );
    expect(unicode.body).toContain('UCS-2 (Unicode), 1 part, 56 characters left in this part');
    expect(unicode.body).toContain('Not in the GSM alphabet: “·”');
    const saved = await owner.post(
      '/admin/config/notifications',
      { intent: 'save', enabled: 'on', frequency: 'every_activation', template: 'Usage: {{ link }}' },
      '/admin/config/notifications',
    );
    expect(saved.statusCode).toBe(303);
    const settings = await api('GET', '/api/v1/settings/notifications');
    expect(settings.json()).toEqual({
      statusPageEnabled: true,
      statusPageFrequency: 'every_activation',
      statusPageTemplate: 'Usage: {{ link }}',
    });
    const apiPreview = await api('POST', '/api/v1/settings/notifications/preview', {
      template: '{{ .plan_name }} for {{ customer_phone }}',
      customerId: customer.id,
    });
    expect(apiPreview.json()).toMatchObject({
      text: 'Weekend for +12025550177',
      customer: { id: customer.id },
      sms: { encoding: 'gsm7', parts: 1, charactersLeft: 160 - 24, nonGsmCharacters: [] },
    });
    const invalid = await api('PATCH', '/api/v1/settings/notifications', { statusPageTemplate: '{% if %}' });
    expect(invalid.statusCode).toBe(400);
  });

  it('lists the SMS log with filters and a detail view; login codes masked', async () => {
    await app.sms.outbox.enqueue({
      tenantId,
      customerId: null,
      type: 'login_code',
      recipient: '+12025550188',
      text: '654321 is your code',
    });
    const page = await owner.get('/admin/logs/sms?type=login_code&recipient=555018');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('+12025550188');
    expect(page.body).not.toContain('654321');
    const listed = await api('GET', '/api/v1/sms-messages?type=login_code&status=queued');
    expect(listed.statusCode).toBe(200);
    const body = listed.json<{ items: Array<{ id: number; text: string }>; total: number }>();
    expect(body.total).toBe(1);
    expect(body.items[0]!.text).toBe('•••••• is your code');
    const detail = await owner.get(`/admin/logs/sms/${body.items[0]!.id}`);
    expect(detail.body).toContain('•••••• is your code');
    expect((await api('GET', '/api/v1/sms-messages?sort=recipient')).statusCode).toBe(400); // unknown parameter
    expect((await api('GET', '/api/v1/sms-messages?status=bogus')).statusCode).toBe(400);
  });
});
