/**
 * The device change log's queries (Logs > Device changes, GET /api/v1/device-events) on a large
 * audit trail, with and without migration 0005's indexes, alternating in one run:
 *
 *   npx tsx bench/devices/event-log.ts [eventsPerTenant] [sqlite|postgres]
 *
 * Two tenants of `eventsPerTenant` changes each (1 in 10 a replacement, 1 in 50 by the system),
 * spread over 90 days, 20,000 MACs. Prints the median milliseconds of each query per variant.
 */
import { sql } from 'kysely';
import { createTestStore } from '../../test/helpers/databases.js';
import { createPlan, createTenant, createVoucher } from '../../test/helpers/factories.js';
import { DevicesRepository } from '../../src/devices/index.js';
import { parseDialect } from '../../src/store/index.js';

const perTenant = Number(process.argv[2] ?? 200_000);
const dialect = parseDialect(process.argv[3] ?? 'sqlite');
const ROUNDS = 7;
const DAY_MS = 86_400_000;
const START_MS = Date.UTC(2026, 7, 1);

const mac = (n: number) =>
  ['02', ...(n.toString(16).padStart(10, '0').match(/../g) ?? [])].join(':').toUpperCase();

const store = await createTestStore(dialect);
try {
  const tenants: number[] = [];
  for (let t = 0; t < 2; t++) {
    const tenantId = (await createTenant(store.db)).id;
    tenants.push(tenantId);
    const plan = await createPlan(store.db, tenantId);
    const vouchers: number[] = [];
    for (let v = 0; v < 200; v++) vouchers.push((await createVoucher(store.db, plan)).id);
    for (let start = 0; start < perTenant; start += 1000) {
      const rows = [];
      for (let i = start; i < Math.min(perTenant, start + 1000); i++) {
        const replaced = i % 10 === 0;
        rows.push({
          tenant_id: tenantId,
          voucher_id: vouchers[i % vouchers.length]!,
          device_id: null,
          actor: i % 50 === 0 ? 'system' : i % 2 === 0 ? 'customer' : 'operator',
          actor_id: null,
          client_ip: '198.51.100.1',
          action: replaced ? 'replaced' : 'added',
          details_json: '{}',
          mac: mac(i % 20_000),
          replaced_mac: replaced ? mac((i + 7) % 20_000) : null,
          created_at: START_MS + Math.floor((i / perTenant) * 90 * DAY_MS),
        });
      }
      await store.db.insertInto('device_events').values(rows).execute();
    }
  }
  // Fresh planner statistics after every index change (dropping an index drops its statistics).
  const analyze = () => sql`analyze`.execute(store.db);
  await analyze();

  const tenantId = tenants[0]!;
  const repo = new DevicesRepository(store.db);
  const middle = (await repo.listEvents(tenantId, { limit: 1, createdToMs: START_MS + 45 * DAY_MS }))[0]!;
  const queries: Record<string, () => Promise<unknown>> = {
    'newest page (51)': () => repo.listEvents(tenantId, { limit: 51 }),
    'keyset page in the middle': () =>
      repo.listEvents(tenantId, { limit: 51, before: { createdAtMs: middle.createdAtMs, id: middle.id } }),
    'MAC filter (either column)': () => repo.listEvents(tenantId, { limit: 51, mac: mac(1234) }),
    'actor=system': () => repo.listEvents(tenantId, { limit: 51, actor: 'system' }),
    'one day': () =>
      repo.listEvents(tenantId, {
        limit: 51,
        createdFromMs: START_MS + 30 * DAY_MS,
        createdToMs: START_MS + 31 * DAY_MS,
      }),
    'API page 1 + total': () => repo.pageEvents(tenantId, {}, { page: 1, perPage: 50 }),
    'API MAC page + total': () => repo.pageEvents(tenantId, { mac: mac(1234) }, { page: 1, perPage: 50 }),
  };
  const INDEXES = ['device_events_tenant_time', 'device_events_mac', 'device_events_replaced_mac'];
  const dropIndexes = async () => {
    for (const index of INDEXES) await store.db.schema.dropIndex(index).execute();
    await analyze();
  };
  const createIndexes = async () => {
    await store.db.schema
      .createIndex('device_events_tenant_time')
      .on('device_events')
      .columns(['tenant_id', 'created_at', 'id'])
      .execute();
    await store.db.schema
      .createIndex('device_events_mac')
      .on('device_events')
      .columns(['tenant_id', 'mac', 'created_at'])
      .execute();
    await store.db.schema
      .createIndex('device_events_replaced_mac')
      .on('device_events')
      .columns(['tenant_id', 'replaced_mac', 'created_at'])
      .where(sql.ref('replaced_mac'), 'is not', null)
      .execute();
    await analyze();
  };

  const timings: Record<string, Record<string, number[]>> = { with: {}, without: {} };
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of ['with', 'without'] as const) {
      if (variant === 'without') await dropIndexes();
      for (const [name, run] of Object.entries(queries)) {
        const started = performance.now();
        await run();
        (timings[variant]![name] ??= []).push(performance.now() - started);
      }
      if (variant === 'without') await createIndexes();
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log(`${dialect}, ${perTenant} events per tenant, 2 tenants, median of ${ROUNDS} (ms):`);
  console.log('query'.padEnd(30), 'with 0005'.padStart(10), 'without'.padStart(10), 'ratio'.padStart(8));
  for (const name of Object.keys(queries)) {
    const a = median(timings.with![name]!);
    const b = median(timings.without![name]!);
    console.log(
      name.padEnd(30),
      a.toFixed(2).padStart(10),
      b.toFixed(2).padStart(10),
      `${(b / a).toFixed(1)}×`.padStart(8),
    );
  }
} finally {
  await store.destroy();
}
