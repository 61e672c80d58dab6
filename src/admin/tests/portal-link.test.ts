/**
 * With no public address set, SMS portal links use the address the operator reached the admin
 * at, and Config > Portal shows that same address and says why (issue 15, item 7).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { AdminClient, createAdmin, signedInAdmin } from '../../../test/helpers/admin.js';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';

describe.each(TEST_DIALECTS)('portal link in SMS (%s)', (dialect) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
  });
  afterAll(() => app.destroy());

  it('uses the address the admin signed in at, on the page and in the SMS', async () => {
    const tenant = app.bootstrapped.tenant;
    const admin = await createAdmin(app, tenant.id, { role: 'owner' });
    const client = new AdminClient(app, '192.168.1.5:3000');
    expect((await client.signIn(admin.email)).statusCode).toBe(303);

    const preview = await app.notifications.preview(tenant);
    expect(preview.text).toContain('http://192.168.1.5:3000/portal');
    expect(preview.text).not.toContain('localhost');

    const page = await client.get('/admin/config/portal');
    expect(page.body).toContain('href="http://192.168.1.5:3000/portal"');
    expect(page.body).toContain('because it is the one you used to reach this admin area');
  });
});

describe.each(TEST_DIALECTS)('settings that say what they do (%s)', (dialect) => {
  let app: TestApp;
  let owner: AdminClient;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    owner = await signedInAdmin(app, app.bootstrapped.tenant.id);
  });
  afterAll(() => app.destroy());

  it('says why "Show Associated Devices block" cannot apply while OTP is off', async () => {
    const saved = await owner.post(
      '/admin/config/portal',
      { showDevices: 'on', otpLength: '6' },
      '/admin/config/portal',
    );
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/admin/config/portal?notice=saved-devices-need-otp');
    const page = await owner.get(String(saved.headers.location));
    expect(page.body).toContain('Saved. The Associated Devices block stays hidden until');
    expect(page.body).toContain('data-warning="devices-need-otp"');
    expect(page.body).not.toContain('<p class="notice" role="status">Saved.</p>');
  });

  it('saves every one-time code limit from the form and shows it back; refuses one out of range', async () => {
    const limits = {
      otpLength: '7',
      otpTtlSeconds: '240',
      otpMaxAttempts: '4',
      otpResendCooldownSeconds: '90',
      otpMaxPerNumberPerHour: '6',
      otpMaxPerIpPerHour: '50',
      otpMaxPerTenantPerDay: '900',
    };
    const saved = await owner.post('/admin/config/portal', limits, '/admin/config/portal');
    expect(saved.statusCode).toBe(303);
    const page = await owner.get('/admin/config/portal');
    for (const [name, value] of Object.entries(limits))
      expect(page.body, name).toMatch(new RegExp(`name="${name}"[^>]*value="${value}"`));
    expect(page.body).toContain('Code length, digits <small>(6–10)</small>');
    const refused = await owner.post(
      '/admin/config/portal',
      { ...limits, otpMaxAttempts: '50' },
      '/admin/config/portal',
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Wrong tries per code');
  });

  it('warns about a status-page text without {{ link }}, and names the once-per-customer rule', async () => {
    const noLink = await owner.post(
      '/admin/config/notifications',
      { intent: 'preview', frequency: 'once', template: 'Welcome to the Wi-Fi!' },
      '/admin/config/notifications',
    );
    expect(noLink.body).toContain('data-warning="no-link"');
    const withLink = await owner.post(
      '/admin/config/notifications',
      { intent: 'preview', frequency: 'once', template: 'Your usage: {{ .link }}' },
      '/admin/config/notifications',
    );
    expect(withLink.body).not.toContain('data-warning="no-link"');
    expect(withLink.body).toContain('Once per customer (at their first voucher activation while this is on');
  });
});

describe.each(TEST_DIALECTS)('one admin date format (%s)', (dialect) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
  });
  afterAll(() => app.destroy());

  it("writes every date in the tenant's zone and locale, the tenants list included", async () => {
    const tenant = app.bootstrapped.tenant;
    await app.store.db
      .updateTable('tenants')
      .set({ time_zone: 'America/Mexico_City', locale: 'es-MX' })
      .where('id', '=', tenant.id)
      .execute();
    const admin = await createAdmin(app, tenant.id, { role: 'owner', isSuper: true });
    const client = new AdminClient(app);
    expect((await client.signIn(admin.email)).statusCode).toBe(303);
    const createdAtMs = (
      await app.store.db
        .selectFrom('tenants')
        .select('created_at')
        .where('id', '=', tenant.id)
        .executeTakeFirstOrThrow()
    ).created_at;
    const expected = new Intl.DateTimeFormat('es-MX', {
      timeZone: 'America/Mexico_City',
      dateStyle: 'medium',
      timeStyle: 'short',
    }).format(Number(createdAtMs));
    const tenants = await client.get('/admin/tenants');
    expect(tenants.statusCode).toBe(200);
    expect(tenants.body).toContain(`<td>${expected}</td>`);
  });
});
