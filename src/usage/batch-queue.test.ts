/**
 * How the next accounting batch is cut when several may be in flight: a session's packets stay
 * in order and never run in two batches at once; a NAS restart runs alone and is not overtaken.
 */
import { describe, expect, it } from 'vitest';
import { accountingRecord } from '../../test/helpers/accounting.js';
import { AcctStatusType } from './accounting-record.js';
import { sessionKey } from './batch-plan.js';
import { cutBatch } from './batch-queue.js';

const HOTSPOT = 3;
let sequence = 0;
const packet = (acctSessionId: string | undefined, statusType: number = AcctStatusType.InterimUpdate) => ({
  name: `${acctSessionId ?? 'nas'}#${++sequence}`,
  record: accountingRecord({
    tenantId: 1,
    hotspotId: HOTSPOT,
    statusType,
    acctSessionId,
    eventAtMs: sequence,
  }),
});
const names = (items: Array<{ name: string }>) => items.map((i) => i.name.replace(/#\d+$/, ''));
const restart = () => packet(undefined, AcctStatusType.AccountingOn);

describe('cutBatch', () => {
  it('takes packets in arrival order, at most maxBatch, and holds their sessions', () => {
    const queue = [packet('a'), packet('b'), packet('a'), packet('c')];
    const cut = cutBatch(queue, new Set(), 0, 3);
    expect(names(cut.batch)).toEqual(['a', 'b', 'a']);
    expect(names(cut.rest)).toEqual(['c']);
    expect([...cut.keys]).toEqual([sessionKey(HOTSPOT, 'a'), sessionKey(HOTSPOT, 'b')]);
    expect(cut.exclusive).toBe(false);
  });

  it('leaves every packet of a session held by a batch in flight queued, in order', () => {
    const queue = [packet('a'), packet('b'), packet('a'), packet('c'), packet('b')];
    const cut = cutBatch(queue, new Set([sessionKey(HOTSPOT, 'a')]), 1, 10);
    expect(names(cut.batch)).toEqual(['b', 'c', 'b']);
    expect(cut.rest.map((p) => p.name)).toEqual([queue[0]!.name, queue[2]!.name]);
    expect(cut.keys.has(sessionKey(HOTSPOT, 'a'))).toBe(false);
    // Another hotspot's session of the same Acct-Session-Id is another session.
    const other = { ...packet('a'), record: { ...packet('a').record, hotspotId: HOTSPOT + 1 } };
    expect(cutBatch([other], new Set([sessionKey(HOTSPOT, 'a')]), 1, 10).batch).toHaveLength(1);
  });

  it('a session split by maxBatch keeps its later packets for a later batch', () => {
    const queue = [packet('a'), packet('b'), packet('a')];
    const first = cutBatch(queue, new Set(), 0, 2);
    expect(names(first.batch)).toEqual(['a', 'b']);
    const second = cutBatch(first.rest, first.keys, 1, 2);
    expect(second.batch).toEqual([]); // 'a' is still in flight
    expect(names(cutBatch(first.rest, new Set(), 0, 2).batch)).toEqual(['a']);
  });

  it('runs a NAS restart only with nothing in flight, and nothing queued after it overtakes it', () => {
    const queue = [packet('a'), restart(), packet('b'), packet('c')];
    const busy = cutBatch(queue, new Set(), 1, 10);
    expect(names(busy.batch)).toEqual(['a']);
    expect(names(busy.rest)).toEqual(['nas', 'b', 'c']);
    expect(busy.exclusive).toBe(false);
    const alone = cutBatch(busy.rest, new Set(), 0, 10);
    expect(names(alone.batch)).toEqual(['nas', 'b', 'c']);
    expect(alone.exclusive).toBe(true);
  });
});
