/** The voucher/device access policy on every database, and the Accept attributes it leads to. */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import {
  createPlan,
  createRadiusWorld,
  createSession,
  createTenant,
  createVoucher,
} from '../../test/helpers/radius-factories.js';
import { HotspotsRepository } from '../hotspots/index.js';
import { writeAcceptAttributes } from '../radius/access.js';
import {
  AttributeWriter,
  Code,
  decodePacket,
  vendorAttributes,
  ZERO_AUTHENTICATOR,
} from '../radius/protocol/index.js';
import { FakeSessionTerminator } from '../usage/index.js';
import type { DeviceLimitPolicy } from '../tenants/index.js';
import type { AccessDecision } from './index.js';

describe.each(TEST_DIALECTS)('voucher access policy (%s)', (dialect) => {
  let app: TestApp;
  let world: Awaited<ReturnType<typeof createRadiusWorld>>;
  let terminator: FakeSessionTerminator;
  // Disconnects the policy starts after its commit; awaited before the database goes away.
  const background: Array<Promise<unknown>> = [];
  const settleBackground = () => Promise.allSettled(background.splice(0));

  beforeEach(async () => {
    await settleBackground();
    await app?.destroy();
    terminator = new FakeSessionTerminator();
    app = await buildTestApp(dialect, { overrides: { sessionTerminator: terminator } });
    world = await createRadiusWorld(app.store.db, { plan: { devices_limit: 1 } });
  });
  afterAll(async () => {
    await settleBackground();
    await app?.destroy();
  });

  // The policy is reached through the RADIUS access path in production; here we call it through
  // a tiny facade built like app.ts builds it.
  const authorize = async (
    userName: string,
    mac?: string,
    password = userName,
    tenantId = world.tenant.id,
  ) => {
    const { VoucherAccessPolicy } = await import('./index.js');
    const policy = new VoucherAccessPolicy(app.store.db, app.store.dialect, app.tenants, app.clock, {
      deviceReplaced: (e) => {
        background.push(app.usage.disconnectMac(e.tenantId, e.voucherId, e.mac, 'device_limit'));
      },
    });
    return policy.authorize({
      tenantId,
      hotspotId: world.hotspot.id,
      userName,
      callingStationId: mac,
      passwordMatches: (candidate) => candidate === password,
    });
  };
  const setPolicy = (deviceLimitPolicy: DeviceLimitPolicy, acceptShortCode = true) =>
    app.tenants.putSettings(
      world.tenant.id,
      'vouchers',
      { codeLength: 8, codeAlphabet: 'abc', acceptShortCode, deviceLimitPolicy },
      app.clock.nowMs(),
    );

  it('accepts the full code and, when allowed, the short code; a wrong password is unknown', async () => {
    expect((await authorize(world.voucher.code)).accepted).toBe(true);
    expect((await authorize(world.voucher.short_code)).accepted).toBe(true);
    await setPolicy('reject', false);
    app.clock.advance(10_000); // settings cache
    const short = await authorize(world.voucher.short_code);
    expect(short).toMatchObject({ accepted: false, code: 'VOUCHER_UNKNOWN' });
    expect(await authorize(world.voucher.code, undefined, 'wrong')).toMatchObject({
      accepted: false,
      code: 'VOUCHER_UNKNOWN',
    });
  });

  it("never accepts another tenant's voucher", async () => {
    const other = await createTenant(app.store.db);
    const plan = await createPlan(app.store.db, other.id);
    const foreign = await createVoucher(app.store.db, plan);
    expect(await authorize(foreign.code)).toMatchObject({ accepted: false, code: 'VOUCHER_UNKNOWN' });
  });

  it('Session-Timeout is the sooner of time left and expiry', async () => {
    const plan = await createPlan(app.store.db, world.tenant.id, {
      time_limit_seconds: 7200,
      validity_seconds: 3600,
    });
    const voucher = await createVoucher(app.store.db, plan);
    const first = (await authorize(voucher.code)) as Extract<AccessDecision, { accepted: true }>;
    expect(first.sessionTimeoutSeconds).toBe(3600);
    await app.store.db
      .updateTable('vouchers')
      .set({ online_seconds: 7000 })
      .where('id', '=', voucher.id)
      .execute();
    const second = (await authorize(voucher.code)) as Extract<AccessDecision, { accepted: true }>;
    expect(second.sessionTimeoutSeconds).toBe(200);
    expect(second.voucher.expires_at).toBe(first.voucher.expires_at); // activation happened once
  });

  it('device limit "reject" refuses a new MAC; a known MAC is always let in', async () => {
    await setPolicy('reject');
    expect((await authorize(world.voucher.code, 'AA:AA:AA:AA:AA:01')).accepted).toBe(true);
    expect(await authorize(world.voucher.code, 'AA:AA:AA:AA:AA:02')).toMatchObject({
      accepted: false,
      code: 'VOUCHER_DEVICE_LIMIT',
    });
    expect((await authorize(world.voucher.code, 'aa-aa-aa-aa-aa-01')).accepted).toBe(true);
  });

  it('"replace_offline" replaces an offline device but not an online one', async () => {
    await setPolicy('replace_offline');
    await authorize(world.voucher.code, 'AA:AA:AA:AA:AA:01');
    expect((await authorize(world.voucher.code, 'AA:AA:AA:AA:AA:02')).accepted).toBe(true);
    const devices = await app.store.db
      .selectFrom('devices')
      .select('mac')
      .where('voucher_id', '=', world.voucher.id)
      .execute();
    expect(devices.map((d) => d.mac)).toEqual(['AA:AA:AA:AA:AA:02']);
    await createSession(app.store.db, {
      tenant_id: world.tenant.id,
      hotspot_id: world.hotspot.id,
      voucher_id: world.voucher.id,
      mac: 'AA:AA:AA:AA:AA:02',
    });
    expect(await authorize(world.voucher.code, 'AA:AA:AA:AA:AA:03')).toMatchObject({
      accepted: false,
      code: 'VOUCHER_DEVICE_LIMIT',
    });
    // Each first login binds its device (audited), the second one replacing the first.
    const events = await app.store.db.selectFrom('device_events').selectAll().orderBy('id').execute();
    expect(events.map((e) => [e.actor, e.action, e.mac])).toEqual([
      ['system', 'added', 'AA:AA:AA:AA:AA:01'],
      ['system', 'replaced', 'AA:AA:AA:AA:AA:02'],
      ['system', 'added', 'AA:AA:AA:AA:AA:02'],
    ]);
    // Searchable by either MAC in the device change log.
    expect(events[1]).toMatchObject({
      actor: 'system',
      mac: 'AA:AA:AA:AA:AA:02',
      replaced_mac: 'AA:AA:AA:AA:AA:01',
    });
  });

  it('"replace_oldest" replaces the device online longest and disconnects it', async () => {
    await setPolicy('replace_oldest');
    await authorize(world.voucher.code, 'AA:AA:AA:AA:AA:01');
    await createSession(app.store.db, {
      tenant_id: world.tenant.id,
      hotspot_id: world.hotspot.id,
      voucher_id: world.voucher.id,
      mac: 'AA:AA:AA:AA:AA:01',
      acct_session_id: 'old-1',
    });
    expect((await authorize(world.voucher.code, 'AA:AA:AA:AA:AA:02')).accepted).toBe(true);
    // The disconnect runs after the commit, in the background.
    await settleBackground();
    expect(terminator.requests.map((r) => r.session.acctSessionId)).toEqual(['old-1']);
  });

  it('MAC authentication only for a live voucher', async () => {
    await authorize(world.voucher.code, 'F0:99:B6:12:34:56');
    expect(await authorize('F099B6123456', undefined, '')).toMatchObject({ accepted: true, method: 'mac' });
    await app.store.db
      .updateTable('vouchers')
      .set({ status: 'disabled' })
      .where('id', '=', world.voucher.id)
      .execute();
    expect(await authorize('F0:99:B6:12:34:56', undefined, '')).toMatchObject({
      accepted: false,
      code: 'MAC_UNKNOWN',
    });
  });

  it('writes MikroTik limits with Gigawords, split Recv/Xmit limits, and WISPr for generic NAS', async () => {
    const plan = await createPlan(app.store.db, world.tenant.id, {
      data_limit_bytes: null,
      download_limit_bytes: 6 * 2 ** 32,
      upload_limit_bytes: 1000,
      speed_down_kbps: 8000,
      speed_up_kbps: 1000,
    });
    const voucher = await createVoucher(app.store.db, plan);
    const decision = (await authorize(voucher.code)) as Extract<AccessDecision, { accepted: true }>;
    const nas = (await new HotspotsRepository(app.store.db).findNasByIp('127.0.0.1'))!;
    const encode = (vendor: 'mikrotik' | 'generic') => {
      const writer = new AttributeWriter();
      writeAcceptAttributes(writer, decision, { ...nas, vendor });
      const decoded = decodePacket(writer.finish(Code.AccessAccept, 1, ZERO_AUTHENTICATOR));
      if (!decoded.ok) throw new Error('bad');
      return vendorAttributes(decoded.packet).map((v) => [
        v.vendorId,
        v.type,
        v.type === 8 && v.vendorId === 14988 ? v.value.toString() : v.value.readUInt32BE(0),
      ]);
    };
    expect(encode('mikrotik')).toEqual([
      [14988, 8, '1000k/8000k'],
      [14988, 2, 0],
      [14988, 15, 6],
      [14988, 1, 1000],
    ]);
    expect(encode('generic')).toEqual([
      [14122, 7, 1_000_000],
      [14122, 8, 8_000_000],
    ]);
  });
});
