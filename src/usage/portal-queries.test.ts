import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, TEST_DIALECTS, type TestStore } from '../../test/helpers/databases.js';
import {
  createCustomer,
  createHotspot,
  createPlan,
  createSession,
  createTenant,
  createUsageDay,
  createVoucher,
} from '../../test/helpers/factories.js';
import { UsagePortalQueries } from './portal-queries.js';

describe.each(TEST_DIALECTS)('portal usage queries (%s)', (dialect) => {
  let store: TestStore;
  let queries: UsagePortalQueries;
  let tenantId: number;
  let customerId: number;
  let voucherIds: number[];
  const startedAt = (i: number) => 1_700_000_000_000 + i * 60_000;

  beforeAll(async () => {
    store = await createTestStore(dialect);
    const db = store.db;
    queries = new UsagePortalQueries(db);
    const tenant = await createTenant(db);
    tenantId = tenant.id;
    const hotspot = await createHotspot(db, tenantId, { title: 'Pool' });
    const plan = await createPlan(db, tenantId);
    const customer = await createCustomer(db, tenantId);
    customerId = customer.id;
    const other = await createCustomer(db, tenantId);
    voucherIds = [];
    for (let v = 0; v < 3; v++)
      voucherIds.push((await createVoucher(db, plan, { customer_id: customerId })).id);
    const othersVoucher = await createVoucher(db, plan, { customer_id: other.id });
    // Sessions 0..29 interleaved over the three vouchers; the other customer's are newer still.
    for (let i = 0; i < 30; i++) {
      await createSession(db, {
        tenant_id: tenantId,
        hotspot_id: hotspot.id,
        voucher_id: voucherIds[i % 3],
        started_at: startedAt(i),
        downloaded_bytes: i,
      });
      await createSession(db, {
        tenant_id: tenantId,
        hotspot_id: hotspot.id,
        voucher_id: othersVoucher.id,
        started_at: startedAt(100 + i),
      });
    }
    // Another tenant's rows with the same customer id must not leak in.
    const otherTenant = await createTenant(db);
    const otherPlan = await createPlan(db, otherTenant.id);
    const foreign = await createVoucher(db, otherPlan, { customer_id: null });
    await createUsageDay(db, {
      tenant_id: otherTenant.id,
      voucher_id: foreign.id,
      customer_id: customerId,
      day: '2026-11-20',
      downloaded_bytes: 999,
    });
    await createUsageDay(db, {
      tenant_id: tenantId,
      voucher_id: voucherIds[0] ?? 0,
      customer_id: customerId,
      day: '2026-11-20',
      downloaded_bytes: 100,
      uploaded_bytes: 10,
      online_seconds: 60,
    });
    // Recorded before the voucher was assigned to the customer: customer_id is empty.
    await createUsageDay(db, {
      tenant_id: tenantId,
      voucher_id: voucherIds[1] ?? 0,
      customer_id: null,
      day: '2026-11-20',
      downloaded_bytes: 50,
    });
    await createUsageDay(db, {
      tenant_id: tenantId,
      voucher_id: othersVoucher.id,
      customer_id: other.id,
      day: '2026-11-20',
      downloaded_bytes: 7777,
    });
    await createUsageDay(db, {
      tenant_id: tenantId,
      voucher_id: voucherIds[2] ?? 0,
      customer_id: customerId,
      day: '2026-10-01',
      downloaded_bytes: 5,
    });
  });
  afterAll(() => store.destroy());

  it('returns the newest sessions across all of the customer’s vouchers, and only theirs', async () => {
    const sessions = await queries.listSessions(tenantId, customerId, { limit: 7 });
    expect(sessions.map((s) => s.startedAtMs)).toEqual([29, 28, 27, 26, 25, 24, 23].map(startedAt));
    expect(sessions.every((s) => voucherIds.includes(s.voucherId))).toBe(true);
    expect(sessions[0]?.hotspotTitle).toBe('Pool');
    expect(sessions[0]?.downloadedBytes).toBe(29);
  });

  it('answers each call with its own customer and limit (the statements are compiled once)', async () => {
    expect(await queries.listSessions(tenantId, customerId, { limit: 2 })).toHaveLength(2);
    const sessions = await queries.listSessions(tenantId, customerId, { limit: 4 });
    expect(sessions.map((s) => s.startedAtMs)).toEqual([29, 28, 27, 26].map(startedAt));
    expect(await queries.listSessions(tenantId, customerId + 1000, { limit: 4 })).toEqual([]);
    expect(await queries.dailyUsage(tenantId, customerId, '2026-09-01', '2026-10-15')).toEqual([
      { day: '2026-10-01', downloadedBytes: 5, uploadedBytes: 0, onlineSeconds: 0 },
    ]);
  });

  it('filters by voucher', async () => {
    const sessions = await queries.listSessions(tenantId, customerId, {
      limit: 100,
      voucherId: voucherIds[1],
    });
    expect(sessions).toHaveLength(10);
    expect(sessions.every((s) => s.voucherId === voucherIds[1])).toBe(true);
  });

  it('returns nothing for a voucher of someone else, or in another tenant', async () => {
    const other = await queries.listSessions(tenantId + 1000, customerId, { limit: 10 });
    expect(other).toEqual([]);
  });

  it('sums usage per day over the customer’s vouchers within the range', async () => {
    const days = await queries.dailyUsage(tenantId, customerId, '2026-10-29', '2026-11-27');
    expect(days).toEqual([{ day: '2026-11-20', downloadedBytes: 150, uploadedBytes: 10, onlineSeconds: 60 }]);
  });
});
