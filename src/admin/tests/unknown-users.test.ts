/**
 * Accounting for a User-Name that is neither a voucher nor a registered MAC (issue 15, item 13):
 * the session is kept and listed, labelled as an unknown user, and left out of the customers'
 * figures: the dashboard's "Online now" and data, in the admin area and the REST API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountingRecord } from '../../../test/helpers/accounting.js';
import { type AdminClient, callApi, createApiToken, signedInAdmin } from '../../../test/helpers/admin.js';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';
import { createDevice, createHotspot, createPlan, createVoucher } from '../../../test/helpers/factories.js';
import { AcctStatusType, type AccountingRecord } from '../../usage/index.js';

const STRANGER = 'stranger-on-the-router';

describe.each(TEST_DIALECTS)('unknown users in the admin area (%s)', (dialect) => {
  let app: TestApp;
  let operator: AdminClient;
  let token: string;
  let voucherCode: string;
  const MB = 1_000_000;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    const tenant = app.bootstrapped.tenant;
    const hotspot = await createHotspot(app.store.db, tenant.id);
    const plan = await createPlan(app.store.db, tenant.id);
    const voucher = await createVoucher(app.store.db, plan, { status: 'active' });
    voucherCode = voucher.code;
    const device = await createDevice(app.store.db, { tenant_id: tenant.id, voucher_id: voucher.id });
    const interim = (acctSessionId: string, userName: string, mac: string, bytes: number): AccountingRecord =>
      accountingRecord({
        tenantId: tenant.id,
        hotspotId: hotspot.id,
        timeZone: tenant.time_zone,
        statusType: AcctStatusType.InterimUpdate,
        acctSessionId,
        userName,
        callingStationId: mac,
        framedIp: '10.0.0.9',
        downloadedBytes: bytes,
        uploadedBytes: 0,
        sessionSeconds: 60,
        eventAtMs: app.clock.nowMs(),
      });
    // A customer by voucher code, a customer's registered device by MAC, and an unknown user.
    await app.accounting.record(interim('by-code', voucher.code, 'F0:99:B6:00:00:01', 3 * MB));
    await app.accounting.record(interim('by-mac', device.mac, device.mac, 2 * MB));
    await app.accounting.record(interim('stranger', STRANGER, 'F0:99:B6:00:00:03', 50 * MB));
    operator = await signedInAdmin(app, tenant.id, { role: 'readonly' });
    token = await createApiToken(app, tenant.id, 'readonly');
  });
  afterAll(() => app.destroy());

  const figure = (html: string, name: string) =>
    new RegExp(`data-figure="${name}"[^>]*>([^<]*(?:<!-- -->[^<]*)*)<`)
      .exec(html)?.[1]
      ?.replaceAll('<!-- -->', '');

  it("counts only customers' sessions and data on the dashboard, and names the unknown users apart", async () => {
    const page = await operator.get('/admin');
    expect(page.statusCode).toBe(200);
    expect(figure(page.body, 'online')).toBe('2');
    expect(figure(page.body, 'data')).toBe('5 MB');
    expect(figure(page.body, 'unknown-online')).toBe('1 unknown user');
    expect(page.body).toContain('href="/admin/sessions?online=yes&amp;user=unknown"');
  });

  it('keeps the unknown user in the sessions list, labelled, and filters customers from unknown users', async () => {
    const all = await operator.get('/admin/sessions');
    expect(all.statusCode).toBe(200);
    const rowOf = (html: string, text: string) =>
      [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!).find((row) => row.includes(text));
    expect(rowOf(all.body, STRANGER)).toContain('unknown user');
    expect(rowOf(all.body, voucherCode)).not.toContain('unknown user');

    const unknown = await operator.get('/admin/sessions?online=yes&user=unknown');
    expect(unknown.body).toContain(STRANGER);
    expect(unknown.body).not.toContain(voucherCode);
    expect(unknown.body).toContain('data-hint="unknown-users"');
    const customers = await operator.get('/admin/sessions?user=customers');
    expect(customers.body).not.toContain(STRANGER);
    expect(customers.body).toContain(voucherCode);
    // An unknown value is no filter at all.
    expect((await operator.get('/admin/sessions?user=%3Cb%3E')).body).toContain(STRANGER);
  });

  it('says the same in the REST API', async () => {
    const get = (url: string) => callApi(app, token, 'GET', url);
    const dashboard = await get('/api/v1/dashboard');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.json()).toMatchObject({ onlineNow: 2, unknownUsersOnline: 1, dataTodayBytes: 5 * MB });
    const unknown = await get('/api/v1/sessions?user=unknown');
    expect(unknown.json()).toMatchObject({
      total: 1,
      items: [{ userName: STRANGER, voucherId: null, unknownUser: true, downloadedBytes: 50 * MB }],
    });
    const customers = await get('/api/v1/sessions?user=customers');
    expect(customers.json().items.map((s: { unknownUser: boolean }) => s.unknownUser)).toEqual([
      false,
      false,
    ]);
    expect((await get('/api/v1/sessions?user=nobody')).statusCode).toBe(400);
  });
});
