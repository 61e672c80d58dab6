/**
 * Disconnects that the hotspot does not confirm are retried: the retry sweep against a simulated
 * NAS (real UDP, real Disconnect client) on every database — backoff and the attempt cap, an ACK
 * ending the retries, a NAS that answers only later, the rules that say a session must end
 * (device removed, voucher disabled, used up, expired), the stale-session rule taking over when
 * the NAS goes quiet, one sender per retry across sweeps, tenant isolation; and disabling a
 * voucher disconnecting its live sessions (API and admin page) with the outcome reported.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Attr, decodePacket, getIpAddress, getString } from '../../src/radius/protocol/index.js';
import { DAY_MS } from '../../src/shared/index.js';
import { DisconnectRetrySweep } from '../../src/usage/index.js';
import { AdminClient, createAdmin, createApiToken } from '../helpers/admin.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import {
  NAS_SECRET,
  NasSimulator,
  createCustomer,
  createHotspot,
  createPlan,
  createSession,
  createTenant,
  createVoucher,
} from '../helpers/radius-factories.js';

const MINUTE = 60_000;
const POLICY = { firstRetryAfterMs: MINUTE, maxBackoffMs: 4 * MINUTE, maxAttempts: 4 };
const OPERATOR = { kind: 'operator', adminId: null, clientIp: '192.0.2.1' } as const;

describe.each(TEST_DIALECTS)('Disconnect retries (%s)', (dialect) => {
  let nas: NasSimulator;
  let nasPort: number;
  let app: TestApp;
  let tenantId: number;
  let hotspotId: number;
  let planId: number;

  beforeAll(async () => {
    nas = new NasSimulator(NAS_SECRET);
    nasPort = await nas.start();
  });
  afterAll(async () => {
    await nas?.close();
  });
  beforeEach(async () => {
    app = await buildTestApp(dialect, {
      overrides: {
        // One whole RFC 5176 exchange takes ~1 s here instead of 30 s (250 ms was too short for
        // an answering NAS on a loaded CI machine: a NAK came after the exchange had given up).
        disconnectTiming: { initialTimeoutMs: 100, maxDurationMs: 1000 },
        deviceDisconnectWaitMs: 2000,
        disconnectRetryPolicy: POLICY,
      },
    });
    tenantId = app.bootstrapped.tenant.id;
    const hotspot = await createHotspot(app.store.db, tenantId, {
      ip_address: '127.0.0.1',
      secret: NAS_SECRET,
      coa_port: nasPort,
    });
    hotspotId = hotspot.id;
    planId = (await createPlan(app.store.db, tenantId)).id;
  });
  afterEach(async () => {
    await app?.destroy();
    nas.requests.length = 0;
    nas.mode = { answer: 'ack' };
    nas.answerFromAttempt = 1;
  });

  let sequence = 0;
  /** A voucher with a live session; with `mac`, the MAC is an associated device of the voucher. */
  async function online(options: { mac?: string; voucher?: Record<string, unknown> } = {}) {
    const db = app.store.db;
    const customer = await createCustomer(db, tenantId);
    const voucher = await createVoucher(
      db,
      { id: planId, tenant_id: tenantId },
      {
        status: 'online',
        activated_at: app.clock.nowMs() - MINUTE,
        customer_id: customer.id,
        ...options.voucher,
      },
    );
    const device = options.mac
      ? await db
          .insertInto('devices')
          .values({
            tenant_id: tenantId,
            voucher_id: voucher.id,
            mac: options.mac,
            added_by: 'first_login',
            created_at: app.clock.nowMs(),
          })
          .returningAll()
          .executeTakeFirstOrThrow()
      : undefined;
    const session = await createSession(db, {
      tenant_id: tenantId,
      hotspot_id: hotspotId,
      voucher_id: voucher.id,
      device_id: device?.id ?? null,
      user_name: options.mac ?? voucher.code,
      mac: options.mac ?? null,
      framed_ip: `10.5.50.${++sequence}`,
      updated_at: app.clock.nowMs(),
    });
    return { voucher, device, session };
  }

  /** The Disconnect-Request exchanges recorded for a session, oldest first. */
  const exchanges = (sessionId: number) =>
    app.store.db
      .selectFrom('disconnect_requests')
      .select(['reason', 'status'])
      .where('session_id', '=', sessionId)
      .orderBy('id')
      .execute();
  const sessionRow = (id: number) =>
    app.store.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const identification = (packet: Buffer) => {
    const decoded = decodePacket(packet);
    if (!decoded.ok) throw new Error('undecodable Disconnect-Request');
    return {
      userName: getString(decoded.packet, Attr.UserName),
      acctSessionId: getString(decoded.packet, Attr.AcctSessionId),
      framedIp: getIpAddress(decoded.packet, Attr.FramedIpAddress),
      nasIp: getIpAddress(decoded.packet, Attr.NasIpAddress),
    };
  };

  it('a removed device whose NAS answers only later is disconnected by the sweep, then left alone', async () => {
    const { voucher, device, session } = await online({ mac: 'F0:99:B6:12:34:56' });
    nas.mode = { answer: 'silent' };
    const removed = await app.devices.remove(tenantId, OPERATOR, voucher.id, device!.id);
    expect(removed.disconnect).toEqual({ sessions: 1, confirmed: 0, unconfirmed: 1 });
    expect(await exchanges(session.id)).toEqual([{ reason: 'device_removed', status: 'timeout' }]);

    // Not again before the backoff has passed.
    app.clock.advance(MINUTE - 1000);
    expect(await app.disconnectRetries.runOnce()).toMatchObject({ due: 0, attempted: 0 });

    // The NAS ignored everything so far; it answers from the next packet on.
    nas.mode = { answer: 'ack' };
    nas.answerFromAttempt = nas.requests.length + 1;
    const sentBefore = nas.requests.length;
    app.clock.advance(1000);
    expect(await app.disconnectRetries.runOnce()).toMatchObject({ due: 1, attempted: 1, confirmed: 1 });
    expect(nas.requests).toHaveLength(sentBefore + 1);
    expect(identification(nas.requests[sentBefore]!.packet)).toEqual({
      userName: 'F0:99:B6:12:34:56',
      acctSessionId: session.acct_session_id,
      framedIp: session.framed_ip,
      nasIp: '127.0.0.1',
    });
    expect(await exchanges(session.id)).toEqual([
      { reason: 'device_removed', status: 'timeout' },
      { reason: 'device_removed', status: 'acked' },
    ]);
    const stored = await sessionRow(session.id);
    expect(stored).toMatchObject({ disconnect_attempts: 2, disconnect_next_at: null });
    expect(stored.disconnect_acked_at).not.toBeNull();

    // ACKed: never asked again, although its Accounting-Stop has not arrived yet.
    app.clock.advance(DAY_MS);
    expect(await app.disconnectRetries.runOnce()).toMatchObject({ due: 0 });
    expect(nas.requests).toHaveLength(sentBefore + 1);
  });

  it('backs off 1, 2, 4 minutes and gives up after the attempt cap', async () => {
    const { voucher, session } = await online();
    nas.mode = { answer: 'silent' };
    const { disconnect } = await app.vouchers.disable(tenantId, voucher.id);
    expect(disconnect).toEqual({ sessions: 1, confirmed: 0, unconfirmed: 1 });

    const startedAt = app.clock.nowMs();
    const passAt = async (offsetMs: number) => {
      app.clock.set(startedAt + offsetMs);
      return app.disconnectRetries.runOnce();
    };
    expect(await passAt(MINUTE - 1)).toMatchObject({ attempted: 0 });
    expect(await passAt(MINUTE)).toMatchObject({ attempted: 1, unconfirmed: 1, gaveUp: 0 });
    expect(await passAt(3 * MINUTE - 1)).toMatchObject({ attempted: 0 });
    expect(await passAt(3 * MINUTE)).toMatchObject({ attempted: 1, unconfirmed: 1 });
    // The wait doubles up to maxBackoffMs (4 minutes).
    expect(await passAt(7 * MINUTE - 1)).toMatchObject({ attempted: 0 });
    expect(await passAt(7 * MINUTE)).toMatchObject({ attempted: 1, gaveUp: 1 });
    expect(await passAt(7 * MINUTE + DAY_MS)).toMatchObject({ due: 0, attempted: 0 });

    const rows = await exchanges(session.id);
    expect(rows).toHaveLength(POLICY.maxAttempts);
    expect(rows.every((r) => r.reason === 'disabled' && r.status === 'timeout')).toBe(true);
    expect(await sessionRow(session.id)).toMatchObject({
      disconnect_attempts: POLICY.maxAttempts,
      disconnect_next_at: null,
      stopped_at: null,
    });
    // Operators see where it stands (API and the sessions page).
    const token = await createApiToken(app, tenantId, 'readonly');
    const view = await app.http.inject({
      method: 'GET',
      url: `/api/v1/sessions/${session.id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(view.json()).toMatchObject({
      online: true,
      disconnect: {
        reason: 'disabled',
        attempts: POLICY.maxAttempts,
        confirmedAtMs: null,
        nextAttemptAtMs: null,
      },
    });
  });

  it('stops retrying when the voucher is enabled again (the session may stay online)', async () => {
    const { voucher, session } = await online();
    nas.mode = { answer: 'silent' };
    await app.vouchers.disable(tenantId, voucher.id);
    await app.vouchers.enable(tenantId, voucher.id);
    app.clock.advance(DAY_MS);
    expect(await app.disconnectRetries.runOnce()).toMatchObject({ due: 0 });
    expect(await exchanges(session.id)).toHaveLength(1);
  });

  it('retries used-up vouchers too, and a pass never repeats the request the expiry sweep just sent', async () => {
    // Used up by quota enforcement in a process that stopped before it could disconnect.
    const used = await online({ voucher: { status: 'used', used_reason: 'data' } });
    // Expires now: the housekeeping sweep marks it used and disconnects it in the same pass.
    const expiring = await online({ voucher: { status: 'online', expires_at: app.clock.nowMs() - 1 } });
    nas.mode = { answer: 'silent' };
    await app.usageWorker.runOnce();
    expect(await exchanges(used.session.id)).toEqual([{ reason: 'quota', status: 'timeout' }]);
    expect(await exchanges(expiring.session.id)).toEqual([{ reason: 'expired', status: 'timeout' }]);

    nas.mode = { answer: 'ack' };
    app.clock.advance(MINUTE);
    await app.usageWorker.runOnce();
    expect((await exchanges(used.session.id)).map((r) => r.status)).toEqual(['timeout', 'acked']);
    expect(await exchanges(expiring.session.id)).toEqual([
      { reason: 'expired', status: 'timeout' },
      { reason: 'expired', status: 'acked' },
    ]);
  });

  it('leaves a NAS that went quiet to the stale-session rule, which closes the session', async () => {
    const { voucher, device, session } = await online({ mac: '3A:1F:C2:77:08:9E' });
    nas.mode = { answer: 'silent' };
    await app.devices.remove(tenantId, OPERATOR, voucher.id, device!.id);
    // No accounting for two interim intervals plus a minute (protocols.md: Interim ≥ 60 s; ours 300 s).
    app.clock.advance(2 * 300_000 + 61_000);
    await app.usageWorker.runOnce();
    expect(await sessionRow(session.id)).toMatchObject({ terminate_cause: 'Lost-Service' });
    expect(await exchanges(session.id)).toHaveLength(1);
  });

  it('a NAK "session not found" closes the session; another NAK is retried', async () => {
    const gone = await online({ voucher: { status: 'disabled' } });
    nas.mode = { answer: 'nak', errorCause: 503 };
    expect(await app.disconnectRetries.runOnce()).toMatchObject({ attempted: 1, confirmed: 1 });
    expect(await sessionRow(gone.session.id)).toMatchObject({ terminate_cause: 'Admin-Reset' });

    const refused = await online({ voucher: { status: 'disabled' } });
    nas.mode = { answer: 'nak', errorCause: 504 };
    expect(await app.disconnectRetries.runOnce()).toMatchObject({ attempted: 1, unconfirmed: 1 });
    expect(await sessionRow(refused.session.id)).toMatchObject({ stopped_at: null, disconnect_attempts: 1 });
    app.clock.advance(MINUTE);
    expect(await app.disconnectRetries.runOnce()).toMatchObject({ due: 1, attempted: 1 });
  });

  it('defers the rest of an unresponsive hotspot to the next pass without using up their attempts', async () => {
    const sessions = [];
    for (let i = 0; i < 3; i++) sessions.push((await online({ voucher: { status: 'disabled' } })).session);
    nas.mode = { answer: 'silent' };
    const sweep = new DisconnectRetrySweep(
      app.store.db,
      app.store.dialect,
      app.clock,
      app.usage,
      pino({ level: 'silent' }),
      {
        perHotspotConcurrency: 1,
      },
    );
    expect(await sweep.runOnce()).toMatchObject({ due: 3, attempted: 1, deferred: 2 });
    const attempts = await Promise.all(
      sessions.map(async (s) => (await sessionRow(s.id)).disconnect_attempts),
    );
    expect(attempts).toEqual([1, 0, 0]);
    expect(await sweep.runOnce()).toMatchObject({ due: 2, attempted: 1, deferred: 1 });
  });

  it('sends each retry once when several sweeps (processes) run at the same time', async () => {
    const sessions = [];
    for (let i = 0; i < 4; i++) sessions.push((await online({ voucher: { status: 'disabled' } })).session);
    const logger = pino({ level: 'silent' });
    const sweeps = [1, 2, 3].map(
      () => new DisconnectRetrySweep(app.store.db, app.store.dialect, app.clock, app.usage, logger),
    );
    const results = await Promise.all(sweeps.map((s) => s.runOnce()));
    expect(results.reduce((sum, r) => sum + r.attempted, 0)).toBe(4);
    // One Disconnect-Request per session. On a loaded machine the NAS may answer after the
    // 100 ms first timeout, and RFC 5176 retransmits the same packet unchanged: those copies are
    // the same exchange, so count distinct packets, not datagrams.
    const distinctPackets = new Set(nas.requests.map((r) => r.packet.toString('hex')));
    expect(distinctPackets.size).toBe(4);
    expect(
      new Set([...distinctPackets].map((hex) => identification(Buffer.from(hex, 'hex')).acctSessionId)).size,
    ).toBe(4);
    for (const session of sessions)
      expect(await exchanges(session.id)).toEqual([{ reason: 'disabled', status: 'acked' }]);
  });

  it('disabling a voucher over the API disconnects its sessions with their identifiers and reports it', async () => {
    const { voucher, session } = await online();
    const token = await createApiToken(app, tenantId);
    const call = (id: number) =>
      app.http.inject({
        method: 'POST',
        url: `/api/v1/vouchers/${id}/disable`,
        headers: { authorization: `Bearer ${token}` },
      });
    const response = await call(voucher.id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id: voucher.id,
      status: 'disabled',
      disconnect: { sessions: 1, confirmed: 1, unconfirmed: 0 },
    });
    expect(nas.requests).toHaveLength(1);
    expect(identification(nas.requests[0]!.packet)).toEqual({
      userName: voucher.code,
      acctSessionId: session.acct_session_id,
      framedIp: session.framed_ip,
      nasIp: '127.0.0.1',
    });
    expect(await exchanges(session.id)).toEqual([{ reason: 'disabled', status: 'acked' }]);

    const idle = await createVoucher(app.store.db, { id: planId, tenant_id: tenantId }, { status: 'active' });
    expect((await call(idle.id)).json()).toMatchObject({
      status: 'disabled',
      disconnect: { sessions: 0, confirmed: 0, unconfirmed: 0 },
    });
    // ACKed sessions are not retried.
    app.clock.advance(DAY_MS);
    expect(await app.disconnectRetries.runOnce()).toMatchObject({ due: 0 });
    expect(nas.requests).toHaveLength(1);
  });

  it('the admin page says whether the hotspot confirmed, will be retried, or nothing was online', async () => {
    const admin = await createAdmin(app, tenantId, { role: 'owner' });
    const client = new AdminClient(app);
    expect((await client.signIn(admin.email)).statusCode).toBe(303);
    const disable = async (id: number) => {
      const response = await client.post(`/admin/vouchers/${id}/disable`, {}, `/admin/vouchers/${id}`);
      expect(response.statusCode).toBe(303);
      return (await client.get(response.headers.location as string)).body;
    };
    const confirmed = await online();
    expect(await disable(confirmed.voucher.id)).toContain(
      'The hotspot confirmed that its live sessions were disconnected.',
    );
    nas.mode = { answer: 'silent' };
    const pending = await online();
    expect(await disable(pending.voucher.id)).toContain('it will be retried');
    const none = await createVoucher(app.store.db, { id: planId, tenant_id: tenantId }, { status: 'active' });
    expect(await disable(none.id)).toContain('It had no session online.');
    expect(await exchanges(pending.session.id)).toEqual([{ reason: 'disabled', status: 'timeout' }]);
    const sessionsPage = (await client.get('/admin/sessions?online=yes')).body;
    expect(sessionsPage).toContain('Disconnect requested (disabled): confirmed by the hotspot.');
    expect(sessionsPage).toContain(
      'Disconnect requested (disabled): not confirmed after 1 attempt; next try',
    );
  });

  it('keeps tenants apart: rules, hotspots and secrets of one tenant never act on another', async () => {
    const otherNas = new NasSimulator('other-tenant-secret', '127.0.0.2');
    const otherPort = await otherNas.start();
    try {
      const db = app.store.db;
      const other = await createTenant(db, { name: 'Other' });
      const otherHotspot = await createHotspot(db, other.id, {
        ip_address: '127.0.0.2',
        secret: 'other-tenant-secret',
        coa_port: otherPort,
      });
      const otherPlan = await createPlan(db, other.id);
      const mac = '00:11:22:33:44:55';
      // The other tenant: the same MAC is a device of its voucher, online — it must stay online.
      const otherVoucher = await createVoucher(db, otherPlan, { status: 'online' });
      await db
        .insertInto('devices')
        .values({
          tenant_id: other.id,
          voucher_id: otherVoucher.id,
          mac,
          added_by: 'customer',
          created_at: 0,
        })
        .execute();
      const otherSession = await createSession(db, {
        tenant_id: other.id,
        hotspot_id: otherHotspot.id,
        voucher_id: otherVoucher.id,
        user_name: mac,
        mac,
      });
      // And a disabled voucher of the other tenant that a (corrupt) session row of ours points to.
      const otherDisabled = await createVoucher(db, otherPlan, { status: 'disabled' });
      const crossed = await createSession(db, {
        tenant_id: tenantId,
        hotspot_id: hotspotId,
        voucher_id: otherDisabled.id,
        user_name: 'crossed',
      });

      // Ours: the same MAC was removed from our voucher while online.
      const ours = await online({ mac });
      nas.mode = { answer: 'silent' };
      await app.devices.remove(tenantId, OPERATOR, ours.voucher.id, ours.device!.id);
      nas.mode = { answer: 'ack' };
      const sentBefore = nas.requests.length;
      app.clock.advance(MINUTE);
      expect(await app.disconnectRetries.runOnce()).toMatchObject({ due: 1, attempted: 1, confirmed: 1 });
      expect(identification(nas.requests[sentBefore]!.packet).acctSessionId).toBe(
        ours.session.acct_session_id,
      );
      expect(otherNas.requests).toHaveLength(0);
      expect(await exchanges(otherSession.id)).toEqual([]);
      expect(await exchanges(crossed.id)).toEqual([]);
      expect(await sessionRow(otherSession.id)).toMatchObject({ disconnect_attempts: 0, stopped_at: null });
      // Disabling our voucher never reaches the other tenant's sessions either.
      await app.vouchers.disable(tenantId, ours.voucher.id);
      await expect(app.vouchers.disable(tenantId, otherVoucher.id)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(otherNas.requests).toHaveLength(0);
    } finally {
      await otherNas.close();
    }
  });
});
