/**
 * The durable SMS outbox. Every SMS is a row first (status queued); a worker claims due rows
 * with a lease (compare-and-set, safe with several processes on one PostgreSQL), tries the
 * tenant's enabled gateways in order (failover), and records the outcome. A pass where every
 * gateway failed is retried with backoff up to `maxAttempts` passes, then the message is failed.
 * A restart resumes: queued rows are picked up again, rows leased by a dead worker once their
 * lease expires. Login codes are masked in the stored text once the message is final.
 *
 * Every try of a gateway is a row in sms_attempts; every part a gateway accepted is a row in
 * sms_parts, written as soon as it is accepted (receipts match parts). A multi-part message a
 * gateway accepted only in part stays with that gateway: the next pass resumes there from the
 * refused part with the same concatenation reference instead of failing over (the next gateway
 * would deliver the whole text after the orphan fragment). Only on the last pass, or when that
 * gateway refuses for good or is disabled, do the other gateways get the whole text.
 */
import type { Logger } from 'pino';
import type { Clock } from '../shared/index.js';
import type { SmsGatewayRow, SmsMessage, SmsPart } from '../store/index.js';
import { statusCallbackUrl } from './callback-urls.js';
import { GatewayError, summarizeAnswer, type AcceptedPart, type DeliveryReceipt } from './gateway.js';
import type { GatewayRegistry } from './gateways/registry.js';
import type { AttemptOutcomeKind, NewSms, SmsRepository } from './repository.js';

