/**
 * The UDP server over real sockets: RFC 5080 duplicate cache, Proxy-State, silent drops (bad
 * Length, unknown code, unknown source, bad authenticators), oversized replies.
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  Attr,
  Code,
  decodePacket,
  encodeRequest,
  hidePassword,
  verifyResponse,
  type AttributeWriter,
} from '../../src/radius/protocol/index.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import { NAS_SECRET, UdpProbe, createRadiusWorld } from '../helpers/radius-factories.js';

const secret = Buffer.from(NAS_SECRET);

describe.each(TEST_DIALECTS)('RADIUS server (%s)', (dialect) => {
  let app: TestApp;
  let world: Awaited<ReturnType<typeof createRadiusWorld>>;
  let probe: UdpProbe;
  let authPort: number;
  let acctPort: number;

  beforeAll(async () => {
    app = await buildTestApp(dialect, {
      env: { RADIUS_ENABLED: '1', RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0' },
    });
    world = await createRadiusWorld(app.store.db);
    await app.listen();
    ({ authPort, acctPort } = app.radius!.ports());
  });
  beforeEach(async () => {
    await probe?.close();
    probe = await new UdpProbe().open();
  });
  afterAll(async () => {
    await probe?.close();
    await app?.destroy();
  });

  const accessRequest = (identifier: number, extra?: (w: AttributeWriter) => void) => {
    const authenticator = Buffer.alloc(16, identifier);
    return encodeRequest(
      Code.AccessRequest,
      identifier,
      secret,
      { messageAuthenticator: true, authenticator },
      (w) => {
        w.string(Attr.UserName, world.voucher.code);
        w.octets(Attr.UserPassword, hidePassword(Buffer.from(world.voucher.code), authenticator, secret));
        w.string(Attr.NasIdentifier, 'probe');
        extra?.(w);
      },
    );
  };

  it('answers a duplicate with the cached reply, unchanged, and a new authenticator as a new request', async () => {
    const request = accessRequest(11);
    probe.send(request, authPort);
    const [first] = await probe.waitFor(1);
    probe.send(request, authPort);
    const answers = await probe.waitFor(2);
    expect(answers[1]).toEqual(first);
    expect(app.radius!.stats.duplicatesAnswered).toBeGreaterThanOrEqual(1);
    const renewed = accessRequest(11);
    renewed.writeUInt8(0xee, 4); // another Request Authenticator, same Identifier
    const resigned = encodeRequest(Code.AccessRequest, 11, secret, { messageAuthenticator: true }, (w) => {
      w.string(Attr.UserName, 'NOPE');
      w.octets(Attr.UserPassword, Buffer.alloc(16));
      w.string(Attr.NasIdentifier, 'probe');
    });
    probe.send(resigned, authPort);
    const third = (await probe.waitFor(3))[2]!;
    expect(third.readUInt8(0)).toBe(Code.AccessReject);
    expect(verifyResponse(third, resigned.subarray(4, 20), secret)).toBe(true);
  });

  it('copies Proxy-State attributes to the reply in order', async () => {
    probe.send(
      accessRequest(12, (w) =>
        w.octets(Attr.ProxyState, Buffer.from('first')).octets(Attr.ProxyState, Buffer.from('second')),
      ),
      authPort,
    );
    const [reply] = await probe.waitFor(1);
    const decoded = decodePacket(reply!);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.packet.attributes[0]!.type).toBe(Attr.MessageAuthenticator);
    const states = decoded.packet.attributes
      .filter((a) => a.type === Attr.ProxyState)
      .map((a) => a.value.toString());
    expect(states).toEqual(['first', 'second']);
  });

  it('silently drops malformed packets, unknown codes, bad authenticators and unknown sources', async () => {
    const dropped = () => ({ ...app.radius!.stats.dropped });
    const before = dropped();
    const good = accessRequest(13);
    const longer = Buffer.from(good);
    longer.writeUInt16BE(good.length + 10, 2);
    probe.send(longer, authPort);
    probe.send(good.subarray(0, 19), authPort);
    const unknownCode = Buffer.from(good);
    unknownCode.writeUInt8(99, 0);
    probe.send(unknownCode, authPort);
    probe.send(encodeRequest(Code.AccountingRequest, 1, secret, { messageAuthenticator: false }), authPort); // wrong port
    const forged = Buffer.from(good);
    forged.writeUInt8(forged.readUInt8(forged.length - 1) ^ 1, forged.length - 1);
    probe.send(forged, authPort);
    const badAcct = encodeRequest(
      Code.AccountingRequest,
      2,
      Buffer.from('other-secret'),
      { messageAuthenticator: false },
      (w) => w.integer(Attr.AcctStatusType, 1).string(Attr.AcctSessionId, 'x'),
    );
    probe.send(badAcct, acctPort);
    const stranger = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => stranger.bind(0, '127.0.0.9', resolve));
    stranger.send(accessRequest(14), authPort, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 300));
    stranger.close();
    expect(probe.received).toHaveLength(0);
    const after = dropped();
    const delta = (reason: keyof typeof after) => (after[reason] ?? 0) - (before[reason] ?? 0);
    expect(delta('bad-length')).toBe(1);
    expect(delta('too-short')).toBe(1);
    expect(delta('unknown-code')).toBe(2);
    expect(delta('bad-message-authenticator')).toBe(1);
    expect(delta('bad-authenticator')).toBe(1);
    expect(delta('unknown-source')).toBe(1);
  });

  it('drops an Access-Request carrying two Message-Authenticators (RFC 3579 §3.2: zero or one)', async () => {
    const before = app.radius!.stats.dropped['multiple-message-authenticators'] ?? 0;
    // The first Message-Authenticator is valid (encodeRequest fills it over the whole packet,
    // the second included); the second is extra. Before the fix this was answered.
    const twice = accessRequest(17, (w) => w.octets(Attr.MessageAuthenticator, Buffer.alloc(16, 0xab)));
    const decoded = decodePacket(twice);
    expect(
      decoded.ok && decoded.packet.attributes.filter((a) => a.type === Attr.MessageAuthenticator),
    ).toHaveLength(2);
    probe.send(twice, authPort);
    probe.send(accessRequest(18), authPort);
    const answers = await probe.waitFor(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(probe.received).toHaveLength(1);
    expect(answers[0]!.readUInt8(1)).toBe(18);
    expect(app.radius!.stats.dropped['multiple-message-authenticators']).toBe(before + 1);
  });

  it('drops a request whose reply would exceed 4096 octets and keeps serving', async () => {
    // A short-code login whose request fits in 4096 octets but whose Accept would not.
    const authenticator = Buffer.alloc(16, 15);
    const code = world.voucher.short_code;
    const request = encodeRequest(
      Code.AccessRequest,
      15,
      secret,
      { messageAuthenticator: true, authenticator },
      (w) => {
        w.string(Attr.UserName, code);
        w.octets(Attr.UserPassword, hidePassword(Buffer.from(code), authenticator, secret));
        w.string(Attr.NasIdentifier, 'probe');
        for (let i = 0; i < 1334; i++) w.octets(Attr.ProxyState, Buffer.from([i & 0xff]));
      },
    );
    probe.send(request, authPort);
    probe.send(accessRequest(16), authPort);
    const answers = await probe.waitFor(1);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.readUInt8(1)).toBe(16);
    // The two are handled concurrently: the small one may be answered before the big one is dropped.
    await expect.poll(() => app.radius!.stats.dropped['reply-too-large'] ?? 0).toBeGreaterThanOrEqual(1);
  });

  it('answers accounting only after the record is committed', async () => {
    const request = encodeRequest(Code.AccountingRequest, 20, secret, { messageAuthenticator: false }, (w) =>
      w
        .integer(Attr.AcctStatusType, 1)
        .string(Attr.AcctSessionId, 'committed-1')
        .string(Attr.UserName, world.voucher.code)
        .string(Attr.NasIdentifier, 'probe'),
    );
    probe.send(request, acctPort);
    const [reply] = await probe.waitFor(1);
    expect(reply!.readUInt8(0)).toBe(Code.AccountingResponse);
    expect(verifyResponse(reply!, request.subarray(4, 20), secret)).toBe(true);
    const session = await app.store.db
      .selectFrom('sessions')
      .selectAll()
      .where('acct_session_id', '=', 'committed-1')
      .executeTakeFirst();
    expect(session?.voucher_id).toBe(world.voucher.id);
  });
});
