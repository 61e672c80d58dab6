/**
 * Accounting batches in flight at once. On PostgreSQL several batches run in their own
 * transactions; they must wait for each other, never deadlock: sessions are never shared by two
 * in-process batches, and every voucher, device and owning customer a batch writes is locked in
 * id order before the first write. On SQLite one writer remains.
 */
import { sql, type KyselyPlugin } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceAccessRepository } from '../devices/index.js';
import { touchVoucherOwnersPortals } from '../store/index.js';
import { VoucherAccessRepository } from '../vouchers/index.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { accountingRecord } from '../../test/helpers/accounting.js';
import { createDevice } from '../../test/helpers/factories.js';
import {
  createCustomer,
  createPlan,
  createRadiusWorld,
  createVoucher,
} from '../../test/helpers/radius-factories.js';
import { AccountingRecorder, AcctStatusType, encodeClassTag, type AccountingRecord } from './index.js';

/**
 * Holds each session update (once armed) until `parties` of them ran or 1 s passed, so that batches
 * in flight at once reach their voucher writes together.
 */
function sessionWritesBarrier(parties: number): KyselyPlugin & { arm(): void } {
  const held = new Set<unknown>();
  let armed = false;
  let waiting: Array<() => void> = [];
  return {
    arm: () => (armed = true),
    transformQuery(args) {
      const node = args.node as { kind: string; sqlFragments?: readonly string[] };
      if (
        armed &&
        node.kind === 'RawNode' &&
        node.sqlFragments?.[0]?.trimStart().startsWith('update sessions')
      )
        held.add(args.queryId);
      return args.node;
    },
    async transformResult(args) {
      if (!held.delete(args.queryId)) return args.result;
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length >= parties) for (const wake of waiting.splice(0)) wake();
        setTimeout(resolve, 1000);
      });
      waiting = waiting.filter(() => false);
      return args.result;
    },
  };
}

