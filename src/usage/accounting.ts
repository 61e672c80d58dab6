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
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { DeviceAccessRepository, parseMac } from '../devices/index.js';
import type { Clock } from '../shared/index.js';
import type { Database, Voucher } from '../store/index.js';
import { VoucherAccessRepository, evaluateVoucherLimits } from '../vouchers/index.js';
import { SessionsRepository, type SessionRow, type SessionUpdate } from './sessions-repository.js';

export const AcctStatusType = {
  Start: 1,
  Stop: 2,
  InterimUpdate: 3,
  AccountingOn: 7,
  AccountingOff: 8,
} as const;

export interface AccountingRecord {
  tenantId: number;
  hotspotId: number;
  timeZone: string;
  statusType: number;
  acctSessionId: string | undefined;
  userName: string;
  /** Class echoed from our Access-Accept (ties the session to the decision). */
  classTag: string | undefined;
  callingStationId: string | undefined;
  framedIp: string | undefined;
  nasPort: string | undefined;
  /** Cumulative session counters (Gigawords joined), from the client's point of view. */
  downloadedBytes: number | undefined;
  uploadedBytes: number | undefined;
  sessionSeconds: number | undefined;
  terminateCause: string | undefined;
  /** When the event happened: Event-Timestamp, else arrival minus Acct-Delay-Time. */
  eventAtMs: number;
}

export interface VoucherExhaustedEvent {
  tenantId: number;
  voucherId: number;
  reason: 'data' | 'time';
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (YYYY-MM-DD) in a time zone; formatters are cached (creating one is slow). */
function dayIn(instantMs: number, timeZone: string): string {
  let format = dayFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormatters.set(timeZone, format);
  }
  return format.format(instantMs);
}

/** Encodes the tie between an Access-Accept and the sessions it starts. */
export function encodeClassTag(voucherId: number, deviceId: number | null): string {
  return `portico:v${voucherId}:d${deviceId ?? 0}`;
}

export function decodeClassTag(
  tag: string | undefined,
): { voucherId: number; deviceId: number | null } | undefined {
  const match = tag ? /^portico:v(\d{1,15}):d(\d{1,15})$/.exec(tag) : null;
  if (!match) return undefined;
  const deviceId = Number(match[2]);
  return { voucherId: Number(match[1]), deviceId: deviceId === 0 ? null : deviceId };
}

