import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { AdminClient, createAdmin, createApiToken, callApi } from '../../test/helpers/admin.js';
import { createHotspot, createSession, createTenant } from '../../test/helpers/factories.js';
import { FakeSessionTerminator } from '../usage/index.js';

describe.each(TEST_DIALECTS)('hotspots and sessions from the admin area and the API (%s)', (dialect) => {
  let app: TestApp;
  let terminator: FakeSessionTerminator;
  let tenantA: number;
  let ownerToken: string;
  let readonlyToken: string;
  let otherHotspotId: number;
  let otherSessionId: number;

  const api = (token: string, method: string, url: string, payload?: Record<string, unknown>) =>
    callApi(app, token, method, url, payload);

  beforeAll(async () => {
    terminator = new FakeSessionTerminator();
    app = await buildTestApp(dialect, { overrides: { sessionTerminator: terminator } });
    tenantA = app.bootstrapped.tenant.id;
    ownerToken = await createApiToken(app, tenantA, 'owner');
    readonlyToken = await createApiToken(app, tenantA, 'readonly');
    const other = await createTenant(app.store.db, { hosts: ['other.example.com'] });
    const hotspot = await createHotspot(app.store.db, other.id);
    otherHotspotId = hotspot.id;
    otherSessionId = (await createSession(app.store.db, { tenant_id: other.id, hotspot_id: hotspot.id })).id;
  });
  afterAll(() => app.destroy());

  it('adds a hotspot with a generated secret and shows the RouterOS configuration', async () => {
    const owner = new AdminClient(app);
    await owner.signIn((await createAdmin(app, tenantA)).email);
    const created = await owner.post(
      '/admin/hotspots',
      {
        title: 'Lobby <b>router</b>',
        vendor: 'mikrotik',
        ipAddress: '127.0.0.77',
        requireMessageAuthenticator: 'on',
      },
      '/admin/hotspots/new',
    );
    expect(created.statusCode).toBe(303);
    const page = await owner.get(created.headers.location as string);
    const row = await app.store.db
      .selectFrom('hotspots')
      .selectAll()
      .where('ip_address', '=', '127.0.0.77')
      .executeTakeFirstOrThrow();
    expect(row.secret).toHaveLength(24);
    expect(page.body).toContain(row.secret);
    expect(page.body).toContain('/radius add');
    expect(page.body).not.toContain('<b>router</b>');
    const dup = await owner.post(
      '/admin/hotspots',
      { title: 'Again', ipAddress: '127.0.0.77' },
      '/admin/hotspots/new',
    );
    expect(dup.statusCode).toBe(400);
    const readonly = new AdminClient(app);
    await readonly.signIn((await createAdmin(app, tenantA, { role: 'readonly' })).email);
    const hidden = await readonly.get(`/admin/hotspots/${row.id}`);
    expect(hidden.statusCode).toBe(200);
    expect(hidden.body).not.toContain(row.secret);
  });

  it('manages hotspots through the API, hiding secrets from read-only tokens', async () => {
    const created = await api(ownerToken, 'POST', '/api/v1/hotspots', {
      title: 'Pool',
      ipAddress: '127.0.0.88',
    });
    expect(created.statusCode).toBe(201);
    const hotspot = created.json<{ id: number; secret: string; coaPort: number }>();
    expect(hotspot.secret).toHaveLength(24);
    expect(hotspot.coaPort).toBe(3799);
    const seen = await api(readonlyToken, 'GET', `/api/v1/hotspots/${hotspot.id}`);
    expect(seen.json()).toMatchObject({ id: hotspot.id, secret: null });
    expect(
      (await api(readonlyToken, 'PATCH', `/api/v1/hotspots/${hotspot.id}`, { title: 'x' })).statusCode,
    ).toBe(403);
    const patched = await api(ownerToken, 'PATCH', `/api/v1/hotspots/${hotspot.id}`, {
      location: 'Pool bar',
    });
    expect(patched.json()).toMatchObject({ location: 'Pool bar', title: 'Pool', secret: hotspot.secret });
    expect((await api(ownerToken, 'GET', `/api/v1/hotspots/${otherHotspotId}`)).statusCode).toBe(404);
    expect((await api(ownerToken, 'DELETE', `/api/v1/hotspots/${otherHotspotId}`)).statusCode).toBe(404);
    expect((await api(ownerToken, 'DELETE', `/api/v1/hotspots/${hotspot.id}`)).statusCode).toBe(204);
  });

  it('disconnects a live session at its hotspot, only within the tenant', async () => {
    const hotspot = await createHotspot(app.store.db, tenantA);
    const session = await createSession(app.store.db, {
      tenant_id: tenantA,
      hotspot_id: hotspot.id,
      acct_session_id: 'abc-1',
    });
    const response = await api(ownerToken, 'POST', `/api/v1/sessions/${session.id}/disconnect`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ sessionId: session.id, confirmed: true });
    expect(terminator.requests.at(-1)).toMatchObject({ session: { acctSessionId: 'abc-1' } });
    const before = terminator.requests.length;
    expect((await api(ownerToken, 'POST', `/api/v1/sessions/${otherSessionId}/disconnect`)).statusCode).toBe(
      404,
    );
    expect((await api(readonlyToken, 'POST', `/api/v1/sessions/${session.id}/disconnect`)).statusCode).toBe(
      403,
    );
    expect(terminator.requests.length).toBe(before);
  });
});
