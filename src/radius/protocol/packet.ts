/**
 * RADIUS packet framing (RFC 2865 §3 and §5): decoding with every structural check the RFCs ask
 * for, and encoding through an attribute writer that never throws on oversized input (it flags
 * overflow so the caller drops instead of crashing). Pure: no I/O, no domain.
 */
import { Attr } from './dictionary.js';

export const MIN_PACKET_OCTETS = 20;
export const MAX_PACKET_OCTETS = 4096;
export const AUTHENTICATOR_OCTETS = 16;

export interface RawAttribute {
  type: number;
  /** The value octets (a view into the received datagram: copy before keeping it long). */
  value: Buffer;
  /** Offset of the attribute (its type octet) within the packet. */
  offset: number;
}

export interface RadiusPacket {
  code: number;
  identifier: number;
  authenticator: Buffer;
  attributes: RawAttribute[];
  /** Exactly `Length` octets of the datagram (trailing padding removed, RFC 2865 §3). */
  raw: Buffer;
}

export type DecodeFailure = 'too-short' | 'bad-length' | 'bad-attribute';

export type DecodeResult = { ok: true; packet: RadiusPacket } | { ok: false; reason: DecodeFailure };

/** Expected value length per standard attribute type (0 = variable), for the RFC 2865 §5 checks. */
const FIXED_LENGTH = new Uint8Array(256);
for (const type of [
  Attr.NasIpAddress,
  Attr.NasPort,
  Attr.ServiceType,
  Attr.FramedIpAddress,
  Attr.SessionTimeout,
  Attr.IdleTimeout,
  Attr.AcctStatusType,
  Attr.AcctDelayTime,
  Attr.AcctInputOctets,
  Attr.AcctOutputOctets,
  Attr.AcctAuthentic,
  Attr.AcctSessionTime,
  Attr.AcctInputPackets,
  Attr.AcctOutputPackets,
  Attr.AcctTerminateCause,
  Attr.AcctInputGigawords,
  Attr.AcctOutputGigawords,
  Attr.EventTimestamp,
  Attr.NasPortType,
  Attr.AcctInterimInterval,
  Attr.ErrorCause,
]) {
  FIXED_LENGTH[type] = 4;
}
FIXED_LENGTH[Attr.MessageAuthenticator] = 16;
FIXED_LENGTH[Attr.ChapPassword] = 17;

/**
 * Decodes one datagram. Drops (returns a reason) when it is shorter than 20 octets, when the
 * Length field is outside 20..4096 or larger than the datagram (RFC 2865 §3), when an attribute
 * is shorter than 2 octets or overruns the packet, or when a fixed-size attribute (integers,
 * addresses, Message-Authenticator, CHAP-Password) has the wrong size (RFC 2865 §5).
 */
export function decodePacket(datagram: Buffer): DecodeResult {
  if (datagram.length < MIN_PACKET_OCTETS) return { ok: false, reason: 'too-short' };
  const length = datagram.readUInt16BE(2);
  if (length < MIN_PACKET_OCTETS || length > MAX_PACKET_OCTETS || length > datagram.length) {
    return { ok: false, reason: 'bad-length' };
  }
  const raw = length === datagram.length ? datagram : datagram.subarray(0, length);
  const attributes: RawAttribute[] = [];
  let offset = MIN_PACKET_OCTETS;
  while (offset < length) {
    if (offset + 2 > length) return { ok: false, reason: 'bad-attribute' };
    const type = raw[offset]!;
    const attrLength = raw[offset + 1]!;
    if (attrLength < 2 || offset + attrLength > length) return { ok: false, reason: 'bad-attribute' };
    const fixed = FIXED_LENGTH[type]!;
    if (fixed !== 0 && attrLength - 2 !== fixed) return { ok: false, reason: 'bad-attribute' };
    if (type === Attr.VendorSpecific && attrLength < 2 + 4 + 1) return { ok: false, reason: 'bad-attribute' };
    attributes.push({ type, value: raw.subarray(offset + 2, offset + attrLength), offset });
    offset += attrLength;
  }
  return {
    ok: true,
    packet: {
      code: raw[0]!,
      identifier: raw[1]!,
      authenticator: raw.subarray(4, 20),
      attributes,
      raw,
    },
  };
}

export function findAttribute(packet: RadiusPacket, type: number): RawAttribute | undefined {
  for (const attribute of packet.attributes) if (attribute.type === type) return attribute;
  return undefined;
}

export function countAttributes(packet: RadiusPacket, type: number): number {
  let count = 0;
  for (const attribute of packet.attributes) if (attribute.type === type) count++;
  return count;
}

export function getString(packet: RadiusPacket, type: number): string | undefined {
  return findAttribute(packet, type)?.value.toString('utf8');
}

export function getOctets(packet: RadiusPacket, type: number): Buffer | undefined {
  return findAttribute(packet, type)?.value;
}

export function getInteger(packet: RadiusPacket, type: number): number | undefined {
  const value = findAttribute(packet, type)?.value;
  return value && value.length === 4 ? value.readUInt32BE(0) : undefined;
}

export function getIpAddress(packet: RadiusPacket, type: number): string | undefined {
  const value = findAttribute(packet, type)?.value;
  return value && value.length === 4 ? `${value[0]}.${value[1]}.${value[2]}.${value[3]}` : undefined;
}

export interface VendorAttribute {
  vendorId: number;
  type: number;
  value: Buffer;
}

