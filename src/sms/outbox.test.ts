import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestStore, TEST_DIALECTS, type TestStore } from '../../test/helpers/databases.js';
import { createTenant } from '../../test/helpers/factories.js';
import { FakeClock } from '../shared/index.js';
import { openDatabase, type SmsGatewayRow } from '../store/index.js';
import { TenantsRepository } from '../tenants/index.js';
import { GatewayError, type OutgoingSms, type SmsGateway } from './gateway.js';
import { createGateway, type GatewayFactoryDeps } from './gateways/registry.js';
import { createSmsModule, type SmsModule } from './module.js';
import {
  STAND_IN_DESTINATIONS,
  closedPort,
  kannelResponder,
  startHttpStandIn,
  type StandIn,
} from './test-servers.js';

const logger = pino({ level: 'silent' });

/** In-process gateways by name, for counting sends across workers. */
class CountingGateway implements SmsGateway {
  readonly type = 'log' as const;
  readonly sent: OutgoingSms[] = [];
  constructor(private readonly delayMs = 0) {}
  async send(message: OutgoingSms) {
    if (this.delayMs) await new Promise((r) => setTimeout(r, Math.random() * this.delayMs));
    this.sent.push(message);
    return { externalId: `c-${this.sent.length}`, answer: 'counted' };
  }
}

const fakes = new Map<string, SmsGateway>();
const factory = (row: SmsGatewayRow, deps: GatewayFactoryDeps) =>
  fakes.get(row.name) ?? createGateway(row, deps);

/** An SMS module as a Portico process starts it on `db` (the fakes above, stand-ins allowed). */
const startSms = (db: TestStore['db'], clock: FakeClock): SmsModule =>
  createSmsModule({
    db,
    tenants: new TenantsRepository(db),
    clock,
    logger,
    gatewayFactory: factory,
    allowedDestinations: STAND_IN_DESTINATIONS,
  });

