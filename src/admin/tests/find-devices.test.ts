/**
 * How an operator finds a device. By MAC ("which voucher is this phone on, is it online?"): the
 * voucher and session lists filter by `mac` in every common format, in the admin pages and the
 * REST API; only the tenant's own rows come back, and a text that is not a MAC is a clear 400.
 * From the customer page: each device links to its row in the voucher's Associated devices
 * block. In the voucher's device audit trail: "Older changes" pages (plain links) through every
 * change exactly once, newest first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { AdminClient, createAdmin, createApiToken } from '../../../test/helpers/admin.js';
import * as make from '../../../test/helpers/factories.js';
import { DevicesRepository } from '../../devices/index.js';

const MAC = 'F0:99:B6:12:34:56';
const FORMATS = [
  'f0:99:b6:12:34:56',
  'F0-99-B6-12-34-56',
  'f099.b612.3456',
  'f099b6123456',
  ' F099-B612-3456 ',
];
const OTHER_HOST = 'other.example.com';
/** Audit changes on the MAC's voucher: over two pages of 50, three at each instant (order needs the id). */
const CHANGES = 120;
const macOf = (n: number) => `02:00:00:00:00:${n.toString(16).padStart(2, '0').toUpperCase()}`;

type Voucher = { id: number; code: string };

