/**
 * The retry schedule, the reason a retry carries, and the usage worker's loop (real timers, fake
 * passes): housekeeping before retries, passes never overlapping, stop() halting sends.
 * The sweep against real databases and a simulated NAS: test/radius/disconnect-retry.test.ts.
 */
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config/index.js';
import type { Session } from '../store/index.js';
import {
  DEFAULT_DISCONNECT_RETRY_POLICY,
  UsageSweepWorker,
  nextDisconnectAttemptAt,
  retryReason,
  type DisconnectDueSession,
  type DisconnectRetryPassResult,
} from './index.js';

const MINUTE = 60_000;
const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('nextDisconnectAttemptAt', () => {
  it('doubles the wait from the first retry up to the maximum, then stops at the cap', () => {
    const policy = DEFAULT_DISCONNECT_RETRY_POLICY;
    const waits = [];
    for (let made = 1; made < policy.maxAttempts; made++)
      waits.push(nextDisconnectAttemptAt(made, 1_000, policy)! - 1_000);
    expect(waits).toEqual([1, 2, 4, 8, 16, 30, 30].map((m) => m * MINUTE));
    expect(nextDisconnectAttemptAt(policy.maxAttempts, 1_000, policy)).toBeNull();
    // The first wait outlasts one whole RFC 5176 exchange (the client retransmits for ≤ 30 s).
    expect(policy.firstRetryAfterMs).toBeGreaterThan(30_000);
  });
});

describe('retryReason', () => {
  const due = (
    values: Omit<Partial<DisconnectDueSession>, 'session'> & { session?: Partial<Session> } = {},
  ): DisconnectDueSession => ({
    voucherStatus: 'online',
    voucherUsedReason: null,
    macOnVoucher: true,
    ...values,
    session: {
      mac: 'AA:BB:CC:DD:EE:FF',
      voucher_id: 1,
      disconnect_reason: null,
      ...values.session,
    } as Session,
  });

  it('names the rule that holds now, the voucher first', () => {
    expect(retryReason(due({ voucherStatus: 'disabled', macOnVoucher: false }))).toBe('disabled');
    expect(retryReason(due({ voucherStatus: 'used', voucherUsedReason: 'expired' }))).toBe('expired');
    expect(retryReason(due({ voucherStatus: 'used', voucherUsedReason: 'data' }))).toBe('quota');
    expect(retryReason(due({ voucherStatus: 'used', voucherUsedReason: 'time' }))).toBe('quota');
    expect(retryReason(due({ macOnVoucher: false }))).toBe('device_removed');
    expect(retryReason(due({ macOnVoucher: false, session: { disconnect_reason: 'device_replaced' } }))).toBe(
      'device_replaced',
    );
    expect(retryReason(due({ session: { disconnect_reason: 'operator' } }))).toBe('operator');
  });
});

describe('UsageSweepWorker', () => {
  const emptyPass: DisconnectRetryPassResult = {
    due: 0,
    attempted: 0,
    confirmed: 0,
    unconfirmed: 0,
    deferred: 0,
    gaveUp: 0,
  };

  it('runs housekeeping then retries every interval, one pass at a time, until stopped', async () => {
    const events: string[] = [];
    let inFlight = 0;
    let overlapped = false;
    const worker = new UsageSweepWorker(
      {
        sweep: async () => {
          inFlight++;
          overlapped ||= inFlight > 1;
          events.push('sweep');
          await sleep(30); // longer than the interval: the next pass must wait
          return { staleSessions: 0, expiredVouchers: 0 };
        },
      },
      {
        runOnce: async () => {
          events.push('retry');
          inFlight--;
          return emptyPass;
        },
      },
      silent,
      10,
    );
    worker.start();
    // Waits for passes rather than for a fixed time: a loaded machine delays timers.
    await vi.waitFor(() => expect(events.length).toBeGreaterThanOrEqual(4), { timeout: 10_000 });
    worker.stop();
    await worker.idle();
    const passes = events.length / 2;
    expect(passes).toBeGreaterThanOrEqual(2);
    expect(events).toEqual(Array.from({ length: passes }, () => ['sweep', 'retry']).flat());
    expect(overlapped).toBe(false);
    await sleep(50);
    expect(events.length / 2).toBe(passes);
  });

  it('tells a pass in progress to stop sending once stopped, and survives failing passes', async () => {
    let keepGoing: (() => boolean) | undefined;
    let passes = 0;
    const worker = new UsageSweepWorker(
      {
        sweep: () => {
          passes++;
          return Promise.reject(new Error('database unavailable'));
        },
      },
      {
        runOnce: async (shouldContinue?: () => boolean) => {
          keepGoing = shouldContinue;
          await sleep(20);
          return emptyPass;
        },
      },
      silent,
      5,
    );
    worker.start();
    await vi.waitFor(() => expect(passes).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    expect(keepGoing?.()).toBe(true);
    worker.stop();
    expect(keepGoing?.()).toBe(false);
    await worker.idle();
  });
});

describe('PORTICO_SWEEP_INTERVAL_SECONDS', () => {
  it('defaults to a minute and refuses values outside 5-3600 seconds', () => {
    expect(loadConfig({}).sweepIntervalSeconds).toBe(60);
    expect(loadConfig({ PORTICO_SWEEP_INTERVAL_SECONDS: '15' }).sweepIntervalSeconds).toBe(15);
    for (const bad of ['0', '2', '3601', '1.5', 'soon'])
      expect(() => loadConfig({ PORTICO_SWEEP_INTERVAL_SECONDS: bad })).toThrow(
        /PORTICO_SWEEP_INTERVAL_SECONDS/,
      );
  });
});
