/**
 * RADIUS authenticators and attribute hiding. Every comparison of secrets-derived values is
 * constant-time (crypto.timingSafeEqual).
 */
import crypto from 'node:crypto';
import { Attr } from './dictionary.js';
import { AUTHENTICATOR_OCTETS, type RadiusPacket } from './packet.js';

const ZERO_AUTHENTICATOR = Buffer.alloc(AUTHENTICATOR_OCTETS);

/** MD5 input is gathered here: one one-shot crypto.hash call costs less than a Hash object. */
let scratch = Buffer.allocUnsafe(8192);

/** Copies `parts` into the scratch buffer after `start` octets; returns the view that ends after them. */
function gather(start: number, parts: Buffer[]): Buffer {
  let total = start;
  for (const part of parts) total += part.length;
  if (total > scratch.length) {
    const larger = Buffer.allocUnsafe(total * 2);
    scratch.copy(larger, 0, 0, start);
    scratch = larger;
  }
  let at = start;
  for (const part of parts) at += part.copy(scratch, at);
  return scratch.subarray(0, total);
}

// Synchronous and not re-entered, so sharing the scratch buffer is safe.
function md5(...parts: Buffer[]): Buffer {
  return crypto.hash('md5', gather(0, parts), 'buffer');
}

/**
 * RFC 2104 HMAC-MD5 (Message-Authenticator, RFC 3579 §3.2), from node:crypto: a hand-made HMAC
 * measured ~1-2 µs a packet cheaper, not worth owning a crypto construction for.
 */
