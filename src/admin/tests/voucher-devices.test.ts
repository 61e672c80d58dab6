/**
 * The Associated devices block of the admin voucher page, through the real forms (CSRF, cookies,
 * redirects): every action works and lands in the audit trail as the operator who did it;
 * refusals come back on the form with the typed input; read-only admins, forged forms and
 * another tenant's ids change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { AdminClient, createAdmin } from '../../../test/helpers/admin.js';
import {
  createCustomer,
  createDevice,
  createHotspot,
  createPlan,
  createSession,
  createTenant,
  createVoucher,
} from '../../../test/helpers/factories.js';
import { FakeSessionTerminator } from '../../usage/index.js';

const XSS = '<script>alert(1)</script>';

describe.each(TEST_DIALECTS)('admin voucher page: associated devices (%s)', (dialect) => {
  let app: TestApp;
  let terminator: FakeSessionTerminator;
  let tenantId: number;
  let hotspotId: number;
  let plan: Awaited<ReturnType<typeof createPlan>>;
  let owner: AdminClient;
  let ownerAdminId: number;
  let readonly: AdminClient;

  beforeAll(async () => {
    terminator = new FakeSessionTerminator();
    app = await buildTestApp(dialect, { overrides: { sessionTerminator: terminator } });
    tenantId = app.bootstrapped.tenant.id;
    hotspotId = (await createHotspot(app.store.db, tenantId, { title: 'Pool bar' })).id;
    plan = await createPlan(app.store.db, tenantId, { devices_limit: 2 });
    const ownerAdmin = await createAdmin(app, tenantId, { role: 'admin', name: 'Olga Operator' });
    ownerAdminId = ownerAdmin.id;
    owner = new AdminClient(app);
    expect((await owner.signIn(ownerAdmin.email)).statusCode).toBe(303);
    const readonlyAdmin = await createAdmin(app, tenantId, { role: 'readonly' });
    readonly = new AdminClient(app);
    expect((await readonly.signIn(readonlyAdmin.email)).statusCode).toBe(303);
  });
  afterAll(() => app.destroy());

  const liveVoucher = () => createVoucher(app.store.db, plan, { status: 'active' });
  const devicesOf = (voucherId: number) =>
    app.store.db
      .selectFrom('devices')
      .select(['id', 'mac', 'title', 'added_by'])
      .where('voucher_id', '=', voucherId)
      .orderBy('id')
      .execute();
  const eventsOf = (voucherId: number) =>
    app.store.db
      .selectFrom('device_events')
      .select(['action', 'actor', 'actor_id', 'client_ip', 'details_json'])
      .where('voucher_id', '=', voucherId)
      .orderBy('id')
      .execute();
  const openSession = (voucherId: number, mac: string) =>
    createSession(app.store.db, {
      tenant_id: tenantId,
      hotspot_id: hotspotId,
      voucher_id: voucherId,
      mac,
      user_name: mac,
      framed_ip: '10.5.50.9',
    });
  /** Follows a 303 like a browser and returns the page it lands on. */
  const follow = async (response: { statusCode: number; headers: Record<string, unknown> }) => {
    expect(response.statusCode).toBe(303);
    return owner.get(String(response.headers.location));
  };

  it('adds a MAC in any common format; the page lists it and the audit names the operator', async () => {
    const voucher = await liveVoucher();
    const page = await owner.get(`/admin/vouchers/${voucher.id}`);
    expect(page.body).toContain('Associated devices');
    expect(page.body).toContain('This voucher can be used by up to 2 devices; 0 on it.');

    const added = await owner.post(`/admin/vouchers/${voucher.id}/devices`, {
      mac: 'f099.b612.3456',
      title: 'Front desk',
    });
    expect(added.headers.location).toBe(
      `/admin/vouchers/${voucher.id}?device=added&mac=F0%3A99%3AB6%3A12%3A34%3A56#devices`,
    );
    const after = await follow(added);
    expect(after.body).toContain('Device F0:99:B6:12:34:56 added: it can connect by MAC authentication now.');
    expect(after.body).toContain('<code>F0:99:B6:12:34:56</code>');
    expect(after.body).toContain('Front desk');
    expect(after.body).toContain('Operator Olga Operator');
    expect(after.body).toContain('Added F0:99:B6:12:34:56 (“Front desk”)');

    expect(await devicesOf(voucher.id)).toMatchObject([
      { mac: 'F0:99:B6:12:34:56', title: 'Front desk', added_by: 'operator' },
    ]);
    const [event] = await eventsOf(voucher.id);
    expect(event).toMatchObject({ action: 'added', actor: 'operator', actor_id: ownerAdminId });
    expect(event?.client_ip).toBe('127.0.0.1');

    // A private (randomised) address gets the hint.
    await owner.post(`/admin/vouchers/${voucher.id}/devices`, { mac: '3A-1F-C2-77-08-9E' });
    const withPrivate = await owner.get(`/admin/vouchers/${voucher.id}`);
    expect(withPrivate.body).toContain('Private (randomised) address');
    // Full: no add form any more, a line saying why.
    expect(withPrivate.body).toContain('The voucher has all 2 of its devices: remove one to add another.');
    expect(withPrivate.body).not.toContain('>Add device<');
  });

  it('refuses bad, multicast, duplicate and over-limit MACs with a clear message, keeping the typed input', async () => {
    const voucher = await liveVoucher();
    const other = await liveVoucher();
    await createDevice(app.store.db, { tenant_id: tenantId, voucher_id: other.id, mac: 'AA:BB:CC:00:00:02' });
    const url = `/admin/vouchers/${voucher.id}/devices`;

    const cases: Array<[Record<string, string>, number, string]> = [
      [{ mac: 'F0:99:B6:12:34' }, 400, 'Enter a MAC address such as AA:BB:CC:DD:EE:FF'],
      [{ mac: '01:00:5e:00:00:fb' }, 400, 'This is a multicast or broadcast address'],
      [{ mac: 'ff-ff-ff-ff-ff-ff' }, 400, 'This is a multicast or broadcast address'],
      [{ mac: '000000000000' }, 400, 'The all-zero MAC address is not a device.'],
      [{ mac: 'aa:bb:cc:00:00:02' }, 409, 'AA:BB:CC:00:00:02 is already used with another voucher.'],
      [{ mac: 'AA:BB:CC:00:00:03', title: 'x'.repeat(101) }, 400, 'at most 100 characters'],
    ];
    for (const [fields, status, message] of cases) {
      const refused = await owner.post(url, fields);
      expect(refused.statusCode, fields.mac).toBe(status);
      expect(refused.body, fields.mac).toContain(message);
      // The form comes back with what was typed, marked invalid.
      expect(refused.body, fields.mac).toContain(`value="${fields.mac}"`);
      expect(refused.body, fields.mac).toContain('aria-invalid="true"');
    }

    expect((await owner.post(url, { mac: 'AA:BB:CC:00:00:04' })).statusCode).toBe(303);
    const duplicate = await owner.post(url, { mac: 'aabbcc000004', title: 'Again' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.body).toContain('AA:BB:CC:00:00:04 is already on this voucher.');
    expect(duplicate.body).toContain('value="aabbcc000004"');
    expect(duplicate.body).toContain('value="Again"');

    expect((await owner.post(url, { mac: 'AA:BB:CC:00:00:05' })).statusCode).toBe(303);
    const overLimit = await owner.post(url, { mac: 'AA:BB:CC:00:00:06' });
    expect(overLimit.statusCode).toBe(409);
    expect(overLimit.body).toContain('This voucher can be used by up to 2 devices.');
    expect(overLimit.body).toContain('value="AA:BB:CC:00:00:06"');

    expect((await devicesOf(voucher.id)).map((d) => d.mac)).toEqual([
      'AA:BB:CC:00:00:04',
      'AA:BB:CC:00:00:05',
    ]);
    expect((await eventsOf(voucher.id)).map((e) => e.action)).toEqual(['added', 'added']);
  });

  it('renames a device, replaces its MAC (disconnecting the old one) and keeps input on a refused edit', async () => {
    const voucher = await liveVoucher();
    const device = await createDevice(app.store.db, {
      tenant_id: tenantId,
      voucher_id: voucher.id,
      mac: 'AA:BB:CC:00:01:01',
      title: 'Old name',
    });
    const base = `/admin/vouchers/${voucher.id}/devices/${device.id}`;
    const form = await owner.get(`${base}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="AA:BB:CC:00:01:01"');
    expect(form.body).toContain('value="Old name"');

    const renamed = await follow(await owner.post(base, { mac: 'AA:BB:CC:00:01:01', title: 'Till' }));
    expect(renamed.body).toContain('Device saved.');
    expect(renamed.body).toContain('Renamed AA:BB:CC:00:01:01 to “Till”');

    const refused = await owner.post(base, { mac: 'AA:BB:CC:00:01', title: 'Till 2' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Enter a MAC address such as AA:BB:CC:DD:EE:FF');
    expect(refused.body).toContain('value="AA:BB:CC:00:01"');
    expect(refused.body).toContain('value="Till 2"');
    const elsewhere = await liveVoucher();
    await createDevice(app.store.db, {
      tenant_id: tenantId,
      voucher_id: elsewhere.id,
      mac: 'AA:BB:CC:00:01:09',
    });
    const taken = await owner.post(base, { mac: 'AA:BB:CC:00:01:09', title: 'Till' });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain(
      'AA:BB:CC:00:01:09 is already used with another voucher. Remove it there first.',
    );
    expect(taken.body).toContain(`<a href="/admin/vouchers/${elsewhere.id}#devices">Open that voucher</a>`);

    await openSession(voucher.id, 'AA:BB:CC:00:01:01');
    const before = terminator.requests.length;
    const replaced = await owner.post(base, { mac: 'aa-bb-cc-00-01-02', title: 'Till' });
    expect(replaced.headers.location).toContain('device=replaced');
    const page = await follow(replaced);
    expect(page.body).toContain('MAC address replaced: AA:BB:CC:00:01:01 no longer has access.');
    expect(page.body).toContain('The hotspot confirmed the disconnect.');
    expect(terminator.requests.slice(before).map((r) => r.session.mac)).toEqual(['AA:BB:CC:00:01:01']);
    expect(page.body).toContain('Replaced AA:BB:CC:00:01:01 with AA:BB:CC:00:01:02');
    expect((await eventsOf(voucher.id)).map((e) => `${e.actor}:${e.action}:${e.actor_id}`)).toEqual([
      `operator:edited:${ownerAdminId}`,
      `operator:replaced:${ownerAdminId}`,
    ]);
  });

  it('disconnects a device without removing it, and says what the hotspot answered', async () => {
    const voucher = await liveVoucher();
    const device = await createDevice(app.store.db, {
      tenant_id: tenantId,
      voucher_id: voucher.id,
      mac: 'AA:BB:CC:00:02:01',
      last_hotspot_id: hotspotId,
      last_seen_at: Date.UTC(2026, 10, 27, 9, 30),
      downloaded_bytes: 5_000_000,
    });
    await openSession(voucher.id, device.mac);
    const page = await owner.get(`/admin/vouchers/${voucher.id}`);
    const row = /<tr id="device-\d+">([\s\S]*?)<\/tr>/.exec(page.body)?.[1] ?? '';
    expect(row).toContain('badge-online');
    expect(row).toContain('Pool bar');
    expect(row).toContain('Nov 27, 2026');
    expect(row).toContain('↓ 5 MB');
    expect(row).toContain(`action="/admin/vouchers/${voucher.id}/devices/${device.id}/disconnect"`);
    const before = terminator.requests.length;
    const done = await follow(
      await owner.post(`/admin/vouchers/${voucher.id}/devices/${device.id}/disconnect`, {}),
    );
    expect(done.body).toContain('Disconnect sent for AA:BB:CC:00:02:01; the device keeps its access.');
    expect(done.body).toContain('The hotspot confirmed the disconnect.');
    expect(done.body).toContain('Disconnected AA:BB:CC:00:02:01');
    expect(terminator.requests.slice(before)).toMatchObject([
      { session: { mac: 'AA:BB:CC:00:02:01', framedIp: '10.5.50.9' } },
    ]);
    expect(await devicesOf(voucher.id)).toHaveLength(1);
    expect((await eventsOf(voucher.id)).map((e) => `${e.actor}:${e.action}`)).toEqual([
      'operator:disconnected',
    ]);
  });

  it('removes a device after a confirmation page; the result says confirmed, retried or not online', async () => {
    const voucher = await liveVoucher();
    const online = await createDevice(app.store.db, {
      tenant_id: tenantId,
      voucher_id: voucher.id,
      mac: 'AA:BB:CC:00:03:01',
      title: 'Laptop',
    });
    const offline = await createDevice(app.store.db, {
      tenant_id: tenantId,
      voucher_id: voucher.id,
      mac: 'AA:BB:CC:00:03:02',
    });
    await openSession(voucher.id, online.mac);
    const voucherPage = await owner.get(`/admin/vouchers/${voucher.id}`);
    // Without JavaScript the remove action is a link to a confirmation page, not a POST.
    expect(voucherPage.body).toContain(`href="/admin/vouchers/${voucher.id}/devices/${online.id}/remove"`);
    const confirm = await owner.get(`/admin/vouchers/${voucher.id}/devices/${online.id}/remove`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Remove this device?');
    expect(confirm.body).toContain('It is online now: its sessions are disconnected at the hotspot.');
    expect(confirm.body).toContain('Yes, remove it');
    expect(await devicesOf(voucher.id)).toHaveLength(2);

    // The hotspot does not answer in time: the page says it will be retried.
    terminator.answer = { status: 'timeout', errorCause: null, attempts: 3 };
    try {
      const removed = await follow(
        await owner.post(`/admin/vouchers/${voucher.id}/devices/${online.id}/remove`, {}),
      );
      expect(removed.body).toContain('Device AA:BB:CC:00:03:01 removed: it no longer has access.');
      expect(removed.body).toContain('The hotspot has not confirmed the disconnect yet; it will be retried');
    } finally {
      terminator.answer = { status: 'acked', errorCause: null, attempts: 1 };
    }
    const second = await follow(
      await owner.post(`/admin/vouchers/${voucher.id}/devices/${offline.id}/remove`, {}),
    );
    expect(second.body).toContain('It was not online, so nothing had to be disconnected.');
    expect(second.body).toContain('Removed AA:BB:CC:00:03:01 (“Laptop”)');
    expect(await devicesOf(voucher.id)).toEqual([]);
    expect((await eventsOf(voucher.id)).map((e) => `${e.actor}:${e.action}`)).toEqual([
      'operator:removed',
      'operator:removed',
    ]);
    // Removed already: its pages are gone.
    expect((await owner.get(`/admin/vouchers/${voucher.id}/devices/${online.id}/remove`)).statusCode).toBe(
      404,
    );
  });

  it('on a voucher that is no longer valid, devices can be removed but not added or changed', async () => {
    const used = await createVoucher(app.store.db, plan, { status: 'used' });
    const device = await createDevice(app.store.db, { tenant_id: tenantId, voucher_id: used.id });
    const page = await owner.get(`/admin/vouchers/${used.id}`);
    expect(page.body).toContain(
      'Devices can be added or changed only while the voucher is new, active or online.',
    );
    expect(page.body).not.toContain('>Add device<');
    expect(page.body).not.toContain(`/devices/${device.id}/edit`);
    expect(page.body).toContain(`/devices/${device.id}/remove`);
    expect((await owner.get(`/admin/vouchers/${used.id}/devices/${device.id}/edit`)).statusCode).toBe(409);
    const added = await owner.post(`/admin/vouchers/${used.id}/devices`, { mac: 'AA:BB:CC:00:07:01' });
    expect(added.statusCode).toBe(409);
    expect(added.body).toContain('Devices can only be added or changed on a voucher that is still valid.');
    // No form to fill again: the voucher takes no devices any more.
    expect(added.body).not.toContain('>Add device<');
    const renamed = await owner.post(`/admin/vouchers/${used.id}/devices/${device.id}`, { title: 'x' });
    expect(renamed.statusCode).toBe(409);
    expect((await owner.post(`/admin/vouchers/${used.id}/devices/${device.id}/remove`, {})).statusCode).toBe(
      303,
    );
    expect(await devicesOf(used.id)).toEqual([]);
  });

  it('shows the same trail for customers’ own changes, and escapes titles', async () => {
    const customer = await createCustomer(app.store.db, tenantId, { phone: '+12025550177' });
    const voucher = await createVoucher(app.store.db, plan, { status: 'active', customer_id: customer.id });
    await app.devices.add(
      tenantId,
      { kind: 'customer', customerId: customer.id, clientIp: '198.51.100.4' },
      voucher.id,
      {
        mac: 'AA:BB:CC:00:04:01',
        title: XSS,
      },
    );
    const page = await owner.get(`/admin/vouchers/${voucher.id}`);
    expect(page.body).not.toContain(XSS);
    expect(page.body).toContain('&lt;script>alert(1)&lt;/script>');
    expect(page.body).toContain(`Customer <a href="/admin/customers/${customer.id}">+12025550177</a>`);
    expect(page.body).toContain('198.51.100.4');
  });

  it('rejects forged forms and read-only admins, changing nothing', async () => {
    const voucher = await liveVoucher();
    const device = await createDevice(app.store.db, { tenant_id: tenantId, voucher_id: voucher.id });
    await openSession(voucher.id, device.mac);
    const base = `/admin/vouchers/${voucher.id}/devices`;
    const posts: Array<[string, Record<string, string>]> = [
      [base, { mac: 'AA:BB:CC:00:05:01' }],
      [`${base}/${device.id}`, { mac: 'AA:BB:CC:00:05:02', title: 'x' }],
      [`${base}/${device.id}/remove`, {}],
      [`${base}/${device.id}/disconnect`, {}],
    ];
    const requestsBefore = terminator.requests.length;
    for (const [url, fields] of posts) {
      const forged = await owner.postRaw(url, new URLSearchParams({ ...fields, _csrf: 'forged' }).toString());
      expect(forged.statusCode, url).toBe(403);
      const missing = await owner.postRaw(url, new URLSearchParams(fields).toString());
      expect(missing.statusCode, url).toBe(403);
      expect((await readonly.post(url, fields)).statusCode, url).toBe(403);
    }
    expect((await readonly.get(`${base}/${device.id}/edit`)).statusCode).toBe(403);
    expect((await readonly.get(`${base}/${device.id}/remove`)).statusCode).toBe(403);
    // Read-only admins see the devices and the trail, without any form.
    const page = await readonly.get(`/admin/vouchers/${voucher.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(device.mac);
    expect(page.body).not.toContain(`action="${base}`);
    expect(page.body).not.toContain(`href="${base}/${device.id}/remove"`);

    expect(await devicesOf(voucher.id)).toMatchObject([{ id: device.id, mac: device.mac }]);
    expect(await eventsOf(voucher.id)).toEqual([]);
    expect(terminator.requests.length).toBe(requestsBefore);
  });

  it("answers 404 for another tenant's voucher or device, changing nothing", async () => {
    const other = await createTenant(app.store.db, { hosts: ['other.example.com'] });
    const otherPlan = await createPlan(app.store.db, other.id);
    const otherVoucher = await createVoucher(app.store.db, otherPlan, { status: 'active' });
    const otherDevice = await createDevice(app.store.db, {
      tenant_id: other.id,
      voucher_id: otherVoucher.id,
    });
    const mine = await liveVoucher();
    const base = `/admin/vouchers/${otherVoucher.id}/devices`;
    for (const url of [
      `/admin/vouchers/${otherVoucher.id}`,
      base,
      `${base}/${otherDevice.id}/edit`,
      `${base}/${otherDevice.id}/remove`,
      // The other tenant's device through one of our vouchers.
      `/admin/vouchers/${mine.id}/devices/${otherDevice.id}/edit`,
    ]) {
      expect((await owner.get(url)).statusCode, url).toBe(404);
    }
    for (const [url, fields] of [
      [base, { mac: 'AA:BB:CC:00:06:01' }],
      [`${base}/${otherDevice.id}`, { title: 'mine now' }],
      [`${base}/${otherDevice.id}/remove`, {}],
      [`${base}/${otherDevice.id}/disconnect`, {}],
      [`/admin/vouchers/${mine.id}/devices/${otherDevice.id}/remove`, {}],
    ] as const) {
      expect((await owner.post(url, fields)).statusCode, url).toBe(404);
    }
    expect(await devicesOf(otherVoucher.id)).toMatchObject([{ id: otherDevice.id, title: null }]);
    expect(await eventsOf(otherVoucher.id)).toEqual([]);
  });
});
