import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import { createPlan, createTenant } from '../../test/helpers/factories.js';
import { FakeClock } from '../shared/index.js';
import { SERIES_BATCH_SIZE, SERIES_STALE_AFTER_MS } from './series.js';

describe.each(TEST_DIALECTS)('voucher series survive a stopped process (%s)', (dialect) => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    // The last app drops the shared database; the others only close.
    const last = apps.pop();
    for (const app of apps.splice(0)) await app.close();
    await last?.destroy();
  });

  async function firstProcess() {
    const app = await buildTestApp(dialect);
    apps.push(app);
    const tenant = await createTenant(app.store.db);
    const plan = await createPlan(app.store.db, tenant.id);
    return { app, tenantId: tenant.id, planId: plan.id };
  }

  /** A first process that starts a series of three batches and shuts down while making it. */
  async function seriesLeftByShutdown() {
    const first = await firstProcess();
    const series = await first.app.vouchers.createSeries(
      first.tenantId,
      { planId: first.planId, quantity: 3 * SERIES_BATCH_SIZE[dialect], expiryMode: 'after_activation' },
      null,
    );
    await first.app.close(); // stops after the batch in progress
    return { ...first, series };
  }

  /** A second process on the same database, its clock `laterMs` after the first's. */
  async function nextProcess(first: TestApp, laterMs: number) {
    const app = await buildTestApp(dialect, {
      testStore: first.testStore,
      clock: new FakeClock(first.clock.nowMs() + laterMs),
    });
    apps.push(app);
    return app;
  }

  async function seriesState(app: TestApp, seriesId: number) {
    const row = await app.store.db
      .selectFrom('voucher_series')
      .select(['status', 'created_count'])
      .where('id', '=', seriesId)
      .executeTakeFirstOrThrow();
    const codes = await app.store.db
      .selectFrom('vouchers')
      .select('code')
      .where('series_id', '=', seriesId)
      .execute();
    return { ...row, vouchers: codes.length, distinctCodes: new Set(codes.map((c) => c.code)).size };
  }

  it('a series paused by shutdown stays generating, and the next process finishes it', async () => {
    const { app, tenantId, series } = await seriesLeftByShutdown();
    const quantity = 3 * SERIES_BATCH_SIZE[dialect];
    const paused = await seriesState(app, series.id);
    expect(paused.status).toBe('generating');
    expect(paused.vouchers).toBeGreaterThan(0);
    expect(paused.vouchers).toBeLessThan(quantity);

    const next = await nextProcess(app, SERIES_STALE_AFTER_MS + 1_000);
    await next.vouchers.generator.idle();
    expect(await seriesState(next, series.id)).toEqual({
      status: 'ready',
      created_count: quantity,
      vouchers: quantity,
      distinctCodes: quantity,
    });
    expect((await next.vouchers.getSeries(tenantId, series.id)).createdCount).toBe(quantity);
  });

  it('leaves alone a series whose process is still beating, and takes it once its heartbeat stops', async () => {
    const { app, series } = await seriesLeftByShutdown();
    const next = await nextProcess(app, SERIES_STALE_AFTER_MS / 2);
    expect((await seriesState(next, series.id)).status).toBe('generating');
    expect(await next.vouchers.resumeStaleSeries()).toBe(0);

    next.clock.advance(SERIES_STALE_AFTER_MS);
    const [first, second] = await Promise.all([
      next.vouchers.resumeStaleSeries(),
      next.vouchers.resumeStaleSeries(),
    ]);
    expect(first + second).toBe(1); // claimed once, however many look at the same time
    await next.vouchers.generator.idle();
    expect((await seriesState(next, series.id)).status).toBe('ready');
  });

  it('finishes a series with the terms its first vouchers were made with, even if the plan changed', async () => {
    const { app, planId, series } = await seriesLeftByShutdown();
    const sold = await app.store.db
      .selectFrom('plans')
      .select(['price_minor', 'data_limit_bytes'])
      .where('id', '=', planId)
      .executeTakeFirstOrThrow();
    // The operator edits the plan while the series waits to be finished.
    await app.store.db
      .updateTable('plans')
      .set({ price_minor: sold.price_minor + 100, data_limit_bytes: 1 })
      .where('id', '=', planId)
      .execute();

    const next = await nextProcess(app, SERIES_STALE_AFTER_MS + 1_000);
    await next.vouchers.generator.idle();
    const terms = await next.store.db
      .selectFrom('vouchers')
      .select(['price_minor', 'data_limit_bytes'])
      .where('series_id', '=', series.id)
      .distinct()
      .execute();
    expect(terms).toEqual([sold]);
    expect((await seriesState(next, series.id)).status).toBe('ready');
  });

  it('finishes a series whose process died before its first batch', async () => {
    const { app, tenantId, planId } = await firstProcess();
    const row = await app.store.db
      .insertInto('voucher_series')
      .values({
        tenant_id: tenantId,
        code: '202611',
        plan_id: planId,
        customer_id: null,
        quantity: 40,
        status: 'generating',
        expiry_mode: 'after_activation',
        valid_until_at: null,
        created_by_admin_id: null,
        created_at: app.clock.nowMs() - SERIES_STALE_AFTER_MS - 1,
        heartbeat_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await app.vouchers.resumeStaleSeries()).toBe(1);
    await app.vouchers.generator.idle();
    expect(await seriesState(app, row.id)).toMatchObject({ status: 'ready', vouchers: 40 });
  });
});
