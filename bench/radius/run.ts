/**
 * RADIUS benchmark: the same load, from a load generator in its own process, against
 *   - bare:      a Node decode-and-answer server (no policy, no database): the ceiling;
 *   - freeradius: FreeRADIUS 3.2 + rlm_sql_postgresql (private config, loopback) — the peer;
 *   - portico-pg / portico-sqlite: the real app on PostgreSQL and on SQLite;
 *   - portico-pg-2t: on PostgreSQL with RADIUS_THREADS=2 (any portico-pg-<n>t: n threads);
 * servers alternating within each round. Work: Interim-Update of known sessions (after a priming
 * pass), Start/Stop pairs of new sessions, CHAP logins of known devices (FreeRADIUS authorises
 * from radcheck). Prints answers/s, p50/p99, lost, server CPU per answered request (the server
 * process only; the database's own CPU is not in it), and the ratios against the peer.
 *
 *   npx tsx bench/radius/run.ts
 *   env: BENCH_SECONDS=10 BENCH_ROUNDS=2 BENCH_SESSIONS=10000 BENCH_SOCKETS=16 BENCH_WINDOW=16
 *        BENCH_WARMUP_SECONDS=1 (the same load before each measured run, not counted)
 *        BENCH_WORK=interim,startstop,chap
 *        BENCH_SERVERS=bare,freeradius,portico-pg,portico-pg-2t,portico-sqlite
 *        BENCH_PROFILE=dir (Portico servers write a --cpu-prof there)
 *        BENCH_WINDOWS=1 (the quarter-seconds with the slowest answers, under each run line)
 *        BENCH_APP=src (the TypeScript sources through tsx; by default the run builds first and
 *        measures dist/, the JavaScript `node dist/main.js` runs — Portico as it ships)
 *        BENCH_BASE_TREE=dir: a server name ending in @base (portico-sqlite@base) runs the same
 *        server from that checkout (git worktree add dir <commit>): a before/after in one run
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freeLoopbackUdpPort } from '../../test/helpers/radius-factories.js';
import { APP } from './app.js';
import { freeRadiusAvailable, seedFreeRadiusDatabase, startFreeRadius } from './freeradius.js';
import type { LoadResult } from './load.js';
import type { LoadJob } from './load-process.js';
import { BENCH_SECRET, type WorkKind } from './packets.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
/** Load before each measured run, same work and server, not counted. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
// 16 sources of 16 requests each (256 in flight): as 16 hotspots, or source ports, would send.
// SO_REUSEPORT spreads sources, not packets, over RADIUS threads; with 4 sources a 2-thread
// server got 3:1 or 4:0 as often as 2:2.
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 16);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 16);
/** Print, under each run line, the quarter-seconds with the slowest answers (LoadResult). */
const SHOW_WINDOWS = process.env.BENCH_WINDOWS === '1';
const WORK = (process.env.BENCH_WORK ?? 'interim,startstop,chap').split(',') as WorkKind[];
const SERVERS = (
  process.env.BENCH_SERVERS ?? 'bare,freeradius,portico-pg,portico-pg-2t,portico-sqlite'
).split(',');
const PROFILE_DIR = process.env.BENCH_PROFILE;
const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CLOCK_TICKS_PER_SECOND = 100;

interface Target {
  name: string;
  pid: number;
  /** Statements sent to PostgreSQL so far (Portico on PostgreSQL only). */
  statements?(): Promise<number>;
  authPort: number;
  acctPort: number;
  stop(): Promise<void>;
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds all PostgreSQL processes have used so far (backends of every database: the other
 * servers are idle while one is measured, but other users of the same PostgreSQL are counted).
 */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres')
        total += cpuSeconds(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/**
 * Bytes of write-ahead log PostgreSQL has written so far (the whole cluster, like
 * postgresCpuSeconds). Per request it is what every commit waits to flush, and what sets how often
 * a checkpoint starts (max_wal_size): after one starts, each page's first change logs the whole
 * page again, and commits slow for a while.
 */
async function walBytes(): Promise<number> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string }>(
      "select (pg_current_wal_lsn() - '0/0'::pg_lsn)::text as bytes",
    );
    return Number(rows[0]!.bytes);
  } finally {
    await client.end();
  }
}