describe.each(TEST_DIALECTS)('admin and API: finding a device (%s)', (dialect) => {
  let app: TestApp;
  let token: string;
  let otherToken: string;
  /** A read-only admin: finding needs no write role. */
  let operator: AdminClient;
  /** This tenant: the MAC's current voucher, an old voucher it was on, a voucher without it; then B's. */
  let current: Voucher, old: Voucher, unrelated: Voucher, other: Voucher;
  /** The MAC's sessions: online and past in this tenant, and one in tenant B. */
  let onlineSessionId: number, pastSessionId: number, otherSessionId: number;
  let customerId: number, currentDeviceId: number;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    const db = app.store.db;
    const tenantId = app.bootstrapped.tenant.id;
    const plan = await make.createPlan(db, tenantId);
    const hotspotId = (await make.createHotspot(db, tenantId)).id;
    customerId = (await make.createCustomer(db, tenantId)).id;
    current = await make.createVoucher(db, plan, { status: 'online', customer_id: customerId });
    old = await make.createVoucher(db, plan, { status: 'used' });
    unrelated = await make.createVoucher(db, plan, { status: 'active' });
    currentDeviceId = (
      await make.createDevice(db, {
        tenant_id: tenantId,
        voucher_id: current.id,
        mac: MAC,
        title: 'Till <b>',
      })
    ).id;
    await make.createDevice(db, { tenant_id: tenantId, voucher_id: old.id, mac: MAC });
    await make.createDevice(db, { tenant_id: tenantId, voucher_id: unrelated.id });
    const session = (values: { voucher_id: number; mac: string | null; stopped_at?: number }) =>
      make.createSession(db, { tenant_id: tenantId, hotspot_id: hotspotId, ...values });
    onlineSessionId = (await session({ voucher_id: current.id, mac: MAC })).id;
    pastSessionId = (await session({ voucher_id: old.id, mac: MAC, stopped_at: Date.UTC(2026, 9, 1) })).id;
    await session({ voucher_id: unrelated.id, mac: '02:00:00:00:00:01' });
    await session({ voucher_id: unrelated.id, mac: null });

    // Another tenant has the same MAC on a voucher of its own, with a session.
    const tenantB = await make.createTenant(db, { hosts: [OTHER_HOST] });
    const planB = await make.createPlan(db, tenantB.id);
    other = await make.createVoucher(db, planB, { status: 'online' });
    await make.createDevice(db, { tenant_id: tenantB.id, voucher_id: other.id, mac: MAC });
    otherSessionId = (
      await make.createSession(db, {
        tenant_id: tenantB.id,
        hotspot_id: (await make.createHotspot(db, tenantB.id)).id,
        voucher_id: other.id,
        mac: MAC,
      })
    ).id;

    const devices = new DevicesRepository(db);
    for (let n = 1; n <= CHANGES; n++) {
      await devices.insertEvent({
        tenantId,
        voucherId: current.id,
        deviceId: null,
        actor: 'system',
        actorId: null,
        clientIp: null,
        action: 'added',
        details: { mac: macOf(n) },
        createdAtMs: Date.UTC(2026, 10, 1) + Math.ceil(n / 3) * 60_000,
      });
    }
    token = await createApiToken(app, tenantId, 'readonly');
    otherToken = await createApiToken(app, tenantB.id, 'readonly');
    const admin = await createAdmin(app, tenantId, { role: 'readonly' });
    operator = new AdminClient(app);
    expect((await operator.signIn(admin.email)).statusCode).toBe(303);
  });
  afterAll(() => app.destroy());

  const api = (path: string, mac: string, bearer = token, host = 'localhost') =>
    app.http.inject({
      method: 'GET',
      url: `/api/v1/${path}?${new URLSearchParams({ mac }).toString()}`,
      headers: { authorization: `Bearer ${bearer}`, host },
    });
  const ids = (body: { items: Array<{ id: number }>; total: number }) => ({
    ids: body.items.map((item) => item.id).sort((a, b) => a - b),
    total: body.total,
  });

  it.each(FORMATS)('API: vouchers and sessions of %j', async (mac) => {
    const vouchers = await api('vouchers', mac);
    expect(vouchers.statusCode).toBe(200);
    expect(ids(vouchers.json())).toEqual({ ids: [current.id, old.id], total: 2 });

    const sessions = await api('sessions', mac);
    expect(sessions.statusCode).toBe(200);
    expect(ids(sessions.json())).toEqual({ ids: [onlineSessionId, pastSessionId], total: 2 });
    expect(sessions.json<{ items: Array<{ mac: string }> }>().items.map((s) => s.mac)).toEqual([MAC, MAC]);
  });

  it('API: combines with the other filters (the online session, the live voucher)', async () => {
    const online = await app.http.inject({
      method: 'GET',
      url: `/api/v1/sessions?mac=${encodeURIComponent(MAC)}&online=true`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ids(online.json())).toEqual({ ids: [onlineSessionId], total: 1 });
    const live = await app.http.inject({
      method: 'GET',
      url: `/api/v1/vouchers?mac=${encodeURIComponent(MAC)}&status=online`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ids(live.json())).toEqual({ ids: [current.id], total: 1 });
  });

  it('API: each tenant finds only its own vouchers and sessions of the MAC', async () => {
    expect(ids((await api('vouchers', MAC, otherToken, OTHER_HOST)).json())).toEqual({
      ids: [other.id],
      total: 1,
    });
    expect(ids((await api('sessions', MAC, otherToken, OTHER_HOST)).json())).toEqual({
      ids: [otherSessionId],
      total: 1,
    });
    // A MAC that is nowhere in the tenant finds nothing (not everything).
    expect(ids((await api('vouchers', '00:11:22:33:44:55')).json())).toEqual({ ids: [], total: 0 });
  });

  it.each(['nonsense', 'f0:99:b6:12:34', 'f0:99:b6:12:34:56:78', '', '<script>'])(
    'API: %j is a 400 MAC_INVALID problem, not a 500',
    async (mac) => {
      for (const path of ['vouchers', 'sessions']) {
        const response = await api(path, mac);
        expect(response.statusCode).toBe(400);
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(response.json()).toMatchObject({
          code: 'MAC_INVALID',
          title: 'Enter a MAC address such as AA:BB:CC:DD:EE:FF (12 hexadecimal digits).',
        });
      }
    },
  );

  it('API: a MAC longer than any format is refused by the query schema', async () => {
    const response = await api('vouchers', 'a'.repeat(41));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION' });
  });

  it('admin: the voucher list finds the vouchers of a MAC typed in any format, and links its sessions', async () => {
    for (const mac of FORMATS) {
      const page = await operator.get(`/admin/vouchers?${new URLSearchParams({ mac }).toString()}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(current.code);
      expect(page.body).toContain(old.code);
      expect(page.body).not.toContain(unrelated.code);
      expect(page.body).not.toContain(other.code);
      expect(page.body).toContain(`href="/admin/sessions?mac=F0%3A99%3AB6%3A12%3A34%3A56"`);
    }
  });

  it('admin: the session list finds the sessions of a MAC, and links its vouchers', async () => {
    const page = await operator.get('/admin/sessions?mac=f099.b612.3456');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('2 in total');
    expect(page.body).toContain(`href="/admin/vouchers/${current.id}"`);
    expect(page.body).toContain(`href="/admin/vouchers/${old.id}"`);
    expect(page.body).not.toContain(`href="/admin/vouchers/${unrelated.id}"`);
    expect(page.body).toContain(`href="/admin/vouchers?mac=F0%3A99%3AB6%3A12%3A34%3A56"`);
    const online = await operator.get('/admin/sessions?online=yes&mac=F0-99-B6-12-34-56');
    expect(online.body).toContain('1 in total');
  });

  it('admin: a text that is not a MAC says so, lists nothing and is escaped', async () => {
    for (const list of ['vouchers', 'sessions']) {
      const page = await operator.get(`/admin/${list}?mac=${encodeURIComponent('<script>x</script>')}`);
      expect(page.statusCode).toBe(400);
      expect(page.body).toContain(
        'MAC address: Enter a MAC address such as AA:BB:CC:DD:EE:FF (12 hexadecimal digits).',
      );
      expect(page.body).toContain('0 in total');
      expect(page.body).not.toContain('<script>x');
      expect(page.body).toContain('value="&lt;script>x&lt;/script>"');
    }
  });

  it("links each device on the customer page to its row on the voucher's page", async () => {
    const page = await operator.get(`/admin/customers/${customerId}`);
    expect(page.statusCode).toBe(200);
    const link = `/admin/vouchers/${current.id}#device-${currentDeviceId}`;
    expect(page.body).toContain(`href="${link}"`);
    expect(page.body).toContain(`on voucher ${current.code}`);
    expect(page.body).toContain('Till &lt;b>');
    const target = await operator.get(link.split('#')[0]!);
    expect(target.body).toContain(`id="device-${currentDeviceId}"`);
  });

  /** The changes a voucher page lists (their MACs in order) and its paging links. */
  async function trail(url: string) {
    const page = await operator.get(url);
    expect(page.statusCode).toBe(200);
    const history = page.body.slice(page.body.indexOf('id="device-history"'));
    const links = Object.fromEntries(
      [...history.matchAll(/<a href="([^"]+)">(← Newest changes|Older changes →)<\/a>/g)].map((m) => [
        m[2]!.includes('Older') ? 'older' : 'newest',
        m[1]!.replaceAll('&amp;', '&'),
      ]),
    );
    return { macs: [...history.matchAll(/Added ([0-9A-F:]{17})/g)].map((m) => m[1]!), links };
  }

  it('shows the newest 50 changes, then pages to the oldest, each change once', async () => {
    const first = await trail(`/admin/vouchers/${current.id}`);
    expect(first.macs).toHaveLength(50);
    expect(first.macs[0]).toBe(macOf(CHANGES));
    expect(first.links.newest).toBeUndefined();
    expect(first.links.older).toMatch(/^\/admin\/vouchers\/\d+\?changesBefore=\d+-\d+#device-history$/);

    const second = await trail(first.links.older!);
    expect(second.macs).toHaveLength(50);
    expect(second.links.newest).toBe(`/admin/vouchers/${current.id}#device-history`);
    const third = await trail(second.links.older!);
    expect(third.macs).toHaveLength(CHANGES - 100);
    expect(third.links.older).toBeUndefined();
    expect(third.links.newest).toBeDefined();

    const all = [...first.macs, ...second.macs, ...third.macs];
    expect(all).toEqual(Array.from({ length: CHANGES }, (_, i) => macOf(CHANGES - i)));
  });

  it('treats a malformed cursor as the newest page', async () => {
    for (const cursor of ['abc', '1-', '-1', '1e3-2', `${'9'.repeat(16)}-1`]) {
      const page = await trail(`/admin/vouchers/${current.id}?changesBefore=${encodeURIComponent(cursor)}`);
      expect(page.macs[0]).toBe(macOf(CHANGES));
      expect(page.links.newest).toBeUndefined();
    }
  });
});
