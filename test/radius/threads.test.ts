/**
 * RADIUS on several threads (RADIUS_THREADS, PostgreSQL only): worker threads bind the main
 * thread's ports with SO_REUSEPORT and the kernel spreads the NAS's source ports over them. Every
 * request is answered and stored once, /metrics counts every thread's packets, and what a thread
 * hands to the main thread (a voucher's activation, an exhausted voucher's disconnect, its
 * metrics) arrives. radclient is the NAS: each run sends from a port of its own.
 */
import type { Worker } from 'node:worker_threads';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RadiusThreads } from '../../src/compose/radius-threads.js';
import { FakeClock } from '../../src/shared/index.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { TEST_DIALECTS, createTestStore } from '../helpers/databases.js';
import {
  NAS_SECRET,
  createRadiusWorld,
  createVoucher,
  freeLoopbackUdpPort,
  radclient,
} from '../helpers/radius-factories.js';
import { RADCLIENT_PATH, describeWithTool } from '../helpers/tools.js';

const describeOnPostgres = TEST_DIALECTS.includes('postgres')
  ? describeWithTool(RADCLIENT_PATH, 'apt-get install freeradius-utils')
  : describe.skip;

/** Sources (radclient runs): all 24 land on one of the two sockets with a chance of 2 in 2^24. */
const SOURCES = 24;

const accounting = (
  world: Awaited<ReturnType<typeof createRadiusWorld>>,
  session: string,
  status: string,
  bytes: number,
) => ({
  'Acct-Status-Type': status,
  'Acct-Session-Id': session,
  'User-Name': world.voucher.code,
  'Calling-Station-Id': 'f0-99-b6-12-34-56',
  'NAS-Identifier': 'hotspot1',
  'Acct-Input-Octets': bytes,
  'Acct-Output-Octets': bytes * 10,
  'Acct-Session-Time': 60,
});

