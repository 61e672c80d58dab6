/**
 * The read-only check behind the hosted login page (VoucherAccessPolicy.check): the same answer
 * the router's Access-Request would get, without logging in. On every database.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { createDevice } from '../../test/helpers/factories.js';
import { createPlan, createRadiusWorld, createVoucher } from '../../test/helpers/radius-factories.js';
import type { DeviceLimitPolicy } from '../tenants/index.js';
import { VoucherAccessPolicy } from './index.js';

describe.each(TEST_DIALECTS)('voucher check before login (%s)', (dialect) => {
  let app: TestApp;
  let world: Awaited<ReturnType<typeof createRadiusWorld>>;
  let policy: VoucherAccessPolicy;

  beforeEach(async () => {
    await app?.destroy();
    app = await buildTestApp(dialect);
    world = await createRadiusWorld(app.store.db, { plan: { devices_limit: 1 } });
    policy = new VoucherAccessPolicy(app.store.db, app.store.dialect, app.tenants, app.clock);
  });
  afterAll(async () => {
    await app?.destroy();
  });

  const setPolicy = (deviceLimitPolicy: DeviceLimitPolicy) =>
    app.tenants.putSettings(
      world.tenant.id,
      'vouchers',
      { codeLength: 8, codeAlphabet: 'abc', acceptShortCode: true, deviceLimitPolicy },
      app.clock.nowMs(),
    );

  it('finds the full and the short code, and says why others are refused', async () => {
    expect(await policy.check(world.tenant.id, world.voucher.code, undefined)).toMatchObject({ ok: true });
    expect(await policy.check(world.tenant.id, ` ${world.voucher.short_code} `, undefined)).toMatchObject({
      ok: true,
    });
    expect(await policy.check(world.tenant.id, 'nope', undefined)).toEqual({
      ok: false,
      code: 'VOUCHER_UNKNOWN',
    });
    const plan = await createPlan(app.store.db, world.tenant.id);
    const disabled = await createVoucher(app.store.db, plan, { status: 'disabled' });
    const expired = await createVoucher(app.store.db, plan, { valid_until_at: app.clock.nowMs() - 1 });
    const used = await createVoucher(app.store.db, plan, { status: 'used', used_reason: 'time' });
    expect(await policy.check(world.tenant.id, disabled.code, undefined)).toMatchObject({
      code: 'VOUCHER_DISABLED',
    });
    expect(await policy.check(world.tenant.id, expired.code, undefined)).toMatchObject({
      code: 'VOUCHER_EXPIRED',
    });
    expect(await policy.check(world.tenant.id, used.code, undefined)).toMatchObject({ code: 'VOUCHER_USED' });
    // Nothing changed: a check is not a login.
    const after = await app.store.db
      .selectFrom('vouchers')
      .select('status')
      .where('id', '=', world.voucher.id)
      .executeTakeFirstOrThrow();
    expect(after.status).toBe(world.voucher.status);
  });

  it('reports a full voucher only where the router would refuse a new device', async () => {
    await createDevice(app.store.db, {
      tenant_id: world.tenant.id,
      voucher_id: world.voucher.id,
      mac: 'AA:AA:AA:AA:AA:01',
    });
    await setPolicy('reject');
    policy = new VoucherAccessPolicy(app.store.db, app.store.dialect, app.tenants, app.clock); // no cache
    expect(await policy.check(world.tenant.id, world.voucher.code, 'aa-aa-aa-aa-aa-01')).toMatchObject({
      ok: true,
    });
    expect(await policy.check(world.tenant.id, world.voucher.code, 'AA:AA:AA:AA:AA:02')).toEqual({
      ok: false,
      code: 'VOUCHER_DEVICE_LIMIT',
    });
    await setPolicy('replace_offline');
    policy = new VoucherAccessPolicy(app.store.db, app.store.dialect, app.tenants, app.clock);
    // The bound device is offline: the router would replace it, so the code is fine.
    expect(await policy.check(world.tenant.id, world.voucher.code, 'AA:AA:AA:AA:AA:02')).toMatchObject({
      ok: true,
    });
  });
});
