/**
 * The accounting write side (RFC 2866): turns Accounting-Requests into sessions, voucher and
 * device counters and per-day rollups, with group commit — packets that arrive while a
 * transaction runs form the next batch, and each caller's promise resolves only after the
 * batch's COMMIT, so the RADIUS server never answers before the record is stored (RFC 2866 §2).
 *
 * Idempotency: sessions hold the cumulative counters the NAS reported; a packet only moves them
 * up (max), and only the growth is added to vouchers, devices and days. Duplicates,
 * retransmissions with a new Acct-Delay-Time and out-of-order packets therefore never count
 * twice, in one process or several (PostgreSQL row locks, taken in a fixed order).
 */
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import { DeviceAccessRepository } from '../devices/index.js';
import type { Clock } from '../shared/index.js';
import { voucherOwnersPortalsWrites, type Database, type Dialect } from '../store/index.js';
import { VoucherAccessRepository } from '../vouchers/index.js';
import type { AccountingRecord, VoucherExhaustedEvent } from './accounting-record.js';
import {
  missingSessions,
  newSessionRow,
  planCounters,
  planDaily,
  planExhausted,
  planOffline,
  shapeBatch,
  sessionKey,
  type PlannedSession,
} from './batch-plan.js';
import { cutBatch } from './batch-queue.js';
import { ownerNotPlacedByInsert } from './session-owners.js';
import { SessionsRepository } from './sessions-repository.js';

export {
  AcctStatusType,
  decodeClassTag,
  encodeClassTag,
  type AccountingRecord,
  type VoucherExhaustedEvent,
} from './accounting-record.js';

interface Pending {
  record: AccountingRecord;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface AccountingRecorderOptions {
  /** Largest batch per transaction. */
  maxBatch?: number;
  /**
   * Batches in flight at once, each in its own transaction on its own pooled connection, so one
   * executes while another waits for its COMMIT (WAL flush). PostgreSQL only: SQLite has one
   * writer, and stays at 1.
   */
  maxInFlight?: number;
  /** Told after every batch transaction: its size and duration (metrics). */
  onBatch?: (batch: { records: number; commitSeconds: number; committed: boolean }) => void;
}

/** Batches in flight on PostgreSQL unless told otherwise (bench/radius/README.md, "Batches in flight"). */
export const DEFAULT_BATCHES_IN_FLIGHT = 2;
/** Attempts of a batch that meets a deadlock or serialization failure (another process's batch). */
const MAX_ATTEMPTS = 10;

export class AccountingRecorder {
  private queue: Pending[] = [];
  private inFlight = 0;
  /** Session keys held by in-flight batches: their packets wait for a later batch. */
  private readonly busyKeys = new Set<string>();
  /** A NAS restart batch is in flight: nothing runs beside it. */
  private exclusive = false;
  private cutting = false;
  private scheduled = false;
  private closed = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly onBatch: NonNullable<AccountingRecorderOptions['onBatch']>;
  private idleWaiters: Array<() => void> = [];
  /** Figures for logs, tests and the benchmark. */
  readonly stats = {
    batches: 0,
    records: 0,
    failures: 0,
    largestBatch: 0,
    /** Batches redone after a deadlock or serialization failure. */
    retries: 0,
    /** Most batches ever in flight at once. */
    mostInFlight: 0,
  };

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onExhausted: (event: VoucherExhaustedEvent) => void,
    options: AccountingRecorderOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxInFlight =
      dialect === 'postgres' ? Math.max(1, options.maxInFlight ?? DEFAULT_BATCHES_IN_FLIGHT) : 1;
    this.onBatch = options.onBatch ?? (() => undefined);
  }

  /** Records waiting for the next batch (metrics). */
  queueLength(): number {
    return this.queue.length;
  }

  /** Resolves once the record is committed; rejects if its batch failed (no response then). */
  record(record: AccountingRecord): Promise<void> {
    if (this.closed) return Promise.reject(new Error('accounting recorder is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.schedule();
    });
  }

