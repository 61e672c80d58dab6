/**
 * The accounting batch planner without a database: what a batch of packets plus the rows read
 * for it turn into (session rows, usage deltas for vouchers, days and devices, status moves).
 */
import { describe, expect, it } from 'vitest';
import { accountingRecord } from '../../test/helpers/accounting.js';
import type { Voucher } from '../store/index.js';
import { AcctStatusType, encodeClassTag, type AccountingRecord } from './accounting-record.js';
import {
  dayIn,
  missingSessions,
  newSessionRow,
  planCounters,
  planDaily,
  planExhausted,
  planOffline,
  sessionKey,
  shapeBatch,
  type BatchReads,
  type PlannedSession,
} from './batch-plan.js';

const NOW = Date.UTC(2026, 10, 27, 12);
const HOTSPOT = 7;

const packet = (values: Partial<AccountingRecord> & { statusType: number }): AccountingRecord =>
  accountingRecord({
    tenantId: 1,
    hotspotId: HOTSPOT,
    timeZone: 'UTC',
    acctSessionId: 's-1',
    userName: 'CODE',
    callingStationId: 'F0:99:B6:12:34:56',
    framedIp: '10.0.0.2',
    eventAtMs: NOW,
    ...values,
  });
const interim = (down: number, up: number, seconds: number, values: Partial<AccountingRecord> = {}) =>
  packet({
    statusType: AcctStatusType.InterimUpdate,
    downloadedBytes: down,
    uploadedBytes: up,
    sessionSeconds: seconds,
    ...values,
  });
const stop = (down: number, up: number, seconds: number, values: Partial<AccountingRecord> = {}) =>
  packet({
    statusType: AcctStatusType.Stop,
    downloadedBytes: down,
    uploadedBytes: up,
    sessionSeconds: seconds,
    terminateCause: 'User-Request',
    ...values,
  });

const stored = (values: Partial<PlannedSession> = {}): PlannedSession => ({
  id: 100,
  tenant_id: 1,
  hotspot_id: HOTSPOT,
  acct_session_id: 's-1',
  voucher_id: 10,
  device_id: 20,
  downloaded_bytes: 0,
  uploaded_bytes: 0,
  session_seconds: 0,
  stopped_at: null,
  terminate_cause: null,
  framed_ip: '10.0.0.2',
  ...values,
});

/** Plans a batch against stored sessions (keyed by their Acct-Session-Id on HOTSPOT). */
function plan(
  records: AccountingRecord[],
  sessions: PlannedSession[],
  extra: Partial<Omit<BatchReads, 'sessions'>> = {},
) {
  const shape = shapeBatch(records);
  return planCounters(shape, {
    nowMs: NOW,
    closedByRestart: [],
    createdIds: new Set(),
    sessions: new Map(sessions.map((s) => [sessionKey(s.hotspot_id, s.acct_session_id), s])),
    ...extra,
  });
}

const voucherRow = (values: Partial<Voucher> = {}): Voucher =>
  ({
    id: 10,
    tenant_id: 1,
    customer_id: 5,
    status: 'online',
    used_reason: null,
    data_limit_bytes: null,
    download_limit_bytes: null,
    upload_limit_bytes: null,
    time_limit_seconds: null,
    valid_until_at: null,
    expires_at: null,
    downloaded_bytes: 0,
    uploaded_bytes: 0,
    online_seconds: 0,
    ...values,
  }) as Voucher;

describe('dayIn', () => {
  it("gives the zone's calendar day on either side of its midnight, also for instants in one second", () => {
    // 2026-03-01 00:00:00 in Asia/Kathmandu (UTC+05:45) is 2026-02-28 18:15:00 UTC.
    const midnight = Date.UTC(2026, 1, 28, 18, 15, 0);
    expect(dayIn(midnight - 1, 'Asia/Kathmandu')).toBe('2026-02-28');
    expect(dayIn(midnight, 'Asia/Kathmandu')).toBe('2026-03-01');
    expect(dayIn(midnight + 999, 'Asia/Kathmandu')).toBe('2026-03-01');
    expect(dayIn(midnight - 1000, 'Asia/Kathmandu')).toBe('2026-02-28');
    expect(dayIn(midnight + 999, 'UTC')).toBe('2026-02-28');
    expect(dayIn(midnight + 999, 'Asia/Kathmandu')).toBe('2026-03-01');
  });
});

