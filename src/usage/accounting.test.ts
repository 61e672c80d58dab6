/**
 * Accounting idempotency on every database: duplicates, retransmissions with a new
 * Acct-Delay-Time, out-of-order packets, lost Start, Gigawords, NAS reboot (Accounting-On),
 * the stale-session sweep and expiry; and two processes on one PostgreSQL.
 */
import pino from 'pino';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../shared/index.js';
import { openDatabase } from '../store/index.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { accountingRecord } from '../../test/helpers/accounting.js';
import { createCustomer, createDevice } from '../../test/helpers/factories.js';
import { createPlan, createRadiusWorld, createVoucher } from '../../test/helpers/radius-factories.js';
import { AccountingRecorder, AcctStatusType, FakeSessionTerminator, type AccountingRecord } from './index.js';

/** Waits (up to 5 s) for background work such as a Disconnect after the commit. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe.each(TEST_DIALECTS)('accounting idempotency (%s)', (dialect) => {
  let app: TestApp;
  let world: Awaited<ReturnType<typeof createRadiusWorld>>;
  let terminator: FakeSessionTerminator;
  let sequence = 0;

  beforeEach(async () => {
    await app?.destroy();
    terminator = new FakeSessionTerminator();
    app = await buildTestApp(dialect, { overrides: { sessionTerminator: terminator } });
    world = await createRadiusWorld(app.store.db, {
      plan: { data_limit_bytes: 20 * 2 ** 32, time_limit_seconds: 10_000 },
      voucher: { status: 'active', activated_at: Date.UTC(2026, 10, 27, 11) },
      timeZone: 'America/New_York',
    });
  });
  afterAll(async () => {
    await app?.destroy();
  });

  const record = (values: Partial<AccountingRecord> & { statusType: number }): AccountingRecord =>
    accountingRecord({
      tenantId: world.tenant.id,
      hotspotId: world.hotspot.id,
      timeZone: 'America/New_York',
      acctSessionId: 's-1',
      userName: world.voucher.code,
      callingStationId: 'F0:99:B6:12:34:56',
      framedIp: '10.0.0.2',
      eventAtMs: app.clock.nowMs() + sequence++,
      ...values,
    });
  const interim = (down: number, up: number, seconds: number, id = 's-1') =>
    record({
      statusType: AcctStatusType.InterimUpdate,
      acctSessionId: id,
      downloadedBytes: down,
      uploadedBytes: up,
      sessionSeconds: seconds,
    });
  const voucher = () =>
    app.store.db
      .selectFrom('vouchers')
      .selectAll()
      .where('id', '=', world.voucher.id)
      .executeTakeFirstOrThrow();
  const sessions = () => app.store.db.selectFrom('sessions').selectAll().orderBy('id').execute();
  const daily = () => app.store.db.selectFrom('usage_daily').selectAll().orderBy('day').execute();

  it('finds the owner of a session named by short code or by MAC, and keeps an unknown user apart', async () => {
    const device = await createDevice(app.store.db, {
      tenant_id: world.tenant.id,
      voucher_id: world.voucher.id,
    });
    const start = (acctSessionId: string, userName: string, callingStationId?: string) =>
      record({ statusType: AcctStatusType.Start, acctSessionId, userName, callingStationId });
    await Promise.all([
      app.accounting.record(start('by-short-code', world.voucher.short_code, device.mac)),
      app.accounting.record(start('by-mac', device.mac.toLowerCase().replace(/:/g, '-'), undefined)),
      app.accounting.record(start('unknown', 'no-such-voucher', '02:00:00:00:00:99')),
    ]);
    const owners = Object.fromEntries(
      (await sessions()).map((s) => [s.acct_session_id, [s.voucher_id, s.device_id]]),
    );
    expect(owners).toEqual({
      'by-short-code': [world.voucher.id, device.id],
      'by-mac': [world.voucher.id, device.id],
      unknown: [null, null],
    });
  });

  it('counts duplicates and retransmissions (new Acct-Delay-Time) once', async () => {
    await app.accounting.record(record({ statusType: AcctStatusType.Start }));
    await app.accounting.record(interim(1000, 100, 60));
    await app.accounting.record(interim(1000, 100, 60)); // duplicate
    await app.accounting.record({ ...interim(1000, 100, 60), eventAtMs: app.clock.nowMs() - 5000 }); // retransmit, delay 5 s
    // Several copies in one batch (group commit).
    await Promise.all(
      [interim(3000, 300, 120), interim(3000, 300, 120), interim(3000, 300, 120)].map((r) =>
        app.accounting.record(r),
      ),
    );
    expect(await voucher()).toMatchObject({
      downloaded_bytes: 3000,
      uploaded_bytes: 300,
      online_seconds: 120,
      status: 'online',
    });
    expect(await sessions()).toEqual([
      expect.objectContaining({ downloaded_bytes: 3000, uploaded_bytes: 300, session_seconds: 120 }),
    ]);
    expect(await daily()).toEqual([
      expect.objectContaining({
        day: '2026-11-27',
        downloaded_bytes: 3000,
        uploaded_bytes: 300,
        online_seconds: 120,
      }),
    ]);
    const device = await app.store.db.selectFrom('devices').selectAll().execute();
    expect(device).toEqual([]); // no device row was made by accounting alone (login makes them)
  });

  it('ignores counters that go backwards (out of order) and never reopens a stopped session', async () => {
    await app.accounting.record(interim(5000, 500, 300));
    await app.accounting.record(
      record({
        statusType: AcctStatusType.Stop,
        downloadedBytes: 6000,
        uploadedBytes: 600,
        sessionSeconds: 360,
        terminateCause: 'User-Request',
      }),
    );
    await app.accounting.record(interim(4000, 400, 240)); // late Interim
    await app.accounting.record(record({ statusType: AcctStatusType.Start })); // very late Start
    const [session] = await sessions();
    expect(session).toMatchObject({
      downloaded_bytes: 6000,
      uploaded_bytes: 600,
      session_seconds: 360,
      terminate_cause: 'User-Request',
    });
    expect(session!.stopped_at).not.toBeNull();
    expect(await voucher()).toMatchObject({
      downloaded_bytes: 6000,
      uploaded_bytes: 600,
      online_seconds: 360,
      status: 'active',
    });
  });

  it('recovers a lost Start from an Interim, with the start time derived from Acct-Session-Time', async () => {
    const eventAtMs = app.clock.nowMs() - 2000;
    await app.accounting.record({ ...interim(10, 20, 600), eventAtMs });
    const [session] = await sessions();
    expect(session).toMatchObject({
      voucher_id: world.voucher.id,
      mac: 'F0:99:B6:12:34:56',
      downloaded_bytes: 10,
    });
    expect(session!.started_at).toBe(eventAtMs - 600_000);
    expect((await voucher()).status).toBe('online');
  });

  it('adds Gigawords: totals beyond 4 GiB are exact', async () => {
    await app.accounting.record(interim(2 ** 32 - 10, 0, 10));
    await app.accounting.record(interim(3 * 2 ** 32 + 5, 2 ** 32 + 1, 20));
    expect(await voucher()).toMatchObject({ downloaded_bytes: 3 * 2 ** 32 + 5, uploaded_bytes: 2 ** 32 + 1 });
  });

  it('closes the NAS sessions on Accounting-On (reboot) and the voucher goes back to active', async () => {
    await app.accounting.record(interim(100, 100, 60, 'a'));
    await app.accounting.record(interim(100, 100, 60, 'b'));
    expect((await voucher()).status).toBe('online');
    app.clock.advance(1000);
    await app.accounting.record(
      record({
        statusType: AcctStatusType.AccountingOn,
        acctSessionId: undefined,
        eventAtMs: app.clock.nowMs(),
      }),
    );
    const all = await sessions();
    expect(all.map((s) => s.terminate_cause)).toEqual(['NAS-Reboot', 'NAS-Reboot']);
    expect((await voucher()).status).toBe('active');
    // A counter update for a closed session after the reboot still only adds its growth.
    await app.accounting.record(interim(150, 100, 60, 'a'));
    expect(await voucher()).toMatchObject({ downloaded_bytes: 250, status: 'active' });
  });

  it('marks the voucher used when time runs out and asks to disconnect its sessions', async () => {
    await app.accounting.record(interim(1, 1, 9_999));
    expect(terminator.requests).toHaveLength(0);
    await app.accounting.record(interim(2, 2, 10_000));
    expect(await voucher()).toMatchObject({ status: 'used', used_reason: 'time' });
    await until(() => terminator.requests.length > 0);
    expect(terminator.requests.map((r) => r.session.acctSessionId)).toEqual(['s-1']);
  });

  it('splits usage across days in the tenant time zone', async () => {
    app.clock.set(Date.UTC(2026, 10, 28, 4, 30)); // 23:30 on the 27th in New York
    await app.accounting.record(
      record({
        statusType: AcctStatusType.InterimUpdate,
        downloadedBytes: 100,
        uploadedBytes: 0,
        sessionSeconds: 60,
        eventAtMs: app.clock.nowMs(),
      }),
    );
    app.clock.set(Date.UTC(2026, 10, 28, 5, 30)); // 00:30 on the 28th
    await app.accounting.record(
      record({
        statusType: AcctStatusType.InterimUpdate,
        downloadedBytes: 250,
        uploadedBytes: 0,
        sessionSeconds: 120,
        eventAtMs: app.clock.nowMs(),
      }),
    );
    expect((await daily()).map((d) => [d.day, d.downloaded_bytes, d.online_seconds])).toEqual([
      ['2026-11-27', 100, 60],
      ['2026-11-28', 150, 60],
    ]);
  });

  it("writes each day's usage for the customer who holds the voucher at the time", async () => {
    await app.accounting.record(interim(100, 10, 60));
    const customer = await createCustomer(app.store.db, world.tenant.id);
    await app.store.db
      .updateTable('vouchers')
      .set({ customer_id: customer.id })
      .where('id', '=', world.voucher.id)
      .execute();
    app.clock.advance(86_400_000);
    await app.accounting.record({ ...interim(300, 30, 120), eventAtMs: app.clock.nowMs() });
    expect((await daily()).map((d) => [d.downloaded_bytes, d.customer_id])).toEqual([
      [100, world.voucher.customer_id],
      [200, customer.id],
    ]);
  });

  it('sweeps stale sessions and expires vouchers (disconnecting them)', async () => {
    await app.accounting.record(interim(1, 1, 1));
    app.clock.advance(2 * 300_000 + 61_000);
    let result = await app.usage.sweep();
    expect(result.staleSessions).toBe(1);
    expect((await sessions())[0]).toMatchObject({ terminate_cause: 'Lost-Service' });
    expect((await voucher()).status).toBe('active');
    const plan = await createPlan(app.store.db, world.tenant.id);
    const expiring = await createVoucher(app.store.db, plan, {
      status: 'active',
      expires_at: app.clock.nowMs() + 1000,
    });
    await app.accounting.record(
      record({ statusType: AcctStatusType.Start, acctSessionId: 'x-1', userName: expiring.code }),
    );
    app.clock.advance(2000);
    result = await app.usage.sweep();
    expect(result.expiredVouchers).toBe(1);
    const row = await app.store.db
      .selectFrom('vouchers')
      .selectAll()
      .where('id', '=', expiring.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'used', used_reason: 'expired' });
    await until(() => terminator.requests.length > 0);
    expect(terminator.requests.map((r) => r.session.acctSessionId)).toEqual(['x-1']);
  });
});

describe.runIf(TEST_DIALECTS.includes('postgres'))('two Portico processes on one PostgreSQL', () => {
  it('apply interleaved, duplicated accounting for the same sessions without double counting', async () => {
    const app = await buildTestApp('postgres');
    try {
      const world = await createRadiusWorld(app.store.db, {
        plan: { data_limit_bytes: null, time_limit_seconds: null },
        voucher: { status: 'active' },
      });
      const logger = pino({ level: 'silent' });
      // Two independent pools = two processes' connections.
      const storeA = openDatabase(app.testStore.url, { poolSize: 4 });
      const storeB = openDatabase(app.testStore.url, { poolSize: 4 });
      const clock = new FakeClock();
      const noop = () => undefined;
      const a = new AccountingRecorder(storeA.db, 'postgres', clock, logger, noop, { maxBatch: 25 });
      const b = new AccountingRecorder(storeB.db, 'postgres', clock, logger, noop, { maxBatch: 25 });
      const sessionsCount = 20;
      const steps = 15;
      const work: Array<Promise<void>> = [];
      for (let step = 1; step <= steps; step++) {
        for (let s = 0; s < sessionsCount; s++) {
          const rec = accountingRecord({
            tenantId: world.tenant.id,
            hotspotId: world.hotspot.id,
            timeZone: 'UTC',
            statusType: AcctStatusType.InterimUpdate,
            acctSessionId: `dual-${s}`,
            userName: world.voucher.code,
            downloadedBytes: step * 1000 + s,
            uploadedBytes: step * 10,
            sessionSeconds: step * 60,
            eventAtMs: clock.nowMs(),
          });
          // The NAS sends to both servers (failover, retransmission): each gets every packet.
          work.push(a.record(rec), b.record({ ...rec }));
        }
      }
      await Promise.all(work);
      await a.close();
      await b.close();
      await storeA.close();
      await storeB.close();
      const voucher = await app.store.db
        .selectFrom('vouchers')
        .selectAll()
        .where('id', '=', world.voucher.id)
        .executeTakeFirstOrThrow();
      const expectedDown = Array.from({ length: sessionsCount }, (_, s) => steps * 1000 + s).reduce(
        (x, y) => x + y,
        0,
      );
      expect(voucher.downloaded_bytes).toBe(expectedDown);
      expect(voucher.uploaded_bytes).toBe(sessionsCount * steps * 10);
      expect(voucher.online_seconds).toBe(sessionsCount * steps * 60);
      const days = await app.store.db.selectFrom('usage_daily').selectAll().execute();
      expect(days.reduce((sum, d) => sum + d.downloaded_bytes, 0)).toBe(expectedDown);
      const rows = await app.store.db.selectFrom('sessions').select('id').execute();
      expect(rows).toHaveLength(sessionsCount);
    } finally {
      await app.destroy();
    }
  });
});
