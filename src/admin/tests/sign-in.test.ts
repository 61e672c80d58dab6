import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { AdminClient, createAdmin, TEST_PASSWORD } from '../../../test/helpers/admin.js';
import { verifyPassword } from '../../auth/index.js';
import { NAV } from '../views/layout.js';

describe.each(TEST_DIALECTS)('admin sign-in and shell (%s)', (dialect) => {
  let app: TestApp;
  let tenantId: number;
  beforeAll(async () => {
    app = await buildTestApp(dialect);
    tenantId = app.bootstrapped.tenant.id;
  });
  afterAll(() => app.destroy());

  it('creates the first admin with a generated password on first start, printed once', async () => {
    expect(app.firstAdmin.createdAdmin).toBe(true);
    expect(app.firstAdmin.generatedPassword).toMatch(/^[\w-]{20}$/);
    const row = await app.store.db.selectFrom('admins').selectAll().executeTakeFirstOrThrow();
    expect(row.is_super).toBe(1);
    expect(row.role).toBe('owner');
    expect(row.password_hash).not.toContain(app.firstAdmin.generatedPassword);
    expect(await verifyPassword(app.firstAdmin.generatedPassword!, row.password_hash)).toBe(true);
    const client = new AdminClient(app);
    const response = await client.signIn(row.email, app.firstAdmin.generatedPassword);
    expect(response.statusCode).toBe(303);
  });

  it('redirects to sign-in without a session and shows the shell after it', async () => {
    const client = new AdminClient(app);
    const before = await client.get('/admin/customers');
    expect(before.statusCode).toBe(303);
    expect(before.headers.location).toBe('/admin/sign-in');

    const admin = await createAdmin(app, tenantId, { role: 'admin', name: 'Ada' });
    const signIn = await client.signIn(admin.email);
    expect(signIn.statusCode).toBe(303);
    const dashboard = await client.get('/admin');
    expect(dashboard.statusCode).toBe(200);
    for (const label of [
      'Dashboard',
      'Customers',
      'Vouchers',
      'Plans',
      'Hotspots',
      'Sessions',
      'Portal',
      'Notifications',
      'SMS gateways',
      'SMS Logs',
    ])
      expect(dashboard.body).toContain(`>${label}</a>`);
    expect(dashboard.body).toContain('Online now');
    // A section nobody has built yet answers a short note (SMS gateways has its page now).
    // Every navigation item answers: its page, or a short "coming soon" while it is being built.
    for (const item of NAV) {
      const page = await client.get(item.href);
      expect(page.statusCode, item.href).toBe(item.superOnly || item.ownerOnly ? 403 : 200);
    }
    const unknown = await client.get('/admin/nope');
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses a wrong password with the same answer as an unknown email', async () => {
    const admin = await createAdmin(app, tenantId);
    const wrong = await new AdminClient(app).signIn(admin.email, 'not the password at all');
    const unknown = await new AdminClient(app).signIn('nobody@example.com', TEST_PASSWORD);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.body).toContain('The email or password is not correct.');
    expect(unknown.body).toContain('The email or password is not correct.');
  });

  it('refuses a sign-in without a valid CSRF token', async () => {
    const admin = await createAdmin(app, tenantId);
    const client = new AdminClient(app);
    await client.get('/admin/sign-in');
    const response = await client.postRaw(
      '/admin/sign-in',
      new URLSearchParams({ email: admin.email, password: TEST_PASSWORD, _csrf: 'forged' }).toString(),
    );
    expect(response.statusCode).toBe(403);
    expect(response.cookies.find((c) => c.name === 'portico_admin')).toBeUndefined();
  });

  it('signs out server-side: the old cookie no longer opens anything', async () => {
    const admin = await createAdmin(app, tenantId);
    const client = new AdminClient(app);
    await client.signIn(admin.email);
    const cookie = client.cookieHeader;
    const out = await client.post('/admin/sign-out', {});
    expect(out.statusCode).toBe(303);
    const replay = await app.http.inject({ url: '/admin', headers: { cookie, accept: 'text/html' } });
    expect(replay.statusCode).toBe(303);
  });

  it('rate-limits sign-in attempts per client', async () => {
    const client = new AdminClient(app);
    const token = await client.csrf('/admin/sign-in');
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const response = await client.request({
        method: 'POST',
        url: '/admin/sign-in',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '1.2.3.4' },
        payload: new URLSearchParams({
          email: 'x@example.com',
          password: 'wrong password!!',
          _csrf: token,
        }).toString(),
      });
      codes.push(response.statusCode);
    }
    expect(codes).toContain(429);
  });
});

describe.each(TEST_DIALECTS)('first admin from the environment (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp(dialect, {
      env: {
        PORTICO_ADMIN_EMAIL: 'Boss@Example.com',
        PORTICO_ADMIN_PASSWORD: 'a long enough password',
        PORTICO_BOOTSTRAP_API_TOKEN: 'bootstrap-token-0123456789-abcdefghijkl',
      },
    });
  });
  afterAll(() => app.destroy());

  it('uses PORTICO_ADMIN_EMAIL/PASSWORD and stores the bootstrap API token hashed as an owner token', async () => {
    expect(app.firstAdmin).toMatchObject({
      createdAdmin: true,
      email: 'Boss@Example.com',
      createdBootstrapToken: true,
    });
    expect(app.firstAdmin.generatedPassword).toBeUndefined();
    const signIn = await new AdminClient(app).signIn('boss@example.com', 'a long enough password');
    expect(signIn.statusCode).toBe(303);
    const token = await app.store.db.selectFrom('api_tokens').selectAll().executeTakeFirstOrThrow();
    expect(token.role).toBe('owner');
    expect(token.token_hash).not.toContain('bootstrap-token');
    const api = await app.http.inject({
      url: '/api/v1/plans',
      headers: { authorization: 'Bearer bootstrap-token-0123456789-abcdefghijkl' },
    });
    expect(api.statusCode).toBe(200);
  });
});