describeOnPostgres('RADIUS on two threads (postgres)', () => {
  let app: TestApp;
  let world: Awaited<ReturnType<typeof createRadiusWorld>>;
  let acctPort: number;

  beforeAll(async () => {
    const testStore = await createTestStore('postgres');
    app = await buildTestApp('postgres', {
      testStore,
      // The RADIUS thread keeps the system clock: vouchers must be valid now, not in the fake past.
      clock: new FakeClock(Date.now()),
      env: {
        DATABASE_URL: testStore.url,
        RADIUS_ENABLED: '1',
        RADIUS_HOST: '127.0.0.1',
        RADIUS_AUTH_PORT: '0',
        RADIUS_ACCT_PORT: '0',
        RADIUS_THREADS: '2',
      },
    });
    world = await createRadiusWorld(app.store.db);
    await app.listen();
    ({ acctPort } = app.radius!.ports());
  }, 60_000);
  afterAll(async () => {
    await app?.destroy();
  });

  it('answers and stores every session once, whichever thread took it, and counts every packet', async () => {
    const results = await Promise.all(
      Array.from({ length: SOURCES }, (_, i) =>
        radclient(acctPort, 'acct', NAS_SECRET, accounting(world, `t-${i}`, 'Interim-Update', 1000 + i)),
      ),
    );
    for (const result of results)
      expect(result.code, result.stdout + result.stderr).toBe('Accounting-Response');
    const sessions = await app.store.db
      .selectFrom('sessions')
      .select(['acct_session_id', 'downloaded_bytes'])
      .where('voucher_id', '=', world.voucher.id)
      .execute();
    expect(sessions).toHaveLength(SOURCES);
    const voucher = await app.store.db
      .selectFrom('vouchers')
      .select(['uploaded_bytes', 'downloaded_bytes'])
      .where('id', '=', world.voucher.id)
      .executeTakeFirstOrThrow();
    const sent = Array.from({ length: SOURCES }, (_, i) => 1000 + i).reduce((a, b) => a + b, 0);
    expect(voucher.uploaded_bytes).toBe(sent);
    expect(voucher.downloaded_bytes).toBe(sent * 10);
    // The main thread's socket took some of them, not all: the other thread answered the rest.
    const onMain = app.radius!.stats.answered;
    expect(onMain).toBeGreaterThan(0);
    expect(onMain).toBeLessThan(SOURCES);
    // The threads report every quarter second; /metrics then counts both.
    await expect
      .poll(
        async () => (await app.metrics.registry.metrics()).match(/^portico_radius_answers_total (\d+)/m)?.[1],
      )
      .toBe(String(SOURCES));
    expect(await app.metrics.registry.metrics()).toMatch(
      new RegExp(`^portico_radius_requests_total\\{type="accounting",result="stored"\\} ${SOURCES}$`, 'm'),
    );
    // Both pools count: the main thread's 5 (the test store's) and the thread's 10.
    expect(await app.metrics.registry.metrics()).toMatch(/^portico_db_pool_connections\{state="max"\} 15$/m);
  });

  it('a thread hands activations, disconnects of exhausted vouchers and its metrics to the main thread', async () => {
    const limited = {
      ...world,
      voucher: await createVoucher(app.store.db, world.plan, { data_limit_bytes: 5000 }),
    };
    const handed: unknown[] = [];
    const requests: unknown[] = [];
    const threads = new RadiusThreads({
      usage: {
        disconnectMac: (...args) => Promise.resolve(void handed.push(['disconnectMac', ...args])),
        disconnectVoucher: (...args) => Promise.resolve(void handed.push(['disconnectVoucher', ...args])),
      },
      metrics: {
        radiusRequest: (type, result) => void requests.push([type, result]),
        accountingBatch: () => undefined,
      },
      voucherActivated: (event) => void handed.push(['activated', event]),
      logger: pino({ level: 'silent' }),
    });
    // Its own ports, no main thread on them: every packet goes to the thread.
    const ports = { authPort: await freeLoopbackUdpPort(), acctPort: await freeLoopbackUdpPort() };
    await threads.start(1, { config: app.config, ...ports });
    try {
      const login = await radclient(ports.authPort, 'auth', NAS_SECRET, {
        'User-Name': limited.voucher.code,
        'User-Password': limited.voucher.code,
        'NAS-Identifier': 'hotspot1',
        'Calling-Station-Id': 'f0-99-b6-00-00-01',
        'Message-Authenticator': '0x00',
      });
      expect(login.code, login.stdout + login.stderr).toBe('Access-Accept');
      const interim = await radclient(
        ports.acctPort,
        'acct',
        NAS_SECRET,
        accounting(limited, 'limited-1', 'Interim-Update', 1000),
      );
      expect(interim.code, interim.stdout + interim.stderr).toBe('Accounting-Response');
      await expect.poll(() => handed.length).toBe(2);
      expect(handed).toEqual([
        [
          'activated',
          expect.objectContaining({ tenantId: limited.tenant.id, voucherId: limited.voucher.id }),
        ],
        ['disconnectVoucher', limited.tenant.id, limited.voucher.id, 'quota'],
      ]);
      await expect
        .poll(() => requests)
        .toEqual([
          ['access', 'accept'],
          ['accounting', 'stored'],
        ]);
    } finally {
      await threads.stop();
    }
  });

  it('starts a thread again when one exits unasked, on the same ports', async () => {
    const threads = new RadiusThreads({
      usage: { disconnectMac: () => Promise.resolve(), disconnectVoucher: () => Promise.resolve() },
      metrics: { radiusRequest: () => undefined, accountingBatch: () => undefined },
      voucherActivated: () => undefined,
      logger: pino({ level: 'silent' }),
    });
    const ports = { authPort: await freeLoopbackUdpPort(), acctPort: await freeLoopbackUdpPort() };
    await threads.start(1, { config: app.config, ...ports });
    try {
      const send = (session: string) =>
        radclient(ports.acctPort, 'acct', NAS_SECRET, accounting(world, session, 'Interim-Update', 10));
      expect((await send('again-1')).code).toBe('Accounting-Response');
      // Inside the module under test: the worker, ended as a crash would end it.
      const inside = threads as unknown as { threads: Array<{ worker: Worker }> };
      const first = inside.threads[0]!.worker;
      await first.terminate();
      expect(threads.stats()).toHaveLength(0);
      await expect.poll(() => threads.stats().length, { timeout: 10_000 }).toBe(1);
      expect(inside.threads[0]!.worker.threadId).not.toBe(first.threadId);
      expect((await send('again-2')).code).toBe('Accounting-Response');
    } finally {
      await threads.stop();
    }
  });

  // Last: it changes the hotspot's secret.
  it("a hotspot edit reaches every thread at once, not after the NAS cache's 5 s", async () => {
    const sendAll = (secret: string, round: string) =>
      Promise.all(
        Array.from({ length: SOURCES }, (_, i) =>
          radclient(acctPort, 'acct', secret, accounting(world, `${round}-${i}`, 'Interim-Update', 1)),
        ),
      );
    // Both threads have the hotspot (and its secret) in their caches now.
    for (const result of await sendAll(NAS_SECRET, 'before')) expect(result.code).toBe('Accounting-Response');
    const newSecret = 'a-new-secret-for-the-lobby-0123';
    await app.hotspots.update(world.tenant.id, world.hotspot.id, {
      title: world.hotspot.title,
      ipAddress: '127.0.0.1',
      secret: newSecret,
    });
    const after = await sendAll(newSecret, 'after');
    expect(after.map((r) => r.code)).toEqual(after.map(() => 'Accounting-Response'));
  });
});
