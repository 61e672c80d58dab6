/**
 * The accounting batch planner: pure functions from one batch of Accounting-Requests and the rows
 * the writer read for it to the writes to make. No database, no clock, no I/O: the writer
 * (accounting.ts) reads, calls these, and writes what they answer, in this order:
 *
 *   shapeBatch → [close NAS sessions, find sessions] → missingSessions → [insert (owners), find]
 *   → planCounters, planDaily → [sessions, lock vouchers + usage + online, devices, daily rows,
 *   owners' portals] → planExhausted → [mark used] → planOffline → [offline]
 *
 * Idempotency lives here: sessions hold the cumulative counters the NAS reported; a packet only
 * moves them up (max), and only the growth becomes a delta for vouchers, days and devices. So
 * duplicates, retransmissions with a new Acct-Delay-Time, out-of-order packets and a counter that
 * goes backwards (a 32-bit wrap without Gigawords, a NAS that lost its counters) add nothing.
 */
import { parseMac, type DeviceUsageDelta } from '../devices/index.js';
import { evaluateVoucherLimits, type VoucherLimitFields, type VoucherUsageDelta } from '../vouchers/index.js';
import {
  AcctStatusType,
  decodeClassTag,
  type AccountingRecord,
  type VoucherExhaustedEvent,
} from './accounting-record.js';
import type { DailyRow, NewSession, PlannedSession, SessionUpdate } from './sessions-repository.js';

export type { DailyRow, PlannedSession };

/** The packets of one session in a batch, in arrival order. */
export interface SessionPackets {
  key: string;
  hotspotId: number;
  acctSessionId: string;
  records: AccountingRecord[];
}

export interface BatchShape {
  /** Accounting-On/Off: the NAS (re)started, none of its sessions survive (RFC 2866 §5.1). */
  nasRestarts: AccountingRecord[];
  /** Start, Interim-Update and Stop packets by session, sessions in order of first arrival. */
  sessions: SessionPackets[];
}

/** A session's identity: Acct-Session-Id is unique per NAS only. */
export function sessionKey(hotspotId: number, acctSessionId: string): string {
  return `${hotspotId}\u0000${acctSessionId}`;
}

/** Sorts a batch into NAS restarts and per-session packet groups; other packets are dropped. */
export function shapeBatch(records: readonly AccountingRecord[]): BatchShape {
  const nasRestarts: AccountingRecord[] = [];
  const sessions = new Map<string, SessionPackets>();
  for (const record of records) {
    const type = record.statusType;
    if (type === AcctStatusType.AccountingOn || type === AcctStatusType.AccountingOff) {
      nasRestarts.push(record);
      continue;
    }
    if (
      record.acctSessionId === undefined ||
      (type !== AcctStatusType.Start && type !== AcctStatusType.Stop && type !== AcctStatusType.InterimUpdate)
    )
      continue;
    const key = sessionKey(record.hotspotId, record.acctSessionId);
    const group = sessions.get(key);
    if (group) group.records.push(record);
    else
      sessions.set(key, {
        key,
        hotspotId: record.hotspotId,
        acctSessionId: record.acctSessionId,
        records: [record],
      });
  }
  return { nasRestarts, sessions: [...sessions.values()] };
}

/**
 * The sessions the batch names that the database does not hold yet (a lost Start is normal: an
 * Interim or Stop for an unknown session creates it), in key order so that concurrent
 * processes insert them in the same order.
 */
