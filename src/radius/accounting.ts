/**
 * Accounting-Request (RFC 2866) → an AccountingRecord for the usage module's group commit. The
 * server answers only after `record()` resolves, i.e. after the COMMIT (RFC 2866 §2).
 */
import type { NasRecord } from '../hotspots/index.js';
import type { Clock } from '../shared/index.js';
import type { AccountingRecord, AccountingRecorder } from '../usage/index.js';
import {
  Attr,
  getInteger,
  getIpAddress,
  getOctets,
  getString,
  joinGigawords,
  TERMINATE_CAUSES,
  type RadiusPacket,
} from './protocol/index.js';

export function accountingRecordOf(packet: RadiusPacket, nas: NasRecord, nowMs: number): AccountingRecord {
  const input = getInteger(packet, Attr.AcctInputOctets);
  const output = getInteger(packet, Attr.AcctOutputOctets);
  const cause = getInteger(packet, Attr.AcctTerminateCause);
  const nasPort = getString(packet, Attr.NasPortId) ?? getInteger(packet, Attr.NasPort)?.toString();
  // Acct-Delay-Time (RFC 2866 §5.2) says how long the NAS has been retrying; the NAS's own clock
  // (Event-Timestamp) is often unset on hotspot routers, so our clock minus the delay is used.
  const delaySeconds = getInteger(packet, Attr.AcctDelayTime) ?? 0;
  return {
    tenantId: nas.tenantId,
    hotspotId: nas.id,
    timeZone: nas.timeZone,
    statusType: getInteger(packet, Attr.AcctStatusType) ?? 0,
    acctSessionId: getString(packet, Attr.AcctSessionId),
    userName: getString(packet, Attr.UserName) ?? '',
    classTag: getOctets(packet, Attr.Class)?.toString('utf8'),
    callingStationId: getString(packet, Attr.CallingStationId),
    framedIp: getIpAddress(packet, Attr.FramedIpAddress),
    nasPort,
    // "Input" is from the client (upload), "Output" to the client (download); Gigawords RFC 2869 §5.1/5.2.
    uploadedBytes:
      input === undefined ? undefined : joinGigawords(getInteger(packet, Attr.AcctInputGigawords), input),
    downloadedBytes:
      output === undefined ? undefined : joinGigawords(getInteger(packet, Attr.AcctOutputGigawords), output),
    sessionSeconds: getInteger(packet, Attr.AcctSessionTime),
    terminateCause: cause === undefined ? undefined : (TERMINATE_CAUSES[cause] ?? `Cause-${cause}`),
    eventAtMs: nowMs - Math.min(delaySeconds, 86_400) * 1000,
  };
}

export class AccountingHandler {
  constructor(
    private readonly recorder: AccountingRecorder,
    private readonly clock: Clock,
  ) {}

  handle(packet: RadiusPacket, nas: NasRecord): Promise<void> {
    return this.recorder.record(accountingRecordOf(packet, nas, this.clock.nowMs()));
  }
}
