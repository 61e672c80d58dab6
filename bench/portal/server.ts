/**
 * The server side of the portal benchmark, run by bench/portal/run.ts in its own process (the
 * load generator must not share this event loop). Seeds the large tenant, starts Portico (HTTP
 * only) and, on another port, a bare Fastify app that answers each measured view with a page of
 * the same size (no database, no cookies). Talks to the parent over IPC:
 *   → { ready, portalUrl, bareUrl, host, cookie, paths, pageBytes }
 *   ← 'usage'  → { cpuMicros, requests, statements }  (counters since start, for deltas)
 *   ← 'stop'   → closes and exits (a --cpu-prof profile is written on exit)
 * Environment: DATABASE_URL (PostgreSQL; default a SQLite file in a temp dir), BENCH_SCALE.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { sql, type KyselyPlugin } from 'kysely';
import pino from 'pino';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { openDatabase } from '../../src/store/index.js';
import { FULL_SIZE, seedLargeTenant } from './seed.js';

const scale = Number(process.env.BENCH_SCALE ?? '1');

/** Counts every statement the app sends (statements per view = delta / requests). */
let statements = 0;
const countStatements: KyselyPlugin = {
  transformQuery: (args) => {
    statements++;
    return args.node;
  },
  transformResult: async (args) => args.result,
};

function get(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; type: string; setCookies: string[] }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body,
            type: String(response.headers['content-type']),
            setCookies: response.headers['set-cookie'] ?? [],
          }),
        );
      })
      .on('error', reject);
  });
}

async function main(): Promise<void> {
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
  const store = { ...opened, db: opened.db.withPlugin(countStatements) };
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

  const { httpUrl } = await app.listen();
  const token = await app.webSessions.create(seeded.tenantId, 'portal', seeded.bigCustomerId, {
    authMethod: 'phone',
  });
  // A browser sends back the CSRF secret cookie the first page set; without it every view would
  // mint and set a new one, which real guests don't cost.
  const first = await get(`${httpUrl}/portal`, {
    host,
    cookie: `portico_portal=${token}`,
    accept: 'text/html',
  });
  const csrfCookie = first.setCookies.map((c) => c.split(';')[0]!).find((c) => c.startsWith('portico_csrf='));
  if (!csrfCookie) throw new Error('the dashboard set no CSRF cookie');
  const cookie = `portico_portal=${token}; ${csrfCookie}`;
  const paths = {
    dashboard: '/portal',
    voucher: `/portal/vouchers/${voucher.id}`,
    summary: '/portal/api/summary',
  };

  // The bare baseline answers each view with the page Portico rendered, same size and type.
  const bare = Fastify();
  const pageBytes: Record<string, number> = {};
  for (const [name, route] of Object.entries(paths)) {
    const page = await get(`${httpUrl}${route}`, { host, cookie, accept: 'text/html' });
    if (page.status !== 200) throw new Error(`${route} answered HTTP ${page.status}`);
    pageBytes[name] = Buffer.byteLength(page.body);
    bare.get(`/${name}`, async (_request, reply) => reply.type(page.type).send(page.body));
  }
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

  process.on('message', (message) => {
    if (message === 'usage') {
      const cpu = process.cpuUsage();
      process.send?.({ usage: { cpuMicros: cpu.user + cpu.system, statements } });
    } else if (message === 'stop') {
      void (async () => {
        await bare.close();
        await app.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      })();
    }
  });
  process.send?.({
    ready: true,
    dialect: opened.dialect,
    portalUrl: httpUrl,
    bareUrl,
    host,
    cookie,
    paths,
    pageBytes,
    size,
    seedSeconds,
  });
}

await main();
