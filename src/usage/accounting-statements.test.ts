/**
 * How many SQL statements one accounting batch costs, on every database. Group commit is the
 * point of the write side (architecture.md, "Performance shape"): a batch must cost the same
 * handful of statements whether it holds one packet or forty, and a refactor of the planner or
 * the writer must not add any. BEGIN/COMMIT are not counted (they go around the plugin).
 */
import type { KyselyPlugin } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { accountingRecord } from '../../test/helpers/accounting.js';
import { createDevice } from '../../test/helpers/factories.js';
import { createPlan, createRadiusWorld, createVoucher } from '../../test/helpers/radius-factories.js';
import { AccountingRecorder, AcctStatusType, encodeClassTag, type AccountingRecord } from './index.js';

/** Counts the statements Kysely sends (every query builder and raw `sql` goes through plugins). */
function statementCounter(): KyselyPlugin & { count: number } {
  return {
    count: 0,
    transformQuery(args) {
      this.count++;
      return args.node;
    },
    transformResult(args) {
      return Promise.resolve(args.result);
    },
  };
}

describe.each(TEST_DIALECTS)('statements per accounting batch (%s)', (dialect) => {
  let app: TestApp;
  let world: Awaited<ReturnType<typeof createRadiusWorld>>;
  let counter: ReturnType<typeof statementCounter>;
  let recorder: AccountingRecorder;
  let owners: Array<{ voucherId: number; deviceId: number; mac: string }>;
  let sequence = 0;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    world = await createRadiusWorld(app.store.db, { voucher: { status: 'active' } });
    const plan = await createPlan(app.store.db, world.tenant.id);
    owners = [];
    for (let i = 0; i < 40; i++) {
      const voucher = await createVoucher(app.store.db, plan, { status: 'active' });
      const device = await createDevice(app.store.db, { tenant_id: world.tenant.id, voucher_id: voucher.id });
      owners.push({ voucherId: voucher.id, deviceId: device.id, mac: device.mac });
    }
    counter = statementCounter();
    recorder = new AccountingRecorder(
      app.store.db.withPlugin(counter),
      app.store.dialect,
      app.clock,
      pino({ level: 'silent' }),
      () => undefined,
    );
  });
  afterAll(async () => {
    await recorder?.close();
    await app?.destroy();
  });

  const record = (i: number, values: Partial<AccountingRecord> & { statusType: number }): AccountingRecord =>
    accountingRecord({
      tenantId: world.tenant.id,
      hotspotId: world.hotspot.id,
      timeZone: 'UTC',
      acctSessionId: `s-${i}`,
      userName: 'ignored-when-the-class-names-a-voucher',
      classTag: encodeClassTag(owners[i]!.voucherId, owners[i]!.deviceId),
      callingStationId: owners[i]!.mac,
      framedIp: '10.0.0.2',
      eventAtMs: app.clock.nowMs() + sequence++,
      ...values,
    });

  /** Sends the records as one batch; answers the statements it took. */
  async function batch(records: AccountingRecord[]): Promise<number> {
    const batchesBefore = recorder.stats.batches;
    counter.count = 0;
    await Promise.all(records.map((r) => recorder.record(r)));
    expect(recorder.stats.batches - batchesBefore).toBe(1);
    return counter.count;
  }
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
  const interims = (ids: number[], bytes: number) =>
    ids.map((i) =>
      record(i, {
        statusType: AcctStatusType.InterimUpdate,
        downloadedBytes: bytes,
        uploadedBytes: bytes,
        sessionSeconds: bytes,
      }),
    );

  it('costs the same few statements for one packet and for forty', async () => {
    const counts: Record<string, [number, number]> = {};
    // Session 0 alone, then sessions 1..39 together: each step once per size.
    const sizes: Array<[number[], string]> = [
      [[0], 'one'],
      [range(1, 40), 'many'],
    ];
    const steps: Array<[string, (ids: number[]) => AccountingRecord[]]> = [
      ['start (new sessions)', (ids) => ids.map((i) => record(i, { statusType: AcctStatusType.Start }))],
      ['interim with growth', (ids) => interims(ids, 1000)],
      ['interim repeated (no growth)', (ids) => interims(ids, 1000)],
      [
        'stop',
        (ids) =>
          ids.map((i) =>
            record(i, {
              statusType: AcctStatusType.Stop,
              downloadedBytes: 2000,
              uploadedBytes: 2000,
              sessionSeconds: 2000,
              terminateCause: 'User-Request',
            }),
          ),
      ],
    ];
    for (const [name, make] of steps) {
      counts[name] = [0, 0];
      for (const [index, [ids]] of sizes.entries()) counts[name][index] = await batch(make(ids));
    }
    // On PostgreSQL a batch's writes are one statement with the vouchers' (sessions, vouchers,
    // devices, daily rollups, the owners' portal versions; vouchers offline after it, apart);
    // SQLite runs them one by one.
    const pg = dialect === 'postgres';
    expect(counts).toEqual({
      // find sessions, insert (deciding their owners, returning the new rows; nothing left to
      // update), vouchers online, the owners' portal versions (store/portal-version.ts)
      'start (new sessions)': pg ? [3, 3] : [4, 4],
      // find, update sessions, vouchers += usage, devices += usage, daily rollups, portal versions;
      // SQLite moves the vouchers online in a statement of its own (applyAccountingSqlite)
      'interim with growth': pg ? [2, 2] : [7, 7],
      // find, update sessions (updated_at: an open session's shown duration counts from it), portal versions
      'interim repeated (no growth)': [3, 3],
      // find, update sessions, vouchers += usage, devices, daily rollups, portal versions; vouchers offline
      stop: pg ? [3, 3] : [7, 7],
    });
  });

  it('costs the same statements for a NAS reboot (Accounting-On), whatever it closes', async () => {
    await batch(
      range(0, 40).map((i) => record(i, { statusType: AcctStatusType.Start, acctSessionId: `r-${i}` })),
    );
    const reboot = record(0, { statusType: AcctStatusType.AccountingOn, acctSessionId: undefined });
    app.clock.advance(1000);
    // close its open sessions (returning their vouchers), lock those vouchers (PostgreSQL: SQLite
    // has nothing to write to them); vouchers offline and the owners' portal versions (one
    // statement on PostgreSQL)
    expect(await batch([{ ...reboot, eventAtMs: app.clock.nowMs() }])).toBe(3);
  });
});
