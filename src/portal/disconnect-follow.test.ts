/**
 * Device removal and Disconnect answer at once when the hotspot is slow (issue 15, 11): the
 * redirect says "checking", the page's status address follows the outcome, and a reload without
 * JavaScript shows how it ended — in the portal and in the admin area, on every database. The
 * status addresses answer only for the customer's own voucher and the operator's own tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, createAdmin } from '../../test/helpers/admin.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import {
  createCustomer,
  createDevice,
  createHotspot,
  createPlan,
  createSession,
  createTenant,
  createVoucher,
} from '../../test/helpers/factories.js';
import { CookieJar, getPage, postForm } from '../../test/helpers/portal.js';
import { PORTAL_SESSION_COOKIE } from './plugin.js';
import type { DisconnectOutcome, DisconnectTarget, SessionTerminator } from '../usage/index.js';

/** A hotspot that answers only when the test says so. */
class HeldTerminator implements SessionTerminator {
  private release: Array<(outcome: DisconnectOutcome) => void> = [];
  disconnect(_target: DisconnectTarget): Promise<DisconnectOutcome> {
    return new Promise((resolve) => this.release.push(resolve));
  }
  async answerAll(outcome: DisconnectOutcome): Promise<void> {
    for (const resolve of this.release.splice(0)) resolve(outcome);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(TEST_DIALECTS)('following a disconnect the hotspot is slow to confirm (%s)', (dialect) => {
  let app: TestApp;
  const hotspot = new HeldTerminator();
  let tenantId: number;
  let hotspotId: number;
  let plan: Awaited<ReturnType<typeof createPlan>>;

  beforeAll(async () => {
    app = await buildTestApp(dialect, {
      overrides: { sessionTerminator: hotspot, pageDisconnectWaitMs: 20 },
    });
    tenantId = app.bootstrapped.tenant.id;
    hotspotId = (await createHotspot(app.store.db, tenantId)).id;
    plan = await createPlan(app.store.db, tenantId, { devices_limit: 3 });
    await app.sms.service.createGateway(tenantId, { name: 'Log', type: 'log', settings: {} });
    await app.portalSettings.update(tenantId, { otpEnabled: true, showDevices: true });
  });
  afterAll(() => app.destroy());

  async function onlineDevice(voucherId: number, mac: string) {
    const device = await createDevice(app.store.db, { tenant_id: tenantId, voucher_id: voucherId, mac });
    await createSession(app.store.db, {
      tenant_id: tenantId,
      hotspot_id: hotspotId,
      voucher_id: voucherId,
      mac,
      started_at: app.clock.nowMs() - 60_000,
    });
    return device;
  }

  it('in the portal: "disconnecting…", then the outcome, for the customer’s own voucher only', async () => {
    const alex = await createCustomer(app.store.db, tenantId, { phone: '+12025550143' });
    const sam = await createCustomer(app.store.db, tenantId, { phone: '+12025550188' });
    const voucher = await createVoucher(app.store.db, plan, { customer_id: alex.id, status: 'online' });
    const device = await onlineDevice(voucher.id, 'AA:BB:CC:00:00:01');
    const signedIn = async (customerId: number) => {
      const jar = new CookieJar();
      const token = await app.webSessions.create(tenantId, 'portal', customerId, { authMethod: 'code' });
      jar.store({ cookies: [{ name: PORTAL_SESSION_COOKIE, value: token }] } as never);
      return jar;
    };
    const jar = await signedIn(alex.id);
    const removed = await postForm(
      app.http,
      jar,
      `/portal/vouchers/${voucher.id}/devices/${device.id}/remove`,
      {},
      { formPageUrl: `/portal/vouchers/${voucher.id}` },
    );
    expect(removed.statusCode).toBe(303);
    const location = removed.headers.location!;
    expect(location).toMatch(/disconnect=checking&since=\d+/);
    const page = await getPage(app.http, jar, location);
    expect(page.body).toContain('Disconnecting it at the hotspot…');
    const status = /data-follow-disconnect="([^"]+)"/.exec(page.body)![1]!.replaceAll('&amp;', '&');
    const poll = () => app.http.inject({ url: status, headers: { cookie: jar.header() } });
    expect((await poll()).json()).toEqual({ state: 'checking', text: 'Disconnecting it at the hotspot…' });
    // Sam cannot read Alex's voucher.
    const samJar = await signedIn(sam.id);
    expect((await app.http.inject({ url: status, headers: { cookie: samJar.header() } })).statusCode).toBe(
      404,
    );

    await hotspot.answerAll({ status: 'acked', errorCause: null, attempts: 1 });
    expect((await poll()).json()).toEqual({
      state: 'confirmed',
      text: 'The hotspot confirmed that it was disconnected.',
    });
    const reloaded = await getPage(app.http, jar, location);
    expect(reloaded.body).toContain('The hotspot confirmed that it was disconnected.');
    expect(reloaded.body).not.toContain('data-follow-disconnect');
  });

  it('in the admin area: voucher devices and Sessions, inside the operator’s tenant only', async () => {
    const admin = await createAdmin(app, tenantId, { role: 'admin' });
    const client = new AdminClient(app);
    await client.signIn(admin.email);
    const voucher = await createVoucher(app.store.db, plan, { status: 'online' });
    const device = await onlineDevice(voucher.id, 'AA:BB:CC:00:00:02');
    const disconnected = await client.post(
      `/admin/vouchers/${voucher.id}/devices/${device.id}/disconnect`,
      {},
      `/admin/vouchers/${voucher.id}`,
    );
    const location = disconnected.headers.location!;
    expect(location).toMatch(/disconnect=checking&since=\d+/);
    const page = await client.request({ url: location });
    expect(page.body).toContain('Disconnecting it at the hotspot…');
    const status = /data-follow-disconnect="([^"]+)"/.exec(page.body)![1]!.replaceAll('&amp;', '&');
    expect((await client.request({ url: status })).json()).toMatchObject({ state: 'checking' });

    // Sessions: the Disconnect button of the same device's session.
    const [session] = await app.store.db
      .selectFrom('sessions')
      .select('id')
      .where('voucher_id', '=', voucher.id)
      .execute();
    const fromSessions = await client.post(
      `/admin/sessions/${session!.id}/disconnect`,
      {},
      '/admin/sessions',
    );
    expect(fromSessions.headers.location).toMatch(/disconnect=checking&session=\d+&since=\d+/);
    const sessionsPage = await client.request({ url: fromSessions.headers.location! });
    expect(sessionsPage.body).toContain('Disconnecting it at the hotspot…');

    await hotspot.answerAll({ status: 'nacked', errorCause: 501, attempts: 1 });
    expect((await client.request({ url: status })).json()).toEqual({
      state: 'pending',
      text: 'The hotspot has not confirmed the disconnect yet; it will be retried in the background.',
    });
    const sessionsAgain = await client.request({ url: fromSessions.headers.location! });
    expect(sessionsAgain.body).toContain('it refused it (Error-Cause 501');

    // Another tenant's operator learns nothing of this voucher or session.
    const other = await createTenant(app.store.db, { hosts: ['other.example'] });
    const stranger = await createAdmin(app, other.id, { role: 'admin' });
    const strangerClient = new AdminClient(app, 'other.example');
    await strangerClient.signIn(stranger.email);
    expect((await strangerClient.request({ url: status })).statusCode).toBe(404);
    const sessionStatus = `/admin/sessions/${session!.id}/disconnect-status?since=0`;
    expect((await strangerClient.request({ url: sessionStatus })).statusCode).toBe(404);
  });
});
