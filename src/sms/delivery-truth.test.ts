/**
 * Issue 17 against stand-ins: an SMSC on the `smpp` package's server mode and an HTTP server.
 * Multi-part receipts per part (also when a receipt beats its part's record), resuming a partly
 * accepted text on the same SMSC with the same concatenation reference, one row per attempt.
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import smpp, { type Pdu, type Session } from 'smpp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestStore, TEST_DIALECTS, type TestStore } from '../../test/helpers/databases.js';
import { createTenant } from '../../test/helpers/factories.js';
import { FakeClock } from '../shared/index.js';
import type { SmsGatewayRow } from '../store/index.js';
import { TenantsRepository } from '../tenants/index.js';
import type { OutgoingSms, SmsGateway } from './gateway.js';
import { createGateway, type GatewayFactoryDeps } from './gateways/registry.js';
import { createSmsModule, type SmsModule } from './module.js';
import { STAND_IN_DESTINATIONS, startHttpStandIn, type StandIn } from './test-servers.js';

const logger = pino({ level: 'silent' });

interface Submit {
  pdu: Pdu;
  text: string;
  /** [reference, total, sequence] of the concatenation UDH, or undefined for a single text. */
  udh: [number, number, number] | undefined;
}

type SubmitAnswer = { status?: number; receiptFirst?: string; delayMs?: number };

interface Smsc {
  port: number;
  submits: Submit[];
  receipt(id: string, stat: string): void;
  close(): Promise<void>;
}

