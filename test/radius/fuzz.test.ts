/**
 * Fuzz: ≥ 100,000 random, mutated and authentic-but-hostile packets at both ports. The server
 * must not crash, must keep answering valid traffic, and its memory must stay bounded.
 * FUZZ_PACKETS overrides the count (CI keeps the default).
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Attr,
  Code,
  encodeRequest,
  hidePassword,
  type AttributeWriter,
} from '../../src/radius/protocol/index.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { NAS_SECRET, UdpProbe, createRadiusWorld } from '../helpers/radius-factories.js';

const TOTAL = Number(process.env.FUZZ_PACKETS ?? 100_000);
const secret = Buffer.from(NAS_SECRET);

/** Deterministic PRNG (xorshift32) so a failure can be replayed with the same seed. */
function prng(seed: number) {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('RADIUS fuzz (sqlite)', () => {
  let app: TestApp;
  let world: Awaited<ReturnType<typeof createRadiusWorld>>;
  let probe: UdpProbe;
  let authPort: number;
  let acctPort: number;

  beforeAll(async () => {
    app = await buildTestApp('sqlite', {
      env: { RADIUS_ENABLED: '1', RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0' },
    });
    world = await createRadiusWorld(app.store.db, {
      plan: { data_limit_bytes: null, time_limit_seconds: null },
    });
    await app.listen();
    ({ authPort, acctPort } = app.radius!.ports());
    probe = await new UdpProbe().open();
  });
  afterAll(async () => {
    await probe?.close();
    await app?.destroy();
  });

  const validAccess = (identifier: number) => {
    const authenticator = crypto.randomBytes(16);
    return encodeRequest(
      Code.AccessRequest,
      identifier,
      secret,
      { messageAuthenticator: true, authenticator },
      (w) => {
        w.string(Attr.UserName, world.voucher.code);
        w.octets(Attr.UserPassword, hidePassword(Buffer.from(world.voucher.code), authenticator, secret));
        w.string(Attr.NasIdentifier, 'fuzz');
      },
    );
  };
  const validAcct = (identifier: number, sessionId: string) =>
    encodeRequest(Code.AccountingRequest, identifier, secret, { messageAuthenticator: false }, (w) =>
      w
        .integer(Attr.AcctStatusType, 3)
        .string(Attr.AcctSessionId, sessionId)
        .string(Attr.UserName, world.voucher.code)
        .integer(Attr.AcctInputOctets, identifier * 10)
        .integer(Attr.AcctOutputOctets, identifier * 100),
    );

  it(`survives ${TOTAL} hostile packets and keeps answering`, { timeout: 600_000 }, async () => {
    const random = prng(0x5eed);
    const byte = () => Math.floor(random() * 256);
    const templates = [validAccess(1), validAcct(1, 'tmpl')];
    const hostileAttributes = (w: AttributeWriter) => {
      const count = Math.floor(random() * 40);
      for (let i = 0; i < count; i++) {
        const type = byte();
        if (type === Attr.MessageAuthenticator) continue;
        const length = Math.floor(random() * 40);
        w.octets(type, Buffer.from(Array.from({ length }, byte)));
      }
      if (random() < 0.05) for (let i = 0; i < 1300; i++) w.octets(Attr.ProxyState, Buffer.from([byte()]));
    };

    const hostileAccess = (identifier: number) =>
      encodeRequest(Code.AccessRequest, identifier, secret, { messageAuthenticator: true }, (w) => {
        if (random() < 0.8) w.string(Attr.NasIdentifier, 'fuzz');
        if (random() < 0.8) {
          w.octets(
            Attr.UserPassword,
            Buffer.from(Array.from({ length: 16 * (1 + Math.floor(random() * 8)) }, byte)),
          );
        }
        if (random() < 0.3) w.octets(Attr.ChapPassword, Buffer.from(Array.from({ length: 17 }, byte)));
        hostileAttributes(w);
      });
    const hostileAccounting = (identifier: number) =>
      encodeRequest(Code.AccountingRequest, identifier, secret, { messageAuthenticator: false }, (w) => {
        w.integer(Attr.AcctStatusType, Math.floor(random() * 10));
        if (random() < 0.8) w.string(Attr.AcctSessionId, `f${Math.floor(random() * 50)}`);
        hostileAttributes(w);
      });

    const heapBefore = process.memoryUsage().heapUsed;
    let sent = 0;
    while (sent < TOTAL) {
      for (let i = 0; i < 200 && sent < TOTAL; i++, sent++) {
        const kind = random();
        const port = random() < 0.5 ? authPort : acctPort;
        let packet: Buffer;
        if (kind < 0.3) {
          // Pure noise, sometimes with a plausible header.
          packet = Buffer.from(Array.from({ length: Math.floor(random() * 200) }, byte));
          if (packet.length >= 4 && random() < 0.5) {
            packet[0] = [1, 4, 12, 2, 40][Math.floor(random() * 5)]!;
            packet.writeUInt16BE(Math.floor(random() * 300), 2);
          }
        } else if (kind < 0.7) {
          // A valid packet with bit flips, truncation or a rewritten Length.
          packet = Buffer.from(templates[Math.floor(random() * 2)]!);
          const flips = 1 + Math.floor(random() * 4);
          for (let f = 0; f < flips; f++) {
            const at = Math.floor(random() * packet.length);
            packet[at] = packet[at]! ^ (1 << Math.floor(random() * 8));
          }
          if (random() < 0.2) packet = packet.subarray(0, Math.floor(random() * packet.length));
          if (random() < 0.2 && packet.length >= 4) packet.writeUInt16BE(Math.floor(random() * 5000), 2);
        } else {
          // Authentic (correctly signed) packets with hostile attribute soup.
          const identifier = byte();
          try {
            packet = random() < 0.5 ? hostileAccess(identifier) : hostileAccounting(identifier);
          } catch {
            continue; // more than 4096 octets: not sendable
          }
          if (packet.length > 4096) continue;
        }
        probe.send(packet, port);
      }
      // Let the server drain its socket between bursts (it shares this process's event loop).
      let idleTicks = 0;
      let last = -1;
      while (app.radius!.stats.received < sent - 20 && idleTicks < 3) {
        await new Promise((r) => setTimeout(r, 1));
        idleTicks = app.radius!.stats.received === last ? idleTicks + 1 : 0;
        last = app.radius!.stats.received;
      }
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(app.radius!.stats.received).toBeGreaterThan(TOTAL * 0.9);

    // Valid traffic is still answered correctly.
    const control = await new UdpProbe().open();
    for (let i = 0; i < 20; i++) control.send(validAccess(i), authPort);
    for (let i = 0; i < 20; i++) control.send(validAcct(100 + i, `control-${i}`), acctPort);
    const answers = await control.waitFor(40, 5000);
    await control.close();
    expect(answers).toHaveLength(40);
    expect(answers.filter((a) => a.readUInt8(0) === Code.AccessAccept)).toHaveLength(20);
    expect(answers.filter((a) => a.readUInt8(0) === Code.AccountingResponse)).toHaveLength(20);

    global.gc?.();
    const heapGrowthBytes = process.memoryUsage().heapUsed - heapBefore;
    // The duplicate cache expires entries after 10 s and is capped; nothing else should grow.
    expect(heapGrowthBytes).toBeLessThan(150 * 1024 * 1024);
    const dropped = Object.values(app.radius!.stats.dropped).reduce((a, b) => a + (b ?? 0), 0);
    expect(dropped).toBeGreaterThan(TOTAL * 0.4);
    console.log(
      `fuzz: sent ${TOTAL}, received ${app.radius!.stats.received}, answered ${app.radius!.stats.answered}, dropped ${dropped}, heap growth ${(heapGrowthBytes / 1e6).toFixed(1)} MB`,
      app.radius!.stats.dropped,
    );
  });
});
