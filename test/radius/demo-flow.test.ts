/**
 * The "done when": radclient logs DEMO-NEW-0001 in on the demo data, its accounting
 * shows in the portal of +12025550143, and running out of data disconnects the session at a
 * simulated NAS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attr, decodePacket, getString } from '../../src/radius/protocol/index.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import { CookieJar, getPage, portalSignIn } from '../helpers/portal.js';
import { NasSimulator, radclient } from '../helpers/radius-factories.js';

const SECRET = 'testing123';

describe.each(TEST_DIALECTS)('demo voucher over RADIUS into the portal (%s)', (dialect) => {
  let app: TestApp;
  let nas: NasSimulator;
  let authPort: number;
  let acctPort: number;

  beforeAll(async () => {
    nas = new NasSimulator(SECRET);
    const coaPort = await nas.start();
    app = await buildTestApp(dialect, {
      env: { RADIUS_ENABLED: '1', RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0' },
      config: { demo: 'always' },
    });
    await app.store.db
      .updateTable('hotspots')
      .set({ coa_port: coaPort })
      .where('ip_address', '=', '127.0.0.1')
      .execute();
    await app.listen();
    ({ authPort, acctPort } = app.radius!.ports());
  });
  afterAll(async () => {
    await app?.destroy();
    await nas?.close();
  });

  it(
    'logs in, shows usage in the portal, and disconnects when the data runs out',
    { timeout: 60_000 },
    async () => {
      const login = await radclient(authPort, 'auth', SECRET, {
        'User-Name': 'DEMO-NEW-0001',
        'CHAP-Password': 'DEMO-NEW-0001',
        'NAS-Identifier': 'demo-lobby',
        'Calling-Station-Id': '5C:AA:FD:01:02:03',
        'Framed-IP-Address': '10.5.50.99',
        'Message-Authenticator': '0x00',
      });
      expect(login.code, login.stdout + login.stderr).toBe('Access-Accept');
      expect(login.attributes['Mikrotik-Total-Limit']).toEqual(['500000000']);
      expect(login.attributes['Mikrotik-Rate-Limit']).toEqual(['2000k/10000k']);
      expect(login.attributes['Session-Timeout']).toEqual(['3600']);
      const classHex = login.attributes['Class']![0]!;

      const base = {
        'User-Name': 'DEMO-NEW-0001',
        'Acct-Session-Id': 'demo-live-1',
        'NAS-Identifier': 'demo-lobby',
        'Calling-Station-Id': '5C:AA:FD:01:02:03',
        'Framed-IP-Address': '10.5.50.99',
        Class: classHex,
      };
      expect((await radclient(acctPort, 'acct', SECRET, { ...base, 'Acct-Status-Type': 'Start' })).code).toBe(
        'Accounting-Response',
      );
      const interim = await radclient(acctPort, 'acct', SECRET, {
        ...base,
        'Acct-Status-Type': 'Interim-Update',
        'Acct-Output-Octets': 120_000_000,
        'Acct-Input-Octets': 30_000_000,
        'Acct-Session-Time': 600,
      });
      expect(interim.code).toBe('Accounting-Response');

      const jar = new CookieJar();
      expect((await portalSignIn(app.http, jar, '+12025550143')).statusCode).toBe(303);
      const voucher = await app.store.db
        .selectFrom('vouchers')
        .selectAll()
        .where('code', '=', 'DEMO-NEW-0001')
        .executeTakeFirstOrThrow();
      expect(voucher.status).toBe('online');
      const page = await getPage(app.http, jar, `/portal/vouchers/${voucher.id}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('150 MB of 500 MB');
      expect(page.body).toContain('5C:AA:FD:01:02:03');

      const over = await radclient(acctPort, 'acct', SECRET, {
        ...base,
        'Acct-Status-Type': 'Interim-Update',
        'Acct-Output-Octets': 480_000_000,
        'Acct-Input-Octets': 40_000_000,
        'Acct-Session-Time': 1200,
      });
      expect(over.code).toBe('Accounting-Response');
      for (let i = 0; i < 300 && nas.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(nas.requests.length).toBeGreaterThanOrEqual(1);
      const request = decodePacket(nas.requests[0]!.packet);
      expect(request.ok && getString(request.packet, Attr.AcctSessionId)).toBe('demo-live-1');
      expect(request.ok && getString(request.packet, Attr.UserName)).toBe('DEMO-NEW-0001');
      const used = await app.store.db
        .selectFrom('vouchers')
        .select(['status', 'used_reason'])
        .where('id', '=', voucher.id)
        .executeTakeFirstOrThrow();
      expect(used).toEqual({ status: 'used', used_reason: 'data' });
    },
  );
});