/** What one gateway did with a message in one try. */
interface TryResult {
  ok: boolean;
  answer: string | null;
  error: string | null;
  permanent: boolean;
  /** The gateway holds part of the message (accepted now or in an earlier pass). */
  holdsParts: boolean;
}

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
    /** The tenant's configured public origin for delivery callbacks (undefined: none asked for). */
    private readonly callbackBase: (tenantId: number) => Promise<string | undefined> = async () => undefined,
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

  /** A pass in the attempt history that reached no gateway (the code expired, none enabled). */
  private async recordPassWithoutGateway(
    message: SmsMessage,
    pass: number,
    outcome: 'expired' | 'no_gateway',
    error: string,
  ): Promise<void> {
    const nowMs = this.clock.nowMs();
    await this.repo.insertAttempt({
      tenantId: message.tenant_id,
      messageId: message.id,
      pass,
      gatewayId: null,
      gatewayName: null,
      startedAtMs: nowMs,
      finishedAtMs: nowMs,
      outcome,
      partsAccepted: 0,
      partsTotal: null,
      answer: null,
      error,
    });
  }

  private async attempt(message: SmsMessage, leaseUntilMs: number): Promise<void> {
    const attempts = message.attempts + 1;
    const finalText = message.type === 'login_code' ? maskLoginCode(message.text) : message.text;
    const log = this.logger.child({ smsId: message.id, tenantId: message.tenant_id, type: message.type });

    if (
      message.type === 'login_code' &&
      this.clock.nowMs() - message.created_at > this.options.loginCodeMaxAgeMs
    ) {
      const error = 'the code expired before it could be sent';
      await this.recordPassWithoutGateway(message, attempts, 'expired', error);
      await this.repo.finishAttempt(message.id, leaseUntilMs, {
        status: 'failed',
        attempts: message.attempts,
        gatewayId: message.gateway_id,
        answer: message.gateway_answer,
        error: `${message.error ? `${message.error}; ` : ''}${error}`,
        text: finalText,
      });
      log.warn('SMS login code expired unsent');
      return;
    }

    const enabled = await this.repo.listEnabledGateways(message.tenant_id);
    const parts = await this.repo.listParts(message.tenant_id, message.id);
    const holder = partialHolder(parts);
    const resumeOn = enabled.find((g) => g.id === holder);
    const order = resumeOn ? [resumeOn, ...enabled.filter((g) => g !== resumeOn)] : enabled;
    const lastPass = attempts >= this.options.maxAttempts;
    const errors: string[] = [];
    let lastAnswer: string | null = null;
    let lastGatewayId: number | null = null;
    let allPermanent = enabled.length > 0;
    for (const row of order) {
      lastGatewayId = row.id;
      const result = await this.tryGateway(message, row, attempts, parts);
      if (result.ok) {
        const kept = await this.repo.finishAttempt(message.id, leaseUntilMs, {
          status: 'sent',
          attempts,
          gatewayId: row.id,
          answer: result.answer,
          error: errors.length > 0 ? errors.join('; ') : null,
          externalId: null,
          sentAtMs: this.clock.nowMs(),
          text: finalText,
        });
        // Receipts of parts may have come in while the later parts were being sent.
        await this.repo.refreshDeliveryStatus(message.tenant_id, message.id);
        if (!kept) log.error('SMS sent after its lease expired; the lease is too short for the gateways');
        log.info({ gatewayId: row.id, attempts }, 'SMS sent');
        return;
      }
      errors.push(`${row.name}: ${result.error}`);
      if (result.answer) lastAnswer = result.answer;
      if (!result.permanent) allPermanent = false;
      // The rest of a partly accepted text goes through the same gateway on the next pass.
      if (result.holdsParts && !result.permanent && !lastPass) break;
    }
    if (enabled.length === 0) {
      errors.push('no SMS gateway is enabled');
      await this.recordPassWithoutGateway(message, attempts, 'no_gateway', 'no SMS gateway is enabled');
    }

    const give_up = allPermanent || lastPass;
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
   * One try of one gateway: sends (resuming the parts it accepted before), records each accepted
   * part as it is accepted, and records the try in sms_attempts.
   */
  private async tryGateway(
    message: SmsMessage,
    row: SmsGatewayRow,
    pass: number,
    earlierParts: readonly SmsPart[],
  ): Promise<TryResult> {
    const startedAtMs = this.clock.nowMs();
    const earlier = earlierParts.filter((p) => p.gateway_id === row.id);
    const accepted: AcceptedPart[] = [];
    const record = async (part: AcceptedPart) => {
      await this.repo.insertPart(message.tenant_id, message.id, row.id, part, this.clock.nowMs());
      accepted.push(part);
    };
    let result: TryResult;
    let outcome: AttemptOutcomeKind;
    try {
      const gateway = this.gateways.get(row);
      const base = await this.callbackBase(message.tenant_id);
      const sent = await gateway.send(
        {
          to: message.recipient,
          text: message.text,
          messageId: message.id,
          statusCallbackUrl: statusCallbackUrl(base, row, message.id),
          resume:
            earlier.length > 0
              ? { reference: earlier[0]!.concat_ref ?? 0, acceptedParts: earlier.map((p) => p.part_number) }
              : undefined,
        },
        { onPartAccepted: record },
      );
      // Gateways that do not split report their one part by the result.
      if (accepted.length === 0 && earlier.length === 0)
        await record({ partNumber: 1, partCount: 1, reference: null, externalId: sent.externalId });
      result = { ok: true, answer: sent.answer, error: null, permanent: false, holdsParts: true };
      outcome = 'accepted';
    } catch (error) {
      const known = error instanceof GatewayError;
      if (!known)
        this.logger.error({ err: error, smsId: message.id, gatewayId: row.id }, 'SMS gateway crashed');
      const holdsParts = accepted.length > 0 || earlier.length > 0;
      result = {
        ok: false,
        answer: known ? (error.options.answer ?? null) : null,
        error: known ? error.message : 'internal error',
        permanent: known && error.permanent,
        holdsParts,
      };
      outcome = holdsParts ? 'partly_accepted' : result.permanent ? 'permanent_failure' : 'temporary_failure';
    }
    const total = accepted[0]?.partCount ?? earlier[0]?.part_count ?? null;
    await this.repo.insertAttempt({
      tenantId: message.tenant_id,
      messageId: message.id,
      pass,
      gatewayId: row.id,
      gatewayName: row.name,
      startedAtMs,
      finishedAtMs: this.clock.nowMs(),
      outcome,
      partsAccepted: accepted.length,
      partsTotal: total,
      answer: result.answer === null ? null : summarizeAnswer(result.answer),
      error: result.error,
    });
    return result;
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
    const result = await this.tryGateway(row, gatewayRow, 1, []);
    if (result.ok) {
      await this.repo.finishAttempt(row.id, leaseUntilMs, {
        status: 'sent',
        attempts: 1,
        gatewayId: gatewayRow.id,
        answer: result.answer,
        error: null,
        externalId: null,
        sentAtMs: this.clock.nowMs(),
        text: finalText,
      });
      await this.repo.refreshDeliveryStatus(row.tenant_id, row.id);
    } else {
      await this.repo.finishAttempt(row.id, leaseUntilMs, {
        status: 'failed',
        attempts: 1,
        gatewayId: gatewayRow.id,
        answer: result.answer,
        error: `${gatewayRow.name}: ${result.error}`,
        text: finalText,
      });
    }
    const final = await this.repo.getMessage(row.tenant_id, row.id);
    return final!;
  }

  /** Applies a delivery receipt to the part it is about; one that is early waits for its part. */
  async applyReceipt(receipt: DeliveryReceipt): Promise<boolean> {
    const messageId = await this.repo.applyReceipt(receipt, this.clock.nowMs());
    this.logger.info(
      { gatewayId: receipt.gatewayId, state: receipt.state, smsId: messageId, kept: messageId === undefined },
      'SMS delivery receipt',
    );
    return messageId !== undefined;
  }
}

/**
 * The gateway that accepted some but not all parts of the message, most recently: the next
 * pass resumes there.
 */
export function partialHolder(parts: readonly SmsPart[]): number | undefined {
  const byGateway = new Map<number, { count: number; total: number; lastId: number }>();
  for (const p of parts) {
    const entry = byGateway.get(p.gateway_id) ?? { count: 0, total: p.part_count, lastId: 0 };
    entry.count++;
    entry.lastId = Math.max(entry.lastId, p.id);
    byGateway.set(p.gateway_id, entry);
  }
  let holder: { gatewayId: number; lastId: number } | undefined;
  for (const [gatewayId, e] of byGateway)
    if (e.count < e.total && (!holder || e.lastId > holder.lastId)) holder = { gatewayId, lastId: e.lastId };
  return holder?.gatewayId;
}
