/**
 * RADIUS on more than one thread (RADIUS_THREADS): worker threads that bind the main thread's
 * RADIUS ports with SO_REUSEPORT, each with its own database pool, access policy and accounting
 * recorder (radius-worker.ts). The kernel gives each socket the datagrams of some sources, always
 * the same ones, so a NAS's retransmissions reach the thread that holds its duplicate cache and
 * the packets of one session are batched by one recorder; the database's row locks keep threads
 * apart as they keep processes apart. What a thread does not do itself it sends here: disconnects
 * (the Disconnect client and its retries live in the main thread), a voucher's activation (its
 * SMS), and its metrics, which the main thread's /metrics reports with its own.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { MetricsSources, RadiusRequestType } from '../metrics/index.js';
import type { Store } from '../store/index.js';
import type { DisconnectReason } from '../usage/index.js';
import type { VoucherActivatedEvent } from '../vouchers/index.js';
import type { RadiusDisconnects, RadiusMetrics } from './radius.js';

/** A RADIUS server's counters, as the metrics read them (RadiusServer#stats). */
export type RadiusStats = NonNullable<ReturnType<NonNullable<MetricsSources['radiusStats']>>>;
/** A database pool's connections (Store#poolStats). */
export type PoolStats = NonNullable<ReturnType<Store['poolStats']>>;

/** What a RADIUS thread starts from (its workerData). */
export interface RadiusThreadInit {
  config: Config;
  authPort: number;
  acctPort: number;
}

/** Messages from a RADIUS thread. */
export type FromRadiusThread =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'disconnectMac'; tenantId: number; voucherId: number; mac: string; reason: DisconnectReason }
  | { type: 'disconnectVoucher'; tenantId: number; voucherId: number; reason: DisconnectReason }
  | { type: 'voucherActivated'; event: VoucherActivatedEvent }
  | {
      type: 'report';
      /** Requests answered since the last report: type, result, seconds. */
      requests: Array<[RadiusRequestType, string, number]>;
      /** Accounting batches since the last report: records, seconds, committed. */
      batches: Array<[number, number, boolean]>;
      stats: RadiusStats;
      queueLength: number;
      pool: PoolStats | undefined;
    }
  | { type: 'stopped' };

/** Messages to a RADIUS thread: stop, or forget the cached NAS lookups (a hotspot was edited). */
export interface ToRadiusThread {
  type: 'stop' | 'forget-nas';
}

/** How long a thread may take to drain its requests and close when told to stop. */
const STOP_TIMEOUT_MS = 10_000;
/** A thread that exits unasked is started again after this, doubling while it keeps failing. */
const RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 60_000;

interface Thread {
  worker: Worker;
  stats: RadiusStats;
  queueLength: number;
  pool: PoolStats | undefined;
}

