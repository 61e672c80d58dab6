/**
 * A form sent after its session expired (issue 15, 8c), over HTTP on every database: nothing is
 * done, the sign-in page says why, and what was typed comes back on the form's page after a
 * fresh sign-in — only for a form whose CSRF token verified, never its token or a password, once.
 * JSON clients keep their 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, createAdmin } from '../../../test/helpers/admin.js';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';
import { createCustomer, createDevice, createPlan, createVoucher } from '../../../test/helpers/factories.js';
import { CookieJar, getPage, postForm } from '../../../test/helpers/portal.js';
import { RESUME_COOKIE } from '../../http/index.js';
import { PORTAL_SESSION_COOKIE } from '../../portal/index.js';

describe.each(TEST_DIALECTS)('a form sent after the session expired (%s)', (dialect) => {
  let app: TestApp;
  let tenantId: number;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    tenantId = app.bootstrapped.tenant.id;
  });
  afterAll(() => app.destroy());

  it('admin: says so, keeps a verified form for its page once, and keeps nothing of a forged one', async () => {
    const admin = await createAdmin(app, tenantId, { role: 'admin' });
    const client = new AdminClient(app);
    await client.signIn(admin.email);
    const plan = await createPlan(app.store.db, tenantId, { devices_limit: 2 });
    const voucher = await createVoucher(app.store.db, plan, { status: 'active' });
    const device = await createDevice(app.store.db, { tenant_id: tenantId, voucher_id: voucher.id });
    const edit = `/admin/vouchers/${voucher.id}/devices/${device.id}/edit`;
    const form = await client.request({ url: edit });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    await app.store.db.deleteFrom('web_sessions').execute();

    const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
      client.request({
        method: 'POST',
        url: `/admin/vouchers/${voucher.id}/devices/${device.id}`,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          referer: `http://localhost${edit}`,
          ...headers,
        },
        payload: new URLSearchParams(fields).toString(),
      });
    // A forged post (no valid token): nothing kept.
    const forged = await post({ _csrf: 'forged', title: '<b>planted</b>' });
    expect(forged.headers.location).toBe('/admin/sign-in?expired');
    expect(forged.cookies.find((c) => c.name === RESUME_COOKIE)).toBeUndefined();
    // A JSON client still gets 401.
    const json = await client.request({
      method: 'POST',
      url: `/admin/vouchers/${voucher.id}/devices/${device.id}`,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      payload: JSON.stringify({ title: 'x' }),
    });
    expect(json.statusCode).toBe(401);

    const sent = await post({ _csrf: csrf, mac: device.mac, title: 'Front <desk>', password: 'hunter2' });
    expect(sent.headers.location).toBe('/admin/sign-in?expired=kept');
    const kept = sent.cookies.find((c) => c.name === RESUME_COOKIE)!;
    expect(kept.httpOnly).toBe(true);
    expect(Buffer.from(kept.value.split('.')[0]!, 'base64url').toString()).not.toContain('hunter2');
    expect(Buffer.from(kept.value.split('.')[0]!, 'base64url').toString()).not.toContain(csrf);
    const signIn = await client.request({ url: '/admin/sign-in?expired=kept' });
    expect(signIn.body).toContain('Your session expired, so that was not saved.');
    // Nothing was changed.
    const row = await app.store.db
      .selectFrom('devices')
      .select('title')
      .where('id', '=', device.id)
      .executeTakeFirst();
    expect(row?.title).toBeNull();

    const again = await client.signIn(admin.email);
    expect(again.headers.location).toBe(edit);
    const reopened = await client.request({ url: edit });
    expect(reopened.body).toContain('<script type="application/json" id="portico-resume">');
    expect(reopened.body).toContain('"title":"Front \\u003cdesk>"');
    expect(reopened.body).not.toContain('<desk>"');
    // Once only.
    expect((await client.request({ url: edit })).body).not.toContain('portico-resume');
    // A tampered cookie is ignored.
    const tampered = await client.request({
      url: edit,
      headers: { cookie: `${client.cookieHeader}; ${RESUME_COOKIE}=${kept.value.replace(/.$/, 'x')}` },
    });
    expect(tampered.body).not.toContain('portico-resume');
  });

  it('portal: a device form sent after the session expired says so in both languages and comes back', async () => {
    await app.sms.service.createGateway(tenantId, { name: 'Log', type: 'log', settings: {} });
    await app.portalSettings.update(tenantId, { otpEnabled: true, showDevices: true });
    const plan = await createPlan(app.store.db, tenantId, { devices_limit: 2 });
    const customer = await createCustomer(app.store.db, tenantId, { phone: '+12025550143' });
    const voucher = await createVoucher(app.store.db, plan, { customer_id: customer.id, status: 'active' });
    const jar = new CookieJar();
    const token = await app.webSessions.create(tenantId, 'portal', customer.id, { authMethod: 'code' });
    jar.store({ cookies: [{ name: PORTAL_SESSION_COOKIE, value: token }] } as never);
    const page = `/portal/vouchers/${voucher.id}`;
    await getPage(app.http, jar, page);
    await app.store.db.deleteFrom('web_sessions').execute();
    const sent = await postForm(
      app.http,
      jar,
      `/portal/vouchers/${voucher.id}/devices`,
      { mac: 'AA:BB:CC:00:11:22', title: 'Tablet' },
      { formPageUrl: '/portal', headers: { host: 'localhost', referer: `http://localhost${page}` } },
    );
    expect(sent.headers.location).toBe('/portal?expired=kept');
    expect((await getPage(app.http, jar, '/portal?expired=kept')).body).toContain(
      'Your session expired, so that was not saved. Sign in again: the form opens again with what you typed.',
    );
    await getPage(app.http, jar, '/portal/language/es');
    expect((await getPage(app.http, jar, '/portal?expired=kept')).body).toContain(
      'Tu sesión caducó, así que no se guardó.',
    );
    expect(
      await app.store.db.selectFrom('devices').select('id').where('voucher_id', '=', voucher.id).execute(),
    ).toEqual([]);
    const fresh = await app.webSessions.create(tenantId, 'portal', customer.id, { authMethod: 'code' });
    jar.store({ cookies: [{ name: PORTAL_SESSION_COOKIE, value: fresh }] } as never);
    const reopened = await getPage(app.http, jar, page);
    expect(reopened.body).toContain('"title":"Tablet"');
    expect(reopened.body).toContain('Tu sesión había caducado');
  });
});
