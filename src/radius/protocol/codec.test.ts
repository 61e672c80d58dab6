import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTES,
  Attr,
  AttributeWriter,
  Code,
  MikrotikAttr,
  VENDOR_MIKROTIK,
  chapResponse,
  decodePacket,
  encodeReply,
  encodeRequest,
  getInteger,
  getIpAddress,
  getString,
  hidePassword,
  hmacMd5,
  joinGigawords,
  messageAuthenticatorOffset,
  revealPassword,
  splitGigawords,
  vendorAttributes,
  verifyChap,
  verifyMessageAuthenticator,
  verifyResponse,
  verifyZeroAuthenticatorRequest,
  ZERO_AUTHENTICATOR,
} from './index.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const SECRET = Buffer.from('xyzzy5461');

// RFC 2865 §7.1: "User Telnet" example, PAP with password "arctangent".
const RFC2865_REQUEST = hex(`
  01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb
  98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d
  93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8
  01 10 05 06 00 00 00 03`);
const RFC2865_ACCEPT = hex(`
  02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf
  9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00
  0e 06 c0 a8 01 03`);
// RFC 5997 §6.1: Status-Server with Message-Authenticator.
const RFC5997_STATUS = hex(`
  0c da 00 26 8a 54 f4 68 6f b3 94 c5 28 66 e3 02
  18 5d 06 23 50 12 5a 66 5e 2e 1e 84 11 f3 e2 43
  82 20 97 c8 4f a3`);

function decodeOk(buffer: Buffer) {
  const result = decodePacket(buffer);
  if (!result.ok) throw new Error(`decode failed: ${result.reason}`);
  return result.packet;
}

describe('RFC test vectors', () => {
  it('decodes the RFC 2865 §7.1 Access-Request and reveals the hidden password', () => {
    const packet = decodeOk(RFC2865_REQUEST);
    expect(packet.code).toBe(Code.AccessRequest);
    expect(getString(packet, Attr.UserName)).toBe('nemo');
    expect(getIpAddress(packet, Attr.NasIpAddress)).toBe('192.168.1.16');
    expect(getInteger(packet, Attr.NasPort)).toBe(3);
    const hidden = packet.attributes.find((a) => a.type === Attr.UserPassword)!.value;
    expect(revealPassword(hidden, packet.authenticator, SECRET)?.toString()).toBe('arctangent');
    expect(hidePassword(Buffer.from('arctangent'), packet.authenticator, SECRET)).toEqual(hidden);
  });

  it('verifies and reproduces the RFC 2865 §7.1 Response Authenticator', () => {
    const request = decodeOk(RFC2865_REQUEST);
    expect(verifyResponse(RFC2865_ACCEPT, request.authenticator, SECRET)).toBe(true);
    const reply = encodeReply(request, Code.AccessAccept, SECRET, { messageAuthenticator: false }, (w) =>
      w.integer(Attr.ServiceType, 1).integer(15, 0).ipAddress(14, '192.168.1.3'),
    );
    expect(reply).toEqual(RFC2865_ACCEPT);
    const tampered = Buffer.from(RFC2865_ACCEPT);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
    expect(verifyResponse(tampered, request.authenticator, SECRET)).toBe(false);
  });

  it('verifies the RFC 5997 §6.1 Status-Server Message-Authenticator ', () => {
    const status = decodeOk(RFC5997_STATUS);
    expect(status.code).toBe(Code.StatusServer);
    expect(verifyMessageAuthenticator(status, SECRET)).toBe(true);
    expect(verifyMessageAuthenticator(status, Buffer.from('wrong'))).toBe(false);
    const flipped = Buffer.from(RFC5997_STATUS);
    flipped.writeUInt8(flipped.readUInt8(30) ^ 0x40, 30);
    expect(verifyMessageAuthenticator(decodeOk(flipped), SECRET)).toBe(false);
  });
});

