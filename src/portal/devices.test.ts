import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import {
  createCustomer,
  createHotspot,
  createPlan,
  createSession,
  createTenant,
  createVoucher,
} from '../../test/helpers/factories.js';
import { CookieJar, csrfTokenIn, getPage, postForm } from '../../test/helpers/portal.js';
import { FakeSessionTerminator } from '../usage/terminator.js';
import { PORTAL_SESSION_COOKIE } from './plugin.js';

describe.each(TEST_DIALECTS)('portal associated devices (%s)', (dialect) => {
  let app: TestApp;
  let tenantId: number;
  let voucherId: number;
  let usedVoucherId: number;
  let samVoucherId: number;
  let otherTenantVoucherId: number;
  let alexId: number;
  let hotspotId: number;
  let jar: CookieJar;

  const page = (id = voucherId) => `/portal/vouchers/${id}`;
  const setPortal = (otpEnabled: boolean, showDevices: boolean) =>
    app.tenants
      .getSettings(tenantId, 'portal')
      .then((s) =>
        app.tenants.putSettings(tenantId, 'portal', { ...s, otpEnabled, showDevices }, app.clock.nowMs()),
      );

  /** Signs a customer in directly, as after an SMS code (the OTP step has its own tests). */
  async function signedIn(customerId: number): Promise<CookieJar> {
    const signed = new CookieJar();
    const token = await app.webSessions.create(tenantId, 'portal', customerId, { authMethod: 'code' });
    signed.store({ cookies: [{ name: PORTAL_SESSION_COOKIE, value: token }] } as never);
    return signed;
  }

  beforeAll(async () => {
    // A hotspot that ACKs every Disconnect-Request (the RADIUS side has its own tests).
    app = await buildTestApp(dialect, { overrides: { sessionTerminator: new FakeSessionTerminator() } });
    const db = app.store.db;
    tenantId = app.bootstrapped.tenant.id;
    hotspotId = (await createHotspot(db, tenantId, { title: 'Lobby' })).id;
    const plan = await createPlan(db, tenantId, { devices_limit: 2 });
    alexId = (await createCustomer(db, tenantId, { phone: '+12025550143' })).id;
    const sam = await createCustomer(db, tenantId, { phone: '+12025550188' });
    voucherId = (await createVoucher(db, plan, { customer_id: alexId, status: 'active' })).id;
    usedVoucherId = (await createVoucher(db, plan, { customer_id: alexId, status: 'expired' })).id;
    samVoucherId = (await createVoucher(db, plan, { customer_id: sam.id, status: 'active' })).id;
    const other = await createTenant(db, { hosts: ['other.example'] });
    const otherPlan = await createPlan(db, other.id);
    otherTenantVoucherId = (await createVoucher(db, otherPlan, { status: 'active' })).id;
  });
  afterAll(() => app.destroy());
  beforeEach(async () => {
    await setPortal(true, true);
    await app.store.db.deleteFrom('devices').execute();
    jar = await signedIn(alexId);
  });

  const add = (fields: Record<string, string>, id = voucherId, as = jar) =>
    postForm(app.http, as, `/portal/vouchers/${id}/devices`, fields, { formPageUrl: '/portal' });

  it('shows the block only when OTP and the option are both on, and refuses every request otherwise', async () => {
    const on = await getPage(app.http, jar, page());
    expect(on.body).toContain('Associated devices');
    expect(on.body).toContain('This voucher can be used by up to 2 devices.');
    const dashboard = await getPage(app.http, jar, '/portal');
    expect(dashboard.body).toContain('0 of 2 devices');
    const added = await add({ mac: 'aa-bb-cc-00-11-22', title: 'Phone' });
    expect(added.statusCode).toBe(303);
    const [device] = await app.store.db.selectFrom('devices').select('id').execute();
    const csrf = csrfTokenIn(on.body);

    for (const [otp, show] of [
      [false, true],
      [true, false],
      [false, false],
    ] as const) {
      await setPortal(otp, show);
      const hidden = await getPage(app.http, jar, page());
      expect(hidden.statusCode).toBe(200);
      expect(hidden.body).not.toContain('Associated devices');
      expect((await getPage(app.http, jar, '/portal')).body).not.toContain('of 2 devices');
      for (const url of [
        `${page()}/devices`,
        `${page()}/devices/${device!.id}/edit`,
        `${page()}/devices/${device!.id}/remove`,
      ]) {
        const refused = await getPage(app.http, jar, url);
        expect(refused.statusCode, url).toBe(403);
        expect(refused.body).toContain('Managing devices is not available here');
      }
      for (const [url, fields] of [
        [`${page()}/devices`, { mac: '02:00:00:00:00:99' }],
        [`${page()}/devices/${device!.id}`, { mac: '02:00:00:00:00:98', title: 'x' }],
        [`${page()}/devices/${device!.id}/remove`, {}],
      ] as const) {
        const refused = await postForm(app.http, jar, url, fields, { formPageUrl: '/portal' });
        expect(refused.statusCode, url).toBe(403);
      }
    }
    // Nothing changed while refused.
    const rows = await app.store.db.selectFrom('devices').select(['mac', 'title']).execute();
    expect(rows).toEqual([{ mac: 'AA:BB:CC:00:11:22', title: 'Phone' }]);
    expect(csrf).not.toBe('');
  });

  it('adds a MAC in common formats, normalised, shown with its details and the audit trail', async () => {
    const added = await add({ mac: 'aabb.cc00.1122', title: 'Anna phone' });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toContain('device=added');
    const shown = await getPage(app.http, jar, added.headers.location!.split('#')[0]!);
    expect(shown.body).toContain('Device AA:BB:CC:00:11:22 added. It can connect now.');
    expect(shown.body).toContain('Anna phone');
    expect(shown.body).toContain('Recent changes');
    expect(shown.body).toContain('Added AA:BB:CC:00:11:22');
    // A randomised (locally administered) MAC gets the private-address hint.
    expect((await add({ mac: '3A1FC277089E' })).statusCode).toBe(303);
    const both = await getPage(app.http, jar, page());
    expect(both.body).toContain('Private Wi-Fi address');
    expect(both.body).toContain('Private Wi-Fi Address');
    expect(both.body).toContain('Use device MAC');
    expect(both.body).toContain('This voucher already has 2 devices');
    const row = await app.store.db
      .selectFrom('device_events')
      .select(['actor', 'actor_id', 'action'])
      .where('action', '=', 'added')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ actor: 'customer', actor_id: alexId, action: 'added' });
  });

  it('refuses bad formats, zero and multicast, duplicates and the device limit as form errors', async () => {
    const bad = await add({ mac: 'not-a-mac' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter a MAC address such as AA:BB:CC:DD:EE:FF');
    expect(bad.body).toContain('value="not-a-mac"');
    expect((await add({ mac: '00:00:00:00:00:00' })).body).toContain('does not belong to a device');
    expect((await add({ mac: '01:00:5e:00:00:01' })).statusCode).toBe(400);
    expect((await add({ mac: 'AA:BB:CC:00:11:22', title: 'x'.repeat(101) })).statusCode).toBe(400);
    expect((await add({ mac: 'AA:BB:CC:00:11:22' })).statusCode).toBe(303);
    const duplicate = await add({ mac: 'aa-bb-cc-00-11-22' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.body).toContain('AA:BB:CC:00:11:22 is already on this voucher.');
    // Another customer's live voucher of the tenant already has the MAC.
    const sam = await signedIn(
      (
        await app.store.db
          .selectFrom('customers')
          .select('id')
          .where('phone', '=', '+12025550188')
          .executeTakeFirstOrThrow()
      ).id,
    );
    const taken = await add({ mac: 'AA:BB:CC:00:11:22' }, samVoucherId, sam);
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('already used with another voucher');
    // Which voucher holds it is for operators only: nothing on the customer's page points to it.
    expect(taken.body).not.toMatch(new RegExp(`/vouchers/${voucherId}\\b`));
    expect((await add({ mac: 'AA:BB:CC:00:11:33' })).statusCode).toBe(303);
    const full = await add({ mac: 'AA:BB:CC:00:11:44' });
    expect(full.statusCode).toBe(409);
    expect(full.body).toContain(
      'This voucher can be used by up to 2 devices. Remove one before adding another.',
    );
  });

  it('edits a title, replaces a MAC (disconnecting the old one) and removes with a confirmation step', async () => {
    await add({ mac: 'AA:BB:CC:00:11:22', title: 'Old' });
    const device = await app.store.db.selectFrom('devices').select('id').executeTakeFirstOrThrow();
    const base = `${page()}/devices/${device.id}`;
    const editPage = await getPage(app.http, jar, `${base}/edit`);
    expect(editPage.body).toContain('value="AA:BB:CC:00:11:22"');
    const renamed = await postForm(
      app.http,
      jar,
      base,
      { mac: 'AA:BB:CC:00:11:22', title: 'New' },
      { formPageUrl: `${base}/edit` },
    );
    expect(renamed.headers.location).toContain('device=edited');
    // Online on the old MAC: a replacement disconnects it and the page says the hotspot confirmed.
    await createSession(app.store.db, {
      tenant_id: tenantId,
      voucher_id: voucherId,
      hotspot_id: hotspotId,
      mac: 'AA:BB:CC:00:11:22',
    });
    const online = await getPage(app.http, jar, page());
    expect(online.body).toContain('Online now');
    const replaced = await postForm(
      app.http,
      jar,
      base,
      { mac: 'AA:BB:CC:00:11:55', title: 'New' },
      { formPageUrl: `${base}/edit` },
    );
    expect(replaced.statusCode).toBe(303);
    const after = await getPage(app.http, jar, replaced.headers.location!.split('#')[0]!);
    expect(after.body).toContain('MAC address replaced. AA:BB:CC:00:11:22 no longer has access.');
    expect(after.body).toContain('The hotspot confirmed that it was disconnected.');
    expect(after.body).toContain('Replaced AA:BB:CC:00:11:22 with AA:BB:CC:00:11:55');

    const confirm = await getPage(app.http, jar, `${base}/remove`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Remove this device?');
    expect(await app.store.db.selectFrom('devices').select('id').execute()).toHaveLength(1);
    const removed = await postForm(app.http, jar, `${base}/remove`, {}, { formPageUrl: `${base}/remove` });
    expect(removed.statusCode).toBe(303);
    const gone = await getPage(app.http, jar, removed.headers.location!.split('#')[0]!);
    expect(gone.body).toContain('Device AA:BB:CC:00:11:55 removed.');
    expect(gone.body).toContain('It was not online, so nothing had to be disconnected.');
    expect(await app.store.db.selectFrom('devices').select('id').execute()).toHaveLength(0);
    expect((await getPage(app.http, jar, `${base}/edit`)).statusCode).toBe(404);
  });

  it('needs a CSRF token on every POST', async () => {
    for (const url of [`${page()}/devices`, `${page()}/devices/1`, `${page()}/devices/1/remove`]) {
      const response = await app.http.inject({
        method: 'POST',
        url,
        remoteAddress: jar.remoteAddress,
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'mac=AA:BB:CC:00:11:22&_csrf=forged',
      });
      expect(response.statusCode, url).toBe(403);
    }
    expect(await app.store.db.selectFrom('devices').select('id').execute()).toHaveLength(0);
  });

  it("answers 404 for another customer's or another tenant's voucher, and hides the block on used vouchers", async () => {
    for (const id of [samVoucherId, otherTenantVoucherId]) {
      expect((await getPage(app.http, jar, `${page(id)}/devices`)).statusCode).toBe(404);
      expect((await add({ mac: 'AA:BB:CC:00:11:66' }, id)).statusCode).toBe(404);
    }
    const used = await getPage(app.http, jar, page(usedVoucherId));
    expect(used.statusCode).toBe(200);
    expect(used.body).not.toContain('Associated devices');
    expect((await add({ mac: 'AA:BB:CC:00:11:66' }, usedVoucherId)).statusCode).toBe(403);
    expect(await app.store.db.selectFrom('devices').select('id').execute()).toHaveLength(0);
  });

  it('refuses an emptied MAC on the edit form like the add form, keeping the device as it was', async () => {
    await add({ mac: 'AA:BB:CC:00:11:22', title: 'Phone' });
    const device = await app.store.db.selectFrom('devices').select('id').executeTakeFirstOrThrow();
    const base = `${page()}/devices/${device.id}`;
    const emptied = await postForm(
      app.http,
      jar,
      base,
      { mac: '', title: 'Renamed' },
      { formPageUrl: `${base}/edit` },
    );
    expect(emptied.statusCode).toBe(400);
    expect(emptied.body).toContain('Enter a MAC address such as AA:BB:CC:DD:EE:FF');
    const kept = await app.store.db.selectFrom('devices').select(['mac', 'title']).executeTakeFirstOrThrow();
    expect(kept).toEqual({ mac: 'AA:BB:CC:00:11:22', title: 'Phone' });
  });

  it('shows the private-address hint as advice, not as a success message', async () => {
    await add({ mac: '3a1f.c277.089e', title: 'Phone' });
    const body = (await getPage(app.http, jar, page())).body;
    expect(body).toContain('<p class="advice device-private">');
    expect(body).not.toContain('class="notice device-private"');
  });

  it('says on the sign-in page whether devices can be changed there', async () => {
    const anonymous = new CookieJar();
    expect((await getPage(app.http, anonymous, '/portal')).body).toContain(
      'and add or remove the devices that use them.',
    );
    await setPortal(true, false);
    expect((await getPage(app.http, anonymous, '/portal')).body).toContain('nothing can be changed.');
  });

  it('is translated to Spanish', async () => {
    const es = await getPage(app.http, jar, page(), { 'accept-language': 'es' });
    expect(es.body).toContain('Dispositivos asociados');
    expect(es.body).toContain('Este bono se puede usar en hasta 2 dispositivos.');
  });
});
