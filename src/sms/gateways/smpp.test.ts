import type { AddressInfo } from 'node:net';
import pino from 'pino';
import smpp, { type Pdu, type Session } from 'smpp';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryReceipt } from '../gateway.js';
import { parseGatewaySettings, type SmppSettings } from '../gateway-settings.js';
import { closedPort, selfSignedCertificate, standInGuard } from '../test-servers.js';
import { SmppGateway } from './smpp.js';

interface Smsc {
  port: number;
  binds: Pdu[];
  submits: Pdu[];
  enquireLinks: number;
  deliverResponses: Pdu[];
  sessions: Session[];
  /** Sends a delivery receipt for message `id` to every bound session. */
  sendReceipt(id: string, stat: string): void;
  close(): Promise<void>;
}

/** An SMSC from the smpp package's server: checks credentials, answers submit_sm with ids. */
async function startSmsc(options: { systemId?: string; password?: string; answerSubmits?: boolean } = {}) {
  const smsc: Smsc = {
    port: 0,
    binds: [],
    submits: [],
    enquireLinks: 0,
    deliverResponses: [],
    sessions: [],
    sendReceipt(id, stat) {
      for (const session of smsc.sessions) {
        session.deliver_sm(
          {
            source_addr: '12025550123',
            destination_addr: 'Portico',
            esm_class: 0x04,
            short_message: `id:${id} sub:001 dlvrd:001 submit date:2611271200 done date:2611271201 stat:${stat} err:000 text:Hello`,
          },
          (pdu) => smsc.deliverResponses.push(pdu),
        );
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of smsc.sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
  let counter = 0;
  const server = smpp.createServer({}, (session) => {
    smsc.sessions.push(session);
    session.on('error', () => undefined);
    session.on('close', () => smsc.sessions.splice(smsc.sessions.indexOf(session), 1));
    session.on('bind_transceiver', (pdu: Pdu) => {
      smsc.binds.push(pdu);
      const ok =
        pdu.system_id === (options.systemId ?? 'portico') && pdu.password === (options.password ?? 'pw123');
      session.send(pdu.response(ok ? {} : { command_status: smpp.errors.ESME_RINVPASWD! }));
      if (!ok) session.close();
    });
    session.on('submit_sm', (pdu: Pdu) => {
      smsc.submits.push(pdu);
      if (options.answerSubmits === false) return;
      session.send(pdu.response({ message_id: `MSG${++counter}` }));
    });
    session.on('enquire_link', (pdu: Pdu) => {
      smsc.enquireLinks++;
      session.send(pdu.response());
    });
    session.on('unbind', (pdu: Pdu) => {
      session.send(pdu.response());
      session.close();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  smsc.port = (server.address() as AddressInfo).port;
  return smsc;
}

const logger = pino({ level: 'silent' });
let smsc: Smsc | undefined;
let gateway: SmppGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  await smsc?.close();
  gateway = undefined;
  smsc = undefined;
});

function makeGateway(port: number, extra: Partial<SmppSettings> = {}, receipts: DeliveryReceipt[] = []) {
  const settings = {
    ...parseGatewaySettings('smpp', {
      host: '127.0.0.1',
      port,
      systemId: 'portico',
      password: 'pw123',
      sourceAddress: 'Portico',
    }),
    ...extra,
  };
  gateway = new SmppGateway(settings, {
    tenantId: 3,
    gatewayId: 7,
    logger,
    onReceipt: (r) => receipts.push(r),
    destinations: standInGuard(),
  });
  return gateway;
}

const until = async (check: () => boolean, timeoutMs = 3000) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('smpp gateway', () => {
  it('binds as transceiver, submits with registered_delivery=1 and applies the delivery receipt', async () => {
    smsc = await startSmsc();
    const receipts: DeliveryReceipt[] = [];
    const result = await makeGateway(smsc.port, {}, receipts).send({
      to: '+12025550123',
      text: 'Your code is 123456',
    });
    expect(result).toEqual({ externalId: 'MSG1', answer: 'submit_sm_resp ESME_ROK, message id MSG1' });

    expect(smsc.binds).toHaveLength(1);
    expect(smsc.binds[0]).toMatchObject({
      command: 'bind_transceiver',
      system_id: 'portico',
      password: 'pw123',
    });
    expect(smsc.submits).toHaveLength(1);
    expect(smsc.submits[0]).toMatchObject({
      source_addr_ton: 5,
      source_addr_npi: 0,
      source_addr: 'Portico',
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: '12025550123',
      esm_class: 0,
      registered_delivery: 1,
      data_coding: 0,
      short_message: { message: 'Your code is 123456' },
    });

    smsc.sendReceipt('MSG1', 'DELIVRD');
    await until(() => receipts.length === 1 && smsc!.deliverResponses.length === 1);
    expect(receipts[0]).toEqual({
      tenantId: 3,
      gatewayId: 7,
      externalId: 'MSG1',
      state: 'DELIVRD',
      outcome: 'delivered',
    });
    expect(smsc.deliverResponses[0]!.command_status).toBe(0);

    smsc.sendReceipt('MSG1', 'UNDELIV');
    await until(() => receipts.length === 2);
    expect(receipts[1]).toMatchObject({ externalId: 'MSG1', outcome: 'undelivered', state: 'UNDELIV' });
  });

  it('splits a long GSM-7 text in 153-septet parts with a shared concatenation UDH', async () => {
    smsc = await startSmsc();
    const text = `${'Welcome to the beach Wi-Fi. '.repeat(7)}[end]`; // 201 chars, [ and ] cost 2 septets
    const result = await makeGateway(smsc.port).send({ to: '+12025550123', text });
    expect(result.answer).toBe('submit_sm_resp ESME_ROK, message id MSG1, MSG2 (2 parts)');
    expect(smsc.submits).toHaveLength(2);
    const [first, second] = smsc.submits as [Pdu, Pdu];
    const udh = (pdu: Pdu) => (pdu.short_message as { udh: Buffer[] }).udh[0]!;
    expect(first.esm_class).toBe(0x40);
    expect(second.esm_class).toBe(0x40);
    expect(first.registered_delivery).toBe(1);
    expect([...udh(first)].slice(0, 3)).toEqual([0x00, 0x03, udh(first)[2]]);
    expect(udh(first)[2]).toBe(udh(second)[2]); // same reference
    expect([udh(first)[3], udh(first)[4]]).toEqual([2, 1]);
    expect([udh(second)[3], udh(second)[4]]).toEqual([2, 2]);
    const parts = smsc.submits.map((p) => (p.short_message as { message: string }).message);
    expect(parts.join('')).toBe(text);
    expect(parts[0]!.length).toBe(153);
  });

  it('sends non-GSM text as UCS-2 in 67-unit parts', async () => {
    smsc = await startSmsc();
    const text = 'Привет! Ваш код доступа к Wi-Fi готов. '.repeat(3).trim(); // 116 chars
    await makeGateway(smsc.port).send({ to: '+79161234567', text });
    expect(smsc.submits).toHaveLength(2);
    expect(smsc.submits.every((p) => p.data_coding === 8 && p.esm_class === 0x40)).toBe(true);
    const parts = smsc.submits.map((p) => (p.short_message as { message: string }).message);
    expect(parts[0]!.length).toBe(67);
    expect(parts.join('')).toBe(text);
  });

  it('reports a refused bind (wrong credentials) without crashing, then works once fixed', async () => {
    smsc = await startSmsc({ password: 'right' });
    await expect(makeGateway(smsc.port).send({ to: '+12025550123', text: 'x' })).rejects.toThrow(
      'the SMSC refused the bind: ESME_RINVPASWD',
    );
    await gateway!.close();
    await expect(
      makeGateway(smsc.port, { password: 'right' }).send({ to: '+12025550123', text: 'x' }),
    ).resolves.toMatchObject({
      externalId: 'MSG1',
    });
  });

  it('reports an SMSC that is down', async () => {
    const port = await closedPort();
    await expect(makeGateway(port).send({ to: '+12025550123', text: 'x' })).rejects.toThrow(
      'the SMSC refused the connection (is it running?)',
    );
  });

  it('times out when submit_sm gets no answer', async () => {
    smsc = await startSmsc({ answerSubmits: false });
    await expect(
      makeGateway(smsc.port, { timeoutSeconds: 1 }).send({ to: '+12025550123', text: 'x' }),
    ).rejects.toThrow('no submit_sm_resp from the SMSC within 1 s');
  });

  it('keeps the link alive with enquire_link and reconnects after the SMSC drops it', async () => {
    smsc = await startSmsc();
    const gw = makeGateway(smsc.port, { enquireLinkSeconds: 0.1 });
    await gw.send({ to: '+12025550123', text: 'one' });
    await until(() => smsc!.enquireLinks >= 2);
    for (const session of smsc.sessions) session.destroy(); // SMSC restarts
    await until(() => smsc!.binds.length === 2); // reconnected by itself
    await gw.send({ to: '+12025550123', text: 'two' });
    expect(smsc.submits.map((p) => (p.short_message as { message: string }).message)).toEqual(['one', 'two']);
  });

  it('survives a peer that sends a malformed PDU (the package emits error)', async () => {
    const net = await import('node:net');
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      await expect(
        makeGateway(port, { timeoutSeconds: 2 }).send({ to: '+12025550123', text: 'x' }),
      ).rejects.toThrow(/SMPP link error|closed the connection/);
    } finally {
      await gateway?.close();
      gateway = undefined;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('smpp gateway over TLS', () => {
  it('verifies the SMSC certificate by default, and binds over TLS when told to trust it', async () => {
    const { key, cert } = selfSignedCertificate();
    const submits: Pdu[] = [];
    const server = smpp.createServer({ key, cert }, (session) => {
      session.on('error', () => undefined);
      session.on('bind_transceiver', (pdu: Pdu) => session.send(pdu.response()));
      session.on('submit_sm', (pdu: Pdu) => {
        submits.push(pdu);
        session.send(pdu.response({ message_id: 'TLS1' }));
      });
      session.on('unbind', (pdu: Pdu) => session.send(pdu.response()));
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      await expect(makeGateway(port, { tls: true }).send({ to: '+12025550123', text: 'x' })).rejects.toThrow(
        /TLS verification failed/,
      );
      await gateway!.close();
      await expect(
        makeGateway(port, { tls: true, verifyTls: false }).send({ to: '+12025550123', text: 'over tls' }),
      ).resolves.toMatchObject({ externalId: 'TLS1' });
      expect((submits[0]!.short_message as { message: string }).message).toBe('over tls');
    } finally {
      await gateway?.close();
      gateway = undefined;
      for (const session of server.sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
