/**
 * Logs > Device changes through the real admin shell (cookies, CSRF, layout): every kind of
 * change by customers, operators (admin area and API token) and the device-limit policy, with
 * who, when in the tenant's zone, IP, voucher and MAC; the MAC, actor and day filters; keyset
 * pages that visit every change exactly once; read-only admins; another tenant never shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { AdminClient, createAdmin, signedInAdmin } from '../../../test/helpers/admin.js';
import { createCustomer, createPlan, createTenant, createVoucher } from '../../../test/helpers/factories.js';
import { DeviceAccessRepository, DevicesRepository } from '../../devices/index.js';
import { MINUTE_MS } from '../../shared/index.js';
import { FakeSessionTerminator } from '../../usage/index.js';

const XSS = '<script>alert(1)</script>';
const LOG = '/admin/logs/devices';
// 15:00 UTC is 10:00 in New York (EST, UTC-5) on 20 November.
const DAY_ONE_MS = Date.UTC(2026, 10, 20, 15, 0, 0);
// 04:30 UTC on the 22nd is still the 21st, 23:30, in New York.
const LATE_EVENING_MS = Date.UTC(2026, 10, 22, 4, 30, 0);

/** The "What" cells of a log page, top to bottom. */
function whatCells(body: string): string[] {
  return [...body.matchAll(/<tr><td>[^<]*<\/td><td>.*?<\/td><td>[^<]*<\/td><td>([^<]*)<\/td>/g)].map(
    (m) => m[1]!,
  );
}

/** The "Older changes" link of a page (HTML-decoded), if any. */
function olderLink(body: string): string | undefined {
  const href = /<a href="([^"]+)">Older changes →<\/a>/.exec(body)?.[1];
  return href?.replaceAll('&amp;', '&');
}

/** The device-limit policy's replacement, with why (a row from before it stored the limit). */
const AUTOMATIC_REPLACEMENT =
  'Replaced AA:BB:CC:00:00:01 with AA:BB:CC:00:00:09: AA:BB:CC:00:00:09 logged in with the voucher code and the voucher was at its device limit, so an offline device made room';