/**
 * The vendor sub-attributes of every Vendor-Specific attribute (RFC 2865 §5.26, the recommended
 * type/length/value format); malformed VSAs are skipped rather than trusted.
 */
export function vendorAttributes(packet: RadiusPacket): VendorAttribute[] {
  const result: VendorAttribute[] = [];
  for (const attribute of packet.attributes) {
    if (attribute.type !== Attr.VendorSpecific || attribute.value.length < 6) continue;
    const vendorId = attribute.value.readUInt32BE(0);
    let offset = 4;
    const value = attribute.value;
    while (offset + 2 <= value.length) {
      const subLength = value[offset + 1]!;
      if (subLength < 2 || offset + subLength > value.length) break;
      result.push({ vendorId, type: value[offset]!, value: value.subarray(offset + 2, offset + subLength) });
      offset += subLength;
    }
  }
  return result;
}

/**
 * Appends attributes to a packet under construction. Oversized values or a packet beyond 4096
 * octets set `overflow` instead of throwing, so a hostile request can never crash the encoder.
 */
export class AttributeWriter {
  private length = MIN_PACKET_OCTETS;
  overflow = false;

  /** `buffer` (at least 4096 octets) may be a reused scratch area: finish() copies out of it. */
  constructor(private readonly buffer: Buffer = Buffer.allocUnsafe(MAX_PACKET_OCTETS)) {}

  get byteLength(): number {
    return this.length;
  }

  private reserve(valueLength: number): number {
    if (valueLength > 253 || this.length + 2 + valueLength > MAX_PACKET_OCTETS) {
      this.overflow = true;
      return -1;
    }
    const at = this.length;
    this.length += 2 + valueLength;
    return at;
  }

  octets(type: number, value: Buffer): this {
    const at = this.reserve(value.length);
    if (at < 0) return this;
    this.buffer[at] = type;
    this.buffer[at + 1] = 2 + value.length;
    value.copy(this.buffer, at + 2);
    return this;
  }

  /** Written straight into the packet: no intermediate Buffer per string. */
  string(type: number, value: string): this {
    const length = Buffer.byteLength(value, 'utf8');
    const at = this.reserve(length);
    if (at < 0) return this;
    this.buffer[at] = type;
    this.buffer[at + 1] = 2 + length;
    this.buffer.write(value, at + 2, length, 'utf8');
    return this;
  }

  integer(type: number, value: number): this {
    const at = this.reserve(4);
    if (at < 0) return this;
    this.buffer[at] = type;
    this.buffer[at + 1] = 6;
    this.buffer.writeUInt32BE(clampUint32(value), at + 2);
    return this;
  }

  ipAddress(type: number, value: string): this {
    const parts = value.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return this;
    return this.octets(type, Buffer.from(parts));
  }

  /** A Vendor-Specific attribute holding one sub-attribute (RFC 2865 §5.26). */
  vendorOctets(vendorId: number, type: number, value: Buffer): this {
    const at = this.vendorHeader(vendorId, type, value.length);
    if (at >= 0) value.copy(this.buffer, at);
    return this;
  }

  vendorString(vendorId: number, type: number, value: string): this {
    const length = Buffer.byteLength(value, 'utf8');
    const at = this.vendorHeader(vendorId, type, length);
    if (at >= 0) this.buffer.write(value, at, length, 'utf8');
    return this;
  }

  vendorInteger(vendorId: number, type: number, value: number): this {
    const at = this.vendorHeader(vendorId, type, 4);
    if (at >= 0) this.buffer.writeUInt32BE(clampUint32(value), at);
    return this;
  }

  /** Reserves a Vendor-Specific attribute with one sub-attribute; returns its value offset, or -1. */
  private vendorHeader(vendorId: number, type: number, valueLength: number): number {
    const at = this.reserve(4 + 2 + valueLength);
    if (at < 0) return -1;
    this.buffer[at] = Attr.VendorSpecific;
    this.buffer[at + 1] = 2 + 4 + 2 + valueLength;
    this.buffer.writeUInt32BE(vendorId, at + 2);
    this.buffer[at + 6] = type;
    this.buffer[at + 7] = 2 + valueLength;
    return at + 8;
  }

  /** Writes the header and returns a copy of the packet (authenticator as given, usually a placeholder). */
  finish(code: number, identifier: number, authenticator: Buffer): Buffer {
    const packet = Buffer.allocUnsafe(this.length);
    this.buffer.copy(packet, 0, 0, this.length);
    packet[0] = code;
    packet[1] = identifier;
    packet.writeUInt16BE(this.length, 2);
    authenticator.copy(packet, 4, 0, AUTHENTICATOR_OCTETS);
    return packet;
  }
}

function clampUint32(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return Math.min(Math.floor(value), 0xffffffff);
}

/** Splits a 64-bit byte count into (Gigawords, Octets) as RFC 2869 §5.1 and MikroTik's *-Gigawords do. */
export function splitGigawords(bytes: number): { gigawords: number; octets: number } {
  const value = Math.max(0, Math.floor(bytes));
  return { gigawords: Math.floor(value / 2 ** 32), octets: value % 2 ** 32 };
}

/** Gigawords << 32 | Octets, in a JS number (exact to 2^53). */
export function joinGigawords(gigawords: number | undefined, octets: number | undefined): number {
  return (gigawords ?? 0) * 2 ** 32 + (octets ?? 0);
}