interface Pending {
  record: AccountingRecord;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface VoucherTouch {
  tenantId: number;
  timeZone: string;
  hotspotId: number;
  downloadedBytes: number;
  uploadedBytes: number;
  onlineSeconds: number;
  lastSessionAtMs: number;
  open: boolean;
  /** A Start (or a lost Start) was seen: the voucher may need to go online. */
  started: boolean;
  stopped: boolean;
  days: Map<string, { downloadedBytes: number; uploadedBytes: number; onlineSeconds: number }>;
}

export interface AccountingRecorderOptions {
  /** Largest batch per transaction. */
  maxBatch?: number;
  /** Told after every batch transaction: its size and duration (metrics). */
  onBatch?: (batch: { records: number; commitSeconds: number; committed: boolean }) => void;
}

export class AccountingRecorder {
  private queue: Pending[] = [];
  private running = false;
  private scheduled = false;
  private closed = false;
  private readonly maxBatch: number;
  private readonly onBatch: NonNullable<AccountingRecorderOptions['onBatch']>;
  private idleWaiters: Array<() => void> = [];
  /** Figures for logs and the benchmark. */
  readonly stats = { batches: 0, records: 0, failures: 0, largestBatch: 0 };

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onExhausted: (event: VoucherExhaustedEvent) => void,
    options: AccountingRecorderOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
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
    if (!this.running && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // setImmediate lets every datagram already read by the event loop join this batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        await this.gather();
        const batch = this.queue.splice(0, this.maxBatch);
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
          this.logger.error(
            { err: error, records: batch.length },
            'accounting batch failed; no responses sent',
          );
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.running = false;
      if (this.queue.length === 0) {
        for (const wake of this.idleWaiters.splice(0)) wake();
      } else {
        this.schedule();
      }
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
        return await this.db.transaction().execute((trx) => this.apply(trx, records));
      } catch (error) {
        const code = (error as { code?: string }).code;
        // Deadlock / serialization failure between processes: the whole batch is safe to redo.
        if (attempt < 4 && (code === '40P01' || code === '40001' || code === 'SQLITE_BUSY')) continue;
        throw error;
      }
    }
  }

  /** One batch inside one transaction. Lock order: sessions (by id), then vouchers (by id). */
  private async apply(trx: Kysely<Database>, records: AccountingRecord[]): Promise<VoucherExhaustedEvent[]> {
    const sessions = new SessionsRepository(trx, this.dialect);
    const vouchers = new VoucherAccessRepository(trx, this.dialect);
    const devices = new DeviceAccessRepository(trx, this.dialect);
    const nowMs = this.clock.nowMs();
    const touched = new Map<number, VoucherTouch>();
    const deviceDeltas = new Map<
      number,
      {
        tenantId: number;
        hotspotId: number;
        downloadedBytes: number;
        uploadedBytes: number;
        onlineSeconds: number;
      }
    >();

    // Accounting-On/Off: the NAS (re)started, none of its sessions survive (RFC 2866 §5.1).
    for (const record of records) {
      if (
        record.statusType !== AcctStatusType.AccountingOn &&
        record.statusType !== AcctStatusType.AccountingOff
      ) {
        continue;
      }
      const voucherIds = await sessions.closeAllOfHotspot(record.hotspotId, record.eventAtMs, nowMs);
      for (const voucherId of voucherIds) this.touch(touched, voucherId, record).stopped = true;
    }

    const sessionRecords = records.filter(
      (r) =>
        r.acctSessionId !== undefined &&
        (r.statusType === AcctStatusType.Start ||
          r.statusType === AcctStatusType.Stop ||
          r.statusType === AcctStatusType.InterimUpdate),
    );
    const key = (hotspotId: number, acctSessionId: string) => `${hotspotId}\u0000${acctSessionId}`;
    const groups = new Map<string, AccountingRecord[]>();
    for (const record of sessionRecords) {
      const k = key(record.hotspotId, record.acctSessionId!);
      const group = groups.get(k);
      if (group) group.push(record);
      else groups.set(k, [record]);
    }

    const keys = [...groups.values()].map((g) => ({
      hotspotId: g[0]!.hotspotId,
      acctSessionId: g[0]!.acctSessionId!,
    }));
    const existing = new Map<string, SessionRow>();
    for (const row of await sessions.findForUpdate(keys))
      existing.set(key(row.hotspot_id, row.acct_session_id), row);

    // A lost Start is normal: an Interim or Stop for an unknown session creates it.
    const missing = [...groups.entries()].filter(([k]) => !existing.has(k));
    const createdNow = new Set<number>();
    if (missing.length > 0) {
      missing.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const firsts = missing.map(([, group]) => group[0]!);
      const owners = await this.resolveOwners(vouchers, devices, firsts);
      await sessions.insertManyIfAbsent(
        firsts.map((first, i) => ({
          tenantId: first.tenantId,
          hotspotId: first.hotspotId,
          acctSessionId: first.acctSessionId!,
          voucherId: owners[i]!.voucherId,
          deviceId: owners[i]!.deviceId,
          userName: first.userName,
          mac: (first.callingStationId ? parseMac(first.callingStationId) : undefined) ?? null,
          framedIp: first.framedIp ?? null,
          nasPort: first.nasPort ?? null,
          classTag: first.classTag ?? null,
          startedAtMs:
            first.statusType === AcctStatusType.Start
              ? first.eventAtMs
              : first.eventAtMs - (first.sessionSeconds ?? 0) * 1000,
          nowMs,
        })),
      );
      const created = await sessions.findForUpdate(
        missing.map(([, g]) => ({ hotspotId: g[0]!.hotspotId, acctSessionId: g[0]!.acctSessionId! })),
      );
      for (const row of created) {
        existing.set(key(row.hotspot_id, row.acct_session_id), row);
        createdNow.add(row.id);
      }
    }

    const sessionUpdates: SessionUpdate[] = [];
    for (const [k, group] of groups) {
      const session = existing.get(k);
      if (!session) continue;
      let down = session.downloaded_bytes;
      let up = session.uploaded_bytes;
      let seconds = session.session_seconds;
      let stoppedAtMs = session.stopped_at;
      let cause = session.terminate_cause;
      let framedIp = session.framed_ip;
      let changed = false;
      let stoppedNow = false;
      for (const record of group) {
        const nextDown = Math.max(down, record.downloadedBytes ?? 0);
        const nextUp = Math.max(up, record.uploadedBytes ?? 0);
        const nextSeconds = Math.max(seconds, record.sessionSeconds ?? 0);
        if (nextDown !== down || nextUp !== up || nextSeconds !== seconds) changed = true;
        down = nextDown;
        up = nextUp;
        seconds = nextSeconds;
        if (record.framedIp && record.framedIp !== framedIp) {
          framedIp = record.framedIp;
          changed = true;
        }
        if (record.statusType === AcctStatusType.Stop && stoppedAtMs === null) {
          stoppedAtMs = record.eventAtMs;
          cause = record.terminateCause ?? 'Unknown';
          stoppedNow = true;
          changed = true;
        }
      }
      const delta = {
        downloadedBytes: down - session.downloaded_bytes,
        uploadedBytes: up - session.uploaded_bytes,
        onlineSeconds: seconds - session.session_seconds,
      };
      if (changed || stoppedAtMs === null) {
        sessionUpdates.push({
          id: session.id,
          downloadedBytes: down,
          uploadedBytes: up,
          sessionSeconds: seconds,
          updatedAtMs: nowMs,
          stoppedAtMs,
          terminateCause: cause,
          framedIp,
        });
      }
      if (session.voucher_id === null) continue;
      const last = group[group.length - 1]!;
      const touch = this.touch(touched, session.voucher_id, last);
      touch.downloadedBytes += delta.downloadedBytes;
      touch.uploadedBytes += delta.uploadedBytes;
      touch.onlineSeconds += delta.onlineSeconds;
      touch.lastSessionAtMs = Math.max(touch.lastSessionAtMs, last.eventAtMs);
      if (stoppedAtMs === null) touch.open = true;
      if (group.some((r) => r.statusType === AcctStatusType.Start) || createdNow.has(session.id))
        touch.started = true;
      if (stoppedNow) touch.stopped = true;
      if (delta.downloadedBytes > 0 || delta.uploadedBytes > 0 || delta.onlineSeconds > 0) {
        const day = dayIn(last.eventAtMs, last.timeZone);
        const daily = touch.days.get(day) ?? { downloadedBytes: 0, uploadedBytes: 0, onlineSeconds: 0 };
        daily.downloadedBytes += delta.downloadedBytes;
        daily.uploadedBytes += delta.uploadedBytes;
        daily.onlineSeconds += delta.onlineSeconds;
        touch.days.set(day, daily);
        if (session.device_id !== null) {
          const d = deviceDeltas.get(session.device_id) ?? {
            tenantId: session.tenant_id,
            hotspotId: session.hotspot_id,
            downloadedBytes: 0,
            uploadedBytes: 0,
            onlineSeconds: 0,
          };
          d.downloadedBytes += delta.downloadedBytes;
          d.uploadedBytes += delta.uploadedBytes;
          d.onlineSeconds += delta.onlineSeconds;
          deviceDeltas.set(session.device_id, d);
        }
      }
    }

    await sessions.updateMany(sessionUpdates);

    const exhausted: VoucherExhaustedEvent[] = [];
    const ordered = [...touched.entries()].sort(([a], [b]) => a - b);
    const grown = ordered.filter(
      ([, t]) => t.downloadedBytes > 0 || t.uploadedBytes > 0 || t.onlineSeconds > 0,
    );
    const updated = await vouchers.addUsageMany(
      grown.map(([voucherId, t]) => ({
        tenantId: t.tenantId,
        id: voucherId,
        delta: t,
        lastSessionAtMs: t.lastSessionAtMs,
      })),
    );
    const dailyRows = [];
    for (const [voucherId, touch] of grown) {
      const voucher = updated.get(voucherId);
      if (!voucher) continue;
      for (const [day, daily] of [...touch.days.entries()].sort()) {
        dailyRows.push({
          tenantId: touch.tenantId,
          voucherId,
          customerId: voucher.customer_id,
          day,
          ...daily,
        });
      }
    }
    await sessions.addDailyMany(dailyRows);
    const goOnline: Array<{ tenantId: number; id: number }> = [];
    const goOffline: Array<{ tenantId: number; id: number }> = [];
    for (const [voucherId, touch] of ordered) {
      const voucher: Voucher | undefined = updated.get(voucherId);
      if (voucher) {
        const limits = evaluateVoucherLimits(voucher, nowMs);
        if (
          limits.exhausted &&
          (await vouchers.markUsed(touch.tenantId, voucherId, limits.exhausted, nowMs))
        ) {
          exhausted.push({ tenantId: touch.tenantId, voucherId, reason: limits.exhausted });
          continue;
        }
      }
      // Status transitions as conditional UPDATEs, only when they can change something; one
      // statement each for the whole batch (online first, as for a single voucher).
      if (touch.open && (voucher === undefined ? touch.started : voucher.status === 'active')) {
        goOnline.push({ tenantId: touch.tenantId, id: voucherId });
      }
      if (touch.stopped) goOffline.push({ tenantId: touch.tenantId, id: voucherId });
    }
    await vouchers.markOnlineMany(goOnline, nowMs);
    await vouchers.markOfflineIfIdleMany(goOffline, nowMs);
    await devices.addUsageMany(
      [...deviceDeltas.entries()]
        .sort(([a], [b]) => a - b)
        .map(([deviceId, delta]) => ({ deviceId, ...delta })),
      nowMs,
    );
    return exhausted;
  }

  private touch(
    touched: Map<number, VoucherTouch>,
    voucherId: number,
    record: AccountingRecord,
  ): VoucherTouch {
    let touch = touched.get(voucherId);
    if (!touch) {
      touch = {
        tenantId: record.tenantId,
        timeZone: record.timeZone,
        hotspotId: record.hotspotId,
        downloadedBytes: 0,
        uploadedBytes: 0,
        onlineSeconds: 0,
        lastSessionAtMs: 0,
        open: false,
        started: false,
        stopped: false,
        days: new Map(),
      };
      touched.set(voucherId, touch);
    }
    return touch;
  }

  /**
   * resolveOwner for many new sessions: one statement answers the common cases (our Class, or
   * the full code as User-Name); the rest (short code, MAC as User-Name, a Class naming a voucher
   * that is gone) go through resolveOwner one by one, with the same rules.
   */
  private async resolveOwners(
    vouchers: VoucherAccessRepository,
    devices: DeviceAccessRepository,
    records: AccountingRecord[],
  ): Promise<Array<{ voucherId: number | null; deviceId: number | null }>> {
    const inputs = records.map((record) => {
      const tag = decodeClassTag(record.classTag);
      return {
        tenantId: record.tenantId,
        tagVoucherId: tag?.voucherId ?? null,
        tagDeviceId: tag?.deviceId ?? null,
        code: record.userName.trim(),
        mac: (record.callingStationId ? parseMac(record.callingStationId) : undefined) ?? null,
      };
    });
    const facts = await vouchers.findSessionOwnerFacts(inputs);
    const owners: Array<{ voucherId: number | null; deviceId: number | null }> = [];
    for (const [i, record] of records.entries()) {
      const fact = facts[i]!;
      const input = inputs[i]!;
      if (fact.tagVoucherId !== null) {
        // Same order as resolveOwner: the Class's device if it still exists, else the MAC's.
        const deviceId = (input.tagDeviceId !== null ? fact.tagDeviceId : null) ?? fact.tagMacDeviceId;
        owners.push({ voucherId: fact.tagVoucherId, deviceId });
      } else if (fact.codeVoucherId !== null) {
        owners.push({ voucherId: fact.codeVoucherId, deviceId: fact.codeMacDeviceId });
      } else {
        owners.push(await this.resolveOwner(vouchers, devices, record));
      }
    }
    return owners;
  }

  /** Which voucher and device a new session belongs to: our Class, else User-Name / MAC. */
  private async resolveOwner(
    vouchers: VoucherAccessRepository,
    devices: DeviceAccessRepository,
    record: AccountingRecord,
  ): Promise<{ voucherId: number | null; deviceId: number | null }> {
    const mac = record.callingStationId ? parseMac(record.callingStationId) : undefined;
    const tag = decodeClassTag(record.classTag);
    if (tag) {
      const voucher = await vouchers.findById(record.tenantId, tag.voucherId);
      if (voucher) {
        let deviceId = tag.deviceId;
        if (deviceId !== null && !(await devices.findById(record.tenantId, deviceId))) deviceId = null;
        if (deviceId === null && mac)
          deviceId = (await devices.findOnVoucher(record.tenantId, voucher.id, mac))?.id ?? null;
        return { voucherId: voucher.id, deviceId };
      }
    }
    const name = record.userName.trim();
    const voucher =
      (await vouchers.findByCode(record.tenantId, name)) ??
      (await vouchers.findByShortCode(record.tenantId, name));
    if (voucher) {
      const deviceId = mac
        ? ((await devices.findOnVoucher(record.tenantId, voucher.id, mac))?.id ?? null)
        : null;
      return { voucherId: voucher.id, deviceId };
    }
    const byMac = (name ? parseMac(name) : undefined) ?? mac;
    if (byMac) {
      const device = (await devices.findByMac(record.tenantId, byMac))[0];
      if (device) return { voucherId: device.voucher_id, deviceId: device.id };
    }
    return { voucherId: null, deviceId: null };
  }
}
