/**
 * RFC 5176 Disconnect client against a simulated NAS: attributes, authenticators, ACK/NAK/silence
 * and retransmissions; quota exhaustion disconnecting the session end to end.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Attr,
  Code,
  decodePacket,
  getInteger,
  getIpAddress,
  getString,
  verifyMessageAuthenticator,
  verifyZeroAuthenticatorRequest,
  ZERO_AUTHENTICATOR,
} from '../../src/radius/protocol/index.js';
import { AcctStatusType } from '../../src/usage/index.js';
import { createApiToken } from '../helpers/admin.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import {
  NAS_SECRET,
  NasSimulator,
  createPlan,
  createRadiusWorld,
  createSession,
  createVoucher,
} from '../helpers/radius-factories.js';

const OPERATOR_WAIT_MS = 150;

describe.each(TEST_DIALECTS)('Disconnect client and NAS simulator (%s)', (dialect) => {
  let app: TestApp;
  let nas: NasSimulator;
  let world: Awaited<ReturnType<typeof createRadiusWorld>>;

  beforeAll(async () => {
    nas = new NasSimulator(NAS_SECRET);
    const port = await nas.start();
    app = await buildTestApp(dialect, {
      overrides: {
        disconnectTiming: { initialTimeoutMs: 100, maxDurationMs: 1000 },
        // An operator waits this long for the hotspot, then gets "pending".
        deviceDisconnectWaitMs: OPERATOR_WAIT_MS,
      },
    });
    world = await createRadiusWorld(app.store.db, { hotspot: { coa_port: port } });
  });
  afterEach(() => {
    nas.requests.length = 0;
    nas.mode = { answer: 'ack' };
    nas.answerFromAttempt = 1;
  });
  afterAll(async () => {
    await app?.destroy();
    await nas?.close();
  });

  const openSession = (values: Record<string, unknown> = {}) =>
    createSession(app.store.db, {
      tenant_id: world.tenant.id,
      hotspot_id: world.hotspot.id,
      voucher_id: world.voucher.id,
      user_name: world.voucher.code,
      mac: 'F0:99:B6:12:34:56',
      framed_ip: '10.5.50.9',
      ...values,
    });

  it('sends identification attributes with Message-Authenticator first and records the ACK', async () => {
    const session = await openSession();
    const result = await app.usage.disconnectSession(world.tenant.id, session.id, 'operator');
    expect(result).toMatchObject({ status: 'acked', confirmed: true, attempts: 1, errorCause: null });
    expect(nas.requests).toHaveLength(1);
    const raw = nas.requests[0]!.packet;
    const decoded = decodePacket(raw);
    if (!decoded.ok) throw new Error('undecodable');
    const packet = decoded.packet;
    expect(packet.code).toBe(Code.DisconnectRequest);
    expect(packet.attributes[0]!.type).toBe(Attr.MessageAuthenticator);
    expect(verifyZeroAuthenticatorRequest(raw, Buffer.from(NAS_SECRET))).toBe(true);
    expect(verifyMessageAuthenticator(packet, Buffer.from(NAS_SECRET), ZERO_AUTHENTICATOR)).toBe(true);
    expect(getIpAddress(packet, Attr.NasIpAddress)).toBe('127.0.0.1');
    expect(getString(packet, Attr.UserName)).toBe(world.voucher.code);
    expect(getString(packet, Attr.AcctSessionId)).toBe(session.acct_session_id);
    expect(getIpAddress(packet, Attr.FramedIpAddress)).toBe('10.5.50.9');
    expect(getInteger(packet, Attr.EventTimestamp)).toBeGreaterThan(1_700_000_000);
    // Only identification attributes (RFC 5176 §3): nothing else.
    expect(packet.attributes.map((a) => a.type).sort((a, b) => a - b)).toEqual([1, 4, 8, 44, 55, 80]);
    const row = await app.store.db
      .selectFrom('disconnect_requests')
      .selectAll()
      .where('session_id', '=', session.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'acked', attempts: 1, reason: 'operator', error_cause: null });
  });

  it('records a NAK with its Error-Cause; 503 (no such session) closes our record', async () => {
    const session = await openSession();
    nas.mode = { answer: 'nak', errorCause: 503 };
    const result = await app.usage.disconnectSession(world.tenant.id, session.id);
    expect(result).toMatchObject({ status: 'nacked', errorCause: 503, confirmed: true });
    const stored = await app.store.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', session.id)
      .executeTakeFirstOrThrow();
    expect(stored.stopped_at).not.toBeNull();
    const other = await openSession();
    nas.mode = { answer: 'nak', errorCause: 504 };
    const refused = await app.usage.disconnectSession(world.tenant.id, other.id);
    expect(refused).toMatchObject({ status: 'nacked', errorCause: 504, confirmed: false });
    const row = await app.store.db
      .selectFrom('disconnect_requests')
      .selectAll()
      .where('session_id', '=', other.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'nacked', error_cause: 504 });
  });

  it('retransmits the same packet with growing intervals, then times out', async () => {
    const session = await openSession();
    nas.mode = { answer: 'silent' };
    const result = await app.usage.disconnectSession(world.tenant.id, session.id);
    expect(result.status).toBe('timeout');
    expect(result.attempts).toBeGreaterThanOrEqual(3);
    expect(nas.requests.length).toBe(result.attempts);
    const first = nas.requests[0]!;
    for (const retry of nas.requests.slice(1)) expect(retry.packet).toEqual(first.packet);
    const gaps = nas.requests.slice(1).map((r, i) => r.at - nas.requests[i]!.at);
    // Backoff: later waits are longer than the first (timers can only fire late, never early).
    expect(Math.max(...gaps.slice(1))).toBeGreaterThan(gaps[0]! * 1.4);
    const row = await app.store.db
      .selectFrom('disconnect_requests')
      .selectAll()
      .where('session_id', '=', session.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'timeout', attempts: result.attempts });
  });

  it('succeeds when the NAS answers a retransmission', async () => {
    const session = await openSession();
    nas.answerFromAttempt = 2;
    const result = await app.usage.disconnectSession(world.tenant.id, session.id);
    expect(result).toMatchObject({ status: 'acked', attempts: 2 });
  });

  it('answers an operator "pending" after the wait while the retransmissions go on to an ACK', async () => {
    await app.store.db
      .insertInto('tenant_hosts')
      .values({ tenant_id: world.tenant.id, host: 'dynauth.test' })
      .execute();
    const token = await createApiToken(app, world.tenant.id, 'admin');
    const session = await openSession();
    // Retransmissions go out after 100 ms and 300 ms: the third one, answered, comes after the wait.
    nas.answerFromAttempt = 3;
    const response = await app.http.inject({
      method: 'POST',
      url: `/api/v1/sessions/${session.id}/disconnect`,
      headers: { host: 'dynauth.test', authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ sessionId: session.id, status: 'pending', confirmed: false });
    expect(nas.requests.length).toBeLessThan(3);
    await expect
      .poll(async () => {
        const row = await app.store.db
          .selectFrom('disconnect_requests')
          .select('status')
          .where('session_id', '=', session.id)
          .executeTakeFirst();
        return row?.status;
      })
      .toBe('acked');
    expect(nas.requests).toHaveLength(3);
  });

  it('does not disconnect sessions of another tenant', async () => {
    const session = await openSession();
    const other = await createRadiusWorld(app.store.db, { hotspot: { ip_address: '127.0.0.2' } });
    await expect(app.usage.disconnectSession(other.tenant.id, session.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(nas.requests).toHaveLength(0);
  });

  it('disconnects every live session of a device', async () => {
    const device = await app.store.db
      .insertInto('devices')
      .values({
        tenant_id: world.tenant.id,
        voucher_id: world.voucher.id,
        mac: 'AA:BB:CC:00:11:22',
        added_by: 'customer',
        created_at: app.clock.nowMs(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await openSession({ mac: device.mac, acct_session_id: 'dev-1' });
    await openSession({ mac: device.mac, acct_session_id: 'dev-2' });
    const result = await app.usage.disconnectDevice(world.tenant.id, device.id);
    expect(result.confirmed).toBe(true);
    expect(result.sessions).toHaveLength(2);
    const sent = nas.requests.map((r) => {
      const d = decodePacket(r.packet);
      return d.ok ? getString(d.packet, Attr.AcctSessionId) : undefined;
    });
    expect(sent.sort()).toEqual(['dev-1', 'dev-2']);
  });

  it('disconnects the sessions of a voucher whose data runs out (accounting → used → Disconnect)', async () => {
    const smallPlan = await createPlan(app.store.db, world.tenant.id, { data_limit_bytes: 1_000_000 });
    const small = await createVoucher(app.store.db, smallPlan, { status: 'active' });
    const record = {
      tenantId: world.tenant.id,
      hotspotId: world.hotspot.id,
      timeZone: 'UTC',
      acctSessionId: 'quota-1',
      userName: small.code,
      classTag: undefined,
      callingStationId: 'F0:99:B6:00:00:01',
      framedIp: '10.5.50.77',
      nasPort: undefined,
      terminateCause: undefined,
      eventAtMs: app.clock.nowMs(),
    };
    await app.accounting.record({
      ...record,
      statusType: AcctStatusType.Start,
      downloadedBytes: 0,
      uploadedBytes: 0,
      sessionSeconds: 0,
    });
    await app.accounting.record({
      ...record,
      statusType: AcctStatusType.InterimUpdate,
      downloadedBytes: 900_000,
      uploadedBytes: 200_000,
      sessionSeconds: 300,
    });
    const deadline = Date.now() + 3000;
    while (nas.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(nas.requests).toHaveLength(1);
    const decoded = decodePacket(nas.requests[0]!.packet);
    expect(decoded.ok && getString(decoded.packet, Attr.AcctSessionId)).toBe('quota-1');
    const voucher = await app.store.db
      .selectFrom('vouchers')
      .selectAll()
      .where('id', '=', small.id)
      .executeTakeFirstOrThrow();
    expect(voucher).toMatchObject({ status: 'used', used_reason: 'data' });
    const quotaRequest = () =>
      app.store.db
        .selectFrom('disconnect_requests')
        .selectAll()
        .where('reason', '=', 'quota')
        .executeTakeFirstOrThrow();
    for (let i = 0; i < 300 && (await quotaRequest()).status === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const row = await quotaRequest();
    expect(row).toMatchObject({ reason: 'quota', status: 'acked' });
  });
});