describe.each(TEST_DIALECTS)('accounting batches in flight at once (%s)', (dialect) => {
  let app: TestApp;
  let world: Awaited<ReturnType<typeof createRadiusWorld>>;
  const owners: Array<{ voucherId: number; deviceId: number; mac: string }> = [];
  const VOUCHERS = 4;
  const SESSIONS = 24; // session s belongs to voucher s % VOUCHERS: six sessions per voucher

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    world = await createRadiusWorld(app.store.db, {
      plan: { data_limit_bytes: null, time_limit_seconds: null },
      voucher: { status: 'active' },
    });
    const plan = await createPlan(app.store.db, world.tenant.id);
    // Two customers, each owning every other voucher: batches share them too.
    const customers = [
      await createCustomer(app.store.db, world.tenant.id),
      await createCustomer(app.store.db, world.tenant.id),
    ];
    for (let i = 0; i < VOUCHERS; i++) {
      const voucher = await createVoucher(app.store.db, plan, {
        customer_id: customers[i % 2]!.id,
        status: 'active',
        data_limit_bytes: null,
        time_limit_seconds: null,
      });
      const device = await createDevice(app.store.db, { tenant_id: world.tenant.id, voucher_id: voucher.id });
      owners.push({ voucherId: voucher.id, deviceId: device.id, mac: device.mac });
    }
  });
  afterAll(async () => {
    await app?.destroy();
  });

  it(
    'applies overlapping batches on the same vouchers without a deadlock, a retry or a lost count',
    { timeout: 60_000 },
    async () => {
      const recorder = new AccountingRecorder(
        app.store.db,
        app.store.dialect,
        app.clock,
        pino({ level: 'silent' }),
        () => undefined,
        { maxBatch: 5, maxInFlight: 4 },
      );
      const record = (s: number, values: Partial<AccountingRecord> & { statusType: number }) => {
        const owner = owners[s % VOUCHERS]!;
        return accountingRecord({
          tenantId: world.tenant.id,
          hotspotId: world.hotspot.id,
          acctSessionId: `c-${s}`,
          userName: 'by-class',
          classTag: encodeClassTag(owner.voucherId, owner.deviceId),
          callingStationId: owner.mac,
          eventAtMs: app.clock.nowMs(),
          ...values,
        });
      };
      const counters = (step: number) => ({
        downloadedBytes: step * 100,
        uploadedBytes: step,
        sessionSeconds: step,
      });
      const sessions = Array.from({ length: SESSIONS }, (_, s) => s);
      // Every wave at once: Starts, then Interims (each session's packets duplicated, and a late
      // one with lower counters), then Stops. Batches of 5 from 24+ sessions on 4 vouchers: each
      // batch in flight shares vouchers and devices with the others.
      await Promise.all(
        sessions.map((s) => recorder.record(record(s, { statusType: AcctStatusType.Start }))),
      );
      for (const step of [1, 2, 3]) {
        const wave = sessions.flatMap((s) => [
          record(s, { statusType: AcctStatusType.InterimUpdate, ...counters(step) }),
          record(s, { statusType: AcctStatusType.InterimUpdate, ...counters(step) }),
          record(s, { statusType: AcctStatusType.InterimUpdate, ...counters(step - 1) }),
        ]);
        await Promise.all(wave.map((r) => recorder.record(r)));
      }
      // Stops with a last bit of growth, all at once: the last Stop of a voucher's sessions,
      // whichever batch it is in, must see the others committed and put the voucher back to active.
      await Promise.all(
        sessions.map((s) =>
          recorder.record(
            record(s, { statusType: AcctStatusType.Stop, terminateCause: 'User-Request', ...counters(4) }),
          ),
        ),
      );
      await recorder.close();

      expect(recorder.stats).toMatchObject({ failures: 0, retries: 0 });
      if (dialect === 'postgres') expect(recorder.stats.mostInFlight).toBeGreaterThanOrEqual(2);
      else expect(recorder.stats.mostInFlight).toBe(1);
      const perVoucher = SESSIONS / VOUCHERS;
      expect(await ownersVouchers()).toEqual(
        owners.map((o) => ({
          id: o.voucherId,
          status: 'active',
          downloaded_bytes: perVoucher * 400,
          uploaded_bytes: perVoucher * 4,
          online_seconds: perVoucher * 4,
        })),
      );
      const devices = await app.store.db
        .selectFrom('devices')
        .select(['id', 'downloaded_bytes'])
        .where(
          'id',
          'in',
          owners.map((o) => o.deviceId),
        )
        .orderBy('id')
        .execute();
      expect(devices.map((d) => d.downloaded_bytes)).toEqual(owners.map(() => perVoucher * 400));
      const days = await app.store.db
        .selectFrom('usage_daily')
        .select((eb) => eb.fn.sum<number>('downloaded_bytes').as('down'))
        .where(
          'voucher_id',
          'in',
          owners.map((o) => o.voucherId),
        )
        .executeTakeFirstOrThrow();
      expect(Number(days.down)).toBe(SESSIONS * 400);
      const open = await app.store.db
        .selectFrom('sessions')
        .select('id')
        .where('tenant_id', '=', world.tenant.id)
        .where('stopped_at', 'is', null)
        .execute();
      expect(open).toEqual([]);
    },
  );

  it(
    'the last Stops of a voucher, in two batches at once, put it back to active',
    { timeout: 30_000 },
    async () => {
      // Both batches stop their sessions before either goes on to its vouchers.
      const barrier = sessionWritesBarrier(2);
      const recorder = new AccountingRecorder(
        app.store.db.withPlugin(barrier),
        app.store.dialect,
        app.clock,
        pino({ level: 'silent' }),
        () => undefined,
        { maxBatch: 4, maxInFlight: 2 },
      );
      const record = (s: number, statusType: number) => {
        const owner = owners[s % VOUCHERS]!;
        return accountingRecord({
          tenantId: world.tenant.id,
          hotspotId: world.hotspot.id,
          acctSessionId: `race-${s}`,
          userName: 'by-class',
          classTag: encodeClassTag(owner.voucherId, owner.deviceId),
          callingStationId: owner.mac,
          eventAtMs: app.clock.nowMs(),
          statusType,
        });
      };
      // Two sessions on each voucher, then both Stops at once: batch one stops sessions 0-3 (one of
      // each voucher), batch two sessions 4-7 (the other one). Each batch, alone, still sees the
      // other's session open; only the one that waits for the other's voucher locks sees both closed.
      const sessions = Array.from({ length: 2 * VOUCHERS }, (_, s) => s);
      await Promise.all(sessions.map((s) => recorder.record(record(s, AcctStatusType.Start))));
      expect(await statuses()).toEqual(owners.map(() => 'online'));
      barrier.arm();
      await Promise.all(sessions.map((s) => recorder.record(record(s, AcctStatusType.Stop))));
      await recorder.close();
      expect(recorder.stats).toMatchObject({ failures: 0, retries: 0 });
      if (dialect === 'postgres') expect(recorder.stats.mostInFlight).toBe(2);
      expect(await statuses()).toEqual(owners.map(() => 'active'));
    },
  );

  /** The owners' vouchers with their status and counters, in id order. */
  function ownersVouchers() {
    return app.store.db
      .selectFrom('vouchers')
      .select(['id', 'status', 'downloaded_bytes', 'uploaded_bytes', 'online_seconds'])
      .where(
        'id',
        'in',
        owners.map((o) => o.voucherId),
      )
      .orderBy('id')
      .execute();
  }

  async function statuses(): Promise<string[]> {
    return (await ownersVouchers()).map((r) => r.status);
  }

  it.runIf(dialect === 'postgres')(
    'locks vouchers, devices and owning customers in id order, whatever order the batch lists them in',
    { timeout: 30_000 },
    async () => {
      const [low, middle, high] = owners.slice(0, 3);
      const delta = { downloadedBytes: 1, uploadedBytes: 1, onlineSeconds: 1 };
      const item = (o: typeof low) => ({
        tenantId: world.tenant.id,
        id: o!.voucherId,
        delta,
        grew: true,
        lastSessionAtMs: 1,
        goOnline: false,
      });
      const device = (o: typeof low) => ({
        tenantId: world.tenant.id,
        deviceId: o!.deviceId,
        hotspotId: world.hotspot.id,
        ...delta,
      });
      // Three customers in id order, each owning one voucher of its own.
      const plan = await createPlan(app.store.db, world.tenant.id);
      const owned: Array<{ customerId: number; voucherId: number }> = [];
      for (let i = 0; i < 3; i++) {
        const customer = await createCustomer(app.store.db, world.tenant.id);
        const voucher = await createVoucher(app.store.db, plan, { customer_id: customer.id });
        owned.push({ customerId: customer.id, voucherId: voucher.id });
      }
      // The lowest customer's live row version now comes last in its page: a plain scan meets it
      // after the others, so only an explicit id order locks it first.
      await sql`update customers set name = name where id = ${owned[0]!.customerId}`.execute(app.store.db);
      /** Whether another transaction could lock the row now (nowait: fails at once if it is locked). */
      const lockable = async (table: string, id: number) => {
        try {
          await app.store.db.transaction().execute(async (trx) => {
            await sql`select id from ${sql.table(table)} where id = ${id} for update nowait`.execute(trx);
          });
          return true;
        } catch (error) {
          if ((error as { code?: string }).code === '55P03') return false;
          throw error;
        }
      };
      const cases: Array<{
        table: string;
        ids: number[];
        write: (trx: typeof app.store.db) => Promise<unknown>;
      }> = [
        {
          table: 'vouchers',
          ids: [low!.voucherId, middle!.voucherId, high!.voucherId],
          write: (trx) =>
            new VoucherAccessRepository(trx, 'postgres').applyAccountingMany(
              [item(high), item(low), item(middle)],
              1,
            ),
        },
        {
          table: 'devices',
          ids: [low!.deviceId, middle!.deviceId, high!.deviceId],
          write: (trx) =>
            new DeviceAccessRepository(trx, 'postgres').addUsageMany(
              [device(high), device(low), device(middle)],
              1,
            ),
        },
        {
          table: 'customers',
          ids: owned.map((o) => o.customerId),
          write: (trx) =>
            touchVoucherOwnersPortals(
              trx,
              [owned[2]!.voucherId, owned[0]!.voucherId, owned[1]!.voucherId],
              'postgres',
            ),
        },
      ];
      for (const { table, ids, write } of cases) {
        const [lowId, middleId, highId] = ids as [number, number, number];
        // A holds the middle row; B's statement lists high, low, middle.
        let releaseA!: () => void;
        let aHolds!: () => void;
        const held = new Promise<void>((resolve) => (aHolds = resolve));
        const a = app.store.db.transaction().execute(async (trx) => {
          await sql`select id from ${sql.table(table)} where id = ${middleId} for update`.execute(trx);
          aHolds();
          await new Promise<void>((resolve) => (releaseA = resolve));
        });
        await held;
        const b = app.store.db.transaction().execute(async (trx) => {
          await write(trx);
        });
        // B takes the low row, then waits for the middle one: it has not touched the high one.
        for (let i = 0; i < 200 && (await lockable(table, lowId)); i++)
          await new Promise((r) => setTimeout(r, 10));
        expect(await lockable(table, lowId)).toBe(false);
        expect(await lockable(table, highId)).toBe(true);
        releaseA();
        await a;
        await b;
        expect(await lockable(table, lowId)).toBe(true);
      }
    },
  );
});
