/**
 * How an accounting batch's session update costs per row on SQLite, on Portico's real schema
 * (every migration, so every index of `sessions`), 10,000 open sessions, batches of 200 in a
 * transaction, variants alternating:
 *
 *   npx tsx bench/radius/sqlite-rows.ts [rounds]
 *
 * - the rows as JSON read with json_each + json_extract per column (Portico before issue 11's
 *   third session) against rowsTable's one JSONB parameter (jsonb_each, ->> per column);
 * - the SET list with stopped_at and terminate_cause (indexed: SQLite rewrites the entries of
 *   every index on a column the SET list names, changed or not) against without them, as
 *   SessionsRepository#updateWrites writes sessions that stay open.
 * Batches of consecutive sessions, and of sessions spread over the table. Prints µs per row,
 * end to end through Kysely (compile, statement cache, run), per round.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import { migrateToLatest, openDatabase, rowsTable } from '../../src/store/index.js';

const ROUNDS = Number(process.argv[2] ?? 3);
const SESSIONS = 10_000;
const BATCH = 200;
const BATCHES = 300;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-sqlite-rows-'));
const store = openDatabase(path.join(dir, 'bench.sqlite'));
try {
  await migrateToLatest(store.db);
  // Sessions alone: their tenant, hotspot, voucher and device rows are not what is measured.
  await sql`pragma foreign_keys = off`.execute(store.db);
  const now = Date.now();
  await store.db.transaction().execute(async (trx) => {
    for (let i = 1; i <= SESSIONS; i++)
      await sql`insert into sessions (id, tenant_id, hotspot_id, acct_session_id, voucher_id, device_id,
          user_name, mac, started_at, updated_at)
        values (${i}, 1, 1, ${`s-${i}`}, ${i}, ${i}, ${`code-${i}`}, ${`02:00:00:00:${i}`}, ${now}, ${now})`.execute(
        trx,
      );
  });

  type Row = Array<number | string | null>;
  const legacyJson = (alias: string, names: string[], rows: Row[]): RawBuilder<unknown> => {
    const fields = names.map((name, c) => sql.raw(`json_extract(value, '$[${c}]') as ${name}`));
    return sql`(select ${sql.join(fields)} from json_each(${JSON.stringify(rows)})) as ${sql.raw(alias)}`;
  };
  const counters = { id: 'bigint', d: 'bigint', u: 'bigint', t: 'bigint', ua: 'bigint', ip: 'text' } as const;
  const withStop = { ...counters, sa: 'bigint', tc: 'text' } as const;
  const counterSet = sql`downloaded_bytes = v.d, uploaded_bytes = v.u, session_seconds = v.t, updated_at = v.ua,
    framed_ip = v.ip`;
  const variants: Array<[string, (rows: Row[]) => RawBuilder<unknown>]> = [
    [
      'json_each + json_extract, SET with stopped_at',
      (rows) => sql`update sessions set ${counterSet}, stopped_at = v.sa, terminate_cause = v.tc
        from ${legacyJson('v', Object.keys(withStop), rows)} where sessions.id = v.id`,
    ],
    [
      'rowsTable (JSONB), SET with stopped_at',
      (rows) => sql`update sessions set ${counterSet}, stopped_at = v.sa, terminate_cause = v.tc
        from ${rowsTable('sqlite', 'v', withStop, rows)} where sessions.id = v.id`,
    ],
    [
      'rowsTable (JSONB), SET without them',
      (rows) => sql`update sessions set ${counterSet}
        from ${rowsTable(
          'sqlite',
          'v',
          counters,
          rows.map((row) => row.slice(0, 6)),
        )} where sessions.id = v.id`,
    ],
  ];
  // Which sessions a batch holds: consecutive ids (the benchmark's load generator sends its
  // sessions in order), or spread over the table (sessions whose timers fall together).
  const patterns: Array<[string, (b: number, k: number) => number]> = [
    ['consecutive', (b, k) => 1 + ((b * BATCH + k) % SESSIONS)],
    ['spread', (b, k) => 1 + ((b * BATCH + k * 37) % SESSIONS)],
  ];
  let pass = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [pattern, idOf] of patterns) {
      const line: string[] = [];
      for (const [name, statement] of variants) {
        let elapsedMs = 0;
        for (let b = 0; b < BATCHES; b++) {
          pass++;
          const rows: Row[] = [];
          for (let k = 0; k < BATCH; k++) {
            const id = idOf(b, k);
            rows.push([id, pass * 1000, pass * 100, pass, now + pass, '10.0.0.1', null, null]);
          }
          rows.sort((a, c) => Number(a[0]) - Number(c[0]));
          await store.db.transaction().execute(async (trx) => {
            const started = performance.now();
            await statement(rows).execute(trx);
            elapsedMs += performance.now() - started;
          });
        }
        line.push(`${name}: ${((elapsedMs * 1000) / (BATCHES * BATCH)).toFixed(2)} µs/row`);
      }
      console.log(`round ${round} ${pattern.padEnd(11)}  ${line.join('  |  ')}`);
    }
  }
} finally {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
