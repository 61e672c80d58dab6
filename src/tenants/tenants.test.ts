import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { createTenant } from '../../test/helpers/factories.js';

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

  it('falls back to the default tenant on any other host', async () => {
    const response = await app.http.inject({
      url: '/nope',
      headers: { host: 'other.example.org', accept: 'application/json' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('answers 404 for unknown routes with an HTML page for browsers, never a stack trace', async () => {
    const response = await app.http.inject({ url: '/portal/%3Cscript%3E', headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('<!doctype html>');
    expect(response.body).not.toContain('<script>');
    expect(response.body).not.toMatch(/at .+\.ts:\d+/);
  });
});
