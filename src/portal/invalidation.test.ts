/**
 * The portal's page cache (page-cache.ts) against every kind of write that changes what a
 * customer sees (issue 12): each write goes through the code production uses (accounting, the
 * RADIUS access policy, the devices, vouchers, hotspots services, the customers and settings
 * repositories), and the very next view must show it. The first test shows the cache is really in
 * use: a change made behind the application's back (no version moved) does not show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountingRecord } from '../../test/helpers/accounting.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import {
  createCustomer,
  createDevice,
  createHotspot,
  createPlan,
  createSession,
  createVoucher,
} from '../../test/helpers/factories.js';
import { CookieJar, getPage } from '../../test/helpers/portal.js';
import { CustomersAdminRepository } from '../customers/index.js';
import { HOUR_MS, MB } from '../shared/index.js';
import { touchCustomerPortals } from '../store/index.js';
import { SETTINGS_DEFAULTS } from '../tenants/index.js';
import { AcctStatusType } from '../usage/index.js';
import { VoucherAccessPolicy } from '../vouchers/index.js';
import { PORTAL_SESSION_COOKIE } from './plugin.js';

describe.each(TEST_DIALECTS)('portal pages follow every write that changes them (%s)', (dialect) => {
  let app: TestApp;
  let tenantId: number;
  let customerId: number;
  let otherCustomerId: number;
  let voucher: { id: number; code: string };
  let newVoucher: { id: number; code: string };
  let planId: number;
  let hotspot: { id: number; ip_address: string };
  let deviceId: number;
  const jar = new CookieJar();

  const dashboard = async () => (await getPage(app.http, jar, '/portal')).body;
  const summary = async () =>
    (await app.http.inject({ url: '/portal/api/summary', headers: { cookie: jar.header() } })).json<{
      text: Record<string, string>;
    }>().text;
  /** Cached now: the next view of an unchanged page is served from the cache (see the first test). */
  const viewedTwice = async () => {
    await dashboard();
    return dashboard();
  };

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    const db = app.store.db;
    tenantId = app.bootstrapped.tenant.id;
    const nowMs = app.clock.nowMs();
    hotspot = await createHotspot(db, tenantId, { title: 'Lobby' });
    const plan = await createPlan(db, tenantId, { title: 'Day pass', devices_limit: 3 });
    planId = plan.id;
    customerId = (await createCustomer(db, tenantId, { phone: '+12025550161', name: 'Ana' })).id;
    otherCustomerId = (await createCustomer(db, tenantId, { phone: '+12025550162', name: 'Bo' })).id;
    voucher = await createVoucher(db, plan, {
      customer_id: customerId,
      status: 'active',
      devices_limit: 3,
      activated_at: nowMs - HOUR_MS,
      expires_at: nowMs + 20 * HOUR_MS,
    });
    newVoucher = await createVoucher(db, plan, {
      customer_id: customerId,
      status: 'new',
      devices_limit: 3,
      validity_seconds: 24 * 3600,
    });
    deviceId = (await createDevice(db, { tenant_id: tenantId, voucher_id: voucher.id, title: 'Pixel' })).id;
    await createSession(db, {
      tenant_id: tenantId,
      hotspot_id: hotspot.id,
      voucher_id: voucher.id,
      device_id: deviceId,
      started_at: nowMs - HOUR_MS,
      updated_at: nowMs - HOUR_MS / 2,
      stopped_at: nowMs - HOUR_MS / 2,
      terminate_cause: 'User-Request',
    });
    await app.tenants.putSettings(
      tenantId,
      'portal',
      { ...SETTINGS_DEFAULTS.portal, otpEnabled: true, showDevices: true },
      nowMs,
    );
    // A session that passed an SMS code: it sees the devices block.
    const token = await app.webSessions.create(tenantId, 'portal', customerId, { authMethod: 'code' });
    jar.store({ cookies: [{ name: PORTAL_SESSION_COOKIE, value: token }] } as never);
    await dashboard(); // sets the CSRF cookie: pages are cached from the next view on
  });

  afterAll(async () => {
    await app?.destroy();
  });

  it('serves an unchanged page from the cache: a change no write path made does not show', async () => {
    expect(await viewedTwice()).toContain('Ana');
    await app.store.db
      .updateTable('customers')
      .set({ name: 'Behind the back' })
      .where('id', '=', customerId)
      .execute();
    expect(await dashboard()).not.toContain('Behind the back');
    await touchCustomerPortals(app.store.db, tenantId, [customerId]);
    expect(await dashboard()).toContain('Behind the back');
  });

  it('accounting: a session starts, counts and stops', async () => {
    const base = {
      tenantId,
      hotspotId: hotspot.id,
      userName: voucher.code,
      acctSessionId: 'inv-1',
      timeZone: 'UTC',
    };
    expect(await viewedTwice()).not.toContain('Online now');
    const before = await summary();
    await app.accounting.record(
      accountingRecord({ ...base, statusType: AcctStatusType.Start, eventAtMs: app.clock.nowMs() }),
    );
    expect(await dashboard()).toContain('Online now');
    await summary();
    app.clock.advance(1000);
    await app.accounting.record(
      accountingRecord({
        ...base,
        statusType: AcctStatusType.InterimUpdate,
        eventAtMs: app.clock.nowMs(),
        downloadedBytes: 300 * MB,
        uploadedBytes: 0,
        sessionSeconds: 60,
      }),
    );
    const counted = await summary();
    expect(counted[`v${voucher.id}.data`]).not.toBe(before[`v${voucher.id}.data`]);
    expect(await viewedTwice()).not.toContain('Ended after a while without activity');
    await app.accounting.record(
      accountingRecord({
        ...base,
        statusType: AcctStatusType.Stop,
        eventAtMs: app.clock.nowMs(),
        downloadedBytes: 300 * MB,
        uploadedBytes: 0,
        sessionSeconds: 61,
        terminateCause: 'Idle-Timeout',
      }),
    );
    expect(await dashboard()).toContain('Ended after a while without activity');
  });

  it('the sessions page: a session starts and stops', async () => {
    const sessionsPage = async () => (await getPage(app.http, jar, '/portal/sessions')).body;
    const base = { tenantId, hotspotId: hotspot.id, userName: voucher.code, acctSessionId: 'inv-2' };
    await sessionsPage();
    expect(await sessionsPage()).not.toContain('Online now');
    await app.accounting.record(
      accountingRecord({ ...base, statusType: AcctStatusType.Start, eventAtMs: app.clock.nowMs() }),
    );
    expect(await sessionsPage()).toContain('Online now');
    await app.accounting.record(
      accountingRecord({
        ...base,
        statusType: AcctStatusType.Stop,
        eventAtMs: app.clock.nowMs(),
        sessionSeconds: 1,
      }),
    );
    expect(await sessionsPage()).not.toContain('Online now');
  });

  it('devices: added, renamed and removed (customer or operator, through the devices service)', async () => {
    const operator = { kind: 'operator' as const, adminId: null, clientIp: null };
    expect(await viewedTwice()).toContain('1 of 3 devices');
    const added = await app.devices.add(tenantId, operator, voucher.id, {
      mac: '02:00:00:00:00:2A',
      title: null,
    });
    expect(await dashboard()).toContain('2 of 3 devices');
    await viewedTwice();
    await app.devices.edit(tenantId, { kind: 'customer', customerId, clientIp: null }, voucher.id, deviceId, {
      title: 'Renamed phone',
    });
    expect(await dashboard()).toContain('Renamed phone');
    await viewedTwice();
    await app.devices.remove(tenantId, operator, voucher.id, added.id);
    expect(await dashboard()).toContain('1 of 3 devices');
  });

  it('RADIUS: a first login activates a new voucher and registers its device', async () => {
    const page = await viewedTwice();
    expect(page).toContain('Not used yet');
    const policy = new VoucherAccessPolicy(app.store.db, app.store.dialect, app.tenants, app.clock);
    const decision = await policy.authorize({
      tenantId,
      hotspotId: hotspot.id,
      userName: newVoucher.code,
      callingStationId: '02-00-00-00-00-3B',
      passwordMatches: (candidate) => candidate === newVoucher.code,
    });
    expect(decision.accepted).toBe(true);
    const after = await dashboard();
    expect(after).not.toContain('Not used yet');
    expect(after.match(/1 of 3 devices/g)?.length).toBe(2);
  });

  it('vouchers: disabled, enabled, assigned away and back, created for the customer', async () => {
    expect(await viewedTwice()).not.toContain('Disabled');
    await app.vouchers.disable(tenantId, newVoucher.id);
    expect(await dashboard()).toContain('Disabled');
    await viewedTwice();
    await app.vouchers.enable(tenantId, newVoucher.id);
    expect(await dashboard()).not.toContain('Disabled');

    const countCards = (html: string) => html.match(/href="\/portal\/vouchers\/\d+"/g)?.length ?? 0;
    const cards = countCards(await viewedTwice());
    await app.vouchers.assign(tenantId, newVoucher.id, otherCustomerId);
    expect(countCards(await dashboard())).toBeLessThan(cards);
    await viewedTwice();
    await app.vouchers.assign(tenantId, newVoucher.id, customerId);
    expect(countCards(await dashboard())).toBe(cards);

    await viewedTwice();
    await app.store.db.updateTable('plans').set({ title: 'Gift week' }).where('id', '=', planId).execute();
    await app.vouchers.createSeries(
      tenantId,
      { planId, quantity: 1, expiryMode: 'after_activation', customerId },
      null,
    );
    await app.vouchers.generator.idle();
    expect(await dashboard()).toContain('Gift week');
  });

  it('the customer: edited by an operator', async () => {
    expect(await viewedTwice()).not.toContain('Ana Maria');
    await new CustomersAdminRepository(app.store.db).update(tenantId, customerId, 'US', {
      phone: '+12025550161',
      name: 'Ana Maria',
      email: null,
      locale: null,
    } as never);
    expect(await dashboard()).toContain('Ana Maria');
  });

  it('the tenant: hotspot renamed, portal settings changed', async () => {
    expect(await viewedTwice()).toContain('Lobby');
    await app.hotspots.update(tenantId, hotspot.id, { title: 'Terrace', ipAddress: hotspot.ip_address });
    expect(await dashboard()).toContain('Terrace');
    expect(await viewedTwice()).toContain('devices');
    await app.tenants.putSettings(
      tenantId,
      'portal',
      { ...SETTINGS_DEFAULTS.portal, otpEnabled: true, showDevices: false },
      app.clock.nowMs(),
    );
    expect(await dashboard()).not.toMatch(/\d of 3 devices/);
  });

  it('the clock: a page ends at a shown voucher expiry, before the minute is over', async () => {
    const nowMs = app.clock.nowMs();
    if (60_000 - (nowMs % 60_000) < 20_000) app.clock.advance(60_000 - (nowMs % 60_000) + 1);
    await createVoucher(
      app.store.db,
      { id: planId, tenant_id: tenantId },
      {
        customer_id: customerId,
        status: 'active',
        activated_at: app.clock.nowMs() - HOUR_MS,
        expires_at: app.clock.nowMs() + 5_000,
      },
    );
    await touchCustomerPortals(app.store.db, tenantId, [customerId]); // the factory wrote directly
    expect(await viewedTwice()).not.toContain('Expired');
    app.clock.advance(6_000);
    expect(await dashboard()).toContain('Expired');
  });
  it('two processes on one database: a write in one changes the next view in the other', async () => {
    // Its own page cache, the same database (as two Portico processes behind a balancer).
    const other = await buildTestApp(dialect, { testStore: app.testStore, clock: app.clock });
    try {
      const view = async () => (await getPage(other.http, jar, '/portal')).body;
      await view();
      expect(await view()).not.toContain('Disabled');
      await app.vouchers.disable(tenantId, newVoucher.id);
      expect(await view()).toContain('Disabled');
      await view();
      await app.vouchers.enable(tenantId, newVoucher.id);
      expect(await view()).not.toContain('Disabled');
    } finally {
      await other.close();
    }
  });
});
