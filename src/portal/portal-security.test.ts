/**
 * Issue 10, items 6 and 7, as a guest would try them, on both databases:
 * - a portal session opened by a phone number alone (codes off) must not keep working once the
 *   operator switches one-time codes on, and must never manage devices;
 * - with codes off, a phone number alone must not reveal voucher codes that log in at the
 *   hotspot, on any page or JSON endpoint of the portal.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import {
  createCustomer,
  createHotspot,
  createPlan,
  createSession,
  createVoucher,
} from '../../test/helpers/factories.js';
import {
  CookieJar,
  csrfTokenIn,
  getPage,
  portalSignIn,
  postForm,
  queuedLoginCode,
} from '../../test/helpers/portal.js';
import { SETTINGS_DEFAULTS } from '../tenants/index.js';
import { HOUR_MS } from '../shared/index.js';
import { PORTAL_SESSION_COOKIE } from './plugin.js';

const ALEX = '+12025550143';
const SHORT_CODE = 'K7XQ2MPA9R';

describe.each(TEST_DIALECTS)('portal sessions and voucher codes (%s)', (dialect) => {
  let app: TestApp;
  let tenantId: number;
  let voucherId: number;
  let usedVoucherId: number;
  let fullCode: string;
  let usedFullCode: string;
  let gatewayMade = false;
  let alexId: number;

  const setPortal = (patch: { otpEnabled: boolean; showDevices: boolean }) =>
    app.tenants.putSettings(tenantId, 'portal', { ...SETTINGS_DEFAULTS.portal, ...patch }, app.clock.nowMs());

  /** The operator switches codes on in Config > Portal (through the service the pages use). */
  async function switchCodesOn() {
    if (!gatewayMade) {
      await app.sms.service.createGateway(tenantId, { name: 'Log', type: 'log', settings: {} });
      gatewayMade = true;
    }
    await app.portalSettings.update(tenantId, { otpEnabled: true, showDevices: true });
  }

  /** The code queued for `phone`; a test fails here if none was queued. */
  async function queuedCode(phone: string): Promise<string> {
    const code = await queuedLoginCode(app, tenantId, phone);
    if (code === undefined) throw new Error(`no sign-in code queued for ${phone}`);
    return code;
  }

  /** Signs in through the real forms with an SMS code (codes must be on). */
  async function signInWithCode(): Promise<CookieJar> {
    const jar = new CookieJar();
    app.clock.advance(120_000); // past the resend cooldown of an earlier test
    await portalSignIn(app.http, jar, ALEX);
    const code = await queuedCode(ALEX);
    const done = await postForm(
      app.http,
      jar,
      '/portal/sign-in/code',
      { code },
      { formPageUrl: '/portal/sign-in/code' },
    );
    expect(done.headers.location).toBe('/portal');
    return jar;
  }

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    const db = app.store.db;
    tenantId = app.bootstrapped.tenant.id;
    const nowMs = app.clock.nowMs();
    const hotspot = await createHotspot(db, tenantId, { title: 'Lobby' });
    const plan = await createPlan(db, tenantId, { devices_limit: 2 });
    const alex = await createCustomer(db, tenantId, { phone: ALEX, name: 'Alex' });
    alexId = alex.id;
    const voucher = await createVoucher(db, plan, {
      customer_id: alex.id,
      short_code: SHORT_CODE,
      status: 'online',
      activated_at: nowMs - HOUR_MS,
      expires_at: nowMs + 22 * HOUR_MS,
    });
    voucherId = voucher.id;
    fullCode = voucher.code;
    const used = await createVoucher(db, plan, {
      customer_id: alex.id,
      short_code: 'W3NB8TQC5H',
      status: 'used',
      used_reason: 'data',
      activated_at: nowMs - 48 * HOUR_MS,
      used_at: nowMs - 24 * HOUR_MS,
    });
    usedVoucherId = used.id;
    usedFullCode = used.code;
    await createSession(db, {
      tenant_id: tenantId,
      hotspot_id: hotspot.id,
      voucher_id: voucher.id,
      mac: 'F0:99:B6:12:34:56',
      started_at: nowMs - HOUR_MS,
      stopped_at: null,
    });
  });
  afterAll(() => app.destroy());
  beforeEach(async () => {
    await setPortal({ otpEnabled: false, showDevices: false });
    await app.store.db.deleteFrom('devices').execute();
  });

  /** Every GET the portal serves a signed-in customer, HTML and JSON. */
  const portalViews = () => [
    '/portal',
    '/portal?sessions=500&history=200',
    `/portal/vouchers/${voucherId}`,
    `/portal/vouchers/${voucherId}?sessions=500`,
    `/portal/vouchers/${usedVoucherId}`,
    '/portal/api/summary',
    '/portal/api/summary?sessions=500&history=200',
    `/portal/vouchers/${voucherId}/devices`,
  ];

  it('masks voucher codes for a phone-only session on every page and JSON endpoint (codes off)', async () => {
    const jar = new CookieJar();
    const signIn = await portalSignIn(app.http, jar, ALEX);
    expect(signIn.headers.location).toBe('/portal');
    for (const url of portalViews()) {
      const response = await getPage(app.http, jar, url);
      for (const secret of [SHORT_CODE, 'W3NB8TQC5H', fullCode, usedFullCode, SHORT_CODE.slice(0, -2)])
        expect(response.body, `${url} leaks ${secret}`).not.toContain(secret);
    }
    // The customer still tells the vouchers apart by their last characters.
    const voucher = await getPage(app.http, jar, `/portal/vouchers/${voucherId}`);
    expect(voucher.body).toContain('<code>•••• 9R</code>');
    expect(voucher.body).toContain('Only the last characters are shown');
    const dashboard = await getPage(app.http, jar, '/portal');
    expect(dashboard.body).toContain('•••• 9R');
  });

  it('shows the full code to a session that passed an SMS code', async () => {
    await switchCodesOn();
    const jar = await signInWithCode();
    const voucher = await getPage(app.http, jar, `/portal/vouchers/${voucherId}`);
    expect(voucher.body).toContain(`<code>${fullCode}</code>`);
    expect(voucher.body).toContain('Type this code on the hotspot page to connect.');
    // Switching codes off again does not take the code-verified session's rights away.
    await setPortal({ otpEnabled: false, showDevices: false });
    expect((await getPage(app.http, jar, `/portal/vouchers/${voucherId}`)).body).toContain(fullCode);
  });

  it('ends phone-only sessions when codes are switched on: no dashboard, no device changes', async () => {
    const jar = new CookieJar();
    await portalSignIn(app.http, jar, ALEX);
    const before = await getPage(app.http, jar, '/portal');
    expect(before.body).toContain('Hello, Alex');
    const csrf = csrfTokenIn(before.body);
    const oldCookie = jar.get(PORTAL_SESSION_COOKIE)!;

    await switchCodesOn();
    const rows = await app.store.db
      .selectFrom('web_sessions')
      .select('auth_method')
      .where('tenant_id', '=', tenantId)
      .where('kind', '=', 'portal')
      .execute();
    expect(rows.every((row) => row.auth_method === 'code')).toBe(true);

    const replay = { cookie: `${PORTAL_SESSION_COOKIE}=${oldCookie}; ${jar.header()}` };
    const after = await app.http.inject({ url: '/portal', headers: { accept: 'text/html', ...replay } });
    expect(after.body).not.toContain('Hello, Alex');
    expect(after.body).toContain('name="phone"');
    // The attack: add a device with the old phone-only session.
    const add = await app.http.inject({
      method: 'POST',
      url: `/portal/vouchers/${voucherId}/devices`,
      remoteAddress: jar.remoteAddress,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...replay },
      payload: new URLSearchParams({ _csrf: csrf, mac: 'AA:BB:CC:00:11:22', title: 'Mine' }).toString(),
    });
    expect(add.statusCode).not.toBe(200);
    expect(add.headers.location ?? '').not.toContain('device=added');
    expect(await app.store.db.selectFrom('devices').select('id').execute()).toEqual([]);
    const summary = await app.http.inject({ url: '/portal/api/summary', headers: replay });
    expect(summary.statusCode).toBe(401);

    // Signing in now takes a code; that session manages devices.
    const again = await signInWithCode();
    const added = await postForm(
      app.http,
      again,
      `/portal/vouchers/${voucherId}/devices`,
      { mac: 'AA:BB:CC:00:11:22', title: 'Mine' },
      { formPageUrl: `/portal/vouchers/${voucherId}` },
    );
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toContain('device=added');
  });

  it('refuses a phone-only or unrecorded session that outlived the switch (a racing sign-in)', async () => {
    await switchCodesOn();
    for (const authMethod of ['phone', undefined] as const) {
      const token = await app.webSessions.create(tenantId, 'portal', alexId, { authMethod });
      const cookie = `${PORTAL_SESSION_COOKIE}=${token}`;
      const page = await app.http.inject({ url: `/portal/vouchers/${voucherId}`, headers: { cookie } });
      expect(page.statusCode).toBe(303);
      const devicesPage = await app.http.inject({
        url: `/portal/vouchers/${voucherId}/devices`,
        headers: { cookie },
      });
      expect(devicesPage.statusCode).toBe(303);
      expect(devicesPage.headers.location).toBe('/portal');
      // The session is gone for good, not only refused once.
      expect(await app.webSessions.find(tenantId, 'portal', token)).toBeUndefined();
    }
  });
});
