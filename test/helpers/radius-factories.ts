/**
 * RADIUS test data and tools: a tenant with a hotspot at 127.0.0.1, a plan, a customer and
 * vouchers; radclient and a tiny RADIUS client for packets radclient cannot make.
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import type { Kysely } from 'kysely';
import type { Database, Insertable } from '../../src/store/index.js';
import type { HotspotsTable, PlansTable, VouchersTable } from '../../src/store/schema.js';
import {
  createCustomer,
  createHotspot,
  createPlan,
  createSession,
  createTenant,
  createVoucher,
} from './factories.js';

export { createCustomer, createHotspot, createPlan, createSession, createTenant, createVoucher };

export const NAS_SECRET = 'testing123-secret';

/** A UDP port free on 127.0.0.1 now (bound, read, released): for a server told its port. */
export async function freeLoopbackUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export async function createRadiusWorld(
  db: Kysely<Database>,
  options: {
    hotspot?: Partial<Insertable<HotspotsTable>>;
    plan?: Partial<Insertable<PlansTable>>;
    voucher?: Partial<Insertable<VouchersTable>>;
    timeZone?: string;
  } = {},
) {
  const tenant = await createTenant(db, { time_zone: options.timeZone ?? 'UTC' });
  const hotspot = await createHotspot(db, tenant.id, {
    ip_address: '127.0.0.1',
    secret: NAS_SECRET,
    ...options.hotspot,
  });
  const plan = await createPlan(db, tenant.id, options.plan);
  const customer = await createCustomer(db, tenant.id);
  const voucher = await createVoucher(db, plan, { customer_id: customer.id, ...options.voucher });
  return { tenant, hotspot, plan, customer, voucher };
}

export interface RadclientResult {
  code: string | undefined;
  attributes: Record<string, string[]>;
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs FreeRADIUS's radclient once (`type` auth | acct | status) with attribute lines, one
 * try and a short timeout, and parses the reply it prints.
 */
export function radclient(
  port: number,
  type: 'auth' | 'acct' | 'status',
  secret: string,
  attributes: Record<string, string | number>,
  options: { timeoutSeconds?: number } = {},
): Promise<RadclientResult> {
  const input = Object.entries(attributes)
    .map(([name, value]) => `${name} = ${typeof value === 'number' ? value : JSON.stringify(value)}`)
    .join('\n');
  return new Promise((resolve) => {
    const child = execFile(
      'radclient',
      ['-x', '-r', '1', '-t', String(options.timeoutSeconds ?? 2), `127.0.0.1:${port}`, type, secret],
      (error, stdout, stderr) => {
        const code = /Received (\S+) Id/.exec(stdout)?.[1];
        const received: Record<string, string[]> = {};
        const replyPart = stdout.split(/Received \S+ Id/)[1] ?? '';
        for (const line of replyPart.split('\n')) {
          const match = /^\s+([A-Za-z0-9-]+) = (.*)$/.exec(line);
          if (match) (received[match[1]!] ??= []).push(match[2]!.replace(/^"|"$/g, ''));
        }
        resolve({
          code,
          attributes: received,
          stdout,
          stderr,
          exitCode: error ? ((error as { code?: number }).code ?? 1) : 0,
        });
      },
    );
    child.stdin?.end(input);
  });
}

/** Sends raw datagrams and collects answers (packets radclient cannot make: fuzz, duplicates). */
export class UdpProbe {
  readonly socket = dgram.createSocket('udp4');
  readonly received: Buffer[] = [];
  private waiters: Array<() => void> = [];

  async open(): Promise<this> {
    this.socket.on('message', (message) => {
      this.received.push(message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    return this;
  }

  send(packet: Buffer, port: number): void {
    this.socket.send(packet, port, '127.0.0.1');
  }

  /** Waits until `count` answers have arrived or `timeoutMs` passed; returns the answers so far. */
  async waitFor(count: number, timeoutMs = 2000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A NAS that answers Disconnect-Requests (RFC 5176) with ACK, NAK (Error-Cause) or nothing. */
export class NasSimulator {
  readonly socket = dgram.createSocket('udp4');
  readonly requests: Array<{ packet: Buffer; at: number }> = [];
  mode: { answer: 'ack' } | { answer: 'nak'; errorCause: number } | { answer: 'silent' } = { answer: 'ack' };
  /** Answer only from this attempt on (1 = first). */
  answerFromAttempt = 1;

  constructor(
    private readonly secret: string,
    /** Where it listens: another loopback address (127.0.0.2) plays a second hotspot. */
    private readonly address = '127.0.0.1',
  ) {}

  async start(): Promise<number> {
    const protocol = await import('../../src/radius/protocol/index.js');
    this.socket.on('message', (message, rinfo) => {
      this.requests.push({ packet: Buffer.from(message), at: Date.now() });
      if (this.mode.answer === 'silent' || this.requests.length < this.answerFromAttempt) return;
      const decoded = protocol.decodePacket(message);
      if (!decoded.ok) return;
      const mode = this.mode;
      const reply = protocol.encodeReply(
        decoded.packet,
        mode.answer === 'ack' ? protocol.Code.DisconnectAck : protocol.Code.DisconnectNak,
        Buffer.from(this.secret),
        { messageAuthenticator: true },
        (w) => {
          if (mode.answer === 'nak') w.integer(protocol.Attr.ErrorCause, mode.errorCause);
        },
      );
      if (reply) this.socket.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => this.socket.bind(0, this.address, resolve));
    return this.socket.address().port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
