import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { voucherDetailsText } from '../notifications/index.js';
import { describeSmsText } from '../sms/index.js';
import { DEMO } from './seed.js';

describe.each(TEST_DIALECTS)('demo tenant (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp(dialect, { env: { PORTICO_DEMO: '1' } });
  });
  afterAll(() => app.destroy());

  it('is created once, as the default tenant', async () => {
    expect(app.bootstrapped).toMatchObject({ createdTenant: true, seededDemo: true });
    expect(await app.tenants.count()).toBe(1);
  });

  it('has the documented hotspot and the 1 hour / 500 MB / 2 devices plan', async () => {
    const db = app.store.db;
    const hotspot = await db
      .selectFrom('hotspots')
      .selectAll()
      .where('ip_address', '=', DEMO.hotspotIp)
      .executeTakeFirst();
    expect(hotspot?.secret).toBe(DEMO.hotspotSecret);
    const plan = await db
      .selectFrom('plans')
      .selectAll()
      .where('time_limit_seconds', '=', 3600)
      .where('data_limit_bytes', '=', 500_000_000)
      .where('devices_limit', '=', 2)
      .executeTakeFirst();
    expect(plan).toBeDefined();
  });

  it('gives +12025550143 an active voucher with a week of usage, two used vouchers and DEMO-NEW-0001', async () => {
    const db = app.store.db;
    const customer = await db
      .selectFrom('customers')
      .selectAll()
      .where('phone', '=', DEMO.customerPhone)
      .executeTakeFirstOrThrow();
    const vouchers = await db
      .selectFrom('vouchers')
      .selectAll()
      .where('customer_id', '=', customer.id)
      .execute();
    const live = vouchers.filter((v) => v.status === 'active' || v.status === 'online');
    expect(live).toHaveLength(1);
    expect(
      vouchers
        .filter((v) => v.status === 'used')
        .map((v) => v.used_reason)
        .sort(),
    ).toEqual(['data', 'expired']);
    expect(vouchers.find((v) => v.code === DEMO.newVoucherCode)?.status).toBe('new');

    // The voucher's counters are the sum of its sessions and of its daily rollups.
    const voucher = live[0]!;
    const sessions = await db
      .selectFrom('sessions')
      .selectAll()
      .where('voucher_id', '=', voucher.id)
      .execute();
    const days = await db
      .selectFrom('usage_daily')
      .selectAll()
      .where('voucher_id', '=', voucher.id)
      .execute();
    const sum = (rows: { downloaded_bytes: number }[]) =>
      rows.reduce((total, r) => total + r.downloaded_bytes, 0);
    expect(sessions.length).toBeGreaterThanOrEqual(7);
    expect(days.length).toBeGreaterThanOrEqual(6);
    expect(sum(sessions)).toBe(voucher.downloaded_bytes);
    expect(sum(days)).toBe(voucher.downloaded_bytes);
    expect(voucher.downloaded_bytes).toBeGreaterThan(0);
  });

  it('sends SMS through the log gateway, with status page notifications on', async () => {
    const gateways = await app.store.db.selectFrom('sms_gateways').select(['type', 'is_enabled']).execute();
    expect(gateways).toEqual([{ type: 'log', is_enabled: 1 }]);
    const notifications = await app.tenants.getSettings(app.bootstrapped.tenant.id, 'notifications');
    expect(notifications.statusPageEnabled).toBe(true);
  });

  it("keeps the demo's SMS texts in GSM-7: voucher details and the status page link", async () => {
    const tenant = app.bootstrapped.tenant;
    const withCustomer = await app.store.db
      .selectFrom('vouchers')
      .select('id')
      .where('tenant_id', '=', tenant.id)
      .where('customer_id', 'is not', null)
      .execute();
    expect(withCustomer.length).toBeGreaterThan(2);
    for (const { id } of withCustomer) {
      const voucher = await app.vouchers.get(tenant.id, id);
      const text = await voucherDetailsText(tenant, voucher, 'https://wifi.example.com/portal');
      const info = describeSmsText(text);
      expect(info.nonGsmCharacters, text).toEqual([]);
      expect(info.parts, text).toBeLessThanOrEqual(2); // UCS-2 made it 3
    }
    const statusPage = await app.notifications.preview(tenant, {});
    expect(describeSmsText(statusPage.text)).toMatchObject({ encoding: 'gsm7', parts: 1 });
  });

  it('gives +12025550188 exactly one voucher', async () => {
    const db = app.store.db;
    const sam = await db
      .selectFrom('customers')
      .select('id')
      .where('phone', '=', DEMO.otherCustomerPhone)
      .executeTakeFirstOrThrow();
    const vouchers = await db.selectFrom('vouchers').select('id').where('customer_id', '=', sam.id).execute();
    expect(vouchers).toHaveLength(1);
  });

  it('is not seeded again on the next start', async () => {
    const { bootstrap } = await import('../bootstrap/index.js');
    const again = await bootstrap(app.config, app.store, app.tenants, app.clock);
    expect(again).toMatchObject({ createdTenant: false, seededDemo: false });
    const count = await app.store.db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
  });

  it('is coherent with what accounting would produce: devices per voucher, open session, totals', async () => {
    const db = app.store.db;
    const nowMs = app.clock.nowMs();
    const sessions = await db
      .selectFrom('sessions')
      .select(['voucher_id', 'device_id', 'started_at', 'updated_at', 'stopped_at', 'session_seconds'])
      .select(['downloaded_bytes', 'uploaded_bytes'])
      .execute();
    for (const s of sessions) {
      // The hotspot counted session_seconds from the start up to its last packet.
      const end = Number(s.stopped_at ?? s.updated_at);
      expect(Number(s.started_at) + Number(s.session_seconds) * 1000).toBeLessThanOrEqual(end);
      expect(Number(s.updated_at)).toBeLessThanOrEqual(nowMs);
    }
    const devices = await db
      .selectFrom('devices')
      .select(['id', 'voucher_id', 'last_seen_at', 'downloaded_bytes', 'online_seconds'])
      .execute();
    for (const device of devices) {
      const own = sessions.filter((s) => s.device_id === device.id);
      // A device's figures are its own voucher's sessions, and "Last seen" is the latest of them.
      expect(own.every((s) => s.voucher_id === device.voucher_id)).toBe(true);
      expect(Number(device.downloaded_bytes)).toBe(
        own.reduce((sum, s) => sum + Number(s.downloaded_bytes), 0),
      );
      expect(Number(device.online_seconds)).toBe(own.reduce((sum, s) => sum + Number(s.session_seconds), 0));
      if (own.length > 0)
        expect(Number(device.last_seen_at)).toBe(
          Math.max(...own.map((s) => Number(s.stopped_at ?? s.updated_at))),
        );
      const voucher = await db
        .selectFrom('vouchers')
        .select(['downloaded_bytes', 'online_seconds'])
        .where('id', '=', device.voucher_id)
        .executeTakeFirstOrThrow();
      expect(Number(device.downloaded_bytes)).toBeLessThanOrEqual(Number(voucher.downloaded_bytes));
      expect(Number(device.online_seconds)).toBeLessThanOrEqual(Number(voucher.online_seconds));
    }
  });

  it('keeps dates and end reasons coherent: activation, first seen, used up, time limit', async () => {
    const db = app.store.db;
    const sessions = await db
      .selectFrom('sessions')
      .select(['voucher_id', 'device_id', 'started_at', 'stopped_at', 'terminate_cause'])
      .execute();
    const vouchers = await db
      .selectFrom('vouchers')
      .select(['id', 'activated_at', 'used_at', 'used_reason', 'online_seconds', 'time_limit_seconds'])
      .execute();
    for (const voucher of vouchers) {
      const own = sessions.filter((s) => s.voucher_id === voucher.id);
      if (own.length === 0) continue;
      // The first login activates a voucher: no session of it starts before "Activated".
      expect(Number(voucher.activated_at)).toBe(Math.min(...own.map((s) => Number(s.started_at))));
      // Data used up ends the last session: the voucher is not used up after its traffic stopped.
      if (voucher.used_reason === 'data')
        expect(Number(voucher.used_at)).toBe(Math.max(...own.map((s) => Number(s.stopped_at))));
      // Session-Timeout means the time limit was reached, not "41 min of 1 h".
      if (own.some((s) => s.terminate_cause === 'Session-Timeout'))
        expect(Number(voucher.online_seconds), `voucher ${voucher.id}`).toBeGreaterThanOrEqual(
          Number(voucher.time_limit_seconds ?? Infinity),
        );
    }
    const devices = await db.selectFrom('devices').select(['id', 'first_seen_at']).execute();
    for (const device of devices) {
      const starts = sessions.filter((s) => s.device_id === device.id).map((s) => Number(s.started_at));
      // "First seen" is the device's first login, the start of its first session.
      if (starts.length > 0) expect(Number(device.first_seen_at)).toBe(Math.min(...starts));
    }
  });
});
