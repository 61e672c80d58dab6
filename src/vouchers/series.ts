/**
 * Generating a voucher series: up to 100,000 codes, in batches of one multi-row INSERT each,
 * yielding to the event loop between batches so other requests keep being served. Progress and a
 * heartbeat are written to the series row with every batch, so any process can show the progress,
 * and a series whose process stopped or crashed is taken over and finished (`resumeFrom`).
 */
import type { Logger } from 'pino';
import type { Clock, RandomSource } from '../shared/index.js';
import type { PlanView } from '../plans/index.js';
import type { VoucherSettings } from '../tenants/index.js';
import { fullCode, randomCodes } from './codes.js';
import type { VoucherSeriesView } from './model.js';
import type { SeriesBatchBase, VouchersRepository } from './repository.js';

export const MAX_SERIES_QUANTITY = 100_000;
/**
 * Vouchers per INSERT. SQLite runs on the event loop (better-sqlite3 is synchronous), so a batch
 * there must stay short; PostgreSQL works in its own process and takes bigger batches.
 */
export const SERIES_BATCH_SIZE = { sqlite: 250, postgres: 5000 } as const;
/** A collision of random parts is rare; this many retries of a batch means the space is full. */
const MAX_RETRIES = 20;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A series whose heartbeat is older than this was left by a process that is gone. A batch takes
 * well under a second, so a minute of silence is not a slow batch.
 */
export const SERIES_STALE_AFTER_MS = 60_000;

export interface SeriesJob {
  tenantId: number;
  series: VoucherSeriesView;
  plan: PlanView;
  settings: VoucherSettings;
  /** Vouchers of the series that already exist (a resumed series); 0 for a new one. */
  resumeFrom?: number;
}

export class SeriesGenerator {
  private readonly running = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly vouchers: VouchersRepository,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly logger: Logger,
    /** Called for each voucher made for a customer (the "voucher activated" event). */
    private readonly onAssigned: (tenantId: number, voucherId: number, customerId: number) => Promise<void>,
    private readonly batchSize: number = SERIES_BATCH_SIZE.sqlite,
  ) {}

  /** Starts generating in the background; `idle()` resolves when every job has finished. */
  start(job: SeriesJob): void {
    const promise = this.run(job).catch(async (error: unknown) => {
      this.logger.error({ err: error, seriesId: job.series.id }, 'voucher series generation failed');
      await this.vouchers.failSeries(job.tenantId, job.series.id).catch(() => undefined);
    });
    const tracked = promise.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /**
   * Stops after the current batch (shutdown). Unfinished series stay `generating`: their heartbeat
   * stops, and the next process to look finishes them.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.idle();
  }

  /** Generates the whole series now (used by `start`, and directly by the benchmark). */
  async run({ tenantId, series, plan, settings, resumeFrom = 0 }: SeriesJob): Promise<void> {
    const nowMs = this.clock.nowMs();
    const base: SeriesBatchBase = {
      tenant_id: tenantId,
      series_id: series.id,
      plan_id: plan.id,
      customer_id: series.customerId,
      status: 'new',
      plan_title: plan.title,
      price_minor: plan.priceMinor,
      currency: plan.currency,
      speed_down_kbps: plan.speedDownKbps,
      speed_up_kbps: plan.speedUpKbps,
      data_limit_bytes: plan.dataLimitBytes,
      download_limit_bytes: plan.downloadLimitBytes,
      upload_limit_bytes: plan.uploadLimitBytes,
      time_limit_seconds: plan.timeLimitSeconds,
      // "Valid until <date>" replaces the period after activation.
      validity_seconds: series.expiryMode === 'valid_until' ? null : plan.validitySeconds,
      devices_limit: plan.devicesLimit,
      valid_until_at: series.expiryMode === 'valid_until' ? series.validUntilAtMs : null,
      expires_at: series.expiryMode === 'valid_until' ? series.validUntilAtMs : null,
      created_at: nowMs,
      updated_at: nowMs,
    };
    let created = resumeFrom;
    let retries = 0;
    while (created < series.quantity) {
      if (this.stopping) {
        this.logger.info({ seriesId: series.id, created }, 'voucher series paused by shutdown');
        return;
      }
      const want = Math.min(this.batchSize, series.quantity - created);
      const randoms = [
        ...new Set(randomCodes(want, settings.codeLength, settings.codeAlphabet, this.random)),
      ];
      const inserted = await this.vouchers.insertSeriesBatch(
        base,
        randoms.map((random) => ({
          code: fullCode(series.code, plan.voucherPrefix, random),
          shortCode: random,
        })),
      );
      if (inserted < want && ++retries > MAX_RETRIES)
        throw new Error('could not find unused codes: make the codes longer or the alphabet larger');
      created += inserted;
      await this.vouchers.setSeriesProgress(
        tenantId,
        series.id,
        created,
        created >= series.quantity ? 'ready' : 'generating',
        this.clock.nowMs(),
      );
      await yieldToEventLoop();
    }
    if (series.customerId !== null) {
      for (const id of await this.vouchers.idsOfSeries(tenantId, series.id, series.quantity))
        await this.onAssigned(tenantId, id, series.customerId);
    }
  }
}
