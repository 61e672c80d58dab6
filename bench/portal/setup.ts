/**
 * What the portal benchmark (server.ts) and the profile (profile.ts) start from: Portico on a
 * fresh database (DATABASE_URL, else a SQLite file in a temp dir) with the large tenant seeded at
 * BENCH_SCALE, reachable on its own host name, and its planner statistics fresh.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type KyselyPlugin } from 'kysely';
import pino from 'pino';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { openDatabase, type Store } from '../../src/store/index.js';
import { FULL_SIZE, seedLargeTenant, type Seeded, type SeedSize } from './seed.js';

export interface BenchApp {
  app: App;
  store: Store;
  seeded: Seeded;
  size: SeedSize;
  seedSeconds: number;
  host: string;
  /** The big customer's voucher. */
  voucherId: number;
  /** Closes the app and removes the temp dir. */
  close: () => Promise<void>;
}

export async function startBenchApp(options: { plugins?: KyselyPlugin[] } = {}): Promise<BenchApp> {
  const scale = Number(process.env.BENCH_SCALE ?? '1');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'));
  const databaseUrl = process.env.DATABASE_URL ?? path.join(dataDir, 'portico.sqlite');
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    RADIUS_ENABLED: '0',
    PORTICO_DEMO: '0',
    PORTICO_DATA_DIR: dataDir,
    PORTICO_SECRET: 'bench-secret-bench-secret-bench-secret-00',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
  });
  const opened = openDatabase(databaseUrl);
  const store = {
    ...opened,
    db: (options.plugins ?? []).reduce((db, plugin) => db.withPlugin(plugin), opened.db),
  };
  const app = await createApp(config, { logger: pino({ level: 'silent' }), store });
  const size = {
    customers: Math.max(10, Math.round(FULL_SIZE.customers * scale)),
    sessions: Math.max(FULL_SIZE.bigCustomerSessions + 10, Math.round(FULL_SIZE.sessions * scale)),
    bigCustomerSessions: FULL_SIZE.bigCustomerSessions,
  };
  const seedStartedMs = Date.now();
  const seeded = await seedLargeTenant(store.db, size, Date.now());
  const seedSeconds = (Date.now() - seedStartedMs) / 1000;
  const host = `bench-${seeded.tenantId}.localhost`;
  await store.db.insertInto('tenant_hosts').values({ tenant_id: seeded.tenantId, host }).execute();
  const voucher = await store.db
    .selectFrom('vouchers')
    .select('id')
    .where('tenant_id', '=', seeded.tenantId)
    .where('customer_id', '=', seeded.bigCustomerId)
    .executeTakeFirstOrThrow();
  // Fresh bulk-loaded tables: let each planner see their real sizes (autovacuum would, later).
  await sql`analyze`.execute(store.db);
  return {
    app,
    store,
    seeded,
    size,
    seedSeconds,
    host,
    voucherId: voucher.id,
    close: async () => {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
