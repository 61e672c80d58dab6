/**
 * Building whole packets: replies (with Message-Authenticator first, RFC 3579 §3.2 and the
 * Blast-RADIUS mitigation, and Proxy-State copied in order, RFC 2865 §5.33) and requests (for the
 * Disconnect/CoA client, tests and the load generator).
 */
import crypto from 'node:crypto';
import { Attr, Code } from './dictionary.js';
import {
  fillMessageAuthenticator,
  signResponse,
  signZeroAuthenticatorRequest,
  ZERO_AUTHENTICATOR,
} from './crypto.js';
import { AttributeWriter, MAX_PACKET_OCTETS, type RadiusPacket } from './packet.js';

/** Value offset of a Message-Authenticator written as the very first attribute. */
const FIRST_ATTRIBUTE_VALUE_OFFSET = 22;

/**
 * One 4 KiB area every packet is written in (then copied out at its real size): a fresh 4 KiB
 * buffer per reply was a large share of the server's allocations. Encoding is synchronous; a
 * nested encode (from inside a `write` callback) gets a buffer of its own.
 */
const writerScratch = Buffer.allocUnsafe(MAX_PACKET_OCTETS);
let writerScratchInUse = false;

function withWriter<T>(use: (writer: AttributeWriter) => T): T {
  if (writerScratchInUse) return use(new AttributeWriter());
  writerScratchInUse = true;
  try {
    return use(new AttributeWriter(writerScratch));
  } finally {
    writerScratchInUse = false;
  }
}

/**
 * Encodes a reply to `request`. Message-Authenticator goes first when asked for (always for
 * Access-* replies); every Proxy-State of the request is appended in order. Returns undefined
 * when the reply would not fit in 4096 octets (the caller drops the request and counts it).
 */
export function encodeReply(
  request: RadiusPacket,
  code: number,
  secret: Buffer,
  options: { messageAuthenticator: boolean },
  write?: (writer: AttributeWriter) => void,
): Buffer | undefined {
  const reply = withWriter((writer) => {
    if (options.messageAuthenticator) writer.octets(Attr.MessageAuthenticator, ZERO_AUTHENTICATOR);
    write?.(writer);
    for (const attribute of request.attributes) {
      if (attribute.type === Attr.ProxyState) writer.octets(Attr.ProxyState, attribute.value);
    }
    return writer.overflow ? undefined : writer.finish(code, request.identifier, request.authenticator);
  });
  if (!reply) return undefined;
  if (options.messageAuthenticator) {
    fillMessageAuthenticator(reply, FIRST_ATTRIBUTE_VALUE_OFFSET, request.authenticator, secret);
  }
  return signResponse(reply, request.authenticator, secret);
}

/** Whether requests of this code carry a Request Authenticator computed over zeros (RFC 2866 §3, RFC 5176 §2.3). */
export function usesZeroRequestAuthenticator(code: number): boolean {
  return code === Code.AccountingRequest || code === Code.DisconnectRequest || code === Code.CoaRequest;
}

/**
 * Encodes a request. Access-Request and Status-Server get a random Request Authenticator
 * (pass `authenticator` when attributes such as User-Password depend on it); Accounting,
 * Disconnect and CoA requests get the MD5 one. With `messageAuthenticator`, it is the first
 * attribute, computed before the Request Authenticator (RFC 5176 §3, RFC 3579 §3.2).
 */
export function encodeRequest(
  code: number,
  identifier: number,
  secret: Buffer,
  options: { messageAuthenticator: boolean; authenticator?: Buffer },
  write?: (writer: AttributeWriter) => void,
): Buffer {
  const zero = usesZeroRequestAuthenticator(code);
  const authenticator = zero ? ZERO_AUTHENTICATOR : (options.authenticator ?? crypto.randomBytes(16));
  const packet = withWriter((writer) => {
    if (options.messageAuthenticator) writer.octets(Attr.MessageAuthenticator, ZERO_AUTHENTICATOR);
    write?.(writer);
    if (writer.overflow) throw new RangeError('RADIUS request does not fit in 4096 octets');
    return writer.finish(code, identifier, authenticator);
  });
  if (options.messageAuthenticator) {
    fillMessageAuthenticator(packet, FIRST_ATTRIBUTE_VALUE_OFFSET, authenticator, secret);
  }
  if (zero) signZeroAuthenticatorRequest(packet, secret);
  return packet;
}
