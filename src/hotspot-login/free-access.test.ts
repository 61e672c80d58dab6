/**
 * Free access by phone on the hosted login page, over HTTP (inject), on every database: refused
 * without an SMS gateway, bad numbers in plain words, the code kept on the server (a reopened
 * sheet resumes it without a new SMS), the voucher given and logged in with CHAP, the limits per
 * phone, device, hotspot and tenant, and the monthly SMS budget that pauses it and tells the
 * operator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiToken, signedInAdmin } from '../../test/helpers/admin.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { createHotspot, createPlan } from '../../test/helpers/factories.js';
import { parseForm } from '../../test/helpers/html-forms.js';
import { queuedLoginCode } from '../../test/helpers/portal.js';
import { SETTINGS_DEFAULTS } from '../tenants/index.js';
import type { LoginPage } from './repository.js';

const CHALLENGE = '\\101'.repeat(16);
let macSerial = 0;
/** A new router client MAC for each guest device. */
const newMac = () =>
  `F0:99:B6:00:${String(Math.floor(macSerial / 100)).padStart(2, '0')}:${String(macSerial++ % 100).padStart(2, '0')}`;

describe.each(TEST_DIALECTS)('free access by phone (%s)', (dialect) => {
  let app: TestApp;
  let tenantId: number;
  let hotspotId: number;
  let page: LoginPage;
  let planId: number;

  const router = (mac: string, ip = '10.5.50.20') => ({
    mac,
    ip,
    'link-login-only': 'http://10.5.50.1/login',
    'link-orig': 'http://example.com/',
    'chap-id': '\\001',
    'chap-challenge': CHALLENGE,
  });
  const post = (path: string, fields: Record<string, string>) =>
    app.http.inject({
      method: 'POST',
      url: `/hotspot/${page.publicId}${path}`,
      headers: { host: 'localhost', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
  const loginPage = (mac: string) =>
    app.http.inject({
      url: `/hotspot/${page.publicId}/login?${new URLSearchParams(router(mac)).toString()}`,
      headers: { host: 'localhost' },
    });
  const askCode = (phone: string, mac: string, extra: Record<string, string> = {}) =>
    post('/free', { ...router(mac), lang: 'en', phone, ...extra });
  const smsTo = async (phone: string) => {
    await app.otp.idle();
    return (
      await app.store.db
        .selectFrom('sms_messages')
        .select('text')
        .where('tenant_id', '=', tenantId)
        .where('recipient', '=', phone)
        .execute()
    ).length;
  };
  /** Sends the code texted to `phone` from the code step's form. */
  const enterCode = async (codePage: string, code: string, mac?: string) => {
    const form = parseForm(codePage, /action="[^"]*\/free\/code"/);
    return post('/free/code', { ...form.fields, ...(mac ? { mac } : {}), code });
  };
  const configure = (patch: Record<string, unknown>) =>
    app.freeAccess.setConfig(tenantId, hotspotId, { enabled: true, planId, ...patch });

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    tenantId = app.bootstrapped.tenant.id;
    hotspotId = (await createHotspot(app.store.db, tenantId, { title: 'Lobby' })).id;
    page = await app.hotspotLogin.ensurePage(tenantId, hotspotId);
    planId = (await createPlan(app.store.db, tenantId, { title: 'Free hour', devices_limit: 1 })).id;
  });
  afterAll(() => app.destroy());
  // Every test starts past the periods of the one before (limits count per period).
  beforeEach(() => app.clock.advance(31 * 86_400_000));

  it('is off by default and cannot be turned on without an SMS gateway', async () => {
    expect((await loginPage(newMac())).body).not.toContain('Text me a code');
    await expect(configure({})).rejects.toMatchObject({ code: 'CONFLICT' });
    const refused = await askCode('+12025550100', newMac());
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Free access by phone is not available right now');
    expect(await smsTo('+12025550100')).toBe(0);

    // Through the API: the same refusal, with its reason.
    const token = await createApiToken(app, tenantId, 'owner');
    const api = await app.http.inject({
      method: 'PATCH',
      url: `/api/v1/hotspots/${hotspotId}/free-access`,
      headers: { authorization: `Bearer ${token}`, host: 'localhost' },
      payload: { enabled: true, planId },
    });
    expect(api.statusCode).toBe(409);
    expect(api.json()).toMatchObject({
      code: 'CONFLICT',
      title: expect.stringContaining('needs an SMS gateway'),
    });

    await app.sms.service.createGateway(tenantId, { name: 'Log', type: 'log', settings: {} });
    // The operator turns it on from the hotspot's page; bad limits are refused with the reason.
    const owner = await signedInAdmin(app, tenantId);
    const hotspotPage = await owner.get(`/admin/hotspots/${hotspotId}`);
    expect(hotspotPage.body).toContain('Free access by phone');
    expect(hotspotPage.body).toContain('Free hour');
    const form = { enabled: 'on', planId: String(planId), periodHours: '0', vouchersPerPhone: '1' };
    const bad = await owner.post(
      `/admin/hotspots/${hotspotId}/free-access`,
      form,
      `/admin/hotspots/${hotspotId}`,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Period (hours) must be a whole number from 1 to 720');
    const saved = await owner.post(
      `/admin/hotspots/${hotspotId}/free-access`,
      { ...form, periodHours: '24' },
      `/admin/hotspots/${hotspotId}`,
    );
    expect(saved.statusCode).toBe(303);
    expect(await app.freeAccess.config(tenantId, hotspotId)).toMatchObject({
      enabled: true,
      planId,
      periodHours: 24,
    });
    const viaApi = await app.http.inject({
      url: `/api/v1/hotspots/${hotspotId}/free-access`,
      headers: { authorization: `Bearer ${token}`, host: 'localhost' },
    });
    expect(viaApi.json()).toMatchObject({ enabled: true, planId, codesPerDevice: 3 });
    expect((await loginPage(newMac())).body).toContain('Text me a code');
  });

  it('texts one code, resumes it when the sheet reopens, and logs the guest in with a new voucher', async () => {
    const mac = newMac();
    const sent = await askCode('(202) 555-0101', mac);
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('We sent a code by SMS to (202)\u00a0555\u20110101');
    expect(sent.body).toContain('autocomplete="one-time-code"');
    expect(sent.headers['set-cookie']).toBeUndefined();
    expect(await smsTo('+12025550101')).toBe(1);

    // The mini-browser closed; the router hands the guest back: the code step, no new SMS.
    const reopened = await loginPage(mac);
    expect(reopened.body).toContain('Enter the code');
    const again = await askCode('202 555 0101', mac);
    expect(again.body).toContain('Enter the code');
    expect(await smsTo('+12025550101')).toBe(1);

    // Another device with the same flow id gets nothing.
    const code = (await queuedLoginCode(app, tenantId, '+12025550101'))!;
    const stolen = await enterCode(reopened.body, code, newMac());
    expect(stolen.statusCode).toBe(400);
    expect(stolen.body).toContain('This request has ended');

    const wrong = await enterCode(reopened.body, code === '000000' ? '111111' : '000000');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('That code is not right. Tries left: 4.');

    const right = await enterCode(reopened.body, code);
    expect(right.statusCode).toBe(200);
    const routerForm = parseForm(right.body, /id="router-login"/);
    expect(routerForm.action).toBe('http://10.5.50.1/login');
    const voucher = await app.store.db
      .selectFrom('vouchers')
      .innerJoin('customers', 'customers.id', 'vouchers.customer_id')
      .select(['vouchers.code', 'vouchers.plan_title', 'customers.phone', 'customers.status'])
      .where('vouchers.tenant_id', '=', tenantId)
      .where('customers.phone', '=', '+12025550101')
      .executeTakeFirstOrThrow();
    expect(voucher).toMatchObject({ plan_title: 'Free hour', status: 'active' });
    expect(routerForm.fields.username).toBe(voucher.code);
    expect(routerForm.fields.password).toMatch(/^[0-9a-f]{32}$/);

    // The same page posted again (a double tap) gives the same voucher, not a second one.
    const twice = await enterCode(reopened.body, code);
    expect(parseForm(twice.body, /id="router-login"/).fields.username).toBe(voucher.code);
    // And the next sheet offers the phone step again, not the used code.
    expect((await loginPage(mac)).body).toContain('Text me a code');
  });

  it('says what is wrong with a number, and refuses numbers outside the allowed prefixes', async () => {
    const mac = newMac();
    const cases: Array<[string, string]> = [
      ['', 'Type your mobile number.'],
      ['call me', 'That does not look like a phone number.'],
      ['555', 'That number is too short.'],
    ];
    for (const [phone, words] of cases) {
      const answer = await askCode(phone, mac);
      expect(answer.statusCode).toBe(400);
      expect(answer.body).toContain(words);
      expect(answer.body).toContain('aria-invalid="true"');
    }
    // In Spanish (the page's language switch travels in the form).
    const spanish = await askCode('555', mac, { lang: 'es' });
    expect(spanish.body).toContain('Ese número es demasiado corto.');
    expect(spanish.body).toContain('¿No tienes ficha?');
    await app.portalSettings.update(tenantId, { otpAllowedPrefixes: ['+44'] });
    try {
      const foreign = await askCode('+1 202 555 0102', mac);
      expect(foreign.statusCode).toBe(422);
      expect(foreign.body).toContain('not available for numbers from this country');
      expect(await smsTo('+12025550102')).toBe(0);
    } finally {
      await app.portalSettings.update(tenantId, { otpAllowedPrefixes: [] });
    }
  });

  it('limits codes per device, per phone, per hotspot and per tenant (not per IP alone)', async () => {
    await configure({ codesPerDevice: 2, codesPerPhone: 2, codesPerHotspot: 5 });
    // One device, new numbers: the third is refused.
    const device = newMac();
    expect((await askCode('+12025550111', device)).statusCode).toBe(200);
    expect((await askCode('+12025550112', device)).statusCode).toBe(200);
    const third = await askCode('+12025550113', device);
    expect(third.statusCode).toBe(429);
    expect(third.body).toContain('This device has had enough codes for now');
    expect(await smsTo('+12025550113')).toBe(0);

    // One number from new devices (after the portal's 60 s cooldown): the third is refused.
    app.clock.advance(61_000);
    expect((await askCode('+12025550111', newMac())).statusCode).toBe(200);
    app.clock.advance(61_000);
    const number = await askCode('+12025550111', newMac());
    expect(number.statusCode).toBe(429);
    expect(number.body).toContain('This number has had enough codes for now');

    // The hotspot's cap over every number and device (all behind one venue address).
    expect((await askCode('+12025550114', newMac())).statusCode).toBe(200);
    expect((await askCode('+12025550115', newMac())).statusCode).toBe(200);
    const busy = await askCode('+12025550116', newMac());
    expect(busy.statusCode).toBe(429);
    expect(busy.body).toContain('Free access is busy right now');

    // A day later the hotspot's period is over; the tenant's daily cap still applies.
    app.clock.advance(25 * 3_600_000);
    await app.hotspotLogin.updateSettings(tenantId, { freeAccessCodesPerDay: 1 });
    try {
      expect((await askCode('+12025550117', newMac())).statusCode).toBe(200);
      const tenant = await askCode('+12025550118', newMac());
      expect(tenant.statusCode).toBe(429);
      expect(tenant.body).toContain('Free access is busy right now');
    } finally {
      await app.hotspotLogin.updateSettings(tenantId, {
        freeAccessCodesPerDay: SETTINGS_DEFAULTS.hotspotLogin.freeAccessCodesPerDay,
      });
      await configure(FREE_DEFAULT_LIMITS);
    }
  });

  it('gives the same voucher again while it lets the device in, and no second one in the period', async () => {
    const phone = '+12025550121';
    const first = await askCode(phone, newMac());
    const firstCode = (await queuedLoginCode(app, tenantId, phone))!;
    const given = parseForm((await enterCode(first.body, firstCode)).body, /id="router-login"/).fields
      .username;

    // A new device of the same guest: the free voucher allows one device, it is bound to none
    // yet (no RADIUS here), so it is given again.
    app.clock.advance(61_000);
    const second = await askCode(phone, newMac());
    const secondCode = (await queuedLoginCode(app, tenantId, phone))!;
    const again = await enterCode(second.body, secondCode);
    expect(parseForm(again.body, /id="router-login"/).fields.username).toBe(given);

    // Used up: no new voucher until the period ends.
    await app.store.db
      .updateTable('vouchers')
      .set({ status: 'used', used_reason: 'time' })
      .where('code', '=', given!)
      .execute();
    app.clock.advance(61_000);
    const third = await askCode(phone, newMac());
    const thirdCode = (await queuedLoginCode(app, tenantId, phone))!;
    const refused = await enterCode(third.body, thirdCode);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('This number has used its free access for now');
  });

  it('pauses when the monthly SMS budget is spent, tells the operator, and honours codes already sent', async () => {
    const phone = '+12025550131';
    const mac = newMac();
    const sent = await askCode(phone, mac);
    const code = (await queuedLoginCode(app, tenantId, phone))!;
    const budget = await app.freeAccess.budget(app.bootstrapped.tenant);
    await app.hotspotLogin.updateSettings(tenantId, { smsBudgetPerMonth: budget.used });
    try {
      expect((await loginPage(newMac())).body).not.toContain('Text me a code');
      const paused = await askCode('+12025550132', newMac());
      expect(paused.statusCode).toBe(409);
      expect(await smsTo('+12025550132')).toBe(0);

      const owner = await signedInAdmin(app, tenantId);
      const settings = await owner.get('/admin/config/login-page');
      expect(settings.body).toContain('Free access by phone is paused');
      const hotspot = await owner.get(`/admin/hotspots/${hotspotId}`);
      expect(hotspot.body).toContain('Free access by phone is paused');
      const dashboard = await owner.get('/admin');
      expect(dashboard.body).toContain('Free access by phone is paused');

      // The guest who already has a code still gets in.
      const right = await enterCode(sent.body, code);
      expect(right.statusCode).toBe(200);
      expect(right.body).toContain('id="router-login"');
    } finally {
      await app.hotspotLogin.updateSettings(tenantId, {
        smsBudgetPerMonth: SETTINGS_DEFAULTS.hotspotLogin.smsBudgetPerMonth,
      });
    }
  });
});

const FREE_DEFAULT_LIMITS = { codesPerDevice: 3, codesPerPhone: 3, codesPerHotspot: 100 };
