/**
 * How a disconnect a page follows stands (issue 15, 11): the pure judgement, and the stored
 * facts it reads (sessions live at the instant, requests since), on every database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../test/helpers/databases.js';
import {
  createHotspot,
  createPlan,
  createSession,
  createTenant,
  createVoucher,
} from '../../test/helpers/factories.js';
import { CHECKING_AT_MOST_MS, judgeDisconnectProgress } from './disconnect-progress.js';
import { FakeSessionTerminator } from './terminator.js';

describe('judgeDisconnectProgress', () => {
  const since = 1_000_000;
  const open = { id: 1, stoppedAtMs: null };
  const request = (status: string, errorCause: number | null = null, createdAtMs = since) => ({
    sessionId: 1,
    status,
    errorCause,
    createdAtMs,
  });

  it('reads nothing online as none, and a request not yet recorded or under way as checking', () => {
    expect(judgeDisconnectProgress([], [], since, since)).toEqual({ progress: 'none', errorCause: null });
    expect(judgeDisconnectProgress([open], [], since, since + 100).progress).toBe('checking');
    expect(judgeDisconnectProgress([open], [request('pending')], since, since + 20_000).progress).toBe(
      'checking',
    );
  });

  it('confirms an ACK, a NAK "no such session" (503) and a stopped session', () => {
    expect(judgeDisconnectProgress([open], [request('acked')], since, since).progress).toBe('confirmed');
    expect(judgeDisconnectProgress([open], [request('nacked', 503)], since, since).progress).toBe(
      'confirmed',
    );
    expect(judgeDisconnectProgress([{ id: 1, stoppedAtMs: since + 5 }], [], since, since).progress).toBe(
      'confirmed',
    );
  });

  it('reads silence, a refusal or a request left pending by a stopped process as not confirmed', () => {
    expect(judgeDisconnectProgress([open], [request('timeout')], since, since)).toEqual({
      progress: 'pending',
      errorCause: null,
    });
    expect(judgeDisconnectProgress([open], [request('nacked', 501)], since, since)).toEqual({
      progress: 'pending',
      errorCause: 501,
    });
    const late = since + CHECKING_AT_MOST_MS + 1;
    expect(judgeDisconnectProgress([open], [request('pending')], since, late).progress).toBe('pending');
    expect(judgeDisconnectProgress([open], [], since, late).progress).toBe('pending');
  });

  it('goes by the latest request of each session, and is checking while any session is', () => {
    const two = [open, { id: 2, stoppedAtMs: null }];
    const requests = [
      request('timeout'),
      request('acked', null, since + 10),
      { ...request('pending'), sessionId: 2 },
    ];
    expect(judgeDisconnectProgress(two, requests, since, since + 20).progress).toBe('checking');
    expect(judgeDisconnectProgress([open], requests.slice(0, 2), since, since + 20).progress).toBe(
      'confirmed',
    );
  });
});

describe.each(TEST_DIALECTS)('UsageService.disconnectProgress (%s)', (dialect) => {
  let app: TestApp;
  const terminator = new FakeSessionTerminator();

  beforeAll(async () => {
    app = await buildTestApp(dialect, { overrides: { sessionTerminator: terminator } });
  });
  afterAll(() => app.destroy());

  it('follows a MAC on a voucher and a single session, inside one tenant only', async () => {
    const db = app.store.db;
    const tenantId = app.bootstrapped.tenant.id;
    const hotspot = await createHotspot(db, tenantId);
    const plan = await createPlan(db, tenantId);
    const voucher = await createVoucher(db, plan, { status: 'online' });
    const mac = 'AA:BB:CC:00:11:22';
    const nowMs = app.clock.nowMs();
    const session = await createSession(db, {
      tenant_id: tenantId,
      hotspot_id: hotspot.id,
      voucher_id: voucher.id,
      mac,
      started_at: nowMs - 60_000,
    });
    const target = { voucherId: voucher.id, mac };
    // Asked for, nothing recorded yet: the exchange is starting.
    await expect(app.usage.disconnectProgress(tenantId, target, nowMs)).resolves.toEqual({
      progress: 'checking',
      errorCause: null,
    });
    terminator.answer = { status: 'nacked', errorCause: 501, attempts: 1 };
    await app.usage.disconnectMac(tenantId, voucher.id, mac, 'device_removed');
    await expect(app.usage.disconnectProgress(tenantId, target, nowMs)).resolves.toEqual({
      progress: 'pending',
      errorCause: 501,
    });
    app.clock.advance(1_000);
    const later = app.clock.nowMs();
    terminator.answer = { status: 'acked', errorCause: null, attempts: 1 };
    await app.usage.disconnectSession(tenantId, session.id, 'operator');
    await expect(app.usage.disconnectProgress(tenantId, { sessionId: session.id }, later)).resolves.toEqual({
      progress: 'confirmed',
      errorCause: null,
    });
    // Another MAC of the voucher, or another tenant, had nothing online.
    await expect(
      app.usage.disconnectProgress(tenantId, { voucherId: voucher.id, mac: 'AA:BB:CC:00:11:23' }, nowMs),
    ).resolves.toMatchObject({ progress: 'none' });
    const other = await createTenant(db);
    await expect(
      app.usage.disconnectProgress(other.id, { sessionId: session.id }, later),
    ).resolves.toMatchObject({
      progress: 'none',
    });
  });
});
