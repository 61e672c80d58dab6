/**
 * What an Accounting-Request means to the write side (RFC 2866), decoded by the RADIUS edge:
 * the record the planner and the recorder take, and the Class tag that ties a session to the
 * Access-Accept that let it in.
 */

/** Acct-Status-Type values (RFC 2866 §5.1). */
export const AcctStatusType = {
  Start: 1,
  Stop: 2,
  InterimUpdate: 3,
  AccountingOn: 7,
  AccountingOff: 8,
} as const;

export interface AccountingRecord {
  tenantId: number;
  hotspotId: number;
  timeZone: string;
  statusType: number;
  acctSessionId: string | undefined;
  userName: string;
  /** Class echoed from our Access-Accept (ties the session to the decision). */
  classTag: string | undefined;
  callingStationId: string | undefined;
  framedIp: string | undefined;
  nasPort: string | undefined;
  /** Cumulative session counters (Gigawords joined), from the client's point of view. */
  downloadedBytes: number | undefined;
  uploadedBytes: number | undefined;
  sessionSeconds: number | undefined;
  terminateCause: string | undefined;
  /** When the event happened: Event-Timestamp, else arrival minus Acct-Delay-Time. */
  eventAtMs: number;
}

export interface VoucherExhaustedEvent {
  tenantId: number;
  voucherId: number;
  reason: 'data' | 'time';
}

/** Encodes the tie between an Access-Accept and the sessions it starts. */
export function encodeClassTag(voucherId: number, deviceId: number | null): string {
  return `portico:v${voucherId}:d${deviceId ?? 0}`;
}

export function decodeClassTag(
  tag: string | undefined,
): { voucherId: number; deviceId: number | null } | undefined {
  const match = tag ? /^portico:v(\d{1,15}):d(\d{1,15})$/.exec(tag) : null;
  if (!match) return undefined;
  const deviceId = Number(match[2]);
  return { voucherId: Number(match[1]), deviceId: deviceId === 0 ? null : deviceId };
}
