/**
 * Which queued Accounting-Requests form the next batch when several batches may be in flight
 * (PostgreSQL: each on its own pooled connection, one committing while the next executes).
 * Pure: no database, no timers; the recorder (accounting.ts) owns the queue and calls this.
 *
 * Two rules keep the result the same as one batch at a time:
 * - a session's packets are never applied out of order or concurrently: a packet whose session
 *   is in an in-flight batch stays queued for a later batch, and so does every later packet of
 *   that session (they keep their arrival order);
 * - Accounting-On/Off (a NAS restart closes all of its sessions) runs in a batch of its own kind:
 *   only when nothing else is in flight, with nothing started beside it, and nothing queued after
 *   it is taken before it.
 */
import { AcctStatusType, type AccountingRecord } from './accounting-record.js';
import { sessionKey } from './batch-plan.js';

export function isNasRestart(record: AccountingRecord): boolean {
  return (
    record.statusType === AcctStatusType.AccountingOn || record.statusType === AcctStatusType.AccountingOff
  );
}

/** The session a packet belongs to (undefined: none, e.g. a NAS restart or a malformed packet). */
export function keyOf(record: AccountingRecord): string | undefined {
  return record.acctSessionId === undefined ? undefined : sessionKey(record.hotspotId, record.acctSessionId);
}

export interface BatchCut<T> {
  /** The next batch, in arrival order (empty: everything queued waits for an in-flight batch). */
  batch: T[];
  /** What stays queued, in arrival order. */
  rest: T[];
  /** The session keys the batch holds until it commits. */
  keys: Set<string>;
  /** The batch holds a NAS restart: nothing may run beside it. */
  exclusive: boolean;
}

/**
 * Cuts the next batch from `queue` (arrival order): at most `maxBatch` packets, none of a session
 * in `busyKeys`; a NAS restart only when `inFlight` is 0.
 */
export function cutBatch<T extends { record: AccountingRecord }>(
  queue: readonly T[],
  busyKeys: ReadonlySet<string>,
  inFlight: number,
  maxBatch: number,
): BatchCut<T> {
  const batch: T[] = [];
  const rest: T[] = [];
  const keys = new Set<string>();
  let exclusive = false;
  let barrier = false;
  for (const pending of queue) {
    if (barrier || batch.length >= maxBatch) {
      rest.push(pending);
      continue;
    }
    if (isNasRestart(pending.record)) {
      if (inFlight > 0) {
        // Wait for the batches in flight; nothing queued after the restart overtakes it.
        barrier = true;
        rest.push(pending);
        continue;
      }
      exclusive = true;
      batch.push(pending);
      continue;
    }
    const key = keyOf(pending.record);
    if (key !== undefined && busyKeys.has(key)) {
      rest.push(pending);
      continue;
    }
    if (key !== undefined) keys.add(key);
    batch.push(pending);
  }
  return { batch, rest, keys, exclusive };
}
