/**
 * RADIUS test data and tools: a tenant with a hotspot at 127.0.0.1, a plan, a customer and
 * vouchers; radclient and a tiny RADIUS client for packets radclient cannot make.
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import type { Kysely } from 'kysely';
import type { Database, Insertable } from '../../src/store/index.js';
import type { HotspotsTable, PlansTable, VouchersTable } from '../../src/store/schema.js';
import { createCustomer, createHotspot, createPlan, createTenant, createVoucher } from './factories.js';

export { createCustomer, createHotspot, createPlan, createTenant, createVoucher };

export const NAS_SECRET = 'testing123-secret';

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
