/**
 * The durable half of "the hotspot has not confirmed yet; it will be retried": a pass that finds
 * open sessions which should no longer be online (DisconnectRepository.listDisconnectDue says
 * which) and asks their hotspots again, with backoff and a cap per session, and the background
 * worker that runs the usage housekeeping (stale sessions, expired vouchers) and then this pass,
 * every `intervalMs`. Several processes may run it on one PostgreSQL: each retry is claimed by
 * compare-and-set before it is sent, so exactly one process sends it.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../shared/index.js';
import type { Database, Dialect } from '../store/index.js';
import { nextDisconnectAttemptAt } from './disconnect-policy.js';
import { DisconnectRepository, type DisconnectDueSession } from './disconnect-repository.js';
import { DISCONNECT_REASONS, type DisconnectReason, type UsageService } from './service.js';

export interface DisconnectRetryOptions {
  /** Sessions considered per pass (the rest wait for the next pass). */
  batchSize?: number;
  /** Requests in flight per hotspot: a busy or slow NAS is not flooded. */
  perHotspotConcurrency?: number;
}

export interface DisconnectRetryPassResult {
  /** Sessions due for another attempt. */
  due: number;
  /** Attempts this pass made (claimed and sent). */
  attempted: number;
  confirmed: number;
  unconfirmed: number;
  /** Not tried this pass: their hotspot did not answer an earlier attempt of this pass. */
  deferred: number;
  /** Sessions whose last allowed attempt went unconfirmed this pass. */
  gaveUp: number;
}

/** Why a due session must end: the recorded reason while it still applies, else the rule that holds. */
export function retryReason(due: DisconnectDueSession): DisconnectReason {
  if (due.voucherStatus === 'disabled') return 'disabled';
  if (due.voucherStatus === 'used') return due.voucherUsedReason === 'expired' ? 'expired' : 'quota';
  const recorded = due.session.disconnect_reason as DisconnectReason | null;
  if (!due.macOnVoucher && due.session.mac !== null && due.session.voucher_id !== null) {
    return recorded === 'device_replaced' || recorded === 'device_limit' ? recorded : 'device_removed';
  }
  return recorded !== null && DISCONNECT_REASONS.includes(recorded) ? recorded : 'operator';
}

export class DisconnectRetrySweep {
  private readonly batchSize: number;
  private readonly perHotspotConcurrency: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly usage: UsageService,
    private readonly logger: Logger,
    options: DisconnectRetryOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.perHotspotConcurrency = options.perHotspotConcurrency ?? 4;
  }

  /**
   * One pass. Sessions of one hotspot go a few at a time; once one of them times out, the
   * hotspot's other sessions wait for the next pass without using up an attempt (a dead NAS gets
   * a few requests per pass, not one per session).
   */
  async runOnce(shouldContinue: () => boolean = () => true): Promise<DisconnectRetryPassResult> {
    const policy = this.usage.retryPolicy;
    const repository = new DisconnectRepository(this.db);
    const due = await repository.listDisconnectDue(this.clock.nowMs(), policy.maxAttempts, this.batchSize);
    const result: DisconnectRetryPassResult = {
      due: due.length,
      attempted: 0,
      confirmed: 0,
      unconfirmed: 0,
      deferred: 0,
      gaveUp: 0,
    };
    const byHotspot = new Map<number, DisconnectDueSession[]>();
    for (const item of due) {
      const list = byHotspot.get(item.session.hotspot_id);
      if (list) list.push(item);
      else byHotspot.set(item.session.hotspot_id, [item]);
    }
    await Promise.all(
      [...byHotspot.entries()].map(async ([hotspotId, queue]) => {
        let unresponsive = false;
        const worker = async () => {
          for (let item = queue.shift(); item; item = queue.shift()) {
            if (unresponsive || !shouldContinue()) {
              result.deferred++;
              continue;
            }
            const outcome = await this.attempt(repository, item, hotspotId);
            if (outcome === 'skipped') continue;
            result.attempted++;
            if (outcome === 'confirmed') result.confirmed++;
            else {
              result.unconfirmed++;
              if (outcome === 'gave_up') result.gaveUp++;
              if (outcome === 'timeout') unresponsive = true;
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(this.perHotspotConcurrency, queue.length) }, worker));
      }),
    );
    if (result.due > 0) this.logger.info({ ...result }, 'disconnect retry pass');
    return result;
  }

  private async attempt(
    repository: DisconnectRepository,
    item: DisconnectDueSession,
    hotspotId: number,
  ): Promise<'skipped' | 'confirmed' | 'timeout' | 'unconfirmed' | 'gave_up'> {
    const { session } = item;
    const policy = this.usage.retryPolicy;
    const reason = retryReason(item);
    const nowMs = this.clock.nowMs();
    const attempt = session.disconnect_attempts + 1;
    const nextAttemptAtMs = nextDisconnectAttemptAt(attempt, nowMs, policy);
    const claimed = await repository.claimDisconnectRetry(session.tenant_id, session.id, {
      seenAttempts: session.disconnect_attempts,
      reason,
      nowMs,
      nextAttemptAtMs,
    });
    if (!claimed) return 'skipped'; // another pass or process has it, or it ended meanwhile
    const context = { tenantId: session.tenant_id, sessionId: session.id, hotspotId, reason, attempt };
    let outcome;
    try {
      outcome = await this.usage.retryDisconnect(session, reason);
    } catch (error) {
      this.logger.error({ ...context, err: error }, 'disconnect retry failed');
      return nextAttemptAtMs === null ? 'gave_up' : 'unconfirmed';
    }
    if (outcome.confirmed) {
      this.logger.info({ ...context, outcome: outcome.status }, 'disconnect retry confirmed');
      return 'confirmed';
    }
    if (nextAttemptAtMs === null) {
      this.logger.warn(
        { ...context, outcome: outcome.status, errorCause: outcome.errorCause },
        'disconnect not confirmed after the last allowed attempt; giving up (the session ends when the hotspot stops it or stops sending accounting)',
      );
      return 'gave_up';
    }
    this.logger.warn(
      { ...context, outcome: outcome.status, errorCause: outcome.errorCause, nextAttemptAtMs },
      'disconnect retry not confirmed; will retry',
    );
    return outcome.status === 'timeout' ? 'timeout' : 'unconfirmed';
  }
}

/**
 * The usage background worker: every `intervalMs`, the housekeeping sweep (closes stale sessions,
 * expires vouchers and disconnects them) and then the disconnect retry pass. Passes never overlap.
 */
export class UsageSweepWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  /** Set by stop(): the pass in progress sends nothing more. */
  private halted = false;

  constructor(
    private readonly usage: Pick<UsageService, 'sweep'>,
    private readonly retries: Pick<DisconnectRetrySweep, 'runOnce'>,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.started || this.halted) return;
    this.started = true;
    this.schedule();
  }

  /** Stops scheduling passes for good; a pass in progress sends nothing more. */
  stop(): void {
    this.halted = true;
    clearTimeout(this.timer);
  }

  /** Waits for the pass in progress (after stop(), for a clean shutdown). */
  async idle(): Promise<void> {
    await this.running;
  }

  /** One housekeeping pass followed by one retry pass (tests call it directly). */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    try {
      await this.usage.sweep();
    } catch (error) {
      this.logger.error({ err: error }, 'usage sweep failed');
    }
    try {
      await this.retries.runOnce(() => !this.halted);
    } catch (error) {
      this.logger.error({ err: error }, 'disconnect retry pass failed');
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.runOnce().finally(() => {
        if (!this.halted) this.schedule();
      });
    }, this.intervalMs);
    this.timer.unref();
  }
}