/** BENCH_BASE_TREE: another checkout of Portico, for servers named …@base; shares node_modules. */
function baseTree(): string {
  const tree = process.env.BENCH_BASE_TREE;
  if (!tree) throw new Error('a server named …@base needs BENCH_BASE_TREE (a checkout of the base commit)');
  const modules = path.join(tree, 'node_modules');
  if (!fs.existsSync(modules)) fs.symlinkSync(path.resolve('node_modules'), modules);
  return path.resolve(tree);
}

function startNode(name: string, script: string, env: Record<string, string> = {}): Promise<Target> {
  const execArgv = ['--import', 'tsx'];
  if (name.endsWith('@base')) script = path.join(baseTree(), script);
  if (PROFILE_DIR && name.startsWith('portico')) {
    fs.mkdirSync(PROFILE_DIR, { recursive: true });
    env = { ...env, BENCH_CPU_PROFILE: path.join(PROFILE_DIR, `${name}.cpuprofile`) };
  }
  const child = spawn(process.execPath, [...execArgv, script], {
    env: { ...process.env, BENCH_APP: APP, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = /\{"authPort":\d+,"acctPort":\d+\}/.exec(output);
      if (line) {
        const ports = JSON.parse(line[0]) as { authPort: number; acctPort: number };
        resolve({
          name,
          pid: child.pid!,
          ...ports,
          stop: () => stopChild(child),
          statements: () =>
            new Promise((done) => {
              const onData = (data: Buffer) => {
                const match = /\{"statements":(\d+)\}/.exec(data.toString());
                if (!match) return;
                child.stdout.off('data', onData);
                done(Number(match[1]));
              };
              child.stdout.on('data', onData);
              child.kill('SIGUSR2');
            }),
        });
      }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${output}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function createPgDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** The load generator: a separate Node process, one job at a time over IPC. */
function startLoadProcess(): { pid: number; run(job: LoadJob): Promise<LoadResult>; stop(): void } {
  const child = fork('bench/radius/load-process.ts', { execArgv: ['--import', 'tsx'] });
  return {
    pid: child.pid!,
    run: (job) =>
      new Promise((resolve) => {
        child.once('message', (result) => resolve(result as LoadResult));
        child.send(job);
      }),
    stop: () => child.kill('SIGTERM'),
  };
}

interface Measurement extends LoadResult {
  cpuUsPerAnswer: number;
  statementsPerAnswer: number | undefined;
}

async function main(): Promise<void> {
  // Portico as it ships, the build's JavaScript (portico-server.ts and bare-server.ts load dist/),
  // unless BENCH_APP=src; built here, and in the base checkout for the servers named …@base.
  if (APP === 'dist') {
    const trees = new Set(
      SERVERS.filter((name) => name !== 'freeradius').map((name) =>
        name.endsWith('@base') ? baseTree() : process.cwd(),
      ),
    );
    for (const tree of trees)
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: tree, stdio: 'inherit' });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'));
  const cleanups: Array<() => Promise<void>> = [];
  const targets = new Map<string, Target>();
  /** PostgreSQL databases of the servers, analysed after priming (see below). */
  const pgUrls: string[] = [];
  const load = startLoadProcess();
  try {
    for (const name of SERVERS) {
      const base = name.replace(/@base$/, '');
      if (base === 'bare') {
        targets.set(name, await startNode(name, 'bench/radius/bare-server.ts'));
      } else if (name === 'freeradius') {
        if (!freeRadiusAvailable()) {
          console.log('FreeRADIUS (freeradius, freeradius-postgresql) not installed: peer skipped');
          continue;
        }
        const db = await createPgDatabase('radius_bench_fr');
        cleanups.push(() => db.drop());
        pgUrls.push(db.url);
        await seedFreeRadiusDatabase(db.url, SESSIONS);
        const fr = await startFreeRadius({
          dir: path.join(dir, 'freeradius'),
          dbUrl: db.url,
          secret: BENCH_SECRET,
          authPort: await freeLoopbackUdpPort(),
          acctPort: await freeLoopbackUdpPort(),
        });
        targets.set(name, {
          name,
          pid: fr.child.pid!,
          authPort: fr.authPort,
          acctPort: fr.acctPort,
          stop: () => fr.stop(),
        });
      } else if (base === 'portico-pg' || /^portico-pg-\d+t$/.test(base)) {
        const threads = /^portico-pg-(\d+)t$/.exec(base)?.[1] ?? '1';
        const db = await createPgDatabase('portico_bench');
        cleanups.push(() => db.drop());
        pgUrls.push(db.url);
        targets.set(
          name,
          await startNode(name, 'bench/radius/portico-server.ts', {
            BENCH_DATABASE_URL: db.url,
            BENCH_VOUCHERS: String(SESSIONS),
            RADIUS_THREADS: threads,
          }),
        );
      } else if (base === 'portico-sqlite') {
        targets.set(
          name,
          await startNode(name, 'bench/radius/portico-server.ts', {
            BENCH_DATABASE_URL: path.join(dir, `${targets.size}.sqlite`),
            BENCH_VOUCHERS: String(SESSIONS),
          }),
        );
      }
    }

    const tag = `r${Date.now().toString(36)}`;
    const job = (target: Target, kind: WorkKind, extra: Partial<LoadJob> = {}): LoadJob => ({
      target: target.name,
      port: kind === 'chap' ? target.authPort : target.acctPort,
      kind,
      sessions: SESSIONS,
      sockets: SOCKETS,
      window: WINDOW,
      durationMs: SECONDS * 1000,
      tag: `${tag}-${target.name}`,
      ...extra,
    });

    console.log(
      `RADIUS bench: ${SESSIONS} sessions, ${SOCKETS} sockets × ${WINDOW} in flight, ${SECONDS} s per run after ${WARMUP_SECONDS} s warm-up, ${ROUNDS} rounds, ` +
        `${os.cpus().length} CPUs, Node ${process.version}, load average ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );
    // Always, whatever BENCH_WORK says: a subset (BENCH_WORK=startstop) then measures the state the
    // whole run measures. Without the priming its statistics came from empty sessions and all-active
    // vouchers, and the planner walked every open session of the tenant per Stop (4,500 against
    // 9,000-10,000 Start/Stop per second).
    for (const target of targets.values()) {
      const primed = await load.run(job(target, 'interim', { count: SESSIONS }));
      console.log(
        `priming ${target.name}: ${primed.answered}/${SESSIONS} sessions known, lost ${primed.lost}`,
      );
    }
    // The steady state a running system is in: autovacuum analyses tables as they grow, but not
    // within the seconds between seeding and measuring. Without this the first round ran on the
    // statistics of near-empty tables (PostgreSQL estimated 1,750 vouchers for 10,000 and chose
    // sequential scans), which was the 691 vs 2,418 Start/Stop per second spread between rounds.
    for (const url of pgUrls) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query('analyze');
      await client.end();
    }

    const results = new Map<string, Measurement[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const kind of WORK) {
        // Alternate the order each round so no server always runs right after another.
        const order = [...targets.values()];
        if (round % 2 === 0) order.reverse();
        for (const target of order) {
          // Not measured: the first second of a work at full load (JIT, first statements of a
          // kind, a thread's first batches). Its first 200 ms ran at 1.5-2 times the steady
          // latency (per 100 ms window), ~1.4 % of a 10 s run's answers: much of its p99.
          if (WARMUP_SECONDS > 0) await load.run(job(target, kind, { durationMs: WARMUP_SECONDS * 1000 }));
          // Counted in the main thread's driver: a RADIUS thread's statements are not (portico-pg-2t).
          const statementsBefore = target.name === 'portico-pg' ? await target.statements?.() : undefined;
          const onPostgres = target.name === 'freeradius' || target.name.startsWith('portico-pg');
          const walBefore = onPostgres ? await walBytes() : 0;
          const startedAt = new Date().toISOString().slice(11, 19);
          const cpuBefore = cpuSeconds(target.pid);
          const loadCpuBefore = cpuSeconds(load.pid);
          const dbCpuBefore = postgresCpuSeconds();
          const result = await load.run(job(target, kind));
          const perAnswer = (amount: number) => amount / Math.max(1, result.answered);
          const cpuUsPerAnswer = perAnswer((cpuSeconds(target.pid) - cpuBefore) * 1e6);
          const loadCpuUsPerAnswer = perAnswer((cpuSeconds(load.pid) - loadCpuBefore) * 1e6);
          const dbCpuUsPerAnswer = perAnswer((postgresCpuSeconds() - dbCpuBefore) * 1e6);
          const walBytesPerAnswer = onPostgres ? perAnswer((await walBytes()) - walBefore) : 0;
          const statementsPerAnswer =
            statementsBefore === undefined
              ? undefined
              : perAnswer((await target.statements!()) - statementsBefore);
          const measurement = { ...result, cpuUsPerAnswer, statementsPerAnswer };
          const key = `${kind}|${target.name}`;
          results.set(key, [...(results.get(key) ?? []), measurement]);
          console.log(
            `${startedAt} round ${round} ${kind.padEnd(9)} ${target.name.padEnd(14)} ${String(result.perSecond).padStart(6)}/s  ` +
              `p50 ${result.p50Ms.toFixed(1).padStart(6)} ms  p99 ${result.p99Ms.toFixed(1).padStart(6)} ms  ` +
              `(sources' p50 ${result.sourceP50Ms[0]}-${result.sourceP50Ms[1]} ms)  ` +
              `lost ${result.lost}  cpu ${cpuUsPerAnswer.toFixed(0)} µs/req  ` +
              `load generator cpu ${loadCpuUsPerAnswer.toFixed(0)} µs/req  ` +
              (onPostgres
                ? `postgres cpu ${dbCpuUsPerAnswer.toFixed(0)} µs/req  wal ${walBytesPerAnswer.toFixed(0)} B/req  `
                : '') +
              (statementsPerAnswer === undefined
                ? ''
                : `${statementsPerAnswer.toFixed(2)} statements/req  `) +
              `load ${os.loadavg()[0]!.toFixed(2)}`,
          );
          if (SHOW_WINDOWS)
            console.log(
              `    slowest quarter-seconds: ${result.slowestWindows
                .map((w) => `at ${w.atSeconds.toFixed(2)} s max ${w.maxMs} ms (${w.answered} answers)`)
                .join(', ')}`,
            );
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }

    const summary = (kind: WorkKind, name: string) => {
      const runs = results.get(`${kind}|${name}`);
      if (!runs) return undefined;
      return {
        perSecond: runs.map((r) => r.perSecond),
        p50: Math.max(...runs.map((r) => r.p50Ms)),
        p99: Math.max(...runs.map((r) => r.p99Ms)),
        lost: runs.reduce((s, r) => s + r.lost, 0),
        cpu: runs.reduce((s, r) => s + r.cpuUsPerAnswer, 0) / runs.length,
        mean: runs.reduce((s, r) => s + r.perSecond, 0) / runs.length,
      };
    };
    // Each round's ratio too: the two servers ran back to back there, so the machine's drift
    // between rounds (this VM's speed moves by half within minutes) cancels out of it.
    const perRound = (kind: WorkKind, name: string, base: string) => {
      const runs = results.get(`${kind}|${name}`) ?? [];
      const bases = results.get(`${kind}|${base}`) ?? [];
      return runs.map((r, i) => (bases[i] ? (r.perSecond / bases[i].perSecond).toFixed(2) : '—')).join(' / ');
    };
    console.log(
      `\n| Work | Server | answers/s (per round) | p50 / p99 ms (worst round) | lost | server CPU µs/req | × FreeRADIUS | × FreeRADIUS per round | × bare |`,
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const kind of WORK) {
      const peer = summary(kind, 'freeradius');
      const bare = summary(kind, 'bare');
      for (const name of targets.keys()) {
        const s = summary(kind, name)!;
        console.log(
          `| ${kind} | ${name} | ${s.perSecond.map((v) => v.toLocaleString('en-US')).join(' / ')} | ` +
            `${s.p50.toFixed(1)} / ${s.p99.toFixed(1)} | ${s.lost} | ${s.cpu.toFixed(0)} | ` +
            `${peer ? (s.mean / peer.mean).toFixed(2) : '—'} | ${peer ? perRound(kind, name, 'freeradius') : '—'} | ` +
            `${bare ? (s.mean / bare.mean).toFixed(2) : '—'} |`,
        );
      }
    }
    console.log(
      `\nload average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    load.stop();
    for (const target of targets.values()) await target.stop();
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
