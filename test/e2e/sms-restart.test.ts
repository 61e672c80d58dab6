/**
 * Portico processes killed while SMS are queued: after a restart every message is accepted by
 * the gateway exactly once, even with two processes draining one PostgreSQL database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SmsRepository } from '../../src/sms/index.js';
import { startHttpStandIn, type StandIn } from '../../src/sms/test-servers.js';
import { createTestStore, TEST_DIALECTS, type TestStore } from '../helpers/databases.js';
import { createTenant } from '../helpers/factories.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sms-worker.ts');

function startWorker(databaseUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    // The stand-in provider listens on 127.0.0.1: allowed explicitly, as an operator would.
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      // Longer than a send can take here (gateway timeout 2 s, plus a loaded machine's stalls):
      // a lease that expires mid-send lets another worker send the same message again, which is
      // exactly what this test must not see. The outbox's default lease is 5 minutes.
      LEASE_MS: '5000',
      PORTICO_SMS_ALLOWED_HOSTS: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', () => resolve(child));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

describe.runIf(TEST_DIALECTS.includes('postgres'))('SMS outbox across process crashes (postgres)', () => {
  let store: TestStore;
  let gateway: StandIn;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await gateway?.close();
    await store?.destroy();
  });

  it('resumes after kill -9 and never has the gateway accept a message twice', async () => {
    store = await createTestStore('postgres');
    const tenant = await createTenant(store.db);
    const repo = new SmsRepository(store.db);
    const total = 40;
    const accepted: string[] = [];
    const workers: { first?: ChildProcess } = {};
    let killed = false;
    let firstExited = false;
    // Accepts 10 messages, then kills the first worker while it waits for the 11th answer:
    // that one was never acknowledged, so sending it again is right.
    gateway = await startHttpStandIn((request) => {
      const text = new URL(request.url, 'http://x').searchParams.get('text')!;
      if (!killed && accepted.length === 10) {
        killed = true;
        workers.first!.kill('SIGKILL');
        return 'hang';
      }
      // Requests the first worker had in flight while it was being killed are never answered:
      // the worker cannot have recorded them, so the restart must send them again.
      if (killed && !firstExited) return 'hang';
      accepted.push(text);
      return { status: 202, body: '0: Accepted for delivery', delayMs: 20 };
    });
    await repo.insertGateway({
      tenantId: tenant.id,
      name: 'Kannel',
      type: 'http',
      settingsJson: JSON.stringify({
        url: `${gateway.url}/cgi-bin/sendsms?to={to}&text={text}`,
        timeoutSeconds: 2,
      }),
      isEnabled: true,
      nowMs: Date.now(),
    });
    for (let i = 0; i < total; i++)
      await repo.insertMessage({
        tenantId: tenant.id,
        customerId: null,
        type: 'test',
        recipient: '+12025550100',
        text: `message ${i}`,
        nowMs: Date.now(),
      });

    const first = await startWorker(store.url);
    workers.first = first;
    children.push(first);
    await exited(first);
    firstExited = true;
    expect({ signal: first.signalCode, code: first.exitCode }).toEqual({ signal: 'SIGKILL', code: null });
    expect(accepted).toHaveLength(10);

    // Restart: two processes on the same database.
    const [b, c] = await Promise.all([startWorker(store.url), startWorker(store.url)]);
    children.push(b, c);
    const deadline = Date.now() + 40_000;
    for (;;) {
      const rows = await store.db
        .selectFrom('sms_messages')
        .select('status')
        .where('tenant_id', '=', tenant.id)
        .execute();
      if (rows.every((r) => r.status === 'sent')) break;
      if (Date.now() > deadline)
        throw new Error(`not all sent: ${JSON.stringify(rows.map((r) => r.status))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    b.kill('SIGTERM');
    c.kill('SIGTERM');
    await Promise.all([exited(b), exited(c)]);

    expect(accepted).toHaveLength(total);
    expect(new Set(accepted).size).toBe(total);
    const retried = await store.db
      .selectFrom('sms_messages')
      .select(['text', 'attempts'])
      .where('tenant_id', '=', tenant.id)
      .where('attempts', '>', 1)
      .execute();
    expect(retried).toEqual([]); // the in-flight one was re-claimed after its lease, not counted as a failed pass
  }, 90_000);
});