export class RadiusThreads {
  private readonly threads: Thread[] = [];
  private init: RadiusThreadInit | undefined;
  /** Threads asked for: one that exits unasked is replaced. */
  private wanted = 0;
  private stopping = false;
  private restartDelayMs = RESTART_DELAY_MS;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      usage: RadiusDisconnects;
      metrics: RadiusMetrics;
      voucherActivated: (event: VoucherActivatedEvent) => void;
      logger: Logger;
    },
  ) {}

  /** Starts `count` threads on the main thread's bound ports; rejects if one cannot bind. */
  async start(count: number, init: RadiusThreadInit): Promise<void> {
    // Older Node ignores dgram's reusePort: the threads' binds would fail with EADDRINUSE.
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 12))
      throw new Error(
        `RADIUS_THREADS above 1 needs Node.js 22.12 or later (SO_REUSEPORT), this is ${process.version}`,
      );
    this.init = init;
    this.wanted = count;
    this.stopping = false;
    try {
      for (let i = 0; i < count; i++) this.threads.push(await this.startOne(init));
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Every thread's counters, as last reported (at most a quarter of a second old). */
  stats(): RadiusStats[] {
    return this.threads.map((t) => t.stats);
  }

  queueLength(): number {
    return this.threads.reduce((sum, t) => sum + t.queueLength, 0);
  }

  /** Tells every thread to forget its cached NAS lookups (a hotspot was added, edited or removed). */
  forgetNas(): void {
    for (const { worker } of this.threads)
      worker.postMessage({ type: 'forget-nas' } satisfies ToRadiusThread);
  }

  /** Every thread's database pool, as last reported. */
  poolStats(): Array<PoolStats | undefined> {
    return this.threads.map((t) => t.pool);
  }

  /** Asks every thread to answer what it has taken and close; ends it after STOP_TIMEOUT_MS. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const threads = this.threads.splice(0);
    await Promise.all(
      threads.map(async ({ worker }) => {
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.postMessage({ type: 'stop' } satisfies ToRadiusThread);
        const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private startOne(init: RadiusThreadInit): Promise<Thread> {
    // From the sources (tests, tsx) the entry is TypeScript and needs tsx's loader; built, it is JS.
    const fromSource = import.meta.url.endsWith('.ts');
    const entry = new URL(`./radius-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
    const loaderMissing = fromSource && !process.execArgv.some((arg) => arg.includes('tsx'));
    const worker = new Worker(entry, {
      workerData: init,
      // Otherwise the thread inherits this one's options (Node leaves out the per-process ones).
      ...(loaderMissing ? { execArgv: [...process.execArgv, '--import', 'tsx'] } : {}),
    });
    const thread: Thread = {
      worker,
      stats: { received: 0, answered: 0, duplicatesAnswered: 0, dropped: {} },
      queueLength: 0,
      pool: undefined,
    };
    return new Promise((resolve, reject) => {
      worker.on('message', (message: FromRadiusThread) => {
        if (message.type === 'ready') resolve(thread);
        else if (message.type === 'failed')
          reject(new Error(`a RADIUS thread could not start: ${message.message}`));
        else this.handle(thread, message);
      });
      worker.on('error', (error) => {
        this.deps.logger.error({ err: error, thread: worker.threadId }, 'RADIUS thread failed');
        reject(error);
      });
      worker.once('exit', (code) => {
        reject(new Error(`a RADIUS thread exited with ${code} before it was ready`));
        const index = this.threads.indexOf(thread);
        // Exited unasked: its sources' packets go to the sockets still bound until a new thread
        // binds again (the kernel spreads them anew then).
        if (index >= 0) {
          this.threads.splice(index, 1);
          this.deps.logger.error({ thread: worker.threadId, code }, 'RADIUS thread exited; starting another');
          this.scheduleRestart();
        }
      });
    });
  }

  private scheduleRestart(): void {
    if (this.stopping || !this.init || this.restartTimer || this.threads.length >= this.wanted) return;
    const init = this.init;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.startOne(init).then(
        (thread) => {
          this.threads.push(thread);
          if (this.stopping) return this.stop();
          this.restartDelayMs = RESTART_DELAY_MS;
          this.deps.logger.info({ thread: thread.worker.threadId }, 'RADIUS thread started again');
          this.scheduleRestart(); // another one exited meanwhile
        },
        (error: unknown) => {
          this.deps.logger.error({ err: error }, 'a RADIUS thread could not start again');
          this.restartDelayMs = Math.min(this.restartDelayMs * 2, MAX_RESTART_DELAY_MS);
          this.scheduleRestart();
        },
      );
    }, this.restartDelayMs);
    this.restartTimer.unref();
  }

  private handle(thread: Thread, message: FromRadiusThread): void {
    const { usage, metrics, logger } = this.deps;
    switch (message.type) {
      case 'disconnectMac':
        void usage
          .disconnectMac(message.tenantId, message.voucherId, message.mac, message.reason)
          .catch((error: unknown) => logger.error({ err: error }, 'disconnecting a replaced device failed'));
        return;
      case 'disconnectVoucher':
        void usage
          .disconnectVoucher(message.tenantId, message.voucherId, message.reason)
          .catch((error: unknown) =>
            logger.error({ err: error, voucherId: message.voucherId }, 'disconnecting a voucher failed'),
          );
        return;
      case 'voucherActivated':
        this.deps.voucherActivated(message.event);
        return;
      case 'report':
        for (const [type, result, seconds] of message.requests) metrics.radiusRequest(type, result, seconds);
        for (const [records, seconds, ok] of message.batches) metrics.accountingBatch(records, seconds, ok);
        thread.stats = message.stats;
        thread.queueLength = message.queueLength;
        thread.pool = message.pool;
        return;
      default:
        return;
    }
  }
}

/** The sum of several servers' counters (the main thread's and its RADIUS threads'). */
export function sumRadiusStats(all: ReadonlyArray<RadiusStats | undefined>): RadiusStats | undefined {
  const present = all.filter((stats) => stats !== undefined);
  if (present.length === 0) return undefined;
  const sum: RadiusStats = { received: 0, answered: 0, duplicatesAnswered: 0, dropped: {} };
  for (const stats of present) {
    sum.received += stats.received;
    sum.answered += stats.answered;
    sum.duplicatesAnswered += stats.duplicatesAnswered;
    for (const [reason, count] of Object.entries(stats.dropped))
      sum.dropped[reason] = (sum.dropped[reason] ?? 0) + (count ?? 0);
  }
  return sum;
}

/** The sum of several pools' connections (the main thread's and its RADIUS threads'). */
export function sumPoolStats(all: ReadonlyArray<PoolStats | undefined>): PoolStats | undefined {
  const present = all.filter((stats) => stats !== undefined);
  if (present.length === 0) return undefined;
  return present.reduce((sum, stats) => ({
    total: sum.total + stats.total,
    idle: sum.idle + stats.idle,
    waiting: sum.waiting + stats.waiting,
    max: sum.max + stats.max,
  }));
}
