/**
 * Portal dashboard benchmark.
 *
 *   npx tsx bench/portal/run.ts                 # SQLite file in a temp dir, full size
 *   DATABASE_URL=postgres://… npx tsx bench/portal/run.ts
 *   BENCH_SCALE=0.1 BENCH_SECONDS=5 npx tsx bench/portal/run.ts   # a quick run
 *
 * Seeds a large tenant (100,000 customers, 1,000,000 sessions, one customer with 5,000 sessions),
 * then measures the signed-in dashboard of the big customer at a fixed concurrency, alternating
 * with a bare Fastify route (same machine, same load generator) as the baseline. Prints
 * throughput and p50/p99 latency for both and the ratio.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import pino from 'pino';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { FULL_SIZE, seedLargeTenant } from './seed.js';

const scale = Number(process.env.BENCH_SCALE ?? '1');
const seconds = Number(process.env.BENCH_SECONDS ?? '10');
const connections = Number(process.env.BENCH_CONNECTIONS ?? '16');
const rounds = Number(process.env.BENCH_ROUNDS ?? '2');
const dashboardPath = process.env.BENCH_PATH ?? '/portal';
const cookieName = process.env.BENCH_COOKIE ?? 'portico_portal';

interface Figures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

function getPage(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function load(url: string, headers: Record<string, string>): Promise<Figures> {
  const result = await autocannon({ url, connections, duration: seconds, headers });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

function average(figures: Figures[]): Figures {
  const mean = (pick: (f: Figures) => number) =>
    figures.reduce((sum, f) => sum + pick(f), 0) / figures.length;
  return {
    requestsPerSecond: mean((f) => f.requestsPerSecond),
    p50Ms: mean((f) => f.p50Ms),
    p99Ms: mean((f) => f.p99Ms),
    errors: figures.reduce((sum, f) => sum + f.errors, 0),
    non2xx: figures.reduce((sum, f) => sum + f.non2xx, 0),
  };
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    RADIUS_ENABLED: '0',
    PORTICO_DEMO: '0',
    PORTICO_DATA_DIR: dataDir,
    PORTICO_SECRET: 'bench-secret-bench-secret-bench-secret-00',
    LOG_LEVEL: 'silent',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  });
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  const size = {
    customers: Math.round(FULL_SIZE.customers * scale),
    sessions: Math.round(FULL_SIZE.sessions * scale),
    bigCustomerSessions: FULL_SIZE.bigCustomerSessions,
  };
  const seedStartedMs = Date.now();
  const seeded = await seedLargeTenant(app.store.db, size, Date.now());
  const host = `bench-${seeded.tenantId}.localhost`;
  await app.store.db.insertInto('tenant_hosts').values({ tenant_id: seeded.tenantId, host }).execute();
  console.log(
    `seeded ${size.customers} customers, ${size.sessions} sessions (${size.bigCustomerSessions} for one customer) on ${app.store.dialect} in ${((Date.now() - seedStartedMs) / 1000).toFixed(1)} s`,
  );

  const { httpUrl } = await app.listen();
  const token = await app.webSessions.create(seeded.tenantId, 'portal', seeded.bigCustomerId);
  const portalHeaders = { host, cookie: `${cookieName}=${token}`, accept: 'text/html' };
  // fetch() may not set Host; node:http can, as autocannon does.
  const check = await getPage(`${httpUrl}${dashboardPath}`, portalHeaders);
  const body = check.body;
  if (check.status !== 200 || !body.includes('Customer 0')) {
    throw new Error(`the dashboard did not render for the big customer: HTTP ${check.status}`);
  }

  // Baseline: a bare Fastify route answering a page of the same size, no database.
  const bare = Fastify();
  bare.get('/', async (_request, reply) => reply.type('text/html').send(body));
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

  const baseline: Figures[] = [];
  const portal: Figures[] = [];
  for (let round = 0; round < rounds; round++) {
    baseline.push(await load(bareUrl, {}));
    portal.push(await load(`${httpUrl}${dashboardPath}`, portalHeaders));
  }
  const base = average(baseline);
  const ours = average(portal);
  const row = (name: string, f: Figures) =>
    `${name.padEnd(22)} ${f.requestsPerSecond.toFixed(0).padStart(8)} req/s   p50 ${f.p50Ms.toFixed(1).padStart(6)} ms   p99 ${f.p99Ms.toFixed(1).padStart(6)} ms   errors ${f.errors}   non-2xx ${f.non2xx}`;
  console.log(
    `\nconcurrency ${connections}, ${rounds} × ${seconds} s each, alternating; page ${body.length} bytes`,
  );
  console.log(row('bare Fastify route', base));
  console.log(row(`portal dashboard (${app.store.dialect})`, ours));
  console.log(
    `ratio portal / bare: ${(ours.requestsPerSecond / base.requestsPerSecond).toFixed(3)} (throughput)`,
  );

  await bare.close();
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

await main();
