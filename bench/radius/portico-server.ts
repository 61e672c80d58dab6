/**
 * Portico for the benchmark: the real app (createApp) with RADIUS on ephemeral ports, on a
 * fresh SQLite file or PostgreSQL database (BENCH_DATABASE_URL), seeded with one hotspot at
 * 127.0.0.1, BENCH_VOUCHERS vouchers (codes bench-0000…) each with one known device.
 * Prints {"authPort","acctPort"} on stdout when ready; SIGTERM closes it.
 */
import pino from 'pino';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { migrateToLatest, openDatabase } from '../../src/store/index.js';

const url = process.env.BENCH_DATABASE_URL!;
const vouchers = Number(process.env.BENCH_VOUCHERS ?? 200);
const secret = process.env.BENCH_SECRET ?? 'bench-secret-0123';

const store = openDatabase(url, { poolSize: 4 });
await migrateToLatest(store.db);
const now = Date.now();
const tenant = await store.db
  .insertInto('tenants')
  .values({
    slug: `bench-${now}`,
    name: 'Bench',
    default_country: 'US',
    locale: 'en-US',
    time_zone: 'UTC',
    currency: 'USD',
    is_default: 1,
    created_at: now,
  })
  .returning('id')
  .executeTakeFirstOrThrow();
await store.db
  .insertInto('hotspots')
  .values({
    tenant_id: tenant.id,
    title: 'Bench',
    vendor: 'mikrotik',
    ip_address: '127.0.0.1',
    secret,
    coa_port: 3799,
    require_message_authenticator: 1,
    interim_interval_seconds: 300,
    created_at: now,
    updated_at: now,
  })
  .execute();
const plan = await store.db
  .insertInto('plans')
  .values({
    tenant_id: tenant.id,
    title: 'Bench',
    is_active: 1,
    voucher_prefix: 'b',
    price_minor: 0,
    currency: 'USD',
    speed_down_kbps: 10_000,
    speed_up_kbps: 2000,
    data_limit_bytes: 10 ** 15,
    time_limit_seconds: 10 ** 9,
    validity_seconds: 10 ** 8,
    devices_limit: 2,
    created_at: now,
    updated_at: now,
  })
  .returningAll()
  .executeTakeFirstOrThrow();
for (let i = 0; i < vouchers; i++) {
  const code = `bench-${String(i).padStart(4, '0')}`;
  const voucher = await store.db
    .insertInto('vouchers')
    .values({
      tenant_id: tenant.id,
      plan_id: plan.id,
      code,
      short_code: `s${i}`,
      status: 'active',
      plan_title: plan.title,
      price_minor: 0,
      currency: 'USD',
      speed_down_kbps: 10_000,
      speed_up_kbps: 2000,
      data_limit_bytes: plan.data_limit_bytes,
      time_limit_seconds: plan.time_limit_seconds,
      validity_seconds: plan.validity_seconds,
      devices_limit: 2,
      activated_at: now,
      expires_at: now + 10 ** 11,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const mac =
    `02:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`.toUpperCase();
  await store.db
    .insertInto('devices')
    .values({
      tenant_id: tenant.id,
      voucher_id: voucher.id,
      mac,
      added_by: 'operator',
      is_randomized: 1,
      created_at: now,
    })
    .execute();
}

const config = loadConfig({
  ...process.env,
  PORT: '0',
  HOST: '127.0.0.1',
  RADIUS_ENABLED: '1',
  RADIUS_HOST: '127.0.0.1',
  RADIUS_AUTH_PORT: '0',
  RADIUS_ACCT_PORT: '0',
  PORTICO_DEMO: '0',
  PORTICO_SECRET: 'bench-secret-bench-secret-bench-secret-01',
  LOG_LEVEL: 'warn',
});
const app = await createApp(config, { store, logger: pino({ level: 'warn' }) });
await app.listen();
console.log(JSON.stringify(app.radius!.ports()));
process.on('SIGTERM', () => {
  const stats = { radius: app.radius!.stats, accounting: app.accounting.stats };
  console.error(JSON.stringify(stats));
  void app
    .close()
    .then(() => store.close())
    .then(() => process.exit(0));
});