  /** Waits for queued records to be committed, then refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.idle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private idle(): boolean {
    return this.inFlight === 0 && this.queue.length === 0;
  }

  private canStart(): boolean {
    return this.queue.length > 0 && this.inFlight < this.maxInFlight && !this.exclusive;
  }

  private schedule(): void {
    if (this.cutting || this.scheduled || !this.canStart()) return;
    this.scheduled = true;
    // setImmediate lets every datagram already read by the event loop join this batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.startBatches();
    });
  }

  /** Cuts and starts batches while a slot is free and something queued may go. */
  private async startBatches(): Promise<void> {
    if (this.cutting) return;
    this.cutting = true;
    try {
      while (this.canStart()) {
        await this.gather();
        const cut = cutBatch(this.queue, this.busyKeys, this.inFlight, this.maxBatch);
        if (cut.batch.length === 0) break; // all of it waits for a batch in flight
        this.queue = cut.rest;
        for (const key of cut.keys) this.busyKeys.add(key);
        if (cut.exclusive) this.exclusive = true;
        this.inFlight++;
        this.stats.mostInFlight = Math.max(this.stats.mostInFlight, this.inFlight);
        void this.runBatch(cut.batch).finally(() => {
          this.inFlight--;
          for (const key of cut.keys) this.busyKeys.delete(key);
          if (cut.exclusive) this.exclusive = false;
          if (this.idle()) for (const wake of this.idleWaiters.splice(0)) wake();
          else this.schedule();
        });
      }
    } finally {
      this.cutting = false;
    }
  }

  /** One batch: commits it (redone on deadlock), then answers its callers. Never throws. */
  private async runBatch(batch: Pending[]): Promise<void> {
    const startedAt = performance.now();
    try {
      const exhausted = await this.commitWithRetry(batch.map((p) => p.record));
      const commitSeconds = (performance.now() - startedAt) / 1000;
      this.onBatch({ records: batch.length, commitSeconds, committed: true });
      this.stats.batches++;
      this.stats.records += batch.length;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
      for (const pending of batch) pending.resolve();
      for (const event of exhausted) {
        try {
          this.onExhausted(event);
        } catch (error) {
          this.logger.error({ err: error }, 'voucher exhaustion handler failed');
        }
      }
    } catch (error) {
      this.stats.failures++;
      const commitSeconds = (performance.now() - startedAt) / 1000;
      this.onBatch({ records: batch.length, commitSeconds, committed: false });
      this.logger.error({ err: error, records: batch.length }, 'accounting batch failed; no responses sent');
      for (const pending of batch) pending.reject(error);
    }
  }

