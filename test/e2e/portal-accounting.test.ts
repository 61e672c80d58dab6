/**
 * The portal follows accounting as it arrives: RADIUS Accounting-Requests from FreeRADIUS's
 * radclient over real UDP change what /portal and its live JSON show, read from the database
 * on every request. On every database in TEST_DIALECTS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import { CookieJar, getPage, portalSignIn } from '../helpers/portal.js';
import { NAS_SECRET, createRadiusWorld, radclient } from '../helpers/radius-factories.js';
import { RADCLIENT_PATH, describeWithTool } from '../helpers/tools.js';

const HOST = 'wifi.portal-accounting.test';

interface Live {
  fingerprint: string;
  text: Record<string, string>;
  html: { chart: string };
}

describe.each(TEST_DIALECTS)('portal following RADIUS accounting (%s)', (dialect) => {
  describeWithTool(RADCLIENT_PATH, 'apt-get install freeradius-utils')('with radclient', () => {
    let app: TestApp;
    let world: Awaited<ReturnType<typeof createRadiusWorld>>;
    let acctPort: number;
    const jar = new CookieJar();
    const headers = { host: HOST };

    const live = async (): Promise<Live> => {
      const response = await app.http.inject({
        url: '/portal/api/summary',
        headers: { ...headers, cookie: jar.header() },
      });
      expect(response.statusCode).toBe(200);
      return response.json<Live>();
    };

    beforeAll(async () => {
      app = await buildTestApp(dialect, {
        env: { RADIUS_ENABLED: '1', RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0' },
      });
      world = await createRadiusWorld(app.store.db, {
        plan: { data_limit_bytes: 10_000_000, time_limit_seconds: 3600 },
        voucher: { status: 'active', activated_at: app.clock.nowMs() - 60_000 },
      });
      await app.store.db
        .insertInto('tenant_hosts')
        .values({ tenant_id: world.tenant.id, host: HOST })
        .execute();
      await app.listen();
      ({ acctPort } = app.radius!.ports());
      expect((await portalSignIn(app.http, jar, world.customer.phone, headers)).statusCode).toBe(303);
    });
    afterAll(async () => {
      await app?.destroy();
    });

    it('shows a session starting, its usage growing and why it ended', async () => {
      const voucherKey = `v${world.voucher.id}.data`;
      const before = await live();
      expect(before.text[voucherKey]).toBe('0 B of 10 MB');

      const base = {
        'User-Name': world.voucher.code,
        'Acct-Session-Id': 'portal-0001',
        'Calling-Station-Id': 'F0:99:B6:12:34:56',
        'Framed-IP-Address': '10.5.50.7',
      };
      const start = await radclient(acctPort, 'acct', NAS_SECRET, { ...base, 'Acct-Status-Type': 'Start' });
      expect(start.code, start.stdout + start.stderr).toBe('Accounting-Response');
      const started = await live();
      // A new session changes the page's shape: the script reloads instead of patching.
      expect(started.fingerprint).not.toBe(before.fingerprint);
      const page = await getPage(app.http, jar, '/portal', headers);
      expect(page.body).toContain('Online now');
      expect(page.body).toContain('F0:99:B6:12:34:56');

      const interim = await radclient(acctPort, 'acct', NAS_SECRET, {
        ...base,
        'Acct-Status-Type': 'Interim-Update',
        'Acct-Input-Octets': 500_000,
        'Acct-Output-Octets': 2_000_000,
        'Acct-Session-Time': 300,
      });
      expect(interim.code).toBe('Accounting-Response');
      const growing = await live();
      expect(growing.fingerprint).toBe(started.fingerprint); // same shape: numbers patched in place
      expect(growing.text[voucherKey]).toBe('2.5 MB of 10 MB');
      expect(growing.text['total.time.used']).toBe('5 min');
      expect(growing.html.chart).toContain('2 MB download, 500 KB upload, 5 min online');

      const stop = await radclient(acctPort, 'acct', NAS_SECRET, {
        ...base,
        'Acct-Status-Type': 'Stop',
        'Acct-Input-Octets': 600_000,
        'Acct-Output-Octets': 3_000_000,
        'Acct-Session-Time': 420,
        'Acct-Terminate-Cause': 'Idle-Timeout',
      });
      expect(stop.code).toBe('Accounting-Response');
      const stopped = await live();
      expect(stopped.fingerprint).not.toBe(growing.fingerprint);
      expect(stopped.text[voucherKey]).toBe('3.6 MB of 10 MB');
      const after = await getPage(app.http, jar, '/portal', headers);
      expect(after.body).toContain('Ended after a while without activity');
      expect(after.body).not.toContain('badge-online');
    });
  });
});
