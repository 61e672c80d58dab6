/** Interop with FreeRADIUS's radclient over real UDP, on every database in TEST_DIALECTS. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import { NAS_SECRET, createRadiusWorld, createVoucher, radclient } from '../helpers/radius-factories.js';

describe.each(TEST_DIALECTS)('radclient interop (%s)', (dialect) => {
  let app: TestApp;
  let world: Awaited<ReturnType<typeof createRadiusWorld>>;
  let authPort: number;
  let acctPort: number;

  beforeAll(async () => {
    app = await buildTestApp(dialect, {
      env: { RADIUS_ENABLED: '1', RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0' },
    });
    world = await createRadiusWorld(app.store.db);
    await app.listen();
    ({ authPort, acctPort } = app.radius!.ports());
  });
  afterAll(async () => {
    await app?.destroy();
  });

  it('accepts a voucher over PAP with Message-Authenticator, activates it and returns its attributes', async () => {
    const activations: unknown[] = [];
    app.onVoucherActivated((event) => activations.push(event));
    const result = await radclient(authPort, 'auth', NAS_SECRET, {
      'User-Name': world.voucher.code,
      'User-Password': world.voucher.code,
      'NAS-Identifier': 'hotspot1',
      'Calling-Station-Id': 'f0-99-b6-12-34-56',
      'Message-Authenticator': '0x00',
    });
    expect(result.code, result.stdout + result.stderr).toBe('Access-Accept');
    expect(result.attributes['Session-Timeout']).toEqual(['3600']);
    expect(result.attributes['Acct-Interim-Interval']).toEqual(['300']);
    expect(result.attributes['Mikrotik-Rate-Limit']).toEqual(['2000k/10000k']);
    expect(result.attributes['Mikrotik-Total-Limit']).toEqual(['500000000']);
    expect(result.attributes['Class']?.[0]).toMatch(/^0x/);
    // Message-Authenticator is the first attribute of the reply.
    expect(result.stdout.split(/Received \S+ Id/)[1]).toMatch(/^[^\n]*\n\s+Message-Authenticator = /);
    const voucher = await app.store.db
      .selectFrom('vouchers')
      .selectAll()
      .where('id', '=', world.voucher.id)
      .executeTakeFirstOrThrow();
    expect(voucher.status).toBe('active');
    expect(voucher.activated_at).toBe(app.clock.nowMs());
    expect(voucher.expires_at).toBe(app.clock.nowMs() + 86_400_000);
    expect(activations).toEqual([
      {
        tenantId: world.tenant.id,
        voucherId: world.voucher.id,
        customerId: world.customer.id,
        activatedAtMs: app.clock.nowMs(),
      },
    ]);
    const device = await app.store.db
      .selectFrom('devices')
      .selectAll()
      .where('voucher_id', '=', world.voucher.id)
      .executeTakeFirstOrThrow();
    expect(device).toMatchObject({ mac: 'F0:99:B6:12:34:56', added_by: 'first_login', is_randomized: 0 });
  });

  it('accepts CHAP (challenge from the Request Authenticator) and MAC authentication', async () => {
    const chap = await radclient(authPort, 'auth', NAS_SECRET, {
      'User-Name': world.voucher.code,
      'CHAP-Password': world.voucher.code,
      'NAS-Identifier': 'hotspot1',
      'Calling-Station-Id': 'F0:99:B6:12:34:56',
      'Message-Authenticator': '0x00',
    });
    expect(chap.code, chap.stdout).toBe('Access-Accept');
    const wrong = await radclient(authPort, 'auth', NAS_SECRET, {
      'User-Name': world.voucher.code,
      'CHAP-Password': 'not-the-code',
      'NAS-Identifier': 'hotspot1',
      'Message-Authenticator': '0x00',
    });
    expect(wrong.code).toBe('Access-Reject');
    const mac = await radclient(authPort, 'auth', NAS_SECRET, {
      // mac-auth-mode=mac-as-username-and-password, in Cisco's spelling of the MAC.
      'User-Name': 'f099.b612.3456',
      'User-Password': 'f099.b612.3456',
      'NAS-IP-Address': '127.0.0.1',
      'Message-Authenticator': '0x00',
    });
    expect(mac.code, mac.stdout).toBe('Access-Accept');
    const unknownMac = await radclient(authPort, 'auth', NAS_SECRET, {
      'User-Name': '00:11:22:33:44:55',
      'User-Password': '00:11:22:33:44:55',
      'NAS-IP-Address': '127.0.0.1',
      'Message-Authenticator': '0x00',
    });
    expect(unknownMac.code).toBe('Access-Reject');
  });

  it('rejects unknown, disabled, expired and used-up vouchers with a clear Reply-Message', async () => {
    const disabled = await createVoucher(app.store.db, world.plan, { status: 'disabled' });
    const expired = await createVoucher(app.store.db, world.plan, {
      valid_until_at: app.clock.nowMs() - 1000,
    });
    const usedUp = await createVoucher(app.store.db, world.plan, {
      status: 'active',
      downloaded_bytes: 500_000_000,
    });
    const cases: Array<[string, string]> = [
      ['NOPE-0000', 'Unknown voucher code'],
      [disabled.code, 'This voucher is disabled'],
      [expired.code, 'This voucher has expired'],
      [usedUp.code, 'This voucher is used up'],
    ];
    for (const [code, message] of cases) {
      const result = await radclient(authPort, 'auth', NAS_SECRET, {
        'User-Name': code,
        'User-Password': code,
        'NAS-Identifier': 'hotspot1',
        'Message-Authenticator': '0x00',
      });
      expect(result.code, code).toBe('Access-Reject');
      expect(result.attributes['Reply-Message']).toEqual([message]);
      expect(result.stdout.split(/Received \S+ Id/)[1]).toMatch(/^[^\n]*\n\s+Message-Authenticator = /);
    }
  });

  it('drops an Access-Request without Message-Authenticator when the hotspot requires it', async () => {
    const before = app.radius!.stats.dropped['missing-message-authenticator'] ?? 0;
    const result = await radclient(
      authPort,
      'auth',
      NAS_SECRET,
      { 'User-Name': world.voucher.code, 'User-Password': world.voucher.code, 'NAS-Identifier': 'h' },
      { timeoutSeconds: 1 },
    );
    expect(result.code).toBeUndefined();
    expect(app.radius!.stats.dropped['missing-message-authenticator']).toBe(before + 1);
  });

  it('answers Status-Server on both ports', async () => {
    const auth = await radclient(authPort, 'status', NAS_SECRET, { 'Message-Authenticator': '0x00' });
    expect(auth.code, auth.stdout + auth.stderr).toBe('Access-Accept');
    const acct = await radclient(acctPort, 'status', NAS_SECRET, { 'Message-Authenticator': '0x00' });
    expect(acct.code, acct.stdout + acct.stderr).toBe('Accounting-Response');
  });

  it('records Start / Interim-Update / Stop into the session, the voucher and the day', async () => {
    const base = {
      'User-Name': world.voucher.code,
      'Acct-Session-Id': '81a00001',
      'NAS-Identifier': 'hotspot1',
      'Calling-Station-Id': 'F0:99:B6:12:34:56',
      'Framed-IP-Address': '10.5.50.7',
    };
    const start = await radclient(acctPort, 'acct', NAS_SECRET, { ...base, 'Acct-Status-Type': 'Start' });
    expect(start.code, start.stdout + start.stderr).toBe('Accounting-Response');
    let voucher = await app.store.db
      .selectFrom('vouchers')
      .selectAll()
      .where('id', '=', world.voucher.id)
      .executeTakeFirstOrThrow();
    expect(voucher.status).toBe('online');
    const interim = await radclient(acctPort, 'acct', NAS_SECRET, {
      ...base,
      'Acct-Status-Type': 'Interim-Update',
      'Acct-Input-Octets': 1000,
      'Acct-Output-Octets': 50_000,
      'Acct-Session-Time': 60,
    });
    expect(interim.code).toBe('Accounting-Response');
    const stop = await radclient(acctPort, 'acct', NAS_SECRET, {
      ...base,
      'Acct-Status-Type': 'Stop',
      'Acct-Input-Octets': 3000,
      'Acct-Output-Octets': 20,
      'Acct-Output-Gigawords': 1,
      'Acct-Session-Time': 120,
      'Acct-Terminate-Cause': 'User-Request',
    });
    expect(stop.code).toBe('Accounting-Response');
    const session = await app.store.db
      .selectFrom('sessions')
      .selectAll()
      .where('acct_session_id', '=', '81a00001')
      .executeTakeFirstOrThrow();
    expect(session).toMatchObject({
      voucher_id: world.voucher.id,
      uploaded_bytes: 3000,
      downloaded_bytes: 2 ** 32 + 20,
      session_seconds: 120,
      terminate_cause: 'User-Request',
      framed_ip: '10.5.50.7',
      mac: 'F0:99:B6:12:34:56',
    });
    voucher = await app.store.db
      .selectFrom('vouchers')
      .selectAll()
      .where('id', '=', world.voucher.id)
      .executeTakeFirstOrThrow();
    expect(voucher).toMatchObject({
      status: 'used',
      used_reason: 'data',
      downloaded_bytes: 2 ** 32 + 20,
      uploaded_bytes: 3000,
      online_seconds: 120,
    });
    const daily = await app.store.db
      .selectFrom('usage_daily')
      .selectAll()
      .where('voucher_id', '=', world.voucher.id)
      .execute();
    expect(daily).toEqual([
      expect.objectContaining({
        day: '2026-11-27',
        downloaded_bytes: 2 ** 32 + 20,
        uploaded_bytes: 3000,
        online_seconds: 120,
        customer_id: world.customer.id,
      }),
    ]);
  });
});
