/**
 * Portico for the benchmark: the real app (createApp) with RADIUS on ephemeral ports, on a
 * fresh SQLite file or PostgreSQL database (BENCH_DATABASE_URL), seeded with one hotspot at
 * 127.0.0.1, BENCH_VOUCHERS vouchers (codes bench-00000…) each with one known device.
 * Prints {"authPort","acctPort"} on stdout when ready; SIGTERM closes it.
 */
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import pg from 'pg';
import pino from 'pino';
import type * as AppModule from '../../src/app.js';
import type * as ConfigModule from '../../src/config/index.js';
import type * as StoreModule from '../../src/store/index.js';
import { appModule } from './app.js';
import { BENCH_SECRET, codeOf, macOf } from './packets.js';

const { createApp } = await appModule<typeof AppModule>('app.js');
const { loadConfig } = await appModule<typeof ConfigModule>('config/index.js');
const { migrateToLatest, openDatabase } = await appModule<typeof StoreModule>('store/index.js');

const url = process.env.BENCH_DATABASE_URL!;

// BENCH_CPU_PROFILE=file: a V8 CPU profile of this process (main thread) from the moment the
// server is ready until SIGTERM (written before exit; --cpu-prof loses it on process.exit).
const profilePath = process.env.BENCH_CPU_PROFILE;
const profiler = profilePath ? new inspector.Session() : undefined;

// Statement count (PostgreSQL round trips, BEGIN/COMMIT included): every query Kysely sends goes
// through pg.Client#query. run.ts asks for the count with SIGUSR2 before and after each run.
let statements = 0;
const query = Reflect.get(pg.Client.prototype, 'query') as (this: pg.Client, ...args: unknown[]) => unknown;
// BENCH_STATEMENT_TIMES=1: time per statement text (first 60 characters), printed at exit.
const statementTimes = process.env.BENCH_STATEMENT_TIMES
  ? new Map<string, { n: number; ms: number }>()
  : undefined;
Reflect.set(pg.Client.prototype, 'query', function (this: pg.Client, ...args: unknown[]) {
  statements++;
  const result = query.apply(this, args);
  // A prepared statement (src/store/pg-prepared.ts) arrives as { name, text, values }.
  const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: unknown } | undefined)?.text;
  if (statementTimes && typeof text === 'string' && result instanceof Promise) {
    const key = text.replace(/\s+/g, ' ').slice(0, 60);
    const started = performance.now();
    void result
      .finally(() => {
        const entry = statementTimes.get(key) ?? { n: 0, ms: 0 };
        entry.n++;
        entry.ms += performance.now() - started;
        statementTimes.set(key, entry);
      })
      .catch(() => undefined);
  }
  return result;
});
process.on('SIGUSR2', () => console.log(JSON.stringify({ statements })));

// On SQLite the same figures come from better-sqlite3's statements (synchronous: the time is the
// statement's own, with no waiting in it), text cut to 60 characters as above.
if (statementTimes) {
  const { default: SqliteDatabase } = await import('better-sqlite3');
  const probe = new SqliteDatabase(':memory:');
  const statementPrototype = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>;
  probe.close();
  for (const method of ['run', 'all', 'get', 'iterate']) {
    const original = statementPrototype[method] as (this: { source: string }, ...args: unknown[]) => unknown;
    statementPrototype[method] = function (this: { source: string }, ...args: unknown[]) {
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const key = this.source.replace(/\s+/g, ' ').slice(0, 60);
        const entry = statementTimes.get(key) ?? { n: 0, ms: 0 };
        entry.n++;
        entry.ms += performance.now() - started;
        statementTimes.set(key, entry);
      }
    };
  }
}
const vouchers = Number(process.env.BENCH_VOUCHERS ?? 10_000);
const secret = BENCH_SECRET;

const store = openDatabase(url, { poolSize: Number(process.env.BENCH_POOL_SIZE ?? 10) });
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
for (let first = 0; first < vouchers; first += 500) {
  const indexes = Array.from({ length: Math.min(500, vouchers - first) }, (_, k) => first + k);
  const rows = await store.db
    .insertInto('vouchers')
    .values(
      indexes.map((i) => ({
        tenant_id: tenant.id,
        plan_id: plan.id,
        code: codeOf(i),
        short_code: `s${i}`,
        status: 'active' as const,
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
      })),
    )
    .returning(['id', 'code'])
    .execute();
  const idOf = new Map(rows.map((r) => [r.code, r.id]));
  await store.db
    .insertInto('devices')
    .values(
      indexes.map((i) => ({
        tenant_id: tenant.id,
        voucher_id: idOf.get(codeOf(i))!,
        mac: macOf(i),
        added_by: 'operator' as const,
        is_randomized: 1,
        created_at: now,
      })),
    )
    .execute();
}

const config = loadConfig({
  ...process.env,
  PORT: '0',
  HOST: '127.0.0.1',
  // The store is passed to createApp; RADIUS threads (RADIUS_THREADS) open their own from this.
  DATABASE_URL: url,
  RADIUS_ENABLED: '1',
  RADIUS_HOST: '127.0.0.1',
  RADIUS_AUTH_PORT: '0',
  RADIUS_ACCT_PORT: '0',
  PORTICO_DEMO: '0',
  PORTICO_SECRET: 'bench-secret-bench-secret-bench-secret-01',
  LOG_LEVEL: 'warn',
});
// Logs go to stderr (shown by run.ts); stdout carries the ports and statement counts.
const app = await createApp(config, { store, logger: pino({ level: 'warn' }, pino.destination(2)) });
await app.listen();
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
console.log(JSON.stringify(app.radius!.ports()));
process.on('SIGTERM', () => {
  const times =
    statementTimes &&
    Object.fromEntries(
      [...statementTimes]
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, 25)
        .map(([k, v]) => [k, { n: v.n, avgMs: +(v.ms / v.n).toFixed(2) }]),
    );
  const stats = { radius: app.radius!.stats, accounting: app.accounting.stats, statementTimes: times };
  console.error(JSON.stringify(stats));
  void (async () => {
    if (profiler && profilePath) {
      const { profile } = await profiler.post('Profiler.stop');
      fs.writeFileSync(profilePath, JSON.stringify(profile));
    }
  })()
    .then(() => app.close())
    .then(() => store.close())
    .then(() => process.exit(0));
});
// BENCH_GC=1: garbage collection pauses of the main thread, printed at exit (count, total, max).
if (process.env.BENCH_GC) {
  const { PerformanceObserver } = await import('node:perf_hooks');
  const pauses = new Map<string, { n: number; ms: number; max: number }>();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as { detail?: { kind?: number } }).detail;
      const kind = String(detail?.kind ?? entry.name);
      const p = pauses.get(kind) ?? { n: 0, ms: 0, max: 0 };
      p.n++;
      p.ms += entry.duration;
      p.max = Math.max(p.max, entry.duration);
      pauses.set(kind, p);
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('SIGTERM', () => console.error(JSON.stringify({ gc: Object.fromEntries(pauses) })));
}
