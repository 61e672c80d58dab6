/**
 * Where a portal view's CPU goes, without the noise of a loaded machine's network stack: seeds the
 * large tenant (BENCH_SCALE, default 0.1), then requests each view PROFILE_REQUESTS times through
 * `app.inject` under the inspector's CPU profiler and prints, per view, CPU ms per request
 * (process.cpuUsage) and the self time by category (statements, Kysely, render, formatting, ...).
 *
 *   BENCH_SCALE=0.1 npx tsx bench/portal/profile.ts
 *   PROFILE_OUT=/tmp/dash.cpuprofile npx tsx bench/portal/profile.ts   # also writes the profiles
 *
 * `app.inject` skips the socket, so the figures are a little under the HTTP bench's ones.
 */
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import os from 'node:os';
import { touchCustomerPortals } from '../../src/store/index.js';
import { startBenchApp } from './setup.js';

const scale = Number((process.env.BENCH_SCALE ??= '0.1'));
const requests = Number(process.env.PROFILE_REQUESTS ?? '2000');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Native leaves (no script url) named for what they do: the driver's and zlib's bindings. */
const NATIVE: Record<string, string> = {
  all: 'sqlite/pg statement',
  get: 'sqlite/pg statement',
  run: 'sqlite/pg statement',
  iterate: 'sqlite/pg statement',
  prepare: 'sqlite prepare',
  writeSync: 'compression',
  init: 'compression',
  close: 'compression',
  params: 'compression',
  BrotliEncoder: 'compression',
  Zlib: 'compression',
};

/** A sample's category, from its own frame (and, for native frames, its caller's). */
const CATEGORIES: Array<[string, RegExp]> = [
  ['sqlite/pg statement', /better-sqlite3|node_modules\/pg|pg-protocol|\(program\)|statement/],
  ['kysely build/compile', /node_modules\/kysely/],
  ['preact render', /preact/],
  ['intl / formatting', /Intl|format\.ts|toLocale/],
  ['compression', /zlib|brotli|compress/],
  ['fastify/cookies/csrf', /fastify|cookie|csrf|find-my-way|light-my-request|avvio/],
  ['crypto', /crypto/],
  ['portal code', /src\/portal/],
  ['other src', /\/src\//],
  ['garbage collector', /garbage collector/],
];

function categorise(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const totals = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    // Walk up until a frame names a category (native frames have no url).
    let current: number | undefined = id;
    let category = 'other';
    const leaf = byId.get(id)!.callFrame;
    if (leaf.url === '' && NATIVE[leaf.functionName]) {
      category = NATIVE[leaf.functionName]!;
      current = undefined;
    }
    while (current !== undefined) {
      const frame = byId.get(current)!.callFrame;
      const text = `${frame.functionName} ${frame.url}`;
      const found = CATEGORIES.find(([, pattern]) => pattern.test(text));
      if (found && !(found[0] === 'other src' && frame.url === '')) {
        category = found[0];
        break;
      }
      current = parent.get(current);
    }
    if (byId.get(id)!.callFrame.functionName === '(idle)') category = 'idle';
    totals.set(category, (totals.get(category) ?? 0) + delta);
  });
  return totals;
}

async function main(): Promise<void> {
  const { app, store, seeded, host, voucherId, close } = await startBenchApp();
  const token = await app.webSessions.create(seeded.tenantId, 'portal', seeded.bigCustomerId, {
    authMethod: 'phone',
  });
  const first = await app.http.inject({
    url: '/portal',
    headers: { host, cookie: `portico_portal=${token}` },
  });
  const csrf = first.cookies.find((c) => c.name === 'portico_csrf');
  const cookie = `portico_portal=${token}${csrf ? `; portico_csrf=${csrf.value}` : ''}`;
  const headers = { host, cookie, accept: 'text/html', 'accept-encoding': 'br, gzip' };
  // "changed": the customer's portal version moves before each request (as accounting does),
  // so the page is read and rendered again; that one UPDATE is counted in the figure.
  const views: Array<[string, string, Record<string, string>, boolean]> = [
    ['dashboard', '/portal', headers, false],
    ['dashboard (changed)', '/portal', headers, true],
    ['dashboard (changed, uncompressed)', '/portal', { ...headers, 'accept-encoding': 'identity' }, true],
    ['voucher page', `/portal/vouchers/${voucherId}`, headers, false],
    ['voucher page (changed)', `/portal/vouchers/${voucherId}`, headers, true],
    ['summary (full)', '/portal/api/summary', headers, false],
    ['summary (changed)', '/portal/api/summary', headers, true],
    [
      'summary (unchanged)',
      '/portal/api/summary',
      { ...headers, 'if-none-match': '' }, // the current ETag, read right before (below)
      false,
    ],
  ];
  const only = process.env.PROFILE_VIEWS?.split(',');
  const change = () => touchCustomerPortals(store.db, seeded.tenantId, [seeded.bigCustomerId]);
  const request = async (url: string, viewHeaders: Record<string, string>, changed: boolean) => {
    if (changed) await change();
    return app.http.inject({ url, headers: viewHeaders });
  };

  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  console.log(
    `${store.dialect}, scale ${scale}, ${requests} requests per view, load ${os.loadavg()[0]!.toFixed(2)}`,
  );
  for (const [name, url, viewHeaders, changed] of views) {
    if (only && !only.some((part) => name.startsWith(part))) continue;
    if ('if-none-match' in viewHeaders)
      viewHeaders['if-none-match'] = String(
        (await app.http.inject({ url, headers }).then((r) => r.headers.etag)) ?? '',
      );
    for (let i = 0; i < 200; i++) await request(url, viewHeaders, changed); // warm up
    // CPU per request without the profiler (it adds its own cost), then the same loop profiled.
    const cpuBefore = process.cpuUsage();
    const statuses = new Map<number, number>();
    for (let i = 0; i < requests; i++) {
      const response = await request(url, viewHeaders, changed);
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
    }
    const cpu = process.cpuUsage(cpuBefore);
    await session.post('Profiler.start');
    for (let i = 0; i < requests; i++) await request(url, viewHeaders, changed);
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    if (process.env.PROFILE_OUT)
      fs.writeFileSync(
        `${process.env.PROFILE_OUT}.${name.replace(/\W+/g, '-')}.cpuprofile`,
        JSON.stringify(profile),
      );
    const totals = categorise(profile);
    const busy = [...totals].filter(([k]) => k !== 'idle').reduce((s, [, v]) => s + v, 0);
    const perRequestMs = (cpu.user + cpu.system) / 1000 / requests;
    console.log(
      `\n${name}: ${perRequestMs.toFixed(3)} ms CPU/request (${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')})`,
    );
    for (const [category, micros] of [...totals].sort((a, b) => b[1] - a[1])) {
      if (category === 'idle') continue;
      console.log(
        `  ${category.padEnd(22)} ${((micros / busy) * 100).toFixed(1).padStart(5)} %  ~${((perRequestMs * micros) / busy).toFixed(3)} ms`,
      );
    }
  }
  await session.post('Profiler.disable');
  await close();
}

await main();
