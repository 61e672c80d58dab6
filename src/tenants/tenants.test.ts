import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { createTenant } from '../../test/helpers/factories.js';
import { createAdmin, createApiToken } from '../../test/helpers/admin.js';

describe.each(TEST_DIALECTS)('tenant by host name (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp(dialect);
    await createTenant(app.store.db, { name: 'Default', is_default: 1 });
    await createTenant(app.store.db, { name: 'Beach Café', hosts: ['beach.example.com'] });
  });
  afterAll(() => app.destroy());

  it('serves the tenant whose host matches, ignoring case and port', async () => {
    const tenant = await app.tenants.findByHost('beach.example.com');
    const resolved = await app.http.inject({ url: '/healthz', headers: { host: 'BEACH.example.com:8080' } });
    expect(resolved.statusCode).toBe(200);
    expect(tenant?.name).toBe('Beach Café');
  });

  it('answers 404 on a host name no tenant claims once there are several tenants', async () => {
    const response = await app.http.inject({
      url: '/nope',
      headers: { host: 'other.example.org', accept: 'application/json' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 404, code: 'TENANT_UNKNOWN' });
  });

  it('answers 404 for unknown routes with an HTML page for browsers, never a stack trace', async () => {
    const response = await app.http.inject({ url: '/portal/%3Cscript%3E', headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('<!doctype html>');
    expect(response.body).not.toContain('<script>');
    expect(response.body).not.toMatch(/at .+\.ts:\d+/);
  });
});

/**
 * Issue 10 (Low): an unknown Host got the default tenant even on a multi-tenant instance. The
 * fallback is on for a single-tenant install and off once a second tenant exists (or as set).
 */
describe.each(TEST_DIALECTS)('unknown host names (%s)', (dialect) => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.destroy();
    app = undefined;
  });

  const signInPage = (host: string) =>
    app!.http.inject({ url: '/admin/sign-in', headers: { host, accept: 'text/html' } });

  it('a single-tenant install answers on any name; a second tenant ends that at once', async () => {
    app = await buildTestApp(dialect);
    const defaultName = app.bootstrapped.tenant.name;
    const before = await signInPage('wifi.anything.example');
    expect(before.statusCode).toBe(200);
    expect(before.body).toContain(defaultName);

    // The super-admin creates a second tenant through the API.
    const superAdmin = await createAdmin(app, app.bootstrapped.tenant.id, { role: 'owner', isSuper: true });
    const token = await createApiToken(app, app.bootstrapped.tenant.id, 'owner', superAdmin.id);
    const created = await app.http.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: { host: 'localhost', authorization: `Bearer ${token}` },
      payload: {
        name: 'Beach Café',
        slug: 'beach',
        hosts: ['beach.example.com'],
        adminEmail: 'owner@beach.example.com',
        adminPassword: 'beach-password-1',
      },
    });
    expect(created.statusCode).toBe(201);

    const after = await signInPage('wifi.anything.example');
    expect(after.statusCode).toBe(404);
    expect(after.body).not.toContain(defaultName);
    expect((await signInPage('beach.example.com')).body).toContain('Beach Café');
    // The default tenant keeps its own names: loopback, and its public URL's host.
    expect((await signInPage('localhost:3000')).body).toContain(defaultName);
    expect((await signInPage('wifi.default.example')).statusCode).toBe(404);
    await app.tenants.updateDetails(app.bootstrapped.tenant.id, {
      name: defaultName,
      defaultCountry: 'US',
      currency: 'USD',
      timeZone: 'UTC',
      locale: 'en-US',
      publicUrl: 'https://wifi.default.example',
    });
    app.clock.advance(11_000); // past the host cache
    expect((await signInPage('wifi.default.example')).body).toContain(defaultName);
  });

  it('PORTICO_HOST_FALLBACK=on keeps the fallback with several tenants; off refuses it with one', async () => {
    app = await buildTestApp(dialect, { env: { PORTICO_HOST_FALLBACK: 'on' } });
    await createTenant(app.store.db, { name: 'Beach Café', hosts: ['beach.example.com'] });
    expect((await signInPage('wifi.anything.example')).statusCode).toBe(200);
    await app.destroy();
    app = await buildTestApp(dialect, { env: { PORTICO_HOST_FALLBACK: 'off' } });
    expect((await signInPage('wifi.anything.example')).statusCode).toBe(404);
    expect((await signInPage('localhost')).statusCode).toBe(200);
  });
});