  /**
   * Lets the event loop read more datagrams before a batch is cut: libuv reads at most 32 per
   * turn, and a SQLite transaction blocks the loop while it runs, so without this batches stay
   * at 32. Waits while the queue keeps growing, a few turns at most (sub-millisecond when idle).
   */
  private async gather(): Promise<void> {
    let previous = -1;
    for (
      let turn = 0;
      turn < 8 && this.queue.length !== previous && this.queue.length < this.maxBatch;
      turn++
    ) {
      previous = this.queue.length;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private async commitWithRetry(records: AccountingRecord[]): Promise<VoucherExhaustedEvent[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.inTransaction((trx) => this.apply(trx, records));
      } catch (error) {
        const code = (error as { code?: string }).code;
        // Deadlock / serialization failure with another process's batch (this process's batches
        // lock in one order and never deadlock each other): the whole batch is safe to redo.
        if (attempt < MAX_ATTEMPTS && (code === '40P01' || code === '40001' || code === 'SQLITE_BUSY')) {
          this.stats.retries++;
          this.logger.warn({ code, attempt, records: records.length }, 'accounting batch redone');
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * One transaction. On PostgreSQL its BEGIN (same round trip) also turns sequential scans off for
   * the transaction: every statement of a batch reads at most a batch's rows by key, but on tables
   * of ~10,000 rows the planner's costs chose hash joins over sequential scans of sessions (twice
   * per batch) and devices — 3-7 ms a statement against well under 1 ms by index (auto_explain,
   * bench/radius). BEGIN and COMMIT go around plugins, as Kysely's own transactions do.
   */
  private async inTransaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.dialect !== 'postgres') return this.db.transaction().execute(work);
    return this.db.connection().execute(async (connection) => {
      const control = connection.withoutPlugins();
      await sql.raw('begin; set local enable_seqscan = off').execute(control);
      try {
        const result = await work(connection);
        await sql.raw('commit').execute(control);
        return result;
      } catch (error) {
        await sql
          .raw('rollback')
          .execute(control)
          .catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * One batch inside one transaction: reads, asks the planner (batch-plan.ts) what to write,
   * writes it. Lock order: sessions (by id; in-process batches never share one, batch-queue.ts),
   * then every voucher it may write (by id, all in one statement), then devices (by id), then the
   * vouchers' owners (customers, by id); usage rows are the locked vouchers'. So batches in flight
   * at once wait, never deadlock. Statements per batch do not grow with its size; on PostgreSQL
   * Interim-Updates of known sessions are two (find, write) between BEGIN and COMMIT
   * (accounting-statements.test.ts).
   */
  private async apply(trx: Kysely<Database>, records: AccountingRecord[]): Promise<VoucherExhaustedEvent[]> {
    const sessions = new SessionsRepository(trx, this.dialect);
    const vouchers = new VoucherAccessRepository(trx, this.dialect);
    const devices = new DeviceAccessRepository(trx, this.dialect);
    const nowMs = this.clock.nowMs();
    const shape = shapeBatch(records);

    const closedByRestart = [];
    for (const record of shape.nasRestarts) {
      const voucherIds = await sessions.closeAllOfHotspot(record.hotspotId, record.eventAtMs, nowMs);
      closedByRestart.push({ record, voucherIds });
    }
    const found = new Map<string, PlannedSession>();
    const keep = (row: PlannedSession) => found.set(sessionKey(row.hotspot_id, row.acct_session_id), row);
    for (const row of await sessions.findForUpdate(shape.sessions)) keep(row);
    const missing = missingSessions(shape, found);
    const createdIds = new Set<number>();
    if (missing.length > 0) {
      const inserted = await sessions.insertManyIfAbsent(
        missing.map((s) => newSessionRow(s.records[0]!, nowMs)),
      );
      const firstPacket = new Map(missing.map((s) => [s.key, s.records[0]!]));
      for (let row of inserted) {
        const first = firstPacket.get(sessionKey(row.hotspot_id, row.acct_session_id));
        const owner =
          row.voucher_id === null && first
            ? await ownerNotPlacedByInsert(vouchers, devices, first)
            : undefined;
        if (owner) {
          await sessions.setOwner(row.id, owner.voucherId, owner.deviceId);
          row = { ...row, voucher_id: owner.voucherId, device_id: owner.deviceId };
        }
        keep(row);
        createdIds.add(row.id);
      }
      // Another process created these first (after our read): read and lock them.
      const createdElsewhere = missingSessions(shape, found);
      for (const row of await sessions.findForUpdate(createdElsewhere)) {
        keep(row);
        createdIds.add(row.id);
      }
    }

    const counters = planCounters(shape, { nowMs, closedByRestart, sessions: found, createdIds });
    // One round trip on PostgreSQL: the sessions (locked already by the find or the insert: their
    // writes take no lock), the vouchers (locked in id order first), then their devices (locked
    // in id order after the vouchers), the day rows (under their vouchers' locks) and the owners'
    // portal versions (customers, locked in id order last): their pages changed.
    const written = await vouchers.applyAccountingMany(counters.voucherWrites, nowMs, {
      alongWith: sessions.updateWrites(counters.sessionUpdates),
      followedBy: [
        ...devices.usageWrites(counters.deviceUsage, nowMs),
        ...sessions.dailyUsageWrites(planDaily(counters.vouchers)),
        ...voucherOwnersPortalsWrites(
          [
            ...[...found.values()].flatMap((s) => (s.voucher_id === null ? [] : [s.voucher_id])),
            ...closedByRestart.flatMap((c) => c.voucherIds),
          ],
          this.dialect,
        ),
      ],
    });
    const exhausted = [];
    for (const event of planExhausted(counters.vouchers, written, nowMs))
      if (await vouchers.markUsed(event.tenantId, event.voucherId, event.reason, nowMs))
        exhausted.push(event);
    // Apart from the write statement: it updates the vouchers that one updates.
    await vouchers.markOfflineIfIdleMany(
      planOffline(counters.vouchers, new Set(exhausted.map((e) => e.voucherId))),
      nowMs,
    );
    return exhausted;
  }
}
