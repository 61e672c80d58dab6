/**
 * Customer portal benchmark: server and load in separate processes.
 *
 *   npx tsx bench/portal/run.ts                                   # SQLite, full size
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/portico_bench npx tsx bench/portal/run.ts
 *   BENCH_SCALE=0.1 BENCH_SECONDS=5 npx tsx bench/portal/run.ts   # a quick run
 *   BENCH_CPU_PROF=/tmp/prof npx tsx bench/portal/run.ts          # the server under --cpu-prof
 *
 * bench/portal/server.ts (a child process) seeds the large tenant (bench/portal/seed.ts: 100,000
 * customers, 1,000,000 sessions, the big customer with 5,000) and serves Portico plus a bare
 * Fastify app answering each view with a page of the same size. This process runs autocannon
 * against both, alternating bare and Portico for each view in every round, and prints per view:
 * req/s, p50/p99, the ratio to the bare route, server CPU per request, statements per request and
 * bytes on the wire per response (headers included; the load asks for br/gzip like a browser).
 * The live summary is measured twice: a full refresh, and a refresh whose ETag still matches.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const seconds = Number(process.env.BENCH_SECONDS ?? '10');
const connections = Number(process.env.BENCH_CONNECTIONS ?? '16');
const rounds = Number(process.env.BENCH_ROUNDS ?? '2');
const ACCEPT_ENCODING = 'br, gzip';

interface Ready {
  ready: true;
  dialect: string;
  portalUrl: string;
  bareUrl: string;
  host: string;
  cookie: string;
  paths: { dashboard: string; voucher: string; summary: string };
  pageBytes: Record<string, number>;
  size: { customers: number; sessions: number; bigCustomerSessions: number };
  seedSeconds: number;
}
interface Usage {
  cpuMicros: number;
  statements: number;
}
interface Figures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
  statementsPerRequest: number;
  wireBytesPerResponse: number;
  errors: number;
  statuses: string;
}

function raw(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; bytes: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, bytes, headers: response.headers }),
        );
      })
      .on('error', reject);
  });
}

async function main(): Promise<void> {
  const serverPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server.ts');
  const execArgv = ['--import', 'tsx'];
  if (process.env.BENCH_CPU_PROF) execArgv.push('--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`);
  const server = fork(serverPath, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiters: Array<(message: unknown) => void> = [];
  server.on('message', (message) => waiters.shift()?.(message));
  const next = <T>() => new Promise<T>((resolve) => waiters.push(resolve as (message: unknown) => void));
  const usage = async () => {
    const reply = next<{ usage: Usage }>();
    server.send('usage');
    return (await reply).usage;
  };
  const ready = await next<Ready>();
  const { host, cookie, paths } = ready;
  const portalHeaders = { host, cookie, accept: 'text/html', 'accept-encoding': ACCEPT_ENCODING };

  // The first view of a portal page: HTML plus every asset it loads, as sent (compressed).
  const firstView: Record<string, number> = {};
  for (const [name, route] of Object.entries(paths)) {
    const page = await raw(`${ready.portalUrl}${route}`, portalHeaders);
    let total = page.bytes;
    if (name !== 'summary') {
      for (const asset of ['/assets/portal.css', '/assets/portal.js', '/assets/portal-icon.svg'])
        total += (await raw(`${ready.portalUrl}${asset}`, { host, 'accept-encoding': ACCEPT_ENCODING }))
          .bytes;
    }
    firstView[name] = total;
  }
  const summaryEtag = (await raw(`${ready.portalUrl}${paths.summary}`, portalHeaders)).headers.etag;

  async function measure(url: string, headers: Record<string, string>): Promise<Figures> {
    const before = await usage();
    const result = await autocannon({ url, connections, duration: seconds, headers });
    const after = await usage();
    const total = Math.max(1, result.requests.total);
    const statuses = Object.entries(result.statusCodeStats ?? {})
      .map(([code, stat]) => `${code}×${(stat as { count: number }).count}`)
      .join(' ');
    return {
      requestsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      cpuMsPerRequest: (after.cpuMicros - before.cpuMicros) / 1000 / total,
      statementsPerRequest: (after.statements - before.statements) / total,
      wireBytesPerResponse: result.throughput.total / total,
      errors: result.errors + result.timeouts,
      statuses,
    };
  }

  /** The summary's current ETag ("Updated at" moves each minute, so it is read just before). */
  const currentEtag = async () =>
    String((await raw(`${ready.portalUrl}${paths.summary}`, portalHeaders)).headers.etag ?? '');
  const views: Array<{
    name: string;
    bare: string;
    portal: string;
    headers: Record<string, string>;
    etag?: boolean;
  }> = [
    { name: 'dashboard', bare: '/dashboard', portal: paths.dashboard, headers: portalHeaders },
    { name: 'voucher page', bare: '/voucher', portal: paths.voucher, headers: portalHeaders },
    { name: 'summary (full)', bare: '/summary', portal: paths.summary, headers: portalHeaders },
    {
      name: 'summary (unchanged, ETag)',
      bare: '/summary',
      portal: paths.summary,
      headers: portalHeaders,
      etag: summaryEtag !== undefined,
    },
  ];
  const results = new Map<string, { bare: Figures[]; portal: Figures[] }>();
  for (let round = 0; round < rounds; round++) {
    for (const view of views) {
      const entry = results.get(view.name) ?? { bare: [], portal: [] };
      results.set(view.name, entry);
      entry.bare.push(await measure(`${ready.bareUrl}${view.bare}`, { 'accept-encoding': ACCEPT_ENCODING }));
      const headers = view.etag ? { ...view.headers, 'if-none-match': await currentEtag() } : view.headers;
      entry.portal.push(await measure(`${ready.portalUrl}${view.portal}`, headers));
    }
  }

  const mean = (list: Figures[], pick: (f: Figures) => number) =>
    list.reduce((sum, f) => sum + pick(f), 0) / list.length;
  const fmt = (value: number, digits = 0) => value.toFixed(digits);
  console.log(
    `\n## Portal benchmark — ${ready.dialect}, ${ready.size.customers} customers, ${ready.size.sessions} sessions (big customer ${ready.size.bigCustomerSessions}), seeded in ${fmt(ready.seedSeconds, 1)} s`,
  );
  console.log(
    `${connections} connections, ${rounds} rounds × ${seconds} s per target, bare and Portico alternating; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at the end; ${os.cpus().length} cores\n`,
  );
  console.log(
    '| view | bare req/s (rounds) | Portico req/s (rounds) | ratio | Portico p50 / p99 ms | bare p50 / p99 ms | server CPU ms/req (Portico / bare) | statements/req | bytes on the wire/resp (Portico / bare) | statuses |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const view of views) {
    const { bare, portal } = results.get(view.name)!;
    const ratios = bare.map((b, i) => portal[i]!.requestsPerSecond / b.requestsPerSecond);
    console.log(
      `| ${view.name} | ${bare.map((f) => fmt(f.requestsPerSecond)).join(' / ')} | ${portal
        .map((f) => fmt(f.requestsPerSecond))
        .join(' / ')} | ${ratios.map((r) => fmt(r, 2)).join(' / ')} | ${fmt(
        mean(portal, (f) => f.p50Ms),
        1,
      )} / ${fmt(
        mean(portal, (f) => f.p99Ms),
        1,
      )} | ${fmt(
        mean(bare, (f) => f.p50Ms),
        1,
      )} / ${fmt(
        mean(bare, (f) => f.p99Ms),
        1,
      )} | ${fmt(
        mean(portal, (f) => f.cpuMsPerRequest),
        3,
      )} / ${fmt(
        mean(bare, (f) => f.cpuMsPerRequest),
        3,
      )} | ${fmt(
        mean(portal, (f) => f.statementsPerRequest),
        1,
      )} | ${fmt(
        mean(portal, (f) => f.wireBytesPerResponse),
      )} / ${fmt(mean(bare, (f) => f.wireBytesPerResponse))} | ${portal.map((f) => f.statuses).join(', ')}${
        portal.some((f) => f.errors > 0) ? ` errors ${portal.reduce((s, f) => s + f.errors, 0)}` : ''
      } |`,
    );
  }
  console.log(
    `\nPage sizes uncompressed: ${Object.entries(ready.pageBytes)
      .map(([name, bytes]) => `${name} ${bytes} B`)
      .join(', ')}. First view on the wire (HTML + CSS + JS + icon, br): ${Object.entries(firstView)
      .map(([name, bytes]) => `${name} ${bytes} B`)
      .join(', ')}.`,
  );

  const exited = new Promise((resolve) => server.on('exit', resolve));
  server.send('stop');
  await exited;
}

await main();