describe.each(TEST_DIALECTS)('SMS outbox (%s)', (dialect) => {
  let store: TestStore;
  let clock: FakeClock;
  let sms: SmsModule;
  let tenantId: number;
  const standIns: StandIn[] = [];

  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(() => store.destroy());

  beforeEach(async () => {
    clock = new FakeClock();
    tenantId = (await createTenant(store.db)).id;
    sms = startSms(store.db, clock);
  });
  afterEach(async () => {
    await sms.close();
    fakes.clear();
    for (const s of standIns.splice(0)) await s.close();
  });

  const addGateway = (
    name: string,
    type: 'http' | 'twilio' | 'log',
    settings: unknown = {},
    enabled = true,
  ) => sms.service.createGateway(tenantId, { name, type, settings, enabled });
  const kannelUrl = (base: string) =>
    `${base}/cgi-bin/sendsms?username=u&password={password}&to={to}&text={text}`;
  const row = (id: number) => sms.repository.getMessage(tenantId, id);
  /** Queues a test SMS to one number (override any field). */
  const enqueue = (values: Partial<Parameters<SmsModule['outbox']['enqueue']>[0]> = {}) =>
    sms.outbox.enqueue({
      tenantId,
      customerId: null,
      type: 'test',
      recipient: '+12025550123',
      text: 'x',
      ...values,
    });

  it('stores the message first, then sends it through the first enabled gateway', async () => {
    const kannel = await startHttpStandIn(kannelResponder({ username: 'u', password: 'p' }));
    standIns.push(kannel);
    await addGateway('off', 'log', {}, false);
    await addGateway('Kannel', 'http', {
      url: kannelUrl(kannel.url),
      password: 'p',
      successSubstring: 'Accepted',
    });
    const queued = await enqueue({ text: 'Hi' });
    expect(queued).toMatchObject({ status: 'queued', attempts: 0, sent_at: null });
    expect(kannel.requests).toHaveLength(0);

    expect(await sms.outbox.runOnce()).toBe(1);
    const sent = await row(queued!.id);
    expect(sent).toMatchObject({
      status: 'sent',
      attempts: 1,
      gateway_answer: 'HTTP 202, the answer contains "Accepted"',
      error: null,
      sent_at: clock.nowMs(),
      locked_until: null,
    });
    expect(kannel.requests).toHaveLength(1);
    expect(await sms.outbox.runOnce()).toBe(0); // nothing left: never twice
  });

  it('fails over to the next gateway when the first is down, slow or refuses the credentials', async () => {
    const slow = await startHttpStandIn(() => 'hang');
    const wrongPassword = await startHttpStandIn(kannelResponder({ username: 'u', password: 'right' }));
    const good = await startHttpStandIn(kannelResponder({ username: 'u', password: 'p' }));
    standIns.push(slow, wrongPassword, good);
    const downPort = await closedPort();
    await addGateway('down', 'http', { url: `http://127.0.0.1:${downPort}/send?to={to}` });
    await addGateway('slow', 'http', { url: `${slow.url}/send?to={to}`, timeoutSeconds: 1 });
    await addGateway('wrong-creds', 'http', { url: kannelUrl(wrongPassword.url), password: 'p' });
    const goodGateway = await addGateway('good', 'http', { url: kannelUrl(good.url), password: 'p' });

    const queued = await enqueue();
    await sms.outbox.runOnce();
    const sent = await row(queued!.id);
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, gateway_id: goodGateway.id });
    expect(sent!.error).toBe(
      'down: the gateway refused the connection (is it running?); slow: no answer from the gateway within 1 s; ' +
        'wrong-creds: the gateway answered HTTP 403 (it refused the credentials)',
    );
    expect(good.requests).toHaveLength(1);
  });

  it('retries with backoff up to 5 passes, then fails with the last answer', async () => {
    const busy = await startHttpStandIn(() => ({ status: 503, body: 'Temporary failure' }));
    standIns.push(busy);
    await addGateway('busy', 'http', { url: `${busy.url}/send?to={to}` });
    const queued = await enqueue();
    const expectedWaits = [10_000, 30_000, 120_000, 600_000];
    for (let pass = 1; pass <= 4; pass++) {
      expect(await sms.outbox.runOnce()).toBe(1);
      const retry = await row(queued!.id);
      expect(retry).toMatchObject({
        status: 'queued',
        attempts: pass,
        gateway_answer: 'HTTP 503',
      });
      expect(retry!.next_attempt_at).toBe(clock.nowMs() + expectedWaits[pass - 1]!);
      clock.advance(expectedWaits[pass - 1]! - 1);
      expect(await sms.outbox.runOnce()).toBe(0); // not due yet
      clock.advance(1);
    }
    expect(await sms.outbox.runOnce()).toBe(1);
    expect(await row(queued!.id)).toMatchObject({
      status: 'failed',
      attempts: 5,
      error: 'busy: the gateway answered HTTP 503 (a server error on its side)',
    });
    expect(busy.requests).toHaveLength(5);
    clock.advance(3_600_000);
    expect(await sms.outbox.runOnce()).toBe(0);
  });

  it('fails at once when every gateway says the message can never go through', async () => {
    fakes.set('rejects', {
      type: 'log',
      send: () =>
        Promise.reject(new GatewayError('invalid number', { permanent: true, answer: 'code 21211' })),
    });
    await addGateway('rejects', 'log');
    const queued = await enqueue();
    await sms.outbox.runOnce();
    expect(await row(queued!.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      gateway_answer: 'code 21211',
    });
  });

  it('keeps a message queued while no gateway is enabled, and sends it once one is', async () => {
    const queued = await enqueue();
    await sms.outbox.runOnce();
    expect(await row(queued!.id)).toMatchObject({
      status: 'queued',
      attempts: 1,
      error: 'no SMS gateway is enabled',
    });
    const counter = new CountingGateway();
    fakes.set('counter', counter);
    await addGateway('counter', 'log');
    clock.advance(10_000);
    await sms.outbox.runOnce();
    expect(await row(queued!.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(counter.sent).toHaveLength(1);
  });

  it('queues at most one message per dedupe key', async () => {
    const first = await enqueue({ type: 'portal_link', dedupeKey: 'portal_link:voucher:1' });
    const second = await enqueue({ type: 'portal_link', dedupeKey: 'portal_link:voucher:1' });
    expect(first).toBeDefined();
    expect(second).toBeUndefined();
    const { total } = await sms.repository.listMessages(tenantId, {
      type: 'portal_link',
      limit: 10,
      offset: 0,
    });
    expect(total).toBe(1);
  });

  it('masks login codes once sent, and never sends a code that expired in the queue', async () => {
    const counter = new CountingGateway();
    fakes.set('counter', counter);
    await addGateway('counter', 'log');
    const code = await enqueue({
      type: 'login_code',
      text: 'Your Test Wi-Fi code is 482913. It expires in 5 minutes.',
    });
    await sms.outbox.runOnce();
    expect(counter.sent[0]!.text).toBe('Your Test Wi-Fi code is 482913. It expires in 5 minutes.');
    expect((await row(code!.id))!.text).toBe('Your Test Wi-Fi code is ••••••. It expires in 5 minutes.');

    const stale = await enqueue({ type: 'login_code', text: 'Your code is 111222.' });
    clock.advance(11 * 60_000);
    await sms.outbox.runOnce();
    expect(await row(stale!.id)).toMatchObject({
      status: 'failed',
      text: 'Your code is ••••••.',
      error: 'the code expired before it could be sent',
    });
    expect(counter.sent).toHaveLength(1);
  });

  it('applies delivery receipts to the message the gateway knows', async () => {
    const counter = new CountingGateway();
    fakes.set('counter', counter);
    const gateway = await addGateway('counter', 'log');
    const queued = await enqueue();
    await sms.outbox.runOnce();
    expect(
      await sms.outbox.applyReceipt({
        tenantId,
        gatewayId: gateway.id,
        externalId: 'c-1',
        outcome: 'delivered',
        state: 'DELIVRD',
      }),
    ).toBe(true);
    expect(await row(queued!.id)).toMatchObject({ status: 'delivered', gateway_answer: 'counted' });
    // Another gateway's receipt with the same id is not this message's: kept unmatched.
    expect(
      await sms.outbox.applyReceipt({
        tenantId,
        gatewayId: gateway.id + 1000,
        externalId: 'c-1',
        outcome: 'undelivered',
        state: 'UNDELIV',
      }),
    ).toBe(false);
    expect((await row(queued!.id))!.status).toBe('delivered');
  });

  it('resumes after a crash: a row leased by a dead worker is sent once the lease expires', async () => {
    const counter = new CountingGateway();
    fakes.set('counter', counter);
    await addGateway('counter', 'log');
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await sms.outbox.enqueue({
        tenantId,
        customerId: null,
        type: 'test',
        recipient: `+1202555010${i}`,
        text: `m${i}`,
      });
      ids.push(m!.id);
    }
    // A worker claimed message 0 and died before sending it.
    const lease = clock.nowMs() + sms.outbox.options.leaseMs;
    expect(await sms.repository.claim(ids[0]!, clock.nowMs(), lease)).toBeDefined();
    await sms.close();

    // A new process starts: everything not leased goes now, the leased row after its lease.
    sms = startSms(store.db, clock);
    await sms.outbox.runOnce();
    expect(counter.sent.map((m) => m.text).sort()).toEqual(['m1', 'm2', 'm3', 'm4']);
    clock.advance(sms.outbox.options.leaseMs + 1);
    await sms.outbox.runOnce();
    expect(counter.sent.map((m) => m.text).sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    for (const id of ids) expect((await row(id))!.status).toBe('sent');
  });

  it.runIf(dialect === 'postgres')(
    'two workers with their own connections on one PostgreSQL never send the same row',
    async () => {
      const counter = new CountingGateway(15);
      fakes.set('counter', counter);
      await addGateway('counter', 'log');
      const total = 60;
      for (let i = 0; i < total; i++)
        await sms.outbox.enqueue({
          tenantId,
          customerId: null,
          type: 'test',
          recipient: '+12025550100',
          text: `n${i}`,
        });
      const other = openDatabase(store.url, { poolSize: 5 });
      const second = startSms(other.db, clock);
      try {
        const drain = async (module: SmsModule) => {
          let count = 0;
          for (let round = 0; round < 50; round++) {
            const n = await module.outbox.runOnce();
            count += n;
            if (n === 0 && (await module.repository.findDue(clock.nowMs(), 1)).length === 0) break;
          }
          return count;
        };
        const [a, b] = await Promise.all([drain(sms), drain(second)]);
        expect(a + b).toBe(total);
        expect(a).toBeGreaterThan(0);
        expect(b).toBeGreaterThan(0);
        const texts = counter.sent.map((m) => m.text);
        expect(texts).toHaveLength(total);
        expect(new Set(texts).size).toBe(total);
      } finally {
        await second.close();
        await other.close();
      }
    },
  );
});
