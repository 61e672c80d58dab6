/**
 * Two real Portico processes on one PostgreSQL database behave as one system: a customer's
 * sign-in limits hold across both, accounting for one session arriving at both gives exact
 * totals, and each queued SMS is sent once. PostgreSQL only (an embedded SQLite database serves
 * one process). Runs the real entry point in child processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import { Attr, Code, encodeRequest } from '../../src/radius/protocol/index.js';
import { SmsRepository } from '../../src/sms/index.js';
import { openDatabase } from '../../src/store/index.js';
import { TEST_DIALECTS, createTestStore, type TestStore } from '../helpers/databases.js';

const DEMO_NAS_SECRET = Buffer.from('testing123');
const API_TOKEN = 'cluster-test-api-token-cluster-test-api-token';
const CUSTOMER_PHONE = '+12025550143';

interface Portico {
  child: ChildProcess;
  httpUrl: string;
  acctPort: number;
  output: () => string;
  stop(): Promise<void>;
}

function startPortico(databaseUrl: string): Promise<Portico> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      RADIUS_ENABLED: '1',
      RADIUS_HOST: '127.0.0.1',
      RADIUS_AUTH_PORT: '0',
      RADIUS_ACCT_PORT: '0',
      PORTICO_DEMO: '1',
      PORTICO_SECRET: 'cluster-secret-cluster-secret-cluster-0123',
      PORTICO_BOOTSTRAP_API_TOKEN: API_TOKEN,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Portico did not start:\n${output}`)), 90_000);
    const onExit = (code: number | null) => reject(new Error(`Portico exited with ${code}:\n${output}`));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const acct = /"acctPort":(\d+)/.exec(output);
      const http = /"httpUrl":"([^"]+)"/.exec(output);
      if (acct && http) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({
          child,
          httpUrl: http[1]!.replace('localhost', '127.0.0.1'),
          acctPort: Number(acct[1]),
          output: () => output,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.on('exit', onExit);
  });
}

/** A browser: cookies, and the CSRF token of the last page. */
async function signInForm(baseUrl: string): Promise<{ cookie: string; csrf: string }> {
  const response = await fetch(`${baseUrl}/portal`, { headers: { accept: 'text/html' } });
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await response.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the sign-in page');
  return { cookie, csrf };
}

