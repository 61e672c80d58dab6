/**
 * What a new operator sees before there is anything to see: the dashboard's "Getting started"
 * checklist, empty lists that say what to do (and "none match" only when filtered), the way from
 * "assign to a phone nobody has" to a new customer holding the voucher, refusals explained inside
 * the admin shell, forms that keep what was typed. Each case gets a fresh tenant of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { AdminClient, createAdmin } from '../../../test/helpers/admin.js';
import {
  createCustomer,
  createHotspot,
  createPlan,
  createSession,
  createTenant,
  createVoucher,
} from '../../../test/helpers/factories.js';

describe.each(TEST_DIALECTS)('admin for a new operator (%s)', (dialect) => {
  let app: TestApp;
  let tenants = 0;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
  });
  afterAll(async () => {
    await app?.destroy();
  });

  /** A new tenant with nothing in it, and a signed-in admin of `role`. */
  async function freshTenant(role: 'owner' | 'readonly' = 'owner') {
    const host = `first-run-${++tenants}.example.com`;
    const tenant = await createTenant(app.store.db, { hosts: [host], name: `Cafe ${tenants}` });
    const admin = await createAdmin(app, tenant.id, { role });
    const client = new AdminClient(app, host);
    expect((await client.signIn(admin.email)).statusCode).toBe(303);
    return { tenant, client };
  }

  const stepsDone = (html: string) =>
    [...html.matchAll(/<li class="(done|todo)" data-step="(\w+)"/g)]
      .filter((m) => m[1] === 'done')
      .map((m) => m[2]);

  it('shows owners a checklist that follows their progress; read-only admins none', async () => {
    const { tenant, client } = await freshTenant();
    let page = await client.get('/admin');
    expect(page.body).toContain('Getting started');
    expect(page.body).toContain('0 of 8 done');
    expect(stepsDone(page.body)).toEqual([]);
    expect(page.body).toContain('No activations or data in the last 30 days yet');
    expect(page.body).toContain('Set your public address there too');

    const plan = await createPlan(app.store.db, tenant.id);
    await createHotspot(app.store.db, tenant.id);
    const customer = await createCustomer(app.store.db, tenant.id);
    await createVoucher(app.store.db, plan, { customer_id: customer.id });
    page = await client.get('/admin');
    expect(page.body).toContain('3 of 8 done');
    expect(stepsDone(page.body)).toEqual(['plan', 'hotspot', 'assigned']);

    const { client: reader } = await freshTenant('readonly');
    page = await reader.get('/admin');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Getting started');
  });

  it('says what to do on empty lists, and "none match" only when filtered', async () => {
    const { client } = await freshTenant();
    const cases: Array<[string, string, string]> = [
      ['/admin/plans', 'A plan is what you sell', 'No plans match.'],
      ['/admin/customers', 'Customers are your guests', 'No customers match.'],
      ['/admin/vouchers', 'after creating a plan under', 'No vouchers match.'],
      ['/admin/sessions', 'A session starts when a guest connects', 'No sessions match.'],
      ['/admin/logs/sms', 'Every text Portico sends', 'No SMS match.'],
    ];
    for (const [url, empty, none] of cases) {
      const unfiltered = await client.get(url);
      expect(unfiltered.statusCode, url).toBe(200);
      expect(unfiltered.body, url).toContain(empty);
      const filtered = await client.get(
        `${url}?${url.includes('sessions') ? 'online=yes' : 'q=zzz&code=zzz&recipient=zzz'}`,
      );
      expect(filtered.body, url).toContain(none);
      expect(filtered.body, url).not.toContain(empty);
    }
    // Generating vouchers without a plan points to creating one.
    const generate = await client.get('/admin/vouchers/generate');
    expect(generate.body).toContain('data-hint="no-plans"');
    expect(generate.body).toContain('href="/admin/plans/new"');
    // A voucher for one customer starts at quantity 1 (a series for stock at 10).
    expect(generate.body).not.toContain('name="quantity"');
    const { tenant: t2, client: c2 } = await freshTenant();
    await createPlan(app.store.db, t2.id);
    expect((await c2.get('/admin/vouchers/generate')).body).toMatch(/name="quantity"[^>]*value="10"/);
    expect((await c2.get('/admin/vouchers/generate?customer=%2B12025550123')).body).toMatch(
      /name="quantity"[^>]*value="1"/,
    );
    // Sort orders are words, not column names.
    const plans = await client.get('/admin/plans');
    expect(plans.body).toContain('>Newest first</option>');
    expect(plans.body).not.toContain('>-created_at</option>');
  });

  it('assigns a voucher to a phone nobody has by creating the customer first', async () => {
    const { tenant, client } = await freshTenant();
    const plan = await createPlan(app.store.db, tenant.id);
    const voucher = await createVoucher(app.store.db, plan);
    const assign = await client.post(
      `/admin/vouchers/${voucher.id}/assign`,
      { customer: '(202) 555-0161' },
      `/admin/vouchers/${voucher.id}`,
    );
    expect(assign.statusCode).toBe(303);
    const next = assign.headers.location as string;
    expect(next).toBe(`/admin/customers/new?phone=%2B12025550161&assignVoucher=${voucher.id}`);
    const form = await client.get(next);
    expect(form.body).toContain('No customer has the number +12025550161 yet.');
    expect(form.body).toContain(`name="assignVoucher" value="${voucher.id}"`);
    expect(form.body).toContain('value="+12025550161"');
    // Nothing is created until the operator saves.
    const before = await app.store.db
      .selectFrom('customers')
      .select('id')
      .where('tenant_id', '=', tenant.id)
      .execute();
    expect(before).toEqual([]);

    const saved = await client.post(
      '/admin/customers',
      { phone: '+12025550161', name: 'Walk-in guest', email: '', assignVoucher: String(voucher.id) },
      next,
    );
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/admin/vouchers/${voucher.id}?notice=assigned-new`);
    const row = await app.store.db
      .selectFrom('vouchers')
      .innerJoin('customers', 'customers.id', 'vouchers.customer_id')
      .select(['customers.phone', 'customers.name', 'customers.tenant_id'])
      .where('vouchers.id', '=', voucher.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ phone: '+12025550161', name: 'Walk-in guest', tenant_id: tenant.id });
    const page = await client.get(saved.headers.location as string);
    expect(page.body).toContain('Customer created and the voucher assigned to them.');
  });

  it('explains a refused action inside the admin shell, with the way back', async () => {
    const { tenant, client } = await freshTenant();
    const plan = await createPlan(app.store.db, tenant.id);
    const customer = await createCustomer(app.store.db, tenant.id);
    const voucher = await createVoucher(app.store.db, plan, { customer_id: customer.id });
    const from = `/admin/vouchers/${voucher.id}`;
    const refused = await client.request({
      method: 'POST',
      url: `/admin/vouchers/${voucher.id}/send-sms`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        referer: `http://${client.host}${from}`,
      },
      payload: new URLSearchParams({ _csrf: await client.csrf(from) }).toString(),
    });
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    expect(refused.statusCode).toBeLessThan(500);
    expect(refused.body).toContain('class="admin-nav"');
    expect(refused.body).toContain('No SMS gateway is enabled: add one under Config > SMS gateways');
    expect(refused.body).toContain(`href="${from}"`);
    // JSON clients still get problem+json.
    const json = await client.request({
      method: 'POST',
      url: `/admin/vouchers/${voucher.id}/send-sms`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      payload: new URLSearchParams({ _csrf: await client.csrf(from) }).toString(),
    });
    expect(json.headers['content-type']).toContain('application/problem+json');
  });

  it('keeps what was typed when a plan or hotspot form is refused', async () => {
    const { client } = await freshTenant();
    const plan = await client.post(
      '/admin/plans',
      { title: 'Week <b>pass</b>', voucherPrefix: 'week', price: 'ten dollars', dataLimitMb: '5000' },
      '/admin/plans/new',
    );
    expect(plan.statusCode).toBe(400);
    expect(plan.body).toContain('The price must be a number');
    expect(plan.body).toContain('value="Week &lt;b>pass&lt;/b>"');
    expect(plan.body).toContain('value="ten dollars"');
    expect(plan.body).toContain('value="5000"');

    const hotspot = await client.post(
      '/admin/hotspots',
      { title: 'Garden', ipAddress: '10.0.0.300', location: 'Back garden', coaPort: '1700' },
      '/admin/hotspots/new',
    );
    expect(hotspot.statusCode).toBe(400);
    expect(hotspot.body).toContain('Please correct the hotspot fields: Enter an IPv4 or IPv6 address.');
    expect(hotspot.body).toContain('value="Back garden"');
    expect(hotspot.body).toContain('value="1700"');
  });

  it('shows and filters sessions by hotspot', async () => {
    const { tenant, client } = await freshTenant();
    const lobby = await createHotspot(app.store.db, tenant.id, { title: 'Lobby AP' });
    const garden = await createHotspot(app.store.db, tenant.id, { title: 'Garden AP' });
    await createSession(app.store.db, {
      tenant_id: tenant.id,
      hotspot_id: lobby.id,
      user_name: 'lobby-guest',
    });
    await createSession(app.store.db, {
      tenant_id: tenant.id,
      hotspot_id: garden.id,
      user_name: 'garden-guest',
    });
    const all = await client.get('/admin/sessions');
    expect(all.body).toContain('>Lobby AP</a>');
    expect(all.body).toContain('>Garden AP</a>');
    const filtered = await client.get(`/admin/sessions?online=yes&hotspotId=${garden.id}`);
    expect(filtered.body).toContain('garden-guest');
    expect(filtered.body).not.toContain('lobby-guest');
    const detail = await client.get(`/admin/hotspots/${garden.id}`);
    expect(detail.body).toContain(`href="/admin/sessions?online=yes&amp;hotspotId=${garden.id}"`);
  });

  it('lets the owner set the business details that every page and SMS use', async () => {
    const { tenant, client } = await freshTenant();
    const form = await client.get('/admin/config/business');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<option value="Europe/Berlin">Europe/Berlin</option>');
    // A bad zone and country are refused, with the reasons and the typed values kept.
    const refused = await client.post(
      '/admin/config/business',
      {
        name: 'Café <i>Nord</i>',
        defaultCountry: 'Deutschland',
        currency: 'EUR',
        timeZone: 'Mars/Olympus',
        locale: 'de-DE',
        publicUrl: '',
      },
      '/admin/config/business',
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('The business needs a 2-letter country code, a valid IANA time zone');
    expect(refused.body).toContain('value="Café &lt;i>Nord&lt;/i>"');
    const saved = await client.post(
      '/admin/config/business',
      {
        name: 'Café <i>Nord</i>',
        defaultCountry: 'de',
        currency: 'eur',
        timeZone: 'Europe/Berlin',
        locale: 'de-DE',
        publicUrl: 'https://wifi.cafe-nord.example/',
      },
      '/admin/config/business',
    );
    expect(saved.statusCode).toBe(303);
    const row = await app.store.db
      .selectFrom('tenants')
      .select(['name', 'default_country', 'currency', 'time_zone', 'locale', 'public_url'])
      .where('id', '=', tenant.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      name: 'Café <i>Nord</i>',
      default_country: 'DE',
      currency: 'EUR',
      time_zone: 'Europe/Berlin',
      locale: 'de-DE',
      public_url: 'https://wifi.cafe-nord.example',
    });
    // At once: the shell shows the new name (escaped), phone numbers are German, the portal
    // address is the public one.
    const dashboard = await client.get('/admin');
    expect(dashboard.body).toContain('Café &lt;i>Nord&lt;/i>');
    expect(dashboard.body).toContain('<strong>Europe/Berlin</strong>');
    const customer = await client.post(
      '/admin/customers',
      { phone: '030 1234567', name: '', email: '' },
      '/admin/customers/new',
    );
    expect(customer.statusCode).toBe(303);
    const created = await app.store.db
      .selectFrom('customers')
      .select('phone')
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirstOrThrow();
    expect(created.phone).toBe('+49301234567');
    const portal = await client.get('/admin/config/portal');
    expect(portal.body).toContain('href="https://wifi.cafe-nord.example/portal"');
  });

  it('lets only owners change the business details', async () => {
    const { tenant, client: reader } = await freshTenant('readonly');
    const page = await reader.get('/admin/config/business');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Only owners can change them.');
    const admin = await createAdmin(app, tenant.id, { role: 'admin' });
    const plain = new AdminClient(app, reader.host);
    expect((await plain.signIn(admin.email)).statusCode).toBe(303);
    for (const client of [reader, plain]) {
      const response = await client.post(
        '/admin/config/business',
        { name: 'Taken over', defaultCountry: 'US', currency: 'USD', timeZone: 'UTC', locale: 'en-US' },
        '/admin/config/business',
      );
      expect(response.statusCode).toBe(403);
    }
    const row = await app.store.db
      .selectFrom('tenants')
      .select('name')
      .where('id', '=', tenant.id)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe(tenant.name);
  });

  it('prints on voucher cards the code guests can type, with its limits in words', async () => {
    const { tenant, client } = await freshTenant();
    const plan = await createPlan(app.store.db, tenant.id, {
      data_limit_bytes: 500_000_000,
      time_limit_seconds: 3600,
    });
    const series = await app.vouchers.createSeries(
      tenant.id,
      { planId: plan.id, quantity: 2, expiryMode: 'after_activation' },
      null,
    );
    await app.vouchers.generator.idle();
    const voucher = await app.store.db
      .selectFrom('vouchers')
      .select(['code', 'short_code'])
      .where('series_id', '=', series.id)
      .executeTakeFirstOrThrow();
    let cards = await client.get(`/admin/vouchers/series/${series.id}/print`);
    expect(cards.body).toContain(`<div class="card-code">${voucher.short_code}</div>`);
    expect(cards.body).toContain('500 MB data · 1 h online');
    // With short codes refused at the hotspot, the card shows the full code instead.
    const settings = await app.tenants.getSettings(tenant.id, 'vouchers');
    await app.tenants.putSettings(
      tenant.id,
      'vouchers',
      { ...settings, acceptShortCode: false },
      app.clock.nowMs(),
    );
    cards = await client.get(`/admin/vouchers/series/${series.id}/print`);
    expect(cards.body).toContain(`<div class="card-code">${voucher.code}</div>`);
    expect(cards.body).not.toContain(`<div class="card-code">${voucher.short_code}</div>`);
  });

  it('warns on Notifications that SMS links need the public address', async () => {
    const { tenant, client } = await freshTenant();
    expect((await client.get('/admin/config/notifications')).body).toContain('data-hint="public-url"');
    await app.store.db
      .updateTable('tenants')
      .set({ public_url: 'https://wifi.example.com' })
      .where('id', '=', tenant.id)
      .execute();
    app.clock.advance(11_000); // past the host cache
    expect((await client.get('/admin/config/notifications')).body).not.toContain('data-hint="public-url"');
  });
});
