import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { AdminClient, createAdmin } from '../../../test/helpers/admin.js';
import { routesUnder } from '../../http/index.js';
import {
  createCustomer,
  createDevice,
  createHotspot,
  createPlan,
  createSession,
  createTenant,
  createVoucher,
} from '../../../test/helpers/factories.js';

const XSS = '<script>alert(1)</script>';
// Preact escapes < (and & " in attributes): enough that no tag can open.
const ESCAPED = /&lt;script(&gt;|>)alert\(1\)&lt;\/script/;

interface Seeded {
  planId: number;
  customerId: number;
  customerPhone: string;
  voucherId: number;
  seriesId: number;
  hotspotId: number;
  sessionId: number;
  deviceId: number;
}

describe.each(TEST_DIALECTS)('admin pages (%s)', (dialect) => {
  let app: TestApp;
  let tenantA: number;
  let tenantB: number;
  let a: Seeded;
  let b: Seeded;
  let owner: AdminClient;
  let readonly: AdminClient;
  let plainAdmin: AdminClient;

  async function seed(tenantId: number): Promise<Seeded> {
    const db = app.store.db;
    const plan = await createPlan(db, tenantId);
    const customer = await createCustomer(db, tenantId);
    const voucher = await createVoucher(db, plan, { customer_id: customer.id });
    const hotspot = await createHotspot(db, tenantId);
    const session = await createSession(db, {
      tenant_id: tenantId,
      hotspot_id: hotspot.id,
      voucher_id: voucher.id,
    });
    const series = await app.vouchers.createSeries(
      tenantId,
      { planId: plan.id, quantity: 2, expiryMode: 'after_activation' },
      null,
    );
    await app.vouchers.generator.idle();
    const device = await createDevice(db, { tenant_id: tenantId, voucher_id: voucher.id });
    return {
      planId: plan.id,
      customerId: customer.id,
      customerPhone: customer.phone,
      voucherId: voucher.id,
      seriesId: series.id,
      hotspotId: hotspot.id,
      sessionId: session.id,
      deviceId: device.id,
    };
  }

  async function signedIn(
    role: 'owner' | 'admin' | 'readonly',
    tenantId: number,
    host = 'localhost',
    isSuper = false,
  ) {
    const admin = await createAdmin(app, tenantId, { role, isSuper });
    const client = new AdminClient(app, host);
    const response = await client.signIn(admin.email);
    expect(response.statusCode).toBe(303);
    return client;
  }

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    tenantA = app.bootstrapped.tenant.id;
    tenantB = (await createTenant(app.store.db, { name: 'Tenant B', hosts: ['b.example.com'] })).id;
    a = await seed(tenantA);
    b = await seed(tenantB);
    owner = await signedIn('owner', tenantA, 'localhost', true);
    readonly = await signedIn('readonly', tenantA);
    plainAdmin = await signedIn('admin', tenantA);
  });
  afterAll(() => app.destroy());

  const fillIds = (url: string, s: Seeded) =>
    url
      .replace('/plans/:id', `/plans/${s.planId}`)
      .replace('/customers/:id', `/customers/${s.customerId}`)
      .replace('/series/:id', `/series/${s.seriesId}`)
      .replace('/vouchers/:id', `/vouchers/${s.voucherId}`)
      .replace('/hotspots/:id', `/hotspots/${s.hotspotId}`)
      .replace('/sessions/:id', `/sessions/${s.sessionId}`)
      .replace('/devices/:deviceId', `/devices/${s.deviceId}`)
      .replace(':id', '1');

  it('creates, edits and deactivates a plan through the forms', async () => {
    const created = await owner.post(
      '/admin/plans',
      {
        title: 'Day pass',
        voucherPrefix: 'day',
        isActive: 'on',
        price: '4.50',
        currency: 'USD',
        limitMode: 'split',
        downloadLimitMb: '1000',
        uploadLimitMb: '200',
        timeLimitMinutes: '90',
        validityHours: '24',
        devicesLimit: '2',
        speedDownKbps: '8000',
      },
      '/admin/plans/new',
    );
    expect(created.statusCode).toBe(303);
    const id = Number(/\/admin\/plans\/(\d+)/.exec(created.headers.location as string)?.[1]);
    const row = await app.store.db
      .selectFrom('plans')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      tenant_id: tenantA,
      price_minor: 450,
      download_limit_bytes: 1_000_000_000,
      upload_limit_bytes: 200_000_000,
      data_limit_bytes: null,
      time_limit_seconds: 5400,
      validity_seconds: 86_400,
      devices_limit: 2,
      speed_down_kbps: 8000,
      speed_up_kbps: null,
    });
    const edit = await owner.post(
      `/admin/plans/${id}`,
      {
        title: 'Day pass+',
        voucherPrefix: 'day',
        isActive: 'on',
        price: '5',
        currency: 'USD',
        limitMode: 'total',
        dataLimitMb: '2000',
        devicesLimit: '3',
      },
      `/admin/plans/${id}`,
    );
    expect(edit.statusCode).toBe(303);
    const page = await owner.get(`/admin/plans/${id}`);
    expect(page.body).toContain('Day pass+');
    expect(page.body).toContain('2 GB');
    const off = await owner.post(`/admin/plans/${id}/active`, { isActive: '0' }, `/admin/plans/${id}`);
    expect(off.statusCode).toBe(303);
    const list = await owner.get('/admin/plans?active=no');
    expect(list.body).toContain('Day pass+');
    const invalid = await owner.post(
      '/admin/plans',
      { title: 'Bad', voucherPrefix: 'with space', devicesLimit: '1' },
      '/admin/plans/new',
    );
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('voucherPrefix must be 1-32 letters or digits');
  });

  it('generates a series, shows its progress, finds a voucher by code and assigns it', async () => {
    const response = await owner.post(
      '/admin/vouchers/generate',
      { planId: String(a.planId), quantity: '25', expiryMode: 'valid_until', validUntil: '2030-01-31' },
      '/admin/vouchers/generate',
    );
    expect(response.statusCode).toBe(303);
    const seriesUrl = response.headers.location as string;
    await app.vouchers.generator.idle();
    const series = await owner.get(seriesUrl);
    expect(series.body).toContain('<progress max="25" value="25"');
    const progress = await owner.request({
      method: 'GET',
      url: `${seriesUrl}/progress`,
      headers: { accept: 'application/json' },
    });
    expect(progress.json()).toEqual({ createdCount: 25, quantity: 25, status: 'ready' });
    const seriesId = Number(seriesUrl.split('/').pop());
    const one = await app.store.db
      .selectFrom('vouchers')
      .select(['id', 'code', 'short_code', 'valid_until_at', 'validity_seconds'])
      .where('series_id', '=', seriesId)
      .executeTakeFirstOrThrow();
    expect(one.valid_until_at).toBe(Date.parse('2030-01-31T23:59:59Z'));
    expect(one.validity_seconds).toBeNull();
    const found = await owner.get(`/admin/vouchers?code=${one.short_code.toLowerCase()}`);
    expect(found.body).toContain(one.code);
    expect(found.body).toContain('1 in total');
    const assign = await owner.post(
      `/admin/vouchers/${one.id}/assign`,
      { customer: a.customerPhone },
      `/admin/vouchers/${one.id}`,
    );
    expect(assign.statusCode).toBe(303);
    const detail = await owner.get(assign.headers.location as string);
    expect(detail.body).toContain(a.customerPhone);
    expect(detail.body).toContain('Assigned to the customer.');
    const byCustomer = await owner.get(`/admin/vouchers?customer=${encodeURIComponent(a.customerPhone)}`);
    expect(byCustomer.body).toContain(one.code);
    await owner.post(`/admin/vouchers/${one.id}/disable`, {}, `/admin/vouchers/${one.id}`);
    expect((await owner.get(`/admin/vouchers?status=disabled`)).body).toContain(one.code);
    const csv = await owner.get(`/admin/vouchers/series/${seriesId}/export.csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.trim().split('\r\n')).toHaveLength(26);
    const print = await owner.get(`/admin/vouchers/series/${seriesId}/print`);
    expect(print.body.match(/class="voucher-card"/g)).toHaveLength(25);
  });

  it('creates, edits, blocks and searches customers', async () => {
    const created = await owner.post(
      '/admin/customers',
      { phone: '(202) 555-0199', name: 'Grace', email: 'g@example.com' },
      '/admin/customers/new',
    );
    expect(created.statusCode).toBe(303);
    const id = Number((created.headers.location as string).split('/').pop()?.split('?')[0]);
    const dup = await owner.post('/admin/customers', { phone: '+1 202 555 0199' }, '/admin/customers/new');
    expect(dup.statusCode).toBe(400);
    expect(dup.body).toContain('already exists');
    const bad = await owner.post('/admin/customers', { phone: '12' }, '/admin/customers/new');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('not a valid phone number');
    await owner.post(
      `/admin/customers/${id}`,
      { phone: '+12025550199', name: 'Grace Hopper', email: '' },
      `/admin/customers/${id}`,
    );
    const block = await owner.post(
      `/admin/customers/${id}/status`,
      { status: 'blocked' },
      `/admin/customers/${id}`,
    );
    expect(block.statusCode).toBe(303);
    const row = await app.store.db
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      phone: '+12025550199',
      name: 'Grace Hopper',
      email: null,
      status: 'blocked',
    });
    for (const q of ['hopper', '0199', 'GRACE']) {
      const search = await owner.get(`/admin/customers?q=${q}`);
      expect(search.body, q).toContain('Grace Hopper');
    }
    expect((await owner.get('/admin/customers?q=nobody-like-this')).body).not.toContain('Grace Hopper');
  });

  it('escapes every name and title it renders back', async () => {
    const plan = await createPlan(app.store.db, tenantA, { title: XSS });
    const customer = await createCustomer(app.store.db, tenantA, { name: XSS, email: null });
    const voucher = await createVoucher(app.store.db, plan, { customer_id: customer.id });
    await createAdmin(app, tenantA, { name: XSS, role: 'readonly' });
    await owner.post('/admin/api-tokens', { name: XSS, role: 'readonly' }, '/admin/api-tokens');
    for (const url of [
      '/admin/plans',
      `/admin/plans/${plan.id}`,
      '/admin/customers',
      `/admin/customers/${customer.id}`,
      '/admin/vouchers',
      `/admin/vouchers/${voucher.id}`,
      '/admin/admins',
      '/admin/api-tokens',
      `/admin/vouchers?code=${encodeURIComponent(XSS)}`,
      `/admin/customers?q=${encodeURIComponent(XSS)}`,
    ]) {
      const page = await owner.get(url);
      expect(page.statusCode, url).toBe(200);
      expect(page.body, url).not.toContain(XSS);
      expect(page.body, url).toMatch(ESCAPED);
    }
  });

  it('protects every form with CSRF', async () => {
    const posts = routesUnder(app.http, '/admin').filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(15);
    for (const route of posts) {
      const url = fillIds(route.url, a);
      const response = await owner.postRaw(url, 'title=x&_csrf=forged');
      expect(response.statusCode, url).toBe(403);
    }
  });

  it('lets a read-only admin see everything and change nothing', async () => {
    const before = await app.store.db
      .selectFrom('plans')
      .selectAll()
      .where('id', '=', a.planId)
      .executeTakeFirstOrThrow();
    const exempt = new Set(['/admin/sign-in', '/admin/sign-out', '/admin/account/password']);
    for (const route of routesUnder(app.http, '/admin').filter(
      (r) => r.method === 'POST' && !exempt.has(r.url),
    )) {
      const url = fillIds(route.url, a);
      const response = await readonly.post(url, {
        title: 'changed',
        voucherPrefix: 'x',
        isActive: '0',
        status: 'blocked',
      });
      expect(response.statusCode, url).toBe(403);
    }
    const after = await app.store.db
      .selectFrom('plans')
      .selectAll()
      .where('id', '=', a.planId)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    for (const url of [
      '/admin',
      '/admin/plans',
      `/admin/plans/${a.planId}`,
      '/admin/vouchers',
      `/admin/vouchers/${a.voucherId}`,
      '/admin/customers',
      `/admin/customers/${a.customerId}`,
      '/admin/sessions',
      '/admin/admins',
    ]) {
      const page = await readonly.get(url);
      expect(page.statusCode, url).toBe(200);
      expect(page.body, url).not.toContain('New plan');
      expect(page.body, url).not.toContain('>Disable<');
    }
    expect((await readonly.get('/admin/plans/new')).statusCode).toBe(403);
    expect((await readonly.get('/admin/api-tokens')).statusCode).toBe(403);
    expect((await plainAdmin.get('/admin/api-tokens')).statusCode).toBe(403);
    expect((await plainAdmin.get('/admin/tenants')).statusCode).toBe(403);
  });

  it("answers 404 for another tenant's ids", async () => {
    const gets = routesUnder(app.http, '/admin').filter((r) => r.method === 'GET' && r.url.includes(':id'));
    expect(gets.length).toBeGreaterThan(5);
    for (const route of gets) {
      const url = fillIds(route.url, b);
      const response = await owner.get(url);
      expect(response.statusCode, url).toBe(404);
    }
    for (const url of [
      `/admin/plans/${b.planId}`,
      `/admin/vouchers/${b.voucherId}/disable`,
      `/admin/customers/${b.customerId}/status`,
    ]) {
      const response = await owner.post(url, { title: 'x', voucherPrefix: 'x', status: 'blocked' });
      expect(response.statusCode, url).toBe(404);
    }
    // Assigning A's voucher to B's customer: B's phone is unknown in A, so A is offered to create
    // a customer of its own with that number; nothing of B is touched.
    const cross = await owner.post(`/admin/vouchers/${a.voucherId}/assign`, { customer: b.customerPhone });
    expect(cross.statusCode).toBe(303);
    expect(cross.headers.location).toBe(
      `/admin/customers/new?${new URLSearchParams({ phone: b.customerPhone, assignVoucher: String(a.voucherId) }).toString()}`,
    );
    const aVoucher = await app.store.db
      .selectFrom('vouchers')
      .select('customer_id')
      .where('id', '=', a.voucherId)
      .executeTakeFirstOrThrow();
    expect(aVoucher.customer_id).toBe(a.customerId);
    // B's voucher cannot be the target of A's "create and assign" either.
    const crossNew = await owner.get(`/admin/customers/new?assignVoucher=${b.voucherId}`);
    expect(crossNew.statusCode).toBe(404);
    const bVoucher = await app.store.db
      .selectFrom('vouchers')
      .selectAll()
      .where('id', '=', b.voucherId)
      .executeTakeFirstOrThrow();
    expect(bVoucher.status).toBe('new');
  });

  it('creates an API token shown once, stored hashed, revocable', async () => {
    const page = await owner.post(
      '/admin/api-tokens',
      { name: 'Billing', role: 'admin' },
      '/admin/api-tokens',
    );
    expect(page.statusCode).toBe(201);
    const token = /data-token="?[^>]*>([^<]+)</.exec(page.body)?.[1]?.trim();
    expect(token).toMatch(/^pt_/);
    const api = await app.http.inject({
      url: '/api/v1/plans',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(api.statusCode).toBe(200);
    const list = await owner.get('/admin/api-tokens');
    expect(list.body).not.toContain(token!);
    expect(list.body).toContain(token!.slice(0, 10));
    const row = await app.store.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('name', '=', 'Billing')
      .executeTakeFirstOrThrow();
    expect(row.token_hash).not.toContain(token!);
    await owner.post(`/admin/api-tokens/${row.id}/revoke`, {}, '/admin/api-tokens');
    const after = await app.http.inject({
      url: '/api/v1/plans',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.statusCode).toBe(401);
  });

  it('refuses a role that is not one of the three in the access forms, with the form again, and changes nothing', async () => {
    const before = await app.store.db.selectFrom('api_tokens').select('id').execute();
    for (const role of ['root', '']) {
      const token = await owner.post('/admin/api-tokens', { name: 'Odd role', role }, '/admin/api-tokens');
      expect(token.statusCode, role).toBe(400);
      expect(token.body).toContain('Choose a role');
      expect(token.body).toContain('<form');
    }
    expect(await app.store.db.selectFrom('api_tokens').select('id').execute()).toHaveLength(before.length);
    const noRole = await owner.post(
      '/admin/admins',
      { email: 'odd@example.com', name: 'Odd', password: 'a long enough password' },
      '/admin/admins',
    );
    expect(noRole.statusCode).toBe(400);
    expect(noRole.body).toContain('Choose a role');
    const created = await app.store.db
      .selectFrom('admins')
      .select('id')
      .where('email', '=', 'odd@example.com')
      .execute();
    expect(created).toHaveLength(0);
    // The schema's refusal does not bypass the CSRF check: without a token it is 403.
    const forged = await owner.postRaw('/admin/api-tokens', 'name=x&role=root');
    expect(forged.statusCode).toBe(403);
  });

  it('lets the super-admin create a tenant whose admins see only their tenant', async () => {
    const created = await owner.post(
      '/admin/tenants',
      {
        name: 'Campground',
        slug: 'campground',
        hosts: 'camp.example.com',
        country: 'GB',
        currency: 'GBP',
        timeZone: 'Europe/London',
        adminEmail: 'camp@example.com',
        adminPassword: 'campground password',
      },
      '/admin/tenants',
    );
    expect(created.statusCode).toBe(303);
    const camp = new AdminClient(app, 'camp.example.com');
    expect((await camp.signIn('camp@example.com', 'campground password')).statusCode).toBe(303);
    const plans = await camp.get('/admin/plans');
    expect(plans.body).toContain('No plans yet.');
    expect((await camp.get(`/admin/plans/${a.planId}`)).statusCode).toBe(404);
    expect((await camp.get('/admin/tenants')).statusCode).toBe(403);
    // The same admin cannot sign in on another tenant's host.
    expect(
      (await new AdminClient(app, 'localhost').signIn('camp@example.com', 'campground password')).statusCode,
    ).toBe(401);
  });

  it('changes the own password, ending other sessions', async () => {
    const admin = await createAdmin(app, tenantA, { role: 'readonly' });
    const first = new AdminClient(app);
    const second = new AdminClient(app);
    await first.signIn(admin.email);
    await second.signIn(admin.email);
    const wrong = await first.post(
      '/admin/account/password',
      { current: 'wrong', next: 'a brand new password' },
      '/admin/account',
    );
    expect(wrong.statusCode).toBe(400);
    const changed = await first.post(
      '/admin/account/password',
      { current: 'correct horse battery staple', next: 'a brand new password' },
      '/admin/account',
    );
    expect(changed.statusCode).toBe(303);
    expect((await first.get('/admin')).statusCode).toBe(200);
    expect((await second.get('/admin')).statusCode).toBe(303);
    expect((await new AdminClient(app).signIn(admin.email, 'a brand new password')).statusCode).toBe(303);
  });
});