describe.each(TEST_DIALECTS)('admin Logs > Device changes (%s)', (dialect) => {
  let app: TestApp;
  let tenantId: number;
  let owner: AdminClient;
  let ownerAdminId: number;
  let readonly: AdminClient;
  let customerId: number;
  let customerVoucher: { id: number; code: string };
  let operatorVoucher: { id: number; code: string };
  let otherVoucher: { id: number; code: string };
  let otherAdmin: AdminClient;

  const at = (ms: number) => app.clock.set(ms);

  beforeAll(async () => {
    app = await buildTestApp(dialect, { overrides: { sessionTerminator: new FakeSessionTerminator() } });
    tenantId = app.bootstrapped.tenant.id;
    // Before any request, so the tenant resolver never caches the old zone.
    await app.store.db
      .updateTable('tenants')
      .set({ time_zone: 'America/New_York' })
      .where('id', '=', tenantId)
      .execute();
    const plan = await createPlan(app.store.db, tenantId, { devices_limit: 2 });
    const ownerAdmin = await createAdmin(app, tenantId, { role: 'admin', name: 'Olga Operator' });
    ownerAdminId = ownerAdmin.id;
    owner = new AdminClient(app);
    expect((await owner.signIn(ownerAdmin.email)).statusCode).toBe(303);
    readonly = await signedInAdmin(app, tenantId, { role: 'readonly' });
    customerId = (await createCustomer(app.store.db, tenantId, { phone: '+12025550177' })).id;
    customerVoucher = await createVoucher(app.store.db, plan, { status: 'active', customer_id: customerId });
    operatorVoucher = await createVoucher(app.store.db, plan, { status: 'active' });

    // Another tenant, with a change about the very MAC our customer adds.
    const other = await createTenant(app.store.db, { hosts: ['other.example.com'] });
    otherVoucher = await createVoucher(app.store.db, await createPlan(app.store.db, other.id), {
      status: 'active',
    });
    otherAdmin = await signedInAdmin(app, other.id, { role: 'readonly' }, 'other.example.com');
    at(DAY_ONE_MS - MINUTE_MS);
    await app.devices.add(
      other.id,
      { kind: 'operator', adminId: null, clientIp: '192.0.2.99' },
      otherVoucher.id,
      {
        mac: 'AA:BB:CC:00:00:01',
        title: 'Other tenant device',
      },
    );

    // Our tenant: one change a minute, every kind and every actor.
    at(DAY_ONE_MS);
    await app.devices.add(
      tenantId,
      { kind: 'customer', customerId, clientIp: '198.51.100.4' },
      customerVoucher.id,
      { mac: 'aa-bb-cc-00-00-01', title: XSS },
    );
    at(DAY_ONE_MS + MINUTE_MS);
    const added = await owner.post(`/admin/vouchers/${operatorVoucher.id}/devices`, {
      mac: 'AA:BB:CC:00:00:02',
      title: 'Till',
    });
    expect(added.statusCode).toBe(303);
    const [device] = await new DevicesRepository(app.store.db).listByVoucher(tenantId, operatorVoucher.id);
    const base = `/admin/vouchers/${operatorVoucher.id}/devices/${device!.id}`;
    at(DAY_ONE_MS + 2 * MINUTE_MS);
    expect((await owner.post(base, { mac: 'AA:BB:CC:00:00:02', title: 'Front till' })).statusCode).toBe(303);
    at(DAY_ONE_MS + 3 * MINUTE_MS);
    expect((await owner.post(base, { mac: 'AA:BB:CC:00:00:03', title: 'Front till' })).statusCode).toBe(303);
    at(DAY_ONE_MS + 4 * MINUTE_MS);
    expect((await owner.post(`${base}/disconnect`, {})).statusCode).toBe(303);
    at(DAY_ONE_MS + 5 * MINUTE_MS);
    expect((await owner.post(`${base}/remove`, {})).statusCode).toBe(303);
    at(DAY_ONE_MS + 6 * MINUTE_MS);
    await app.devices.add(
      tenantId,
      { kind: 'operator', adminId: null, clientIp: '203.0.113.9' },
      operatorVoucher.id,
      { mac: 'AA:BB:CC:00:00:04' },
    );
    // The RADIUS device-limit policy's replacement, written as the access policy writes it.
    await new DeviceAccessRepository(app.store.db, app.store.dialect).recordEvent({
      tenantId,
      voucherId: customerVoucher.id,
      deviceId: null,
      action: 'replaced',
      details: { mac: 'AA:BB:CC:00:00:01', replacedBy: 'AA:BB:CC:00:00:09', policy: 'replace_offline' },
      nowMs: DAY_ONE_MS + 7 * MINUTE_MS,
    });
    at(LATE_EVENING_MS);
    await app.devices.remove(
      tenantId,
      { kind: 'customer', customerId, clientIp: '198.51.100.5' },
      customerVoucher.id,
      (await new DevicesRepository(app.store.db).listByVoucher(tenantId, customerVoucher.id))[0]!.id,
    );
  });
  afterAll(() => app.destroy());

  it('lists every change newest first: when in the tenant zone, who, IP, what, voucher and MAC', async () => {
    const page = await readonly.get(LOG);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<a href="/admin/logs/devices" aria-current="page">Device changes</a>');
    expect(whatCells(page.body)).toEqual([
      `Removed AA:BB:CC:00:00:01 (“&lt;script>alert(1)&lt;/script>”)`,
      AUTOMATIC_REPLACEMENT,
      'Added AA:BB:CC:00:00:04',
      'Removed AA:BB:CC:00:00:03 (“Front till”)',
      'Disconnected AA:BB:CC:00:00:03',
      'Replaced AA:BB:CC:00:00:02 with AA:BB:CC:00:00:03 (“Front till”)',
      'Renamed AA:BB:CC:00:00:02 to “Front till”',
      'Added AA:BB:CC:00:00:02 (“Till”)',
      `Added AA:BB:CC:00:00:01 (“&lt;script>alert(1)&lt;/script>”)`,
    ]);
    expect(page.body).not.toContain(XSS);
    const rows = page.body.split('<tr>').slice(2);
    // The customer's first change: 10:00 in New York, their phone linked, their IP, the voucher's block.
    expect(rows.at(-1)).toContain('<td>Nov 20, 2026, 10:00 AM</td>');
    expect(rows.at(-1)).toContain(`Customer <a href="/admin/customers/${customerId}">+12025550177</a>`);
    expect(rows.at(-1)).toContain('<td>198.51.100.4</td>');
    expect(rows.at(-1)).toContain(
      `<a href="/admin/vouchers/${customerVoucher.id}#devices">${customerVoucher.code}</a>`,
    );
    expect(rows.at(-1)).toContain('<code>AA:BB:CC:00:00:01</code>');
    // The late-evening change is on the 21st there (the 22nd in UTC).
    expect(rows[0]).toContain('<td>Nov 21, 2026, 11:30 PM</td>');
    expect(rows[0]).toContain('<td>198.51.100.5</td>');
    expect(rows.at(-2)).toContain('Operator Olga Operator');
    expect(rows.at(-2)).toContain('<td>127.0.0.1</td>');
    expect(rows.at(-2)).toContain(
      `<a href="/admin/vouchers/${operatorVoucher.id}#devices">${operatorVoucher.code}</a>`,
    );
    expect(rows[2]).toContain('Operator (API token)');
    expect(rows[2]).toContain('<td>203.0.113.9</td>');
    expect(rows[1]).toContain('Automatic (at login)');
    expect(rows[1]).toContain('<td>—</td>');
    expect(rows[1]).toContain('<code>AA:BB:CC:00:00:09</code>');
    // Another tenant's change of the same MAC never shows.
    expect(page.body).not.toContain(otherVoucher.code);
    expect(page.body).not.toContain('192.0.2.99');
    expect(ownerAdminId).toBeGreaterThan(0);
  });

  it('filters by MAC (replacements from and to it included), by who and by days in the tenant zone', async () => {
    const what = async (query: string) => {
      const page = await owner.get(`${LOG}?${query}`);
      expect(page.statusCode, query).toBe(200);
      return whatCells(page.body);
    };
    expect(await what('mac=aabb.cc00.0002')).toEqual([
      'Replaced AA:BB:CC:00:00:02 with AA:BB:CC:00:00:03 (“Front till”)',
      'Renamed AA:BB:CC:00:00:02 to “Front till”',
      'Added AA:BB:CC:00:00:02 (“Till”)',
    ]);
    expect(await what('mac=AA-BB-CC-00-00-03')).toEqual([
      'Removed AA:BB:CC:00:00:03 (“Front till”)',
      'Disconnected AA:BB:CC:00:00:03',
      'Replaced AA:BB:CC:00:00:02 with AA:BB:CC:00:00:03 (“Front till”)',
    ]);
    expect(await what('mac=aa:bb:cc:00:00:09')).toEqual([AUTOMATIC_REPLACEMENT]);
    // The MAC another tenant also used: only our changes.
    const shared = await owner.get(`${LOG}?mac=AA:BB:CC:00:00:01`);
    expect(whatCells(shared.body)).toHaveLength(3);
    expect(shared.body).not.toContain(otherVoucher.code);
    expect(shared.body).toContain('value="AA:BB:CC:00:00:01"');
    // Finding a device by MAC links the three views of it both ways.
    const encoded = 'AA%3ABB%3ACC%3A00%3A00%3A01';
    expect(shared.body).toContain(`href="/admin/vouchers?mac=${encoded}"`);
    expect(shared.body).toContain(`href="/admin/sessions?mac=${encoded}"`);
    for (const from of ['/admin/vouchers', '/admin/sessions'])
      expect((await owner.get(`${from}?mac=aabbcc000001`)).body, from).toContain(
        `<a href="/admin/logs/devices?mac=${encoded}">Device changes of AA:BB:CC:00:00:01</a>`,
      );

    expect(await what('who=customer')).toEqual([
      `Removed AA:BB:CC:00:00:01 (“&lt;script>alert(1)&lt;/script>”)`,
      `Added AA:BB:CC:00:00:01 (“&lt;script>alert(1)&lt;/script>”)`,
    ]);
    // A row written before the policy stored the limit still says why, in general words.
    expect(await what('who=system')).toEqual([AUTOMATIC_REPLACEMENT]);
    expect(await what('who=operator')).toHaveLength(6);
    expect(await what('who=operator&mac=AA:BB:CC:00:00:04')).toEqual(['Added AA:BB:CC:00:00:04']);

    // Days are the tenant's: 23:30 on the 21st in New York is the 21st, not UTC's 22nd.
    expect(await what('from=2026-11-21&to=2026-11-21')).toEqual([
      `Removed AA:BB:CC:00:00:01 (“&lt;script>alert(1)&lt;/script>”)`,
    ]);
    expect(await what('from=2026-11-22')).toEqual([]);
    expect(await what('to=2026-11-20')).toHaveLength(8);
    expect(await what('from=2026-11-20&to=2026-11-20&who=customer')).toHaveLength(1);

    const bad = await owner.get(`${LOG}?mac=${encodeURIComponent(`nonsense${XSS}`)}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('MAC address: Enter a MAC address such as AA:BB:CC:DD:EE:FF');
    expect(bad.body).not.toContain(XSS);
    expect(whatCells(bad.body)).toEqual([]);
    const none = await owner.get(`${LOG}?who=customer&from=2026-11-25`);
    expect(none.body).toContain('No device changes match.');
  });

  it('pages through every change exactly once, even while new changes arrive', async () => {
    const repository = new DevicesRepository(app.store.db);
    const mac = 'AA:BB:CC:00:0F:0F';
    /** The owner's "added" change of `mac`, titled `title` (the log shows it in the What cell). */
    const addChange = (title: string, createdAtMs: number) =>
      repository.insertEvent({
        tenantId,
        voucherId: operatorVoucher.id,
        deviceId: null,
        actor: 'operator',
        actorId: ownerAdminId,
        clientIp: '127.0.0.1',
        action: 'added',
        details: { mac, title },
        createdAtMs,
      });
    // 120 changes, several sharing one millisecond (the keyset breaks ties by id).
    for (let i = 0; i < 120; i++) {
      await addChange(`n${i}`, DAY_ONE_MS + 10 * MINUTE_MS + Math.floor(i / 4) * 1000);
    }
    const seen: string[] = [];
    let url: string | undefined = `${LOG}?mac=${mac}`;
    let pages = 0;
    while (url) {
      const page = await readonly.get(url);
      expect(page.statusCode).toBe(200);
      seen.push(...whatCells(page.body).map((w) => /“(n\d+)”/.exec(w)![1]!));
      if (pages === 0) {
        expect(page.body).not.toContain('← Newest changes');
        // A change arriving meanwhile goes on top; the next pages neither repeat nor skip.
        await addChange('late', LATE_EVENING_MS + MINUTE_MS);
      } else
        expect(page.body).toContain(
          `<a href="/admin/logs/devices?mac=${mac.replaceAll(':', '%3A')}">← Newest changes</a>`,
        );
      url = olderLink(page.body);
      if (url) expect(url).toContain(`mac=${mac.replaceAll(':', '%3A')}`);
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => `n${119 - i}`));

    // Unfiltered, the pages hold every change of the tenant once (and none of another tenant).
    const all: string[] = [];
    url = LOG;
    while (url) {
      const page = await owner.get(url);
      all.push(...whatCells(page.body));
      url = olderLink(page.body);
    }
    const stored = await app.store.db
      .selectFrom('device_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    expect(all).toHaveLength(Number(stored.n));
    expect(all).toHaveLength(9 + 121);
    // A cursor that is not one shows the newest page.
    expect(whatCells((await owner.get(`${LOG}?changesBefore=x-1`)).body)[0]).toContain('late');
  });

  it('shows another tenant only its own changes, and needs a signed-in admin', async () => {
    const page = await otherAdmin.get(LOG);
    expect(page.statusCode).toBe(200);
    expect(whatCells(page.body)).toEqual(['Added AA:BB:CC:00:00:01 (“Other tenant device”)']);
    expect(page.body).not.toContain(customerVoucher.code);
    const signedOut = await app.http.inject({ url: LOG, headers: { host: 'localhost' } });
    expect(signedOut.statusCode).toBe(303);
    expect(signedOut.headers.location).toBe('/admin/sign-in');
  });
});