describe('shapeBatch', () => {
  it('groups packets by (hotspot, Acct-Session-Id) in arrival order and keeps NAS restarts apart', () => {
    const shape = shapeBatch([
      interim(1, 1, 1, { acctSessionId: 'b' }),
      packet({ statusType: AcctStatusType.AccountingOn, acctSessionId: undefined }),
      interim(2, 2, 2, { acctSessionId: 'a' }),
      interim(3, 3, 3, { acctSessionId: 'b' }),
      interim(4, 4, 4, { acctSessionId: 'b', hotspotId: 8 }),
      packet({ statusType: AcctStatusType.Start, acctSessionId: undefined }), // no session id: dropped
      packet({ statusType: 99 }), // unknown type: dropped
    ]);
    expect(shape.nasRestarts).toHaveLength(1);
    expect(shape.sessions.map((s) => [s.hotspotId, s.acctSessionId, s.records.length])).toEqual([
      [HOTSPOT, 'b', 2],
      [HOTSPOT, 'a', 1],
      [8, 'b', 1],
    ]);
  });

  it('lists the sessions the database lacks in key order', () => {
    const shape = shapeBatch(['c', 'a', 'b'].map((id) => interim(1, 1, 1, { acctSessionId: id })));
    const found = new Map([[sessionKey(HOTSPOT, 'b'), stored({ acct_session_id: 'b' })]]);
    expect(missingSessions(shape, found).map((s) => s.acctSessionId)).toEqual(['a', 'c']);
  });
});

