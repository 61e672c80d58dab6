/**
 * Durability (RFC 2866 §2): Portico is killed with SIGKILL in the middle of accounting load;
 * every Accounting-Request that got an Accounting-Response must be in the database afterwards.
 * Runs the real entry point (src/main.ts) in a child process, on each database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Attr, Code, encodeRequest } from '../../src/radius/protocol/index.js';
import { openDatabase } from '../../src/store/index.js';
import { TEST_DIALECTS, createTestStore, type TestStore } from '../helpers/databases.js';

const DEMO_SECRET = Buffer.from('testing123');

function startPortico(env: Record<string, string>): Promise<{ child: ChildProcess; acctPort: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      RADIUS_ENABLED: '1',
      RADIUS_HOST: '127.0.0.1',
      RADIUS_AUTH_PORT: '0',
      RADIUS_ACCT_PORT: '0',
      PORTICO_DEMO: '1',
      PORTICO_SECRET: 'durability-secret-durability-secret-0123',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`Portico did not start:\n${output}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"acctPort":(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, acctPort: Number(match[1]) });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`Portico exited with ${code}:\n${output}`)));
  });
}

describe.each(TEST_DIALECTS)('durability under SIGKILL (%s)', (dialect) => {
  let testStore: TestStore | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    await testStore?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged Accounting-Request', { timeout: 180_000 }, async () => {
    let databaseUrl: string;
    if (dialect === 'postgres') {
      testStore = await createTestStore('postgres');
      databaseUrl = testStore.url;
    } else {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-kill-'));
      databaseUrl = path.join(dir, 'portico.sqlite');
    }
    const { child, acctPort } = await startPortico({
      DATABASE_URL: databaseUrl,
      PORTICO_DATA_DIR: dir ?? os.tmpdir(),
    });

    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const sessions = 50;
    const step = new Array<number>(sessions).fill(0);
    const acknowledged = new Array<number>(sessions).fill(0);
    const pending = new Map<number, { session: number; downloaded: number; sentAtMs: number }>();
    let nextId = 0;
    let answered = 0;
    let killed = false;
    socket.on('message', (message) => {
      const id = message.readUInt8(1);
      const entry = pending.get(id);
      if (!entry || message.readUInt8(0) !== Code.AccountingResponse) return;
      pending.delete(id);
      answered++;
      acknowledged[entry.session] = Math.max(acknowledged[entry.session]!, entry.downloaded);
    });
    const sendOne = () => {
      if (pending.size >= 64 || killed) return false;
      while (pending.has(nextId)) nextId = (nextId + 1) % 256;
      const id = nextId;
      nextId = (nextId + 1) % 256;
      const session = Math.floor(Math.random() * sessions);
      step[session]! += 1;
      const downloaded = step[session]! * 1000;
      const packet = encodeRequest(
        Code.AccountingRequest,
        id,
        DEMO_SECRET,
        { messageAuthenticator: false },
        (w) =>
          w
            .integer(Attr.AcctStatusType, 3)
            .string(Attr.AcctSessionId, `kill-${session}`)
            .string(Attr.UserName, 'DEMO-NEW-0001')
            .string(Attr.NasIdentifier, 'durability')
            .integer(Attr.AcctOutputOctets, downloaded)
            .integer(Attr.AcctInputOctets, step[session]!)
            .integer(Attr.AcctSessionTime, step[session]!),
      );
      pending.set(id, { session, downloaded, sentAtMs: Date.now() });
      socket.send(packet, acctPort, '127.0.0.1');
      return true;
    };
    // Load for a while (lost packets are simply retried by the window), then SIGKILL mid-stream.
    const started = Date.now();
    // Until enough answers came back (a loaded CI machine is slow), at least 2 s, at most 60 s.
    while ((Date.now() - started < 2000 || answered < 300) && Date.now() - started < 60_000) {
      for (let i = 0; i < 32; i++) if (!sendOne()) break;
      await new Promise((r) => setTimeout(r, 2));
      // Forget requests that are clearly lost (their counters are superseded by later ones).
      for (const [id, entry] of pending) if (Date.now() - entry.sentAtMs > 5000) pending.delete(id);
    }
    child.kill('SIGKILL');
    killed = true;
    await new Promise((r) => child.once('exit', r));
    socket.close();
    expect(answered).toBeGreaterThan(100);

    const store = openDatabase(databaseUrl);
    try {
      const rows = await store.db
        .selectFrom('sessions')
        .select(['acct_session_id', 'downloaded_bytes'])
        .where('acct_session_id', 'like', 'kill-%')
        .execute();
      const stored = new Map(rows.map((r) => [r.acct_session_id, r.downloaded_bytes]));
      const missing = acknowledged
        .map((bytes, session) => ({ session, bytes, stored: stored.get(`kill-${session}`) ?? 0 }))
        .filter((s) => s.stored < s.bytes);
      expect(missing).toEqual([]);
      const voucher = await store.db
        .selectFrom('vouchers')
        .select(['downloaded_bytes'])
        .where('code', '=', 'DEMO-NEW-0001')
        .executeTakeFirstOrThrow();
      expect(voucher.downloaded_bytes).toBe(rows.reduce((sum, r) => sum + r.downloaded_bytes, 0));
      console.log(`durability (${dialect}): ${answered} acknowledged before SIGKILL, all stored`);
    } finally {
      await store.close();
    }
  });
});