export function hmacMd5(key: Buffer, parts: Buffer[]): Buffer {
  const hmac = crypto.createHmac('md5', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * MD5(Code + Identifier + Length + authenticator + Attributes + Secret) over `packet`, with the
 * given authenticator in place of the packet's own (RFC 2865 §3 Response Authenticator; RFC 2866
 * §3 and RFC 5176 §2.3 request authenticators use 16 zero octets).
 */
function authenticatorOver(packet: Buffer, authenticator: Buffer, secret: Buffer): Buffer {
  return md5(packet.subarray(0, 4), authenticator, packet.subarray(20), secret);
}

/** RFC 2865 §3: writes the Response Authenticator into an encoded reply (in place). */
export function signResponse(reply: Buffer, requestAuthenticator: Buffer, secret: Buffer): Buffer {
  authenticatorOver(reply, requestAuthenticator, secret).copy(reply, 4);
  return reply;
}

/** RFC 2865 §3: checks a reply's Response Authenticator against the request's authenticator. */
export function verifyResponse(reply: Buffer, requestAuthenticator: Buffer, secret: Buffer): boolean {
  return equal(authenticatorOver(reply, requestAuthenticator, secret), reply.subarray(4, 20));
}

/** RFC 2866 §3 (and RFC 5176 §2.3 for Disconnect/CoA): writes the request authenticator in place. */
export function signZeroAuthenticatorRequest(request: Buffer, secret: Buffer): Buffer {
  authenticatorOver(request, ZERO_AUTHENTICATOR, secret).copy(request, 4);
  return request;
}

/** RFC 2866 §3: an Accounting-Request's (or Disconnect/CoA-Request's) authenticator is valid. */
export function verifyZeroAuthenticatorRequest(request: Buffer, secret: Buffer): boolean {
  return equal(authenticatorOver(request, ZERO_AUTHENTICATOR, secret), request.subarray(4, 20));
}

/**
 * RFC 3579 §3.2: HMAC-MD5 over the packet with the Message-Authenticator value zeroed and
 * `authenticator` in the authenticator field (the request's own for requests, the request's for
 * replies, zeros for Accounting/Disconnect/CoA requests).
 */
function messageAuthenticatorOver(
  packet: Buffer,
  valueOffset: number,
  authenticator: Buffer,
  secret: Buffer,
): Buffer {
  return hmacMd5(secret, [
    packet.subarray(0, 4),
    authenticator,
    packet.subarray(20, valueOffset),
    ZERO_AUTHENTICATOR,
    packet.subarray(valueOffset + AUTHENTICATOR_OCTETS),
  ]);
}

/** Offset of the Message-Authenticator value in an encoded packet, or -1. */
export function messageAuthenticatorOffset(packet: Buffer): number {
  let offset = 20;
  while (offset + 2 <= packet.length) {
    const length = packet[offset + 1]!;
    if (length < 2) return -1;
    if (packet[offset] === Attr.MessageAuthenticator && length === 18) return offset + 2;
    offset += length;
  }
  return -1;
}

/**
 * Verifies a received packet's Message-Authenticator (constant time). `authenticator` is what
 * the HMAC covers in the authenticator field: the packet's own for Access-Request and
 * Status-Server, zeros for Accounting-Request, the request's for replies.
 */
export function verifyMessageAuthenticator(
  packet: RadiusPacket,
  secret: Buffer,
  authenticator: Buffer = packet.authenticator,
): boolean {
  const attribute = packet.attributes.find((a) => a.type === Attr.MessageAuthenticator);
  if (!attribute || attribute.value.length !== AUTHENTICATOR_OCTETS) return false;
  const expected = messageAuthenticatorOver(packet.raw, attribute.offset + 2, authenticator, secret);
  return equal(expected, attribute.value);
}

/** Fills the (zeroed) Message-Authenticator value at `valueOffset` of an encoded packet. */
export function fillMessageAuthenticator(
  packet: Buffer,
  valueOffset: number,
  authenticator: Buffer,
  secret: Buffer,
): void {
  messageAuthenticatorOver(packet, valueOffset, authenticator, secret).copy(packet, valueOffset);
}

export { ZERO_AUTHENTICATOR };

/**
 * RFC 2865 §5.2: recovers a hidden User-Password. Returns undefined when the value is not a
 * whole number of 16-octet blocks between 16 and 128 octets. Trailing NULs (padding) are removed.
 */
export function revealPassword(
  hidden: Buffer,
  requestAuthenticator: Buffer,
  secret: Buffer,
): Buffer | undefined {
  if (hidden.length < 16 || hidden.length > 128 || hidden.length % 16 !== 0) return undefined;
  const clear = Buffer.allocUnsafe(hidden.length);
  let previous = requestAuthenticator;
  for (let block = 0; block < hidden.length; block += 16) {
    const key = md5(secret, previous);
    for (let i = 0; i < 16; i++) clear[block + i] = hidden[block + i]! ^ key[i]!;
    previous = hidden.subarray(block, block + 16);
  }
  let end = clear.length;
  while (end > 0 && clear[end - 1] === 0) end--;
  return clear.subarray(0, end);
}

/** RFC 2865 §5.2: hides a password (clients and tests). */
export function hidePassword(password: Buffer, requestAuthenticator: Buffer, secret: Buffer): Buffer {
  const padded = Buffer.alloc(Math.max(16, Math.ceil(password.length / 16) * 16));
  password.copy(padded);
  const hidden = Buffer.allocUnsafe(padded.length);
  let previous = requestAuthenticator;
  for (let block = 0; block < padded.length; block += 16) {
    const key = md5(secret, previous);
    for (let i = 0; i < 16; i++) hidden[block + i] = padded[block + i]! ^ key[i]!;
    previous = hidden.subarray(block, block + 16);
  }
  return hidden;
}

/**
 * RFC 2865 §2.2 / §5.3: CHAP-Password = ident ‖ MD5(ident ‖ password ‖ challenge), where the
 * challenge is CHAP-Challenge or, when absent, the Request Authenticator. Constant time.
 */
export function verifyChap(chapPassword: Buffer, challenge: Buffer, password: Buffer): boolean {
  if (chapPassword.length !== 17) return false;
  const expected = md5(chapPassword.subarray(0, 1), password, challenge);
  return crypto.timingSafeEqual(expected, chapPassword.subarray(1));
}

export function chapResponse(ident: number, password: Buffer, challenge: Buffer): Buffer {
  return Buffer.concat([Buffer.from([ident]), md5(Buffer.from([ident]), password, challenge)]);
}

/** Constant-time equality for codes and passwords of possibly different lengths. */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) {
    crypto.timingSafeEqual(a, a);
    return false;
  }
  return crypto.timingSafeEqual(a, b);
}
