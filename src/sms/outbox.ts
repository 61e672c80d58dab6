/**
 * The durable SMS outbox. Every SMS is a row first (status queued); a worker claims due rows
 * with a lease (compare-and-set, safe with several processes on one PostgreSQL), tries the
 * tenant's enabled gateways in order (failover), and records the outcome. A pass where every
 * gateway failed is retried with backoff up to `maxAttempts` passes, then the message is failed.
 * A restart resumes: queued rows are picked up again, rows leased by a dead worker once their
 * lease expires. Login codes are masked in the stored text once the message is final.
 */
import type { Logger } from 'pino';
import type { Clock } from '../shared/index.js';
import type { SmsGatewayRow, SmsMessage } from '../store/index.js';
import { GatewayError, type DeliveryReceipt } from './gateway.js';
import type { GatewayRegistry } from './gateways/registry.js';
import type { NewSms, SmsRepository } from './repository.js';

export interface OutboxOptions {
  /** Passes over the gateways before a message is failed. */
  maxAttempts: number;
  /** Wait before pass n+1 (the last value repeats). */
  backoffMs: number[];
  /** How long a claimed row stays ours; longer than a pass can take (timeouts × gateways). */
  leaseMs: number;
  batchSize: number;
  pollIntervalMs: number;
  /** A login code not sent within this time is useless: fail it instead of sending it late. */
  loginCodeMaxAgeMs: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = {
  maxAttempts: 5,
  backoffMs: [10_000, 30_000, 120_000, 600_000],
  leaseMs: 5 * 60_000,
  batchSize: 10,
  pollIntervalMs: 1000,
  loginCodeMaxAgeMs: 10 * 60_000,
};

/** Replaces every run of 4+ digits (the code) with bullets. */
export function maskLoginCode(text: string): string {
  return text.replace(/\d{4,}/g, (digits) => '•'.repeat(digits.length));
}

export class SmsOutbox {
  readonly options: OutboxOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;
  private stopped = true;
  /** When the worker last started or finished a pass (readiness: is it alive?). */
  private lastActivityAtMs: number | undefined;

  constructor(
    private readonly repo: SmsRepository,
    private readonly gateways: GatewayRegistry,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: Partial<OutboxOptions> = {},
  ) {
    this.options = { ...DEFAULT_OUTBOX_OPTIONS, ...options };
  }

  /**
   * Queues an SMS (durably, before anything is sent) and wakes the worker. With a dedupe key
   * already used, nothing is queued and undefined is returned.
   */
  async enqueue(sms: Omit<NewSms, 'nowMs'>): Promise<SmsMessage | undefined> {
    const row = await this.repo.insertMessage({ ...sms, nowMs: this.clock.nowMs() });
    if (row) this.kick();
    return row;
  }

  /** Starts polling for due messages. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /**
   * Whether the worker is started and has started or finished a pass recently (a pass stuck
   * longer than a lease, or a timer that stopped firing, is not alive).
   */
  isAlive(nowMs = Date.now()): boolean {
    if (this.stopped || this.lastActivityAtMs === undefined) return false;
    return nowMs - this.lastActivityAtMs <= this.options.leaseMs + this.options.pollIntervalMs * 5;
  }

  /** Runs a pass soon (after an enqueue), when the worker is started. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.lastActivityAtMs = Date.now();
      void this.runOnce()
        .catch((error: unknown) => this.logger.error({ err: error }, 'SMS outbox pass failed'))
        .finally(() => {
          this.lastActivityAtMs = Date.now();
          if (this.stopped) return;
          const again = this.again;
          this.again = false;
          this.schedule(again ? 0 : this.options.pollIntervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /**
   * One pass: claims up to batchSize due messages and attempts them concurrently. Returns how
   * many this worker attempted. Safe to call concurrently from several workers and processes.
   */
  runOnce(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    const nowMs = this.clock.nowMs();
    const due = await this.repo.findDue(nowMs, this.options.batchSize);
    let attempted = 0;
    await Promise.all(
      due.map(async ({ id }) => {
        const leaseUntilMs = nowMs + this.options.leaseMs;
        const message = await this.repo.claim(id, nowMs, leaseUntilMs);
        if (!message) return; // another worker has it
        attempted++;
        await this.attempt(message, leaseUntilMs);
      }),
    );
    return attempted;
  }