describe('authenticators and Message-Authenticator', () => {
  it('puts Message-Authenticator first in replies and signs over it (RFC 3579 §3.2)', () => {
    const request = decodeOk(
      encodeRequest(Code.AccessRequest, 7, SECRET, { messageAuthenticator: true }, (w) =>
        w
          .string(Attr.UserName, 'bob')
          .octets(Attr.ProxyState, Buffer.from('one'))
          .octets(Attr.ProxyState, Buffer.from('two')),
      ),
    );
    expect(verifyMessageAuthenticator(request, SECRET)).toBe(true);
    const reply = encodeReply(request, Code.AccessReject, SECRET, { messageAuthenticator: true }, (w) =>
      w.string(Attr.ReplyMessage, 'no'),
    )!;
    const decoded = decodeOk(reply);
    expect(decoded.attributes[0]!.type).toBe(Attr.MessageAuthenticator);
    expect(verifyResponse(reply, request.authenticator, SECRET)).toBe(true);
    expect(verifyMessageAuthenticator(decoded, SECRET, request.authenticator)).toBe(true);
    expect(
      decoded.attributes.filter((a) => a.type === Attr.ProxyState).map((a) => a.value.toString()),
    ).toEqual(['one', 'two']);
  });

  it('computes a Disconnect-Request Message-Authenticator over zeros, before the Request Authenticator (RFC 5176 §3)', () => {
    const packet = encodeRequest(Code.DisconnectRequest, 1, SECRET, { messageAuthenticator: true }, (w) =>
      w.string(Attr.AcctSessionId, '81000001'),
    );
    const decoded = decodeOk(packet);
    expect(decoded.attributes[0]!.type).toBe(Attr.MessageAuthenticator);
    expect(verifyZeroAuthenticatorRequest(packet, SECRET)).toBe(true);
    expect(verifyMessageAuthenticator(decoded, SECRET, ZERO_AUTHENTICATOR)).toBe(true);
    expect(messageAuthenticatorOffset(packet)).toBe(22);
  });

  it('computes HMAC-MD5 as RFC 2202 and node:crypto do, for short, block-sized and long keys', () => {
    // RFC 2202 §2 test case 1.
    expect(hmacMd5(Buffer.alloc(16, 0x0b), [Buffer.from('Hi There')]).toString('hex')).toBe(
      '9294727a3638bb1c13f48ef8158bfc9d',
    );
    for (const keyLength of [0, 1, 16, 63, 64, 65, 80, 200]) {
      const key = crypto.randomBytes(keyLength);
      const parts = [crypto.randomBytes(4), crypto.randomBytes(16), crypto.randomBytes(9000)];
      const expected = crypto.createHmac('md5', key).update(Buffer.concat(parts)).digest();
      expect(hmacMd5(key, parts).equals(expected)).toBe(true);
    }
  });

  it('encodes a request from inside a reply being encoded (the shared scratch area is not reused)', () => {
    const secret = Buffer.from('s3cret');
    const request = decodePacket(
      encodeRequest(Code.AccessRequest, 7, secret, { messageAuthenticator: true }, (w) =>
        w.string(Attr.UserName, 'outer'),
      ),
    );
    if (!request.ok) throw new Error('request did not decode');
    let inner: Buffer | undefined;
    const reply = encodeReply(
      request.packet,
      Code.AccessAccept,
      secret,
      { messageAuthenticator: true },
      (w) => {
        w.string(Attr.ReplyMessage, 'before');
        inner = encodeRequest(Code.AccountingRequest, 9, secret, { messageAuthenticator: false }, (x) =>
          x.string(Attr.UserName, 'inner-user-name'),
        );
        w.string(Attr.Class, 'after');
      },
    );
    const decodedReply = decodePacket(reply!);
    const decodedInner = decodePacket(inner!);
    if (!decodedReply.ok || !decodedInner.ok) throw new Error('did not decode');
    expect(getString(decodedReply.packet, Attr.ReplyMessage)).toBe('before');
    expect(getString(decodedReply.packet, Attr.Class)).toBe('after');
    expect(verifyResponse(reply!, request.packet.authenticator, secret)).toBe(true);
    expect(verifyMessageAuthenticator(decodedReply.packet, secret, request.packet.authenticator)).toBe(true);
    expect(getString(decodedInner.packet, Attr.UserName)).toBe('inner-user-name');
    expect(verifyZeroAuthenticatorRequest(inner!, secret)).toBe(true);
  });

  it('verifies CHAP with CHAP-Challenge or the Request Authenticator (RFC 2865 §2.2)', () => {
    const challenge = Buffer.from('0123456789abcdef');
    const response = chapResponse(42, Buffer.from('DEMO-NEW-0001'), challenge);
    expect(verifyChap(response, challenge, Buffer.from('DEMO-NEW-0001'))).toBe(true);
    expect(verifyChap(response, challenge, Buffer.from('DEMO-NEW-0002'))).toBe(false);
    expect(verifyChap(response.subarray(0, 16), challenge, Buffer.from('DEMO-NEW-0001'))).toBe(false);
  });

  it('hides and reveals passwords longer than one block, up to 128 octets', () => {
    const authenticator = Buffer.alloc(16, 9);
    for (const length of [1, 15, 16, 17, 40, 128]) {
      const password = Buffer.alloc(length, 0x41);
      const hidden = hidePassword(password, authenticator, SECRET);
      expect(hidden.length % 16).toBe(0);
      expect(revealPassword(hidden, authenticator, SECRET)).toEqual(password);
    }
    expect(revealPassword(Buffer.alloc(15), authenticator, SECRET)).toBeUndefined();
    expect(revealPassword(Buffer.alloc(144), authenticator, SECRET)).toBeUndefined();
  });
});