describe('planCounters', () => {
  it('adds only growth: duplicates and retransmissions in one batch count once', () => {
    const result = plan(
      [interim(1000, 100, 60), interim(1000, 100, 60), interim(1000, 100, 60, { eventAtMs: NOW - 5000 })],
      [stored()],
    );
    expect(result.voucherWrites).toEqual([
      {
        tenantId: 1,
        id: 10,
        delta: { downloadedBytes: 1000, uploadedBytes: 100, onlineSeconds: 60 },
        grew: true,
        // The batch's last packet of the session says when it was last seen.
        lastSessionAtMs: NOW - 5000,
        // Open with new usage: online if it is active (the statement checks the status).
        goOnline: true,
      },
    ]);
    expect(result.deviceUsage).toEqual([
      {
        deviceId: 20,
        tenantId: 1,
        hotspotId: HOTSPOT,
        downloadedBytes: 1000,
        uploadedBytes: 100,
        onlineSeconds: 60,
      },
    ]);
  });

  it('is idempotent against the stored counters: a packet already applied adds nothing', () => {
    const already = stored({ downloaded_bytes: 1000, uploaded_bytes: 100, session_seconds: 60 });
    const result = plan([interim(1000, 100, 60)], [already]);
    // No voucher is written (nor locked).
    expect(result.voucherWrites).toEqual([]);
    expect(result.deviceUsage).toEqual([]);
    // Still open: its row is written (updated_at moves, the stale-session sweep leaves it).
    expect(result.sessionUpdates).toEqual([
      {
        id: 100,
        downloadedBytes: 1000,
        uploadedBytes: 100,
        sessionSeconds: 60,
        updatedAtMs: NOW,
        stoppedAtMs: null,
        terminateCause: null,
        framedIp: '10.0.0.2',
      },
    ]);
    expect(result.vouchers[0]).toMatchObject({ open: true, started: false, stopped: false, days: new Map() });
  });

  it('ignores counters that go backwards (out of order, or a 32-bit wrap without Gigawords)', () => {
    const result = plan(
      [interim(2 ** 32 - 10, 500, 600), interim(5, 600, 660)],
      [stored({ downloaded_bytes: 2 ** 32 - 100, uploaded_bytes: 400, session_seconds: 500 })],
    );
    // The wrapped download (5) is below the stored value: only the growth to 2^32-10 counts.
    expect(result.voucherWrites[0]!.delta).toEqual({
      downloadedBytes: 90,
      uploadedBytes: 200,
      onlineSeconds: 160,
    });
    expect(result.sessionUpdates[0]).toMatchObject({ downloadedBytes: 2 ** 32 - 10, uploadedBytes: 600 });
  });

  it('takes a Stop after an Interim in the same batch, with the highest counters', () => {
    const result = plan([interim(500, 50, 30), stop(800, 80, 50, { eventAtMs: NOW + 1000 })], [stored()]);
    expect(result.sessionUpdates[0]).toMatchObject({
      downloadedBytes: 800,
      stoppedAtMs: NOW + 1000,
      terminateCause: 'User-Request',
    });
    expect(result.vouchers[0]).toMatchObject({ open: false, stopped: true, lastSessionAtMs: NOW + 1000 });
    expect(result.voucherWrites[0]!.delta).toEqual({
      downloadedBytes: 800,
      uploadedBytes: 80,
      onlineSeconds: 50,
    });
  });

  it('never reopens or re-stops a stopped session; a late packet changes nothing', () => {
    const closed = stored({
      downloaded_bytes: 800,
      uploaded_bytes: 80,
      session_seconds: 50,
      stopped_at: NOW - 1000,
      terminate_cause: 'User-Request',
    });
    const result = plan(
      [interim(500, 50, 30), stop(800, 80, 50, { terminateCause: 'Idle-Timeout' })],
      [closed],
    );
    expect(result.sessionUpdates).toEqual([]);
    expect(result.voucherWrites).toEqual([]);
    expect(result.vouchers[0]).toMatchObject({ open: false, stopped: false });
  });

  it('a Stop without a cause is recorded as Unknown', () => {
    const result = plan([stop(1, 1, 1, { terminateCause: undefined })], [stored()]);
    expect(result.sessionUpdates[0]!.terminateCause).toBe('Unknown');
  });

  it('records a new framed IP even without counter growth', () => {
    const closed = stored({ stopped_at: NOW - 1, terminate_cause: 'Lost-Service' });
    const result = plan([interim(0, 0, 0, { framedIp: '10.0.0.9' })], [closed]);
    expect(result.sessionUpdates[0]).toMatchObject({ framedIp: '10.0.0.9', stoppedAtMs: NOW - 1 });
  });

  it('writes no session row for a Start that created its session, but does when its packets moved it', () => {
    const created = { createdIds: new Set([100]) };
    const start = plan([packet({ statusType: AcctStatusType.Start })], [stored()], created);
    expect(start.sessionUpdates).toEqual([]);
    expect(start.vouchers[0]).toMatchObject({ started: true, open: true });
    const lostStart = plan([interim(1000, 100, 60)], [stored()], created);
    expect(lostStart.sessionUpdates).toMatchObject([{ id: 100, downloadedBytes: 1000, stoppedAtMs: null }]);
  });

  it('counts a Start, or a session this batch created (lost Start), as started', () => {
    const started = plan([packet({ statusType: AcctStatusType.Start })], [stored()]);
    expect(started.vouchers[0]).toMatchObject({ started: true, open: true });
    const lost = plan([interim(1, 1, 1)], [stored()], { createdIds: new Set([100]) });
    expect(lost.vouchers[0]!.started).toBe(true);
    const known = plan([interim(1, 1, 1)], [stored()]);
    expect(known.vouchers[0]!.started).toBe(false);
  });

  it("keeps an unknown user's session but counts it towards no voucher, day or device", () => {
    const result = plan([interim(1000, 100, 60)], [stored({ voucher_id: null, device_id: null })]);
    expect(result.sessionUpdates).toHaveLength(1);
    expect(result.vouchers).toEqual([]);
    expect(result.voucherWrites).toEqual([]);
    expect(result.deviceUsage).toEqual([]);
  });

  it("splits the growth by calendar day in the tenant's time zone", () => {
    const lateEvening = Date.UTC(2026, 10, 28, 4, 30); // 23:30 on the 27th in New York
    const result = plan(
      [
        interim(100, 0, 60, { acctSessionId: 'a', timeZone: 'America/New_York', eventAtMs: lateEvening }),
        interim(250, 0, 120, {
          acctSessionId: 'b',
          timeZone: 'America/New_York',
          eventAtMs: lateEvening + 3_600_000,
        }),
      ],
      [stored({ id: 1, acct_session_id: 'a' }), stored({ id: 2, acct_session_id: 'b' })],
    );
    expect([...result.vouchers[0]!.days]).toEqual([
      ['2026-11-27', { downloadedBytes: 100, uploadedBytes: 0, onlineSeconds: 60 }],
      ['2026-11-28', { downloadedBytes: 250, uploadedBytes: 0, onlineSeconds: 120 }],
    ]);
  });

  it('marks the vouchers of sessions a NAS restart closed as stopped; orders vouchers and devices by id', () => {
    const restart = packet({ statusType: AcctStatusType.AccountingOn, acctSessionId: undefined });
    const result = plan(
      [interim(1, 1, 1, { acctSessionId: 'x' }), interim(1, 1, 1, { acctSessionId: 'y' })],
      [
        stored({ id: 1, acct_session_id: 'x', voucher_id: 30, device_id: 40 }),
        stored({ id: 2, acct_session_id: 'y', voucher_id: 12, device_id: 4 }),
      ],
      { closedByRestart: [{ record: restart, voucherIds: [50] }] },
    );
    expect(result.vouchers.map((v) => [v.voucherId, v.stopped])).toEqual([
      [12, false],
      [30, false],
      [50, true],
    ]);
    // Every voucher it may write, in id order (the lock order); the restart's only goes offline.
    expect(result.voucherWrites.map((v) => [v.id, v.grew, v.goOnline])).toEqual([
      [12, true, true],
      [30, true, true],
      [50, false, false],
    ]);
    expect(result.deviceUsage.map((d) => d.deviceId)).toEqual([4, 40]);
  });
});