  private async attempt(message: SmsMessage, leaseUntilMs: number): Promise<void> {
    const attempts = message.attempts + 1;
    const finalText = message.type === 'login_code' ? maskLoginCode(message.text) : message.text;
    const log = this.logger.child({ smsId: message.id, tenantId: message.tenant_id, type: message.type });

    if (
      message.type === 'login_code' &&
      this.clock.nowMs() - message.created_at > this.options.loginCodeMaxAgeMs
    ) {
      await this.repo.finishAttempt(message.id, leaseUntilMs, {
        status: 'failed',
        attempts: message.attempts,
        gatewayId: message.gateway_id,
        answer: message.gateway_answer,
        error: `${message.error ? `${message.error}; ` : ''}the code expired before it could be sent`,
        text: finalText,
      });
      log.warn('SMS login code expired unsent');
      return;
    }

    const gateways = await this.repo.listEnabledGateways(message.tenant_id);
    const errors: string[] = [];
    let lastAnswer: string | null = null;
    let lastGatewayId: number | null = null;
    let allPermanent = gateways.length > 0;
    for (const row of gateways) {
      lastGatewayId = row.id;
      try {
        const gateway = this.gateways.get(row);
        const result = await gateway.send({ to: message.recipient, text: message.text });
        const kept = await this.repo.finishAttempt(message.id, leaseUntilMs, {
          status: 'sent',
          attempts,
          gatewayId: row.id,
          answer: result.answer,
          error: errors.length > 0 ? errors.join('; ') : null,
          externalId: result.externalId,
          sentAtMs: this.clock.nowMs(),
          text: finalText,
        });
        if (!kept) log.error('SMS sent after its lease expired; the lease is too short for the gateways');
        log.info({ gatewayId: row.id, attempts }, 'SMS sent');
        return;
      } catch (error) {
        if (error instanceof GatewayError) {
          errors.push(`${row.name}: ${error.message}`);
          if (error.options.answer) lastAnswer = error.options.answer;
          if (!error.permanent) allPermanent = false;
        } else {
          log.error({ err: error, gatewayId: row.id }, 'SMS gateway crashed');
          errors.push(`${row.name}: internal error`);
          allPermanent = false;
        }
      }
    }
    if (gateways.length === 0) errors.push('no SMS gateway is enabled');

    const give_up = allPermanent || attempts >= this.options.maxAttempts;
    const backoff = this.options.backoffMs;
    const delayMs = backoff[Math.min(attempts - 1, backoff.length - 1)] ?? 60_000;
    await this.repo.finishAttempt(
      message.id,
      leaseUntilMs,
      give_up
        ? {
            status: 'failed',
            attempts,
            gatewayId: lastGatewayId,
            answer: lastAnswer,
            error: errors.join('; '),
            text: finalText,
          }
        : {
            status: 'queued',
            attempts,
            gatewayId: lastGatewayId,
            answer: lastAnswer,
            error: errors.join('; '),
            nextAttemptAtMs: this.clock.nowMs() + delayMs,
            text: message.text,
          },
    );
    if (give_up) log.warn({ attempts, errors }, 'SMS failed');
    else log.info({ attempts, errors, retryInMs: delayMs }, 'SMS attempt failed, will retry');
  }

  /**
   * Sends through one given gateway right now (operator's "send test SMS"), logged like any
   * other message but without retries or failover. Returns the final row.
   */
  async sendNow(
    sms: Omit<NewSms, 'nowMs' | 'lockedUntilMs'>,
    gatewayRow: SmsGatewayRow,
  ): Promise<SmsMessage> {
    const nowMs = this.clock.nowMs();
    const leaseUntilMs = nowMs + this.options.leaseMs;
    const row = await this.repo.insertMessage({
      ...sms,
      dedupeKey: null,
      nowMs,
      lockedUntilMs: leaseUntilMs,
    });
    if (!row) throw new Error('the message was not stored');
    const finalText = row.type === 'login_code' ? maskLoginCode(row.text) : row.text;
    try {
      const result = await this.gateways.get(gatewayRow).send({ to: row.recipient, text: row.text });
      await this.repo.finishAttempt(row.id, leaseUntilMs, {
        status: 'sent',
        attempts: 1,
        gatewayId: gatewayRow.id,
        answer: result.answer,
        error: null,
        externalId: result.externalId,
        sentAtMs: this.clock.nowMs(),
        text: finalText,
      });
    } catch (error) {
      const known = error instanceof GatewayError;
      if (!known) this.logger.error({ err: error, gatewayId: gatewayRow.id }, 'SMS gateway crashed');
      await this.repo.finishAttempt(row.id, leaseUntilMs, {
        status: 'failed',
        attempts: 1,
        gatewayId: gatewayRow.id,
        answer: known ? (error.options.answer ?? null) : null,
        error: `${gatewayRow.name}: ${known ? error.message : 'internal error'}`,
        text: finalText,
      });
    }
    const final = await this.repo.getMessage(row.tenant_id, row.id);
    return final!;
  }

  /** Marks the message a gateway reported on as delivered or undelivered. */
  async applyReceipt(receipt: DeliveryReceipt): Promise<boolean> {
    const applied = await this.repo.applyReceipt(
      receipt.gatewayId,
      receipt.externalId,
      receipt.delivered ? 'delivered' : 'undelivered',
      receipt.state,
    );
    this.logger.info({ gatewayId: receipt.gatewayId, state: receipt.state, applied }, 'SMS delivery receipt');
    return applied;
  }
}