describe('MikroTik VSAs and Gigawords', () => {
  it('encodes Total-Limit with Gigawords and reads the VSAs back', () => {
    const bytes = 5 * 2 ** 32 + 1234;
    const { gigawords, octets } = splitGigawords(bytes);
    expect([gigawords, octets]).toEqual([5, 1234]);
    expect(joinGigawords(gigawords, octets)).toBe(bytes);
    const writer = new AttributeWriter()
      .vendorInteger(VENDOR_MIKROTIK, MikrotikAttr.TotalLimit, octets)
      .vendorInteger(VENDOR_MIKROTIK, MikrotikAttr.TotalLimitGigawords, gigawords)
      .vendorString(VENDOR_MIKROTIK, MikrotikAttr.RateLimit, '2000k/10000k');
    const decoded = decodeOk(writer.finish(Code.AccessAccept, 1, ZERO_AUTHENTICATOR));
    const vsas = vendorAttributes(decoded);
    expect(vsas.map((v) => [v.vendorId, v.type])).toEqual([
      [VENDOR_MIKROTIK, 17],
      [VENDOR_MIKROTIK, 18],
      [VENDOR_MIKROTIK, 8],
    ]);
    expect(vsas[0]!.value.readUInt32BE(0)).toBe(1234);
    expect(vsas[1]!.value.readUInt32BE(0)).toBe(5);
    expect(vsas[2]!.value.toString()).toBe('2000k/10000k');
  });

  it('matches the numbers and types of the FreeRADIUS dictionaries', () => {
    const files = [
      'dictionary.rfc2865',
      'dictionary.rfc2866',
      'dictionary.rfc2869',
      'dictionary.rfc3576',
      'dictionary.mikrotik',
      'dictionary.wispr',
    ];
    const known = new Map<string, string>();
    for (const file of files) {
      const path = `/usr/share/freeradius/${file}`;
      if (!fs.existsSync(path)) continue;
      for (const line of fs.readFileSync(path, 'utf8').split('\n')) {
        const match = /^ATTRIBUTE\s+(\S+)\s+(\d+)\s+(\w+)/.exec(line);
        if (match) known.set(match[1]!, `${match[2]}:${match[3]}`);
      }
    }
    if (known.size === 0) return; // dictionaries not installed: nothing to compare against
    let compared = 0;
    for (const attribute of ATTRIBUTES) {
      const theirs = known.get(attribute.name);
      if (!theirs) continue;
      compared++;
      const [code, type] = theirs.split(':');
      expect(`${attribute.name} ${attribute.code}`).toBe(`${attribute.name} ${code}`);
      const normalized = type === 'vsa' ? 'octets' : type;
      expect(`${attribute.name} ${attribute.type}`).toBe(`${attribute.name} ${normalized}`);
    }
    expect(compared).toBeGreaterThan(30);
  });
});

describe('malformed packets are rejected by the decoder', () => {
  const valid = () => Buffer.from(RFC2865_REQUEST);
  it('drops short packets and bad Length fields', () => {
    expect(decodePacket(Buffer.alloc(19))).toEqual({ ok: false, reason: 'too-short' });
    const longer = valid();
    longer.writeUInt16BE(longer.length + 1, 2);
    expect(decodePacket(longer)).toEqual({ ok: false, reason: 'bad-length' });
    const tiny = valid();
    tiny.writeUInt16BE(19, 2);
    expect(decodePacket(tiny)).toEqual({ ok: false, reason: 'bad-length' });
    const huge = Buffer.alloc(5000);
    huge.writeUInt16BE(4097, 2);
    expect(decodePacket(huge)).toEqual({ ok: false, reason: 'bad-length' });
  });

  it('ignores padding beyond Length (RFC 2865 §3)', () => {
    const padded = Buffer.concat([valid(), Buffer.alloc(10, 0xff)]);
    const packet = decodeOk(padded);
    expect(packet.raw.length).toBe(RFC2865_REQUEST.length);
    expect(getString(packet, Attr.UserName)).toBe('nemo');
  });

  it('drops attributes that are too short, overrun the packet, or have the wrong fixed size', () => {
    const zeroLength = valid();
    zeroLength[21] = 0;
    expect(decodePacket(zeroLength)).toEqual({ ok: false, reason: 'bad-attribute' });
    const overrun = valid();
    overrun[overrun.length - 5] = 40;
    expect(decodePacket(overrun)).toEqual({ ok: false, reason: 'bad-attribute' });
    const oneOctetLeft = Buffer.concat([valid(), Buffer.from([1])]);
    oneOctetLeft.writeUInt16BE(oneOctetLeft.length, 2);
    expect(decodePacket(oneOctetLeft)).toEqual({ ok: false, reason: 'bad-attribute' });
    const badInteger = encodeRequest(
      Code.AccountingRequest,
      1,
      SECRET,
      { messageAuthenticator: false },
      (w) => w.octets(Attr.AcctStatusType, Buffer.from([0, 1])),
    );
    expect(decodePacket(badInteger)).toEqual({ ok: false, reason: 'bad-attribute' });
  });

  it('flags oversized replies instead of throwing', () => {
    const writer = new AttributeWriter();
    for (let i = 0; i < 2000; i++) writer.octets(Attr.ProxyState, Buffer.from('xx'));
    expect(writer.overflow).toBe(true);
    writer.octets(Attr.Class, Buffer.alloc(300));
    expect(writer.byteLength).toBeLessThanOrEqual(4096);
  });
});