export function missingSessions(
  shape: BatchShape,
  found: ReadonlyMap<string, PlannedSession>,
): SessionPackets[] {
  return shape.sessions
    .filter((s) => !found.has(s.key))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function macOf(record: AccountingRecord): string | null {
  return (record.callingStationId ? parseMac(record.callingStationId) : undefined) ?? null;
}

/**
 * The row a new session starts as, from the first packet that named it. Without a Start, the
 * start is derived from Acct-Session-Time.
 */
export function newSessionRow(first: AccountingRecord, nowMs: number): NewSession {
  const tag = decodeClassTag(first.classTag);
  return {
    tenantId: first.tenantId,
    hotspotId: first.hotspotId,
    acctSessionId: first.acctSessionId!,
    owner: {
      tagVoucherId: tag?.voucherId ?? null,
      tagDeviceId: tag?.deviceId ?? null,
      code: first.userName.trim(),
    },
    userName: first.userName,
    mac: macOf(first),
    framedIp: first.framedIp ?? null,
    nasPort: first.nasPort ?? null,
    classTag: first.classTag ?? null,
    startedAtMs:
      first.statusType === AcctStatusType.Start
        ? first.eventAtMs
        : first.eventAtMs - (first.sessionSeconds ?? 0) * 1000,
    nowMs,
  };
}

/** What the writer read for a batch, after creating its missing sessions. */
export interface BatchReads {
  nowMs: number;
  /** Each NAS restart of the batch, with the vouchers whose open sessions it closed. */
  closedByRestart: ReadonlyArray<{ record: AccountingRecord; voucherIds: readonly number[] }>;
  /** Every session the batch names, by sessionKey (missing only if it could not be created). */
  sessions: ReadonlyMap<string, PlannedSession>;
  /** The sessions this batch created (a lost Start counts as a Start). */
  createdIds: ReadonlySet<number>;
}

type Usage = VoucherUsageDelta;

/** What the batch did to one voucher. */
export interface VoucherTouch {
  voucherId: number;
  tenantId: number;
  /** Usage growth over the batch. */
  usage: Usage;
  lastSessionAtMs: number;
  /** One of its sessions is still open after the batch. */
  open: boolean;
  /** A Start (or a lost Start) was seen: the voucher may need to go online. */
  started: boolean;
  /** One of its sessions ended (Stop or NAS restart): it may go back to active. */
  stopped: boolean;
  /** Growth per calendar day in the tenant's time zone (YYYY-MM-DD). */
  days: Map<string, Usage>;
}

/** One voucher's writes in a batch (see VoucherAccessRepository.applyAccountingMany). */
export interface VoucherWrite {
  tenantId: number;
  id: number;
  /** Usage growth (all zero when `grew` is false). */
  delta: Usage;
  grew: boolean;
  lastSessionAtMs: number;
  /**
   * active → online: a session of it is open after the batch and it either has new usage or the
   * batch started a session (without either, a quiet Interim writes no voucher row).
   */
  goOnline: boolean;
}

export interface CounterPlan {
  /**
   * Every session whose row changes, or that is still open (its updated_at moves) and was not
   * created by this batch.
   */
  sessionUpdates: SessionUpdate[];
  /**
   * Every voucher the batch may write, by id (the lock order: the writer locks them all in one
   * statement before it writes any): its usage grew, it may go online, or a session of it ended.
   */
  voucherWrites: VoucherWrite[];
  /** Every voucher the batch touched, by id. */
  vouchers: VoucherTouch[];
  /** Devices whose usage grew, by id. */
  deviceUsage: DeviceUsageDelta[];
}

const grew = (u: Usage) => u.downloadedBytes > 0 || u.uploadedBytes > 0 || u.onlineSeconds > 0;
const zero = (): Usage => ({ downloadedBytes: 0, uploadedBytes: 0, onlineSeconds: 0 });
function add(to: Usage, delta: Usage): void {
  to.downloadedBytes += delta.downloadedBytes;
  to.uploadedBytes += delta.uploadedBytes;
  to.onlineSeconds += delta.onlineSeconds;
}

/** The sessions' new state and the usage growth of their vouchers, days and devices. */
export function planCounters(shape: BatchShape, reads: BatchReads): CounterPlan {
  const touched = new Map<number, VoucherTouch>();
  const touch = (voucherId: number, record: AccountingRecord): VoucherTouch => {
    let t = touched.get(voucherId);
    if (!t) {
      t = {
        voucherId,
        tenantId: record.tenantId,
        usage: zero(),
        lastSessionAtMs: 0,
        open: false,
        started: false,
        stopped: false,
        days: new Map(),
      };
      touched.set(voucherId, t);
    }
    return t;
  };
  const devices = new Map<number, DeviceUsageDelta>();

  for (const { record, voucherIds } of reads.closedByRestart)
    for (const voucherId of voucherIds) touch(voucherId, record).stopped = true;

  const sessionUpdates: SessionUpdate[] = [];
  for (const group of shape.sessions) {
    const session = reads.sessions.get(group.key);
    if (!session) continue;
    const next = foldPackets(session, group.records);
    // An open session's updated_at moves with every packet (the stale-session sweep reads it),
    // except in the batch that created it: its row was just written with this batch's time.
    if (next.changed || (next.stoppedAtMs === null && !reads.createdIds.has(session.id))) {
      sessionUpdates.push({
        id: session.id,
        downloadedBytes: next.downloadedBytes,
        uploadedBytes: next.uploadedBytes,
        sessionSeconds: next.sessionSeconds,
        updatedAtMs: reads.nowMs,
        stoppedAtMs: next.stoppedAtMs,
        terminateCause: next.terminateCause,
        framedIp: next.framedIp,
      });
    }
    // An unknown user's session is kept, but counts towards no voucher or device.
    if (session.voucher_id === null) continue;
    const delta: Usage = {
      downloadedBytes: next.downloadedBytes - session.downloaded_bytes,
      uploadedBytes: next.uploadedBytes - session.uploaded_bytes,
      onlineSeconds: next.sessionSeconds - session.session_seconds,
    };
    const last = group.records[group.records.length - 1]!;
    const t = touch(session.voucher_id, last);
    add(t.usage, delta);
    t.lastSessionAtMs = Math.max(t.lastSessionAtMs, last.eventAtMs);
    if (next.stoppedAtMs === null) t.open = true;
    if (group.records.some((r) => r.statusType === AcctStatusType.Start) || reads.createdIds.has(session.id))
      t.started = true;
    if (next.stoppedNow) t.stopped = true;
    if (!grew(delta)) continue;
    const day = dayIn(last.eventAtMs, last.timeZone);
    const daily = t.days.get(day) ?? zero();
    add(daily, delta);
    t.days.set(day, daily);
    if (session.device_id !== null) {
      const d = devices.get(session.device_id) ?? {
        deviceId: session.device_id,
        tenantId: session.tenant_id,
        hotspotId: session.hotspot_id,
        ...zero(),
      };
      add(d, delta);
      devices.set(session.device_id, d);
    }
  }

  const vouchers = [...touched.values()].sort((a, b) => a.voucherId - b.voucherId);
  return {
    sessionUpdates,
    voucherWrites: vouchers
      .map((t) => ({
        tenantId: t.tenantId,
        id: t.voucherId,
        delta: t.usage,
        grew: grew(t.usage),
        lastSessionAtMs: t.lastSessionAtMs,
        goOnline: t.open && (grew(t.usage) || t.started),
        stopped: t.stopped,
      }))
      .filter((w) => w.grew || w.goOnline || w.stopped)
      .map(({ stopped: _stopped, ...write }) => write),
    vouchers,
    deviceUsage: [...devices.values()].sort((a, b) => a.deviceId - b.deviceId),
  };
}

/** A session after its packets of this batch: counters only grow, a Stop is taken once. */
function foldPackets(
  session: PlannedSession,
  records: readonly AccountingRecord[],
): {
  downloadedBytes: number;
  uploadedBytes: number;
  sessionSeconds: number;
  stoppedAtMs: number | null;
  terminateCause: string | null;
  framedIp: string | null;
  changed: boolean;
  stoppedNow: boolean;
} {
  let down = session.downloaded_bytes;
  let up = session.uploaded_bytes;
  let seconds = session.session_seconds;
  let stoppedAtMs = session.stopped_at;
  let cause = session.terminate_cause;
  let framedIp = session.framed_ip;
  let changed = false;
  let stoppedNow = false;
  for (const record of records) {
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
  return {
    downloadedBytes: down,
    uploadedBytes: up,
    sessionSeconds: seconds,
    stoppedAtMs,
    terminateCause: cause,
    framedIp,
    changed,
    stoppedNow,
  };
}

/** The per-day rollup rows of the vouchers whose usage grew (the writer adds their owner). */
export function planDaily(vouchers: readonly VoucherTouch[]): DailyRow[] {
  const dailyRows: DailyRow[] = [];
  for (const t of vouchers) {
    if (!grew(t.usage)) continue;
    for (const [day, daily] of [...t.days.entries()].sort())
      dailyRows.push({ tenantId: t.tenantId, voucherId: t.voucherId, day, ...daily });
  }
  return dailyRows;
}

/**
 * From the vouchers as the usage update left them, among those whose usage grew: the ones whose
 * limits are now reached.
 */
export function planExhausted(
  vouchers: readonly VoucherTouch[],
  updated: ReadonlyMap<number, VoucherLimitFields>,
  nowMs: number,
): VoucherExhaustedEvent[] {
  const exhausted: VoucherExhaustedEvent[] = [];
  for (const t of vouchers) {
    const voucher = updated.get(t.voucherId);
    if (!voucher || !grew(t.usage)) continue;
    const reason = evaluateVoucherLimits(voucher, nowMs).exhausted;
    if (reason) exhausted.push({ tenantId: t.tenantId, voucherId: t.voucherId, reason });
  }
  return exhausted;
}

/**
 * online → active for the vouchers one of whose sessions ended (the writer's statement checks
 * that none is left open, after the vouchers are locked, so it sees every batch committed
 * before). A voucher the batch marked used does not move. (active → online is part of the usage
 * statement: VoucherWrite.goOnline.)
 */
export function planOffline(
  vouchers: readonly VoucherTouch[],
  markedUsed: ReadonlySet<number>,
): Array<{ tenantId: number; id: number }> {
  return vouchers
    .filter((t) => t.stopped && !markedUsed.has(t.voucherId))
    .map((t) => ({ tenantId: t.tenantId, id: t.voucherId }));
}

const dayFormatters = new Map<string, { format: Intl.DateTimeFormat; lastSecond: number; lastDay: string }>();

/**
 * The calendar day (YYYY-MM-DD) in a time zone; formatters are cached (creating one is slow), and
 * so is the last answer per zone by whole second: a batch's packets mostly share their second,
 * and no zone's offset has a fraction of a second, so a day never changes inside one.
 */
export function dayIn(instantMs: number, timeZone: string): string {
  let cached = dayFormatters.get(timeZone);
  if (!cached) {
    const format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    cached = { format, lastSecond: Number.NaN, lastDay: '' };
    dayFormatters.set(timeZone, cached);
  }
  const second = Math.floor(instantMs / 1000);
  if (second !== cached.lastSecond) {
    cached.lastDay = cached.format.format(instantMs);
    cached.lastSecond = second;
  }
  return cached.lastDay;
}
