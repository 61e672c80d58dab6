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
import http from 'node:http';
import Fastify from 'fastify';
import type { KyselyPlugin } from 'kysely';
import { startBenchApp } from './setup.js';

/** Counts every statement the app runs (statements per view = delta / requests). */
let statements = 0;
const countStatements: KyselyPlugin = {
  transformQuery: (args) => args.node,
  // Counted per execution: a statement compiled once and run many times (the portal visit) counts
  // every time it runs.
  transformResult: async (args) => {
    statements++;
    return args.result;
  },
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
  const { app, store, seeded, size, seedSeconds, host, voucherId, close } = await startBenchApp({
    plugins: [countStatements],
  });

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
    voucher: `/portal/vouchers/${voucherId}`,
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
        await close();
        process.exit(0);
      })();
    }
  });
  process.send?.({
    ready: true,
    dialect: store.dialect,
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
