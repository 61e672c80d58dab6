/**
 * The hosted login page from the operator's side: the hotspot page's section and files, the
 * login method and Config > Login page (admin area, CSRF, roles) and the same through the REST
 * API; another tenant's hotspot is not found. On every database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, signedInAdmin } from '../../test/helpers/admin.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { createHotspot, createTenant } from '../../test/helpers/factories.js';

describe.each(TEST_DIALECTS)('hosted login page administration (%s)', (dialect) => {
  let app: TestApp;
  let tenantId: number;
  let hotspotId: number;
  let otherHotspotId: number;
  let ownerToken: string;
  let readonlyToken: string;

  const api = (token: string, method: string, url: string, payload?: Record<string, unknown>) =>
    app.http.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${token}`, host: 'localhost' },
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    tenantId = app.bootstrapped.tenant.id;
    hotspotId = (await createHotspot(app.store.db, tenantId, { title: 'Lobby' })).id;
    const other = await createTenant(app.store.db, { hosts: ['other.example.com'] });
    otherHotspotId = (await createHotspot(app.store.db, other.id)).id;
    ownerToken = await createApiToken(app, tenantId, 'owner');
    readonlyToken = await createApiToken(app, tenantId, 'readonly');
  });
  afterAll(() => app.destroy());

  it('shows the login page address, the files and the commands on the hotspot page', async () => {
    const owner = await signedInAdmin(app, tenantId);
    const page = await owner.get(`/admin/hotspots/${hotspotId}`);
    expect(page.statusCode).toBe(200);
    const url = /data-login-page-url="true">(http:\/\/localhost\/hotspot\/([a-z0-9]{12})\/login)</.exec(
      page.body,
    );
    expect(url).not.toBeNull();
    const publicId = url![2]!;
    expect(page.body).toContain(`/hotspot/${publicId}/files/login.html`);
    expect(page.body).toContain('/ip hotspot walled-garden add dst-host=&quot;localhost&quot;');
    expect(page.body).toContain('login-by=mac,http-chap');

    // The router downloads its login.html, which points at the page.
    const file = await app.http.inject({
      url: `/hotspot/${publicId}/files/login.html`,
      headers: { host: 'localhost' },
    });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toContain('login.html');
    expect(file.body).toContain(`action="http://localhost/hotspot/${publicId}/login"`);

    // PAP where the router is set to it; the commands follow.
    const saved = await owner.post(
      `/admin/hotspots/${hotspotId}/login-page`,
      { loginBy: 'pap' },
      `/admin/hotspots/${hotspotId}`,
    );
    expect(saved.statusCode).toBe(303);
    expect((await owner.get(`/admin/hotspots/${hotspotId}`)).body).toContain('login-by=mac,http-pap');
    const bad = await owner.post(
      `/admin/hotspots/${hotspotId}/login-page`,
      { loginBy: 'telnet' },
      `/admin/hotspots/${hotspotId}`,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('The login method is HTTP-CHAP or HTTP-PAP');
    const missing = await owner.post(
      `/admin/hotspots/${hotspotId}/login-page`,
      {},
      `/admin/hotspots/${hotspotId}`,
    );
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('The login method is HTTP-CHAP or HTTP-PAP');
    expect((await owner.get(`/admin/hotspots/${hotspotId}`)).body).toContain('login-by=mac,http-pap');
    const foreign = await owner.post(
      `/admin/hotspots/${otherHotspotId}/login-page`,
      { loginBy: 'pap' },
      `/admin/hotspots/${hotspotId}`,
    );
    expect(foreign.statusCode).toBe(404);
  });

  it("answers 404 on every guest route of a login page that does not exist here (unknown id, another tenant's page)", async () => {
    const theirs = await app.hotspotLogin.ensurePage(
      (
        await app.store.db
          .selectFrom('hotspots')
          .select('tenant_id')
          .where('id', '=', otherHotspotId)
          .executeTakeFirstOrThrow()
      ).tenant_id,
      otherHotspotId,
    );
    const ours = await app.hotspotLogin.ensurePage(tenantId, hotspotId);
    for (const publicId of ['zzzzzzzzzzzz', theirs.publicId]) {
      for (const [method, path] of [
        ['GET', 'login'],
        ['POST', 'login'],
        ['GET', 'done?f=x'],
        ['GET', 'files/login.html'],
        ['POST', 'free'],
        ['POST', 'free/code'],
      ] as const) {
        const response = await app.http.inject({
          method,
          url: `/hotspot/${publicId}/${path}`,
          headers: { host: 'localhost', accept: 'text/html' },
          ...(method === 'POST' ? { payload: { code: 'x' } } : {}),
        });
        expect(response.statusCode, `${method} ${path}`).toBe(404);
        expect(response.headers['content-type'], `${method} ${path}`).toContain('text/html');
      }
    }
    const unknownFile = await app.http.inject({
      url: `/hotspot/${ours.publicId}/files/passwd`,
      headers: { host: 'localhost' },
    });
    expect(unknownFile.statusCode).toBe(404);
  });

  it('Config > Login page: saves the switch and the look, refuses a bad colour, read-only cannot change', async () => {
    const owner = await signedInAdmin(app, tenantId);
    const saved = await owner.post(
      '/admin/config/login-page',
      {
        openPortalAfterLogin: 'on',
        accentColor: '#AA3300',
        welcomeText: 'Free <b>refills</b>',
        routerLoginHosts: 'Login.Cafe.example',
        freeAccessCodesPerDay: '250',
        smsBudgetPerMonth: '900',
      },
      '/admin/config/login-page',
    );
    expect(saved.statusCode).toBe(303);
    expect(await app.hotspotLogin.settings(tenantId)).toEqual({
      openPortalAfterLogin: true,
      accentColor: '#aa3300',
      welcomeText: 'Free <b>refills</b>',
      routerLoginHosts: ['login.cafe.example'],
      freeAccessCodesPerDay: 250,
      smsBudgetPerMonth: 900,
    });
    const zeroBudget = await owner.post(
      '/admin/config/login-page',
      { smsBudgetPerMonth: '0' },
      '/admin/config/login-page',
    );
    expect(zeroBudget.statusCode).toBe(400);
    expect(zeroBudget.body).toContain('SMS budget per month must be a whole number from 1 to');
    const page = await owner.get('/admin/config/login-page');
    expect(page.body).toContain('Free &lt;b>refills&lt;/b>');
    const bad = await owner.post(
      '/admin/config/login-page',
      { accentColor: 'red' },
      '/admin/config/login-page',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Colour looks like #0b5cad');
    const noCsrf = await owner.postRaw('/admin/config/login-page', 'accentColor=%23000000');
    expect(noCsrf.statusCode).toBe(403);

    const reader = await signedInAdmin(app, tenantId, { role: 'readonly' });
    const refused = await reader.post(
      '/admin/config/login-page',
      { accentColor: '#000000' },
      '/admin/config/login-page',
    );
    expect(refused.statusCode).toBe(403);
    expect((await app.hotspotLogin.settings(tenantId)).accentColor).toBe('#aa3300');
  });

  it('the REST API offers the same', async () => {
    const got = await api(ownerToken, 'GET', `/api/v1/hotspots/${hotspotId}/login-page`);
    expect(got.statusCode).toBe(200);
    const body = got.json<{
      publicId: string;
      files: Array<{ name: string; url: string }>;
      routerOsConfig: string;
    }>();
    expect(body.files.map((f) => f.name)).toEqual(['login.html', 'alogin.html', 'api.json']);
    expect(body.routerOsConfig).toContain('/tool fetch');
    const changed = await api(ownerToken, 'PATCH', `/api/v1/hotspots/${hotspotId}/login-page`, {
      loginBy: 'chap',
    });
    expect(changed.json<{ loginBy: string }>().loginBy).toBe('chap');
    expect(
      (await api(readonlyToken, 'PATCH', `/api/v1/hotspots/${hotspotId}/login-page`, { loginBy: 'pap' }))
        .statusCode,
    ).toBe(403);
    expect((await api(ownerToken, 'GET', `/api/v1/hotspots/${otherHotspotId}/login-page`)).statusCode).toBe(
      404,
    );
    const settings = await api(ownerToken, 'PATCH', '/api/v1/settings/login-page', {
      openPortalAfterLogin: false,
    });
    expect(settings.json<{ openPortalAfterLogin: boolean }>().openPortalAfterLogin).toBe(false);
    expect(
      (await api(ownerToken, 'PATCH', '/api/v1/settings/login-page', { accentColor: 'blue' })).statusCode,
    ).toBe(400);
  });
  it("Config > Login page: a logo (checked by its bytes) that the guest page shows from Portico's host", async () => {
    const owner = await signedInAdmin(app, tenantId);
    const upload = async (bytes: Buffer, name: string) => {
      const form = new FormData();
      form.append('_csrf', await owner.csrf('/admin/config/login-page'));
      form.append('logo', new Blob([new Uint8Array(bytes)]), name);
      const encoded = new Response(form);
      return owner.request({
        method: 'POST',
        url: '/admin/config/login-page/logo',
        headers: { 'content-type': encoded.headers.get('content-type')! },
        payload: Buffer.from(await encoded.arrayBuffer()),
      });
    };
    // A 1×1 PNG.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    );
    const notImage = await upload(Buffer.from('<svg onload="alert(1)"></svg>'), 'logo.svg');
    expect(notImage.statusCode).toBe(400);
    expect(notImage.body).toContain('The logo must be a PNG, JPEG, WebP or GIF image');
    const tooBig = await upload(Buffer.concat([png, Buffer.alloc(120_000)]), 'big.png');
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.body).toContain('The logo must be at most 100 KB');

    const saved = await upload(png, 'logo.png');
    expect(saved.statusCode).toBe(303);
    const page = await app.hotspotLogin.ensurePage(tenantId, hotspotId);
    const guest = await app.http.inject({
      url: `/hotspot/${page.publicId}/login?mac=F0:99:B6:00:00:09&link-login-only=${encodeURIComponent('http://10.5.50.1/login')}`,
      headers: { host: 'localhost' },
    });
    const src = /<img class="logo" src="(\/hotspot\/logo\/[0-9a-f]{64})" alt\b/.exec(guest.body)?.[1];
    expect(src).toBeDefined();
    const image = await app.http.inject({ url: src!, headers: { host: 'localhost' } });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['cache-control']).toContain('immutable');
    expect(image.rawPayload.equals(png)).toBe(true);
    // Another tenant's host does not serve it.
    const elsewhere = await app.http.inject({ url: src!, headers: { host: 'other.example.com' } });
    expect(elsewhere.statusCode).toBe(404);

    // Through the API: the image as the body; a read-only token may not.
    const viaApi = await api(ownerToken, 'PUT', '/api/v1/settings/login-page/logo');
    expect(viaApi.statusCode).toBe(400);
    const put = (token: string) =>
      app.http.inject({
        method: 'PUT',
        url: '/api/v1/settings/login-page/logo',
        headers: { authorization: `Bearer ${token}`, host: 'localhost', 'content-type': 'image/png' },
        payload: png,
      });
    expect((await put(readonlyToken)).statusCode).toBe(403);
    const putOk = await put(ownerToken);
    expect(putOk.statusCode).toBe(200);
    expect(putOk.json()).toEqual({ logoUrl: src });

    const removed = await owner.post('/admin/config/login-page/logo/remove', {}, '/admin/config/login-page');
    expect(removed.statusCode).toBe(303);
    const after = await app.http.inject({
      url: `/hotspot/${page.publicId}/login?mac=F0:99:B6:00:00:09`,
      headers: { host: 'localhost' },
    });
    expect(after.body).not.toContain('class="logo"');
    expect((await app.http.inject({ url: src!, headers: { host: 'localhost' } })).statusCode).toBe(404);
  });
});