describe('planDaily, planExhausted and planOffline', () => {
  const counters = (records: AccountingRecord[], sessions = [stored()], createdIds = new Set<number>()) =>
    plan(records, sessions, { createdIds });

  it('writes daily rows where usage grew, and finds exhausted vouchers', () => {
    const c = counters([interim(1000, 0, 60)]);
    expect(planDaily(c.vouchers)).toEqual([
      {
        tenantId: 1,
        voucherId: 10,
        day: '2026-11-27',
        downloadedBytes: 1000,
        uploadedBytes: 0,
        onlineSeconds: 60,
      },
    ]);
    const updated = new Map([[10, voucherRow({ downloaded_bytes: 1000, data_limit_bytes: 1000 })]]);
    expect(planExhausted(c.vouchers, updated, NOW)).toEqual([{ tenantId: 1, voucherId: 10, reason: 'data' }]);
    // A voucher the update did not answer (gone meanwhile) is not judged.
    expect(planExhausted(c.vouchers, new Map(), NOW)).toEqual([]);
  });

  it('checks limits only where usage grew (a voucher written only to go online is not judged)', () => {
    const start = counters([packet({ statusType: AcctStatusType.Start })]);
    const over = new Map([[10, voucherRow({ downloaded_bytes: 5000, data_limit_bytes: 1000 })]]);
    expect(planDaily(start.vouchers)).toEqual([]);
    expect(planExhausted(start.vouchers, over, NOW)).toEqual([]);
  });

  it('puts a voucher online while a session is open with new usage or a Start; back when one stopped', () => {
    expect(counters([interim(1, 1, 1)]).voucherWrites[0]).toMatchObject({ grew: true, goOnline: true });
    const start = counters([packet({ statusType: AcctStatusType.Start })]);
    expect(start.voucherWrites).toEqual([expect.objectContaining({ id: 10, grew: false, goOnline: true })]);
    const quiet = counters([interim(0, 0, 0)]);
    expect(quiet.voucherWrites).toEqual([]);
    expect(planDaily(quiet.vouchers)).toEqual([]);
    const stopped = counters([stop(2, 2, 2)]);
    expect(stopped.voucherWrites[0]).toMatchObject({ grew: true, goOnline: false });
    expect(planOffline(stopped.vouchers, new Set())).toEqual([{ tenantId: 1, id: 10 }]);
    // Marked used by the batch: it does not move back to active.
    expect(planOffline(stopped.vouchers, new Set([10]))).toEqual([]);
    // A Stop without growth still locks the voucher it may move.
    const bare = counters([stop(0, 0, 0)]);
    expect(bare.voucherWrites).toEqual([expect.objectContaining({ id: 10, grew: false, goOnline: false })]);
  });
});

describe('new sessions', () => {
  it('derives the start of a session whose Start was lost from Acct-Session-Time', () => {
    expect(newSessionRow(interim(1, 1, 600), NOW).startedAtMs).toBe(NOW - 600_000);
    expect(newSessionRow(packet({ statusType: AcctStatusType.Start }), NOW)).toMatchObject({
      startedAtMs: NOW,
      mac: 'F0:99:B6:12:34:56',
      nowMs: NOW,
    });
  });

  it('takes what the owner is decided from: our Class, and the code as typed without spaces', () => {
    const tagged = newSessionRow(
      packet({ statusType: 1, classTag: encodeClassTag(10, 20), userName: ' CODE ' }),
      NOW,
    );
    expect(tagged.owner).toEqual({ tagVoucherId: 10, tagDeviceId: 20, code: 'CODE' });
    expect(newSessionRow(packet({ statusType: 1, classTag: undefined }), NOW).owner).toMatchObject({
      tagVoucherId: null,
      tagDeviceId: null,
    });
  });
});
