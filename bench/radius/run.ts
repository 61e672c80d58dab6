/**
 * RADIUS benchmark: our load generator against (a) a bare decode-and-answer UDP server and
 * (b) Portico (the real app) on SQLite and on PostgreSQL, alternating in one run:
 * Interim-Update throughput (group-committed accounting) and CHAP Access-Request throughput.
 * Prints per-run figures (answers/s, p50/p99, loss) and Portico / bare ratios.
 *
 *   npx tsx bench/radius/run.ts            (BENCH_SECONDS=5 BENCH_ROUNDS=2 BENCH_SOCKETS=4 BENCH_WINDOW=64)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Attr, Code, chapResponse, encodeRequest } from '../../src/radius/protocol/index.js';
import { runLoad, type LoadResult } from './load.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 4);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 64);
const VOUCHERS = 200;
const SESSIONS = 2000;
const SECRET = Buffer.from('bench-secret-0123');
const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Target {
  name: string;
  child: ChildProcess;
  authPort: number;
  acctPort: number;
}

function start(name: string, script: string, env: Record<string, string> = {}): Promise<Target> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = /\{"authPort":\d+,"acctPort":\d+\}/.exec(output);
      if (line) {
        const ports = JSON.parse(line[0]) as { authPort: number; acctPort: number };
        resolve({ name, child, ...ports });
      }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${output}`)));
  });
}

const macOf = (voucher: number) =>
  `02:00:00:00:${((voucher >> 8) & 0xff).toString(16).padStart(2, '0')}:${(voucher & 0xff).toString(16).padStart(2, '0')}`.toUpperCase();
const codeOf = (voucher: number) => `bench-${String(voucher).padStart(4, '0')}`;

function interimPacket(identifier: number, sequence: number): Buffer {
  const session = sequence % SESSIONS;
  const voucher = session % VOUCHERS;
  const step = Math.floor(sequence / SESSIONS) + 1;
  return encodeRequest(Code.AccountingRequest, identifier, SECRET, { messageAuthenticator: false }, (w) =>
    w
      .integer(Attr.AcctStatusType, 3)
      .string(Attr.AcctSessionId, `b-${session}`)
      .string(Attr.UserName, codeOf(voucher))
      .string(Attr.NasIdentifier, 'bench')
      .string(Attr.CallingStationId, macOf(voucher))
      .ipAddress(Attr.FramedIpAddress, `10.${(session >> 8) & 0xff}.${session & 0xff}.1`)
      .integer(Attr.AcctInputOctets, step * 1000)
      .integer(Attr.AcctOutputOctets, step * 10_000)
      .integer(Attr.AcctSessionTime, step * 60)
      .integer(Attr.AcctDelayTime, 0),
  );
}

function chapPacket(identifier: number, sequence: number): Buffer {
  const voucher = sequence % VOUCHERS;
  const authenticator = crypto.randomBytes(16);
  const code = codeOf(voucher);
  return encodeRequest(
    Code.AccessRequest,
    identifier,
    SECRET,
    { messageAuthenticator: true, authenticator },
    (w) =>
      w
        .string(Attr.UserName, code)
        .octets(Attr.ChapPassword, chapResponse(identifier, Buffer.from(code), authenticator))
        .string(Attr.NasIdentifier, 'bench')
        .string(Attr.CallingStationId, macOf(voucher)),
  );
}

async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `portico_bench_${crypto.randomBytes(4).toString('hex')}`;
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

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'));
  const pgDb = await createPgDatabase().catch(() => undefined);
  const env = { BENCH_VOUCHERS: String(VOUCHERS) };
  const bare = await start('bare', 'bench/radius/bare-server.ts');
  const sqlite = await start('portico-sqlite', 'bench/radius/portico-server.ts', {
    ...env,
    BENCH_DATABASE_URL: path.join(dir, 'bench.sqlite'),
  });
  const postgres = pgDb
    ? await start('portico-postgres', 'bench/radius/portico-server.ts', {
        ...env,
        BENCH_DATABASE_URL: pgDb.url,
      })
    : undefined;

  const results: Record<string, LoadResult[]> = {};
  const measure = async (label: string, port: number, makePacket: (id: number, seq: number) => Buffer) => {
    const result = await runLoad({
      host: '127.0.0.1',
      port,
      sockets: SOCKETS,
      window: WINDOW,
      durationMs: SECONDS * 1000,
      makePacket,
    });
    (results[label] ??= []).push(result);
    console.log(
      `${label.padEnd(34)} ${String(result.perSecond).padStart(7)}/s  p50 ${result.p50Ms.toFixed(2).padStart(7)} ms  p99 ${result.p99Ms.toFixed(2).padStart(8)} ms  sent ${result.sent}  lost ${result.lost}`,
    );
    await new Promise((r) => setTimeout(r, 500));
  };

  console.log(
    `RADIUS bench: ${SOCKETS} sockets × window ${WINDOW}, ${SECONDS}s per run, ${ROUNDS} rounds, ${os.cpus().length} CPUs`,
  );
  for (let round = 1; round <= ROUNDS; round++) {
    await measure('interim  bare decode+answer', bare.acctPort, interimPacket);
    await measure('interim  portico sqlite', sqlite.acctPort, interimPacket);
    if (postgres) await measure('interim  portico postgres', postgres.acctPort, interimPacket);
    await measure('chap     bare decode+answer', bare.authPort, chapPacket);
    await measure('chap     portico sqlite', sqlite.authPort, chapPacket);
    if (postgres) await measure('chap     portico postgres', postgres.authPort, chapPacket);
  }

  const mean = (label: string) => {
    const runs = results[label] ?? [];
    return runs.reduce((sum, r) => sum + r.perSecond, 0) / Math.max(1, runs.length);
  };
  const lost = (label: string) => (results[label] ?? []).reduce((sum, r) => sum + r.lost, 0);
  console.log('\nmean answers/s and ratio to the bare server (same run):');
  for (const kind of ['interim', 'chap'] as const) {
    const base = mean(`${kind === 'interim' ? 'interim ' : 'chap    '} bare decode+answer`);
    for (const db of ['sqlite', 'postgres']) {
      const label = `${kind === 'interim' ? 'interim ' : 'chap    '} portico ${db}`;
      if (!results[label]) continue;
      console.log(
        `  ${label.padEnd(32)} ${Math.round(mean(label))}/s vs bare ${Math.round(base)}/s  ratio ${(mean(label) / base).toFixed(2)}  lost ${lost(label)}`,
      );
    }
  }

  for (const target of [bare, sqlite, postgres]) {
    if (!target) continue;
    target.child.kill('SIGTERM');
    await new Promise((r) => target.child.once('exit', r));
  }
  await pgDb?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
