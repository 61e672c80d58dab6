/**
 * Access-Request → access policy → Access-Accept/Reject attributes (RFC 2865 §4, MikroTik and
 * WISPr vendor attributes). PAP (RFC 2865 §5.2) and CHAP (§5.3, challenge from CHAP-Challenge or
 * the Request Authenticator) are both checked in constant time.
 */
import type { NasRecord } from '../hotspots/index.js';
import { encodeClassTag } from '../usage/index.js';
import type { AccessDecision, VoucherAccessPolicy } from '../vouchers/index.js';
import {
  Attr,
  Code,
  constantTimeEqual,
  getOctets,
  getString,
  MikrotikAttr,
  revealPassword,
  splitGigawords,
  VENDOR_MIKROTIK,
  VENDOR_WISPR,
  verifyChap,
  WisprAttr,
  type AttributeWriter,
  type RadiusPacket,
} from './protocol/index.js';
import type { ReplyPlan } from './server.js';

/** RFC 2869 §5.16: Acct-Interim-Interval must not be below 60 s. */
const MIN_INTERIM_SECONDS = 60;

export class AccessHandler {
  constructor(private readonly policy: VoucherAccessPolicy) {}

  async handle(packet: RadiusPacket, nas: NasRecord, secret: Buffer): Promise<ReplyPlan> {
    const userName = getString(packet, Attr.UserName);
    if (userName === undefined || userName.length === 0) return reject('User-Name is missing');
    const passwordMatches = credentialsChecker(packet, secret);
    const decision = await this.policy.authorize({
      tenantId: nas.tenantId,
      hotspotId: nas.id,
      userName,
      callingStationId: getString(packet, Attr.CallingStationId),
      passwordMatches,
    });
    if (!decision.accepted) return reject(decision.message);
    return { code: Code.AccessAccept, write: (writer) => writeAcceptAttributes(writer, decision, nas) };
  }
}

function reject(message: string): ReplyPlan {
  return { code: Code.AccessReject, write: (writer) => writer.string(Attr.ReplyMessage, message) };
}

/** A constant-time check of a candidate secret against the PAP or CHAP credentials sent. */
export function credentialsChecker(packet: RadiusPacket, secret: Buffer): (candidate: string) => boolean {
  const hidden = getOctets(packet, Attr.UserPassword);
  if (hidden !== undefined) {
    const clear = revealPassword(hidden, packet.authenticator, secret);
    return (candidate) => clear !== undefined && constantTimeEqual(Buffer.from(candidate, 'utf8'), clear);
  }
  const chapPassword = getOctets(packet, Attr.ChapPassword);
  if (chapPassword !== undefined) {
    const challenge = getOctets(packet, Attr.ChapChallenge) ?? packet.authenticator;
    return (candidate) => verifyChap(chapPassword, challenge, Buffer.from(candidate, 'utf8'));
  }
  return () => false;
}

/** The Access-Accept attributes for a decision (after Message-Authenticator, which the server puts first). */
export function writeAcceptAttributes(
  writer: AttributeWriter,
  decision: Extract<AccessDecision, { accepted: true }>,
  nas: NasRecord,
): void {
  const voucher = decision.voucher;
  if (decision.sessionTimeoutSeconds !== null)
    writer.integer(Attr.SessionTimeout, decision.sessionTimeoutSeconds);
  writer.integer(Attr.AcctInterimInterval, Math.max(MIN_INTERIM_SECONDS, nas.interimIntervalSeconds));
  writer.string(Attr.Class, encodeClassTag(voucher.id, decision.deviceId));
  const up = voucher.speed_up_kbps;
  const down = voucher.speed_down_kbps;
  const { remainingTotalBytes, remainingDownloadBytes, remainingUploadBytes } = decision.limits;
  if (nas.vendor === 'mikrotik') {
    // rx/tx from the router's view: rx = what it receives from the client (upload).
    if (up !== null || down !== null) {
      writer.vendorString(VENDOR_MIKROTIK, MikrotikAttr.RateLimit, `${up ?? 0}k/${down ?? 0}k`);
    }
    const limit = (octetsType: number, gigawordsType: number, bytes: number | null) => {
      if (bytes === null) return;
      const { gigawords, octets } = splitGigawords(Math.max(1, bytes));
      writer.vendorInteger(VENDOR_MIKROTIK, octetsType, octets);
      if (gigawords > 0) writer.vendorInteger(VENDOR_MIKROTIK, gigawordsType, gigawords);
    };
    limit(MikrotikAttr.TotalLimit, MikrotikAttr.TotalLimitGigawords, remainingTotalBytes);
    // Xmit = router → client (download), Recv = client → router (upload).
    limit(MikrotikAttr.XmitLimit, MikrotikAttr.XmitLimitGigawords, remainingDownloadBytes);
    limit(MikrotikAttr.RecvLimit, MikrotikAttr.RecvLimitGigawords, remainingUploadBytes);
  } else {
    // WISPr bandwidth attributes are in bits per second.
    if (up !== null) writer.vendorInteger(VENDOR_WISPR, WisprAttr.BandwidthMaxUp, up * 1000);
    if (down !== null) writer.vendorInteger(VENDOR_WISPR, WisprAttr.BandwidthMaxDown, down * 1000);
  }
}