function postSignIn(
  baseUrl: string,
  form: { cookie: string; csrf: string },
  phone: string,
): Promise<Response> {
  return fetch(`${baseUrl}/portal/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: form.cookie,
      accept: 'text/html',
    },
    body: new URLSearchParams({ _csrf: form.csrf, phone }).toString(),
  });
}

describe.skipIf(!TEST_DIALECTS.includes('postgres'))('two processes on one PostgreSQL', () => {
  let testStore: TestStore | undefined;
  const processes: Portico[] = [];
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await testStore?.destroy();
  });

  it('share sign-in limits, count a session once, send each SMS once', { timeout: 240_000 }, async () => {
    testStore = await createTestStore('postgres');
    // The first process seeds the demo; the second finds it there.
    processes.push(await startPortico(testStore.url));
    processes.push(await startPortico(testStore.url));
    const [a, b] = processes as [Portico, Portico];
    for (const p of processes) {
      const ready = await fetch(`${p.httpUrl}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ready' });
    }

    // --- One-time codes: the demo's log gateway is enabled; turn codes on through the API.
    const patch = await fetch(`${a.httpUrl}/api/v1/settings/portal`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ otpEnabled: true }),
    });
    expect(patch.status).toBe(200);
    // The same customer asks for a code at both processes at once: one code is sent, the other
    // request is within the cooldown (one counter in the database) and is shown the code field
    // for the code already sent (issue 15, 6d): both go on to the code page, one SMS goes out.
    const forms = await Promise.all([signInForm(a.httpUrl), signInForm(b.httpUrl)]);
    const answers = await Promise.all([
      postSignIn(a.httpUrl, forms[0], CUSTOMER_PHONE),
      postSignIn(b.httpUrl, forms[1], CUSTOMER_PHONE),
    ]);
    expect(answers.map((r) => r.headers.get('location')).sort()).toEqual([
      '/portal/sign-in/code',
      '/portal/sign-in/code?already-sent',
    ]);
    const store = openDatabase(testStore.url, { poolSize: 2 });
    try {
      // The code's SMS is queued just after the answer: wait for it, then make sure of one only.
      const loginCodes = () =>
        store.db
          .selectFrom('sms_messages')
          .select('id')
          .where('type', '=', 'login_code')
          .where('recipient', '=', CUSTOMER_PHONE)
          .execute();
      await expect.poll(async () => (await loginCodes()).length, { timeout: 15_000 }).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await loginCodes()).toHaveLength(1);

      // --- A number's sign-in limit (10 attempts a minute, whatever the address) across both:
      // 20 attempts for one number, alternating between the processes, exactly 10 get through.
      const burst = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          postSignIn(i % 2 === 0 ? a.httpUrl : b.httpUrl, forms[i % 2]!, 'not a number'),
        ),
      );
      expect(burst.filter((r) => r.status !== 429)).toHaveLength(10);
      expect(burst.filter((r) => r.status === 429)).toHaveLength(10);

      // --- One session's accounting arrives at both processes (a NAS failing over and
      // retransmitting to its second server): the voucher's totals are exact.
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      let nextId = 0;
      const send = (port: number, statusType: number, downloadedBytes: number, sessionSeconds: number) =>
        new Promise<void>((resolve, reject) => {
          const id = nextId++ % 256;
          const packet = encodeRequest(
            Code.AccountingRequest,
            id,
            DEMO_NAS_SECRET,
            { messageAuthenticator: false },
            (w) =>
              w
                .integer(Attr.AcctStatusType, statusType)
                .string(Attr.AcctSessionId, 'cluster-session-1')
                .string(Attr.UserName, 'DEMO-NEW-0001')
                .string(Attr.NasIdentifier, 'cluster')
                .integer(Attr.AcctOutputOctets, downloadedBytes)
                .integer(Attr.AcctInputOctets, downloadedBytes / 10)
                .integer(Attr.AcctSessionTime, sessionSeconds),
          );
          const timer = setTimeout(() => reject(new Error(`no Accounting-Response from ${port}`)), 15_000);
          const onMessage = (message: Buffer) => {
            if (message.readUInt8(1) !== id || message.readUInt8(0) !== Code.AccountingResponse) return;
            clearTimeout(timer);
            socket.off('message', onMessage);
            resolve();
          };
          socket.on('message', onMessage);
          socket.send(packet, port, '127.0.0.1');
        });
      const before = await store.db
        .selectFrom('vouchers')
        .select(['downloaded_bytes'])
        .where('code', '=', 'DEMO-NEW-0001')
        .executeTakeFirstOrThrow();
      await send(a.acctPort, 1, 0, 0); // Start at A
      await send(a.acctPort, 3, 10_000, 60); // Interim at A...
      await send(b.acctPort, 3, 10_000, 60); // ...the same Interim again at B
      await Promise.all([send(a.acctPort, 3, 30_000, 120), send(b.acctPort, 3, 30_000, 120)]);
      await send(b.acctPort, 2, 50_000, 180); // Stop at B...
      await send(a.acctPort, 2, 50_000, 180); // ...and at A
      socket.close();
      const after = await store.db
        .selectFrom('vouchers')
        .select(['downloaded_bytes'])
        .where('code', '=', 'DEMO-NEW-0001')
        .executeTakeFirstOrThrow();
      expect(after.downloaded_bytes - before.downloaded_bytes).toBe(50_000);
      const session = await store.db
        .selectFrom('sessions')
        .select(['downloaded_bytes', 'stopped_at'])
        .where('acct_session_id', '=', 'cluster-session-1')
        .execute();
      expect(session).toHaveLength(1);
      expect(session[0]!.downloaded_bytes).toBe(50_000);

      // --- SMS: 20 messages queued at once; both outbox workers poll; each is sent once.
      const tenant = await store.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow();
      const repository = new SmsRepository(store.db);
      const ids: number[] = [];
      for (let i = 0; i < 20; i++) {
        const row = await repository.insertMessage({
          tenantId: tenant.id,
          customerId: null,
          type: 'portal_link',
          recipient: '+12025550100',
          text: `cluster message ${i}`,
          nowMs: Date.now(),
        });
        ids.push(row!.id);
      }
      // The outbox marks a message sent, then logs it: wait for both the rows and the log lines.
      const sentLogLines = () =>
        [a, b].flatMap((p) =>
          [...p.output().matchAll(/"smsId":(\d+)[^\n]*"msg":"SMS sent"/g)].map((m) => Number(m[1])),
        );
      const deadline = Date.now() + 60_000;
      let sent: Array<{ id: number; status: string }> = [];
      while (Date.now() < deadline) {
        sent = await store.db
          .selectFrom('sms_messages')
          .select(['id', 'status'])
          .where('id', 'in', ids)
          .where('status', '=', 'sent')
          .execute();
        const loggedIds = new Set(sentLogLines());
        if (sent.length === ids.length && ids.every((id) => loggedIds.has(id))) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(sent).toHaveLength(ids.length);
      // The demo's log gateway logs each send: every message appears once across both processes.
      const counts = new Map<number, number>();
      for (const id of sentLogLines()) counts.set(id, (counts.get(id) ?? 0) + 1);
      expect(ids.map((id) => counts.get(id) ?? 0)).toEqual(ids.map(() => 1));
      // Both processes did take part (otherwise this proves nothing about claiming).
      const byProcess = [a, b].map(
        (p) =>
          [...p.output().matchAll(/"smsId":(\d+)[^\n]*"msg":"SMS sent"/g)].filter((m) =>
            ids.includes(Number(m[1])),
          ).length,
      );
      console.log(`cluster: SMS sent by each process ${byProcess.join(' / ')}`);
    } finally {
      await store.close();
    }
  });
});
