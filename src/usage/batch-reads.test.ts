/**
 * The rows an accounting batch reads back carry only the columns the planner uses: every column
 * returned is parsed per row, per packet on the RADIUS hot path (issue 11), so a `*` creeping
 * back in shows here. Both dialects: their RETURNING clauses are built differently.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, TEST_DIALECTS, type TestStore } from '../../test/helpers/databases.js';
import { createDevice, createPlan, createVoucher } from '../../test/helpers/factories.js';
import { createRadiusWorld } from '../../test/helpers/radius-factories.js';
import { VoucherAccessRepository } from '../vouchers/index.js';
import { SessionsRepository, type NewSession } from './sessions-repository.js';

const PLANNED_SESSION_KEYS = [
  'acct_session_id',
  'device_id',
  'downloaded_bytes',
  'framed_ip',
  'hotspot_id',
  'id',
  'session_seconds',
  'stopped_at',
  'tenant_id',
  'terminate_cause',
  'uploaded_bytes',
  'voucher_id',
];

const ACCOUNTED_VOUCHER_KEYS = [
  'customer_id',
  'data_limit_bytes',
  'download_limit_bytes',
  'downloaded_bytes',
  'expires_at',
  'id',
  'online_seconds',
  'time_limit_seconds',
  'upload_limit_bytes',
  'uploaded_bytes',
  'valid_until_at',
];

describe.each(TEST_DIALECTS)('accounting batch reads (%s)', (dialect) => {
  let store: TestStore;
  let world: Awaited<ReturnType<typeof createRadiusWorld>>;

  beforeAll(async () => {
    store = await createTestStore(dialect);
    world = await createRadiusWorld(store.db, {
      plan: { data_limit_bytes: 1000 },
      voucher: { status: 'active' },
    });
  });
  afterAll(() => store.destroy());

  it('inserts and finds sessions as their PlannedSession columns only', async () => {
    const sessions = new SessionsRepository(store.db, dialect);
    const [inserted] = await sessions.insertManyIfAbsent([
      {
        tenantId: world.tenant.id,
        hotspotId: world.hotspot.id,
        acctSessionId: 'narrow-1',
        owner: { tagVoucherId: null, tagDeviceId: null, code: world.voucher.code },
        userName: world.voucher.code,
        mac: null,
        framedIp: '10.0.0.7',
        nasPort: null,
        classTag: null,
        startedAtMs: 1_000,
        nowMs: 2_000,
      },
    ]);
    expect(Object.keys(inserted!).sort()).toEqual(PLANNED_SESSION_KEYS);
    const [found] = await store.db
      .transaction()
      .execute((trx) =>
        sessions.withDb(trx).findForUpdate([{ hotspotId: world.hotspot.id, acctSessionId: 'narrow-1' }]),
      );
    expect(Object.keys(found!).sort()).toEqual(PLANNED_SESSION_KEYS);
    expect(found).toEqual({
      id: inserted!.id,
      tenant_id: world.tenant.id,
      hotspot_id: world.hotspot.id,
      acct_session_id: 'narrow-1',
      voucher_id: world.voucher.id,
      device_id: null,
      downloaded_bytes: 0,
      uploaded_bytes: 0,
      session_seconds: 0,
      stopped_at: null,
      terminate_cause: null,
      framed_ip: '10.0.0.7',
    });
  });

  it("answers a batch's voucher writes as the columns their rollups and limit check read", async () => {
    const written = await new VoucherAccessRepository(store.db, dialect).applyAccountingMany(
      [
        {
          tenantId: world.tenant.id,
          id: world.voucher.id,
          delta: { downloadedBytes: 600, uploadedBytes: 500, onlineSeconds: 60 },
          grew: true,
          lastSessionAtMs: 3_000,
          goOnline: true,
        },
      ],
      3_000,
    );
    const voucher = written.get(world.voucher.id);
    expect(Object.keys(voucher!).sort()).toEqual(ACCOUNTED_VOUCHER_KEYS);
    expect(voucher).toMatchObject({
      id: world.voucher.id,
      customer_id: world.voucher.customer_id,
      data_limit_bytes: 1000,
      downloaded_bytes: 600,
      uploaded_bytes: 500,
      online_seconds: 60,
    });
  });

  it('inserts each new session with the owner our Class or the code decides, in one statement', async () => {
    const sessions = new SessionsRepository(store.db, dialect);
    const plan = await createPlan(store.db, world.tenant.id);
    const tagged = await createVoucher(store.db, plan, { status: 'active' });
    const tagDevice = await createDevice(store.db, { tenant_id: world.tenant.id, voucher_id: tagged.id });
    const macDevice = await createDevice(store.db, { tenant_id: world.tenant.id, voucher_id: tagged.id });
    const coded = await createVoucher(store.db, plan, { status: 'active' });
    const codedDevice = await createDevice(store.db, {
      tenant_id: world.tenant.id,
      voucher_id: coded.id,
      mac: tagDevice.mac,
    });
    const cases: Array<[string, NewSession['owner'], string | null, [number | null, number | null]]> = [
      [
        'class with its device',
        { tagVoucherId: tagged.id, tagDeviceId: tagDevice.id, code: 'x' },
        macDevice.mac,
        [tagged.id, tagDevice.id],
      ],
      [
        'class whose device is gone: the MAC',
        { tagVoucherId: tagged.id, tagDeviceId: 999_999, code: 'x' },
        macDevice.mac,
        [tagged.id, macDevice.id],
      ],
      [
        'class without a device: the MAC',
        { tagVoucherId: tagged.id, tagDeviceId: null, code: 'x' },
        macDevice.mac,
        [tagged.id, macDevice.id],
      ],
      [
        'class of a voucher that is gone: the code',
        { tagVoucherId: 999_999, tagDeviceId: null, code: coded.code },
        tagDevice.mac,
        [coded.id, codedDevice.id],
      ],
      [
        'the code, a MAC not on it',
        { tagVoucherId: null, tagDeviceId: null, code: coded.code },
        macDevice.mac,
        [coded.id, null],
      ],
      ['nothing known', { tagVoucherId: null, tagDeviceId: null, code: 'no-such-code' }, null, [null, null]],
    ];
    const rows = await sessions.insertManyIfAbsent(
      cases.map(([name, owner, mac]) => ({
        tenantId: world.tenant.id,
        hotspotId: world.hotspot.id,
        acctSessionId: `owner-${name}`,
        owner,
        userName: owner.code,
        mac,
        framedIp: null,
        nasPort: null,
        classTag: null,
        startedAtMs: 1_000,
        nowMs: 2_000,
      })),
    );
    // In the order given (concurrent processes insert in one order).
    expect(rows.map((r) => r.acct_session_id)).toEqual(cases.map(([name]) => `owner-${name}`));
    expect(Object.fromEntries(rows.map((r) => [r.acct_session_id, [r.voucher_id, r.device_id]]))).toEqual(
      Object.fromEntries(cases.map(([name, , , owner]) => [`owner-${name}`, owner])),
    );
  });
});