/** An SMSC that answers each submit_sm as `answer` says (status, a receipt sent before the answer, a delay). */
async function startSmsc(
  answer: (submit: Submit, index: number) => SubmitAnswer = () => ({}),
): Promise<Smsc> {
  const sessions: Session[] = [];
  let counter = 0;
  const deliver = (id: string, stat: string) => {
    for (const session of sessions)
      session.deliver_sm({
        source_addr: '12025550123',
        destination_addr: 'Portico',
        esm_class: 0x04,
        short_message: `id:${id} sub:001 dlvrd:001 submit date:2612070400 done date:2612070401 stat:${stat} err:000 text:`,
      });
  };
  const server = smpp.createServer({}, (session) => {
    sessions.push(session);
    session.on('error', () => undefined);
    session.on('close', () => sessions.splice(sessions.indexOf(session), 1));
    session.on('bind_transceiver', (pdu: Pdu) => session.send(pdu.response()));
    session.on('enquire_link', (pdu: Pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: Pdu) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu: Pdu) => {
      const sm = pdu.short_message as { message: string; udh?: Buffer[] };
      const udh = sm.udh?.[0];
      const submit: Submit = {
        pdu,
        text: sm.message,
        udh: udh ? [udh[2]!, udh[3]!, udh[4]!] : undefined,
      };
      smsc.submits.push(submit);
      const a = answer(submit, smsc.submits.length - 1);
      const respond = () => {
        if (a.status) return session.send(pdu.response({ command_status: a.status }));
        const id = `MSG${++counter}`;
        if (a.receiptFirst) deliver(id, a.receiptFirst); // the receipt beats the answer
        session.send(pdu.response({ message_id: id }));
      };
      if (a.delayMs) setTimeout(respond, a.delayMs);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const smsc: Smsc = {
    port: (server.address() as AddressInfo).port,
    submits: [],
    receipt: deliver,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
  return smsc;
}

class CountingGateway implements SmsGateway {
  readonly type = 'log' as const;
  readonly sent: OutgoingSms[] = [];
  async send(message: OutgoingSms) {
    this.sent.push(message);
    return { externalId: `fallback-${this.sent.length}`, answer: 'fallback accepted' };
  }
}

const fakes = new Map<string, SmsGateway>();
const factory = (row: SmsGatewayRow, deps: GatewayFactoryDeps) =>
  fakes.get(row.name) ?? createGateway(row, deps);

const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 5000) => {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

// 161 GSM-7 characters: two parts (153 + 8).
const TEXT_161 = `${'Your Wi-Fi voucher is ready. '.repeat(5)}Code ABCD-1234 valid 1 day.`.padEnd(161, '.');
// Three parts.
const TEXT_400 = 'Beach Wi-Fi: '.padEnd(400, 'x');

describe.each(TEST_DIALECTS)('SMS delivery truth against stand-ins (%s)', (dialect) => {
  let store: TestStore;
  let clock: FakeClock;
  let sms: SmsModule;
  let tenantId: number;
  let smsc: Smsc | undefined;
  const standIns: StandIn[] = [];

  /** The SMS module as a Portico process starts it, with the stand-in gateways. */
  const startSms = (outboxOptions?: { maxAttempts: number }) =>
    createSmsModule({
      // The stand-ins listen on 127.0.0.1, allowed explicitly as an operator would.
      allowedDestinations: STAND_IN_DESTINATIONS,
      db: store.db,
      tenants: new TenantsRepository(store.db),
      clock,
      logger,
      gatewayFactory: factory,
      ...(outboxOptions ? { outboxOptions } : {}),
    });

  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(() => store.destroy());
  beforeEach(async () => {
    clock = new FakeClock();
    tenantId = (await createTenant(store.db)).id;
    sms = startSms();
  });
  afterEach(async () => {
    await sms.close();
    await smsc?.close();
    smsc = undefined;
    fakes.clear();
    for (const s of standIns.splice(0)) await s.close();
  });

  const addSmsc = (port: number, name = 'SMSC') =>
    sms.service.createGateway(tenantId, {
      name,
      type: 'smpp',
      settings: { host: '127.0.0.1', port, systemId: 'portico', password: 'pw', sourceAddress: 'Portico' },
    });
  const enqueue = async (text: string) =>
    (await sms.outbox.enqueue({
      tenantId,
      customerId: null,
      type: 'test',
      recipient: '+12025550123',
      text,
    }))!;
  const detail = (id: number) => sms.service.getMessage(tenantId, id);

  it('stores every part id and reads the receipts per part: DELIVRD + UNDELIV is undelivered', async () => {
    smsc = await startSmsc();
    await addSmsc(smsc.port);
    const message = await enqueue(TEXT_161);
    await sms.outbox.runOnce();
    expect(smsc.submits.map((s) => s.udh?.slice(1))).toEqual([
      [2, 1],
      [2, 2],
    ]);
    let m = await detail(message.id);
    expect(m.status).toBe('sent');
    expect(m.parts.map((p) => [p.partNumber, p.partCount, p.externalId, p.status])).toEqual([
      [1, 2, 'MSG1', 'accepted'],
      [2, 2, 'MSG2', 'accepted'],
    ]);

    smsc.receipt('MSG1', 'DELIVRD');
    await until(async () => (await detail(message.id)).parts[0]!.status === 'delivered');
    expect((await detail(message.id)).status).toBe('sent'); // one of two parts is not a delivery
    smsc.receipt('MSG2', 'UNDELIV');
    await until(async () => (await detail(message.id)).status === 'undelivered');
    m = await detail(message.id);
    expect(m.parts.map((p) => [p.status, p.receiptState])).toEqual([
      ['delivered', 'DELIVRD'],
      ['undelivered', 'UNDELIV'],
    ]);
  });

  it('is delivered only when every part is, and an intermediate report never undoes a final one', async () => {
    smsc = await startSmsc();
    await addSmsc(smsc.port);
    const message = await enqueue(TEXT_161);
    await sms.outbox.runOnce();
    smsc.receipt('MSG2', 'DELIVRD');
    smsc.receipt('MSG1', 'ENROUTE');
    await until(async () => (await detail(message.id)).parts.every((p) => p.receiptState !== null));
    expect((await detail(message.id)).status).toBe('sent');
    smsc.receipt('MSG1', 'DELIVRD');
    await until(async () => (await detail(message.id)).status === 'delivered');
    smsc.receipt('MSG1', 'ENROUTE'); // late and out of order
    await new Promise((r) => setTimeout(r, 200));
    const m = await detail(message.id);
    expect(m.status).toBe('delivered');
    expect(m.parts.map((p) => p.status)).toEqual(['delivered', 'delivered']);
  });

  it('matches a receipt that arrives before its part is recorded (instant UNDELIV while part 2 is sent)', async () => {
    // Part 1's UNDELIV comes before its submit_sm_resp; part 2's answer takes 300 ms.
    smsc = await startSmsc((_s, index) => (index === 0 ? { receiptFirst: 'UNDELIV' } : { delayMs: 300 }));
    await addSmsc(smsc.port);
    const message = await enqueue(TEXT_161);
    await sms.outbox.runOnce();
    await until(async () => (await detail(message.id)).status === 'undelivered');
    const m = await detail(message.id);
    expect(m.parts.map((p) => [p.externalId, p.status, p.receiptState])).toEqual([
      ['MSG1', 'undelivered', 'UNDELIV'],
      ['MSG2', 'accepted', null],
    ]);
    const kept = await store.db.selectFrom('sms_unmatched_receipts').selectAll().execute();
    expect(kept).toEqual([]); // matched, not left behind
  });

  it('keeps a receipt for an id no part has (yet), durably, and applies it when the part comes', async () => {
    const counter = new CountingGateway();
    fakes.set('fake', counter);
    const gateway = await sms.service.createGateway(tenantId, { name: 'fake', type: 'log', settings: {} });
    expect(
      await sms.outbox.applyReceipt({
        tenantId,
        gatewayId: gateway.id,
        externalId: 'fallback-1',
        outcome: 'delivered',
        state: 'DELIVRD',
      }),
    ).toBe(false);
    const kept = await store.db
      .selectFrom('sms_unmatched_receipts')
      .select(['external_id', 'state'])
      .execute();
    expect(kept).toEqual([{ external_id: 'fallback-1', state: 'DELIVRD' }]);
    const message = await enqueue('hi');
    await sms.outbox.runOnce();
    expect((await detail(message.id)).status).toBe('delivered');
    expect(await store.db.selectFrom('sms_unmatched_receipts').selectAll().execute()).toEqual([]);
  });

  it('resumes a partly accepted text on the same SMSC from the refused part, same reference, no failover', async () => {
    // ESME_RTHROTTLED on part 2 of 3 the first time.
    smsc = await startSmsc((_s, index) => (index === 1 ? { status: smpp.errors.ESME_RTHROTTLED } : {}));
    const fallback = new CountingGateway();
    fakes.set('fallback', fallback);
    const smscGateway = await addSmsc(smsc.port);
    await sms.service.createGateway(tenantId, { name: 'fallback', type: 'log', settings: {} });
    const message = await enqueue(TEXT_400);

    await sms.outbox.runOnce();
    let m = await detail(message.id);
    expect(m.status).toBe('queued');
    expect(fallback.sent).toHaveLength(0); // the next gateway would deliver the whole text after the fragment
    expect(m.history).toMatchObject([
      {
        pass: 1,
        gatewayId: smscGateway.id,
        gatewayName: 'SMSC',
        outcome: 'partly_accepted',
        partsAccepted: 1,
        partsTotal: 3,
        answer: 'submit_sm_resp ESME_RTHROTTLED for part 2 of 3 (accepted before: MSG1)',
        error: 'the SMSC refused submit_sm for part 2 of 3: ESME_RTHROTTLED',
      },
    ]);

    clock.advance(10_000);
    await sms.outbox.runOnce();
    m = await detail(message.id);
    expect(m.status).toBe('sent');
    const [first, refused, second, third] = smsc.submits;
    const reference = first!.udh![0];
    expect(smsc.submits.map((s) => s.udh)).toEqual([
      [reference, 3, 1],
      [reference, 3, 2], // refused
      [reference, 3, 2],
      [reference, 3, 3],
    ]);
    expect(refused!.text).toBe(second!.text);
    expect(first!.text + second!.text + third!.text).toBe(TEXT_400);
    expect(fallback.sent).toHaveLength(0);
    expect(m.parts.map((p) => [p.partNumber, p.externalId, p.gatewayId])).toEqual([
      [1, 'MSG1', smscGateway.id],
      [2, 'MSG2', smscGateway.id],
      [3, 'MSG3', smscGateway.id],
    ]);
    expect(m.history.map((a) => [a.pass, a.outcome, a.partsAccepted, a.partsTotal])).toEqual([
      [1, 'partly_accepted', 1, 3],
      [2, 'accepted', 2, 3],
    ]);
  });

  it('on the last pass gives the whole text to the next gateway rather than failing it', async () => {
    await sms.close();
    sms = startSms({ maxAttempts: 2 });
    smsc = await startSmsc((s) => (s.udh?.[2] === 2 ? { status: smpp.errors.ESME_RTHROTTLED } : {}));
    const fallback = new CountingGateway();
    fakes.set('fallback', fallback);
    await addSmsc(smsc.port);
    const fallbackGateway = await sms.service.createGateway(tenantId, {
      name: 'fallback',
      type: 'log',
      settings: {},
    });
    const message = await enqueue(TEXT_400);
    await sms.outbox.runOnce();
    clock.advance(10_000);
    await sms.outbox.runOnce();
    // Part 1 went to the SMSC once; part 2 was refused on both passes.
    expect(smsc.submits.map((s) => s.udh![2])).toEqual([1, 2, 2]);
    expect(fallback.sent.map((s) => s.text)).toEqual([TEXT_400]);
    const m = await detail(message.id);
    expect(m).toMatchObject({ status: 'sent', gatewayId: fallbackGateway.id });
    expect(m.history.map((a) => [a.pass, a.gatewayName, a.outcome])).toEqual([
      [1, 'SMSC', 'partly_accepted'],
      [2, 'SMSC', 'partly_accepted'],
      [2, 'fallback', 'accepted'],
    ]);
    // The orphan fragment's receipt does not speak for the message the fallback delivered.
    smsc.receipt('MSG1', 'UNDELIV');
    await until(async () => (await detail(message.id)).parts[0]!.status === 'undelivered');
    expect((await detail(message.id)).status).toBe('sent');
  });

  it('keeps one row per attempt: 503, 503, 201 shows what failed, when and where', async () => {
    const provider = await startHttpStandIn((_r, index) =>
      index < 2
        ? { status: 503, body: 'Service Unavailable: try later' }
        : { status: 201, body: 'queued id 77' },
    );
    standIns.push(provider);
    await sms.service.createGateway(tenantId, {
      name: 'Provider',
      type: 'http',
      settings: { url: `${provider.url}/send?to={to}&text={text}` },
    });
    const message = await enqueue('hello');
    const times: number[] = [];
    for (const wait of [0, 10_000, 30_000]) {
      clock.advance(wait);
      times.push(clock.nowMs());
      await sms.outbox.runOnce();
    }
    const m = await detail(message.id);
    expect(m).toMatchObject({ status: 'sent', attempts: 3, error: null });
    expect(m.history).toEqual([
      expect.objectContaining({
        pass: 1,
        gatewayName: 'Provider',
        startedAt: times[0],
        outcome: 'temporary_failure',
        answer: 'HTTP 503', // never the body (issue 10)
        error: 'the gateway answered HTTP 503 (a server error on its side)',
      }),
      expect.objectContaining({ pass: 2, startedAt: times[1], outcome: 'temporary_failure' }),
      expect.objectContaining({
        pass: 3,
        startedAt: times[2],
        outcome: 'accepted',
        answer: 'HTTP 201',
        error: null,
      }),
    ]);
  });

  it('records a pass without any enabled gateway, and a test send, as attempts too', async () => {
    const message = await enqueue('nobody home');
    await sms.outbox.runOnce();
    expect((await detail(message.id)).history).toMatchObject([
      { pass: 1, gatewayId: null, outcome: 'no_gateway', error: 'no SMS gateway is enabled' },
    ]);
    smsc = await startSmsc(() => ({ status: smpp.errors.ESME_RINVDSTADR }));
    const gateway = await addSmsc(smsc.port);
    const tenant = (await new TenantsRepository(store.db).findById(tenantId))!;
    const sent = await sms.service.sendTest(tenant, gateway.id, { to: '+12025550123' });
    expect(sent.status).toBe('failed');
    expect((await detail(sent.id)).history).toMatchObject([
      { pass: 1, outcome: 'permanent_failure', answer: 'submit_sm_resp ESME_RINVDSTADR' },
    ]);
  });
});
