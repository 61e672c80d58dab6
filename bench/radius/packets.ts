/**
 * The benchmark's requests, the same for every server: N sessions on N vouchers (codes
 * bench-00000…, each with one known device MAC), NAS-IP-Address 127.0.0.1 (FreeRADIUS's radacct
 * needs it), Message-Authenticator on every Access-Request.
 */
import crypto from 'node:crypto';
import { Attr, Code, chapResponse, encodeRequest } from '../../src/radius/protocol/index.js';

export const BENCH_SECRET = 'bench-secret-0123';
const secret = Buffer.from(BENCH_SECRET);

export type WorkKind = 'interim' | 'startstop' | 'chap';

export const codeOf = (voucher: number) => `bench-${String(voucher).padStart(5, '0')}`;
export const macOf = (voucher: number) =>
  `02:00:00:${((voucher >> 16) & 0xff).toString(16).padStart(2, '0')}:${((voucher >> 8) & 0xff).toString(16).padStart(2, '0')}:${(voucher & 0xff).toString(16).padStart(2, '0')}`.toUpperCase();

function accounting(
  identifier: number,
  statusType: number,
  sessionId: string,
  voucher: number,
  step: number,
): Buffer {
  return encodeRequest(Code.AccountingRequest, identifier, secret, { messageAuthenticator: false }, (w) => {
    w.integer(Attr.AcctStatusType, statusType)
      .string(Attr.AcctSessionId, sessionId)
      .string(Attr.UserName, codeOf(voucher))
      .ipAddress(Attr.NasIpAddress, '127.0.0.1')
      .string(Attr.NasIdentifier, 'bench')
      .string(Attr.CallingStationId, macOf(voucher))
      .ipAddress(Attr.FramedIpAddress, `10.${(voucher >> 8) & 0xff}.${voucher & 0xff}.1`)
      .integer(Attr.AcctDelayTime, 0);
    if (statusType !== 1) {
      w.integer(Attr.AcctInputOctets, step * 1000)
        .integer(Attr.AcctOutputOctets, step * 10_000)
        .integer(Attr.AcctSessionTime, step * 60);
    }
    if (statusType === 2) w.integer(Attr.AcctTerminateCause, 1);
  });
}

/**
 * Request `sequence` of a kind. `tag` keeps session ids of different servers and runs apart.
 * - interim: sessions 0..N-1 in turn, counters growing with each pass (a priming pass of N
 *   requests first makes every session known);
 * - startstop: a Start of a new session, then (256 pairs later) its Stop;
 * - chap: a CHAP login of voucher i with its known device.
 */
export function makePacket(
  kind: WorkKind,
  tag: string,
  sessions: number,
  identifier: number,
  sequence: number,
): Buffer {
  if (kind === 'interim') {
    const session = sequence % sessions;
    return accounting(identifier, 3, `${tag}-i${session}`, session, Math.floor(sequence / sessions) + 1);
  }
  if (kind === 'startstop') {
    const pair = sequence >> 1;
    const lag = 256;
    if ((sequence & 1) === 0) return accounting(identifier, 1, `${tag}-s${pair}`, pair % sessions, 0);
    if (pair < lag) return accounting(identifier, 1, `${tag}-w${pair}`, (pair + 5000) % sessions, 0);
    return accounting(identifier, 2, `${tag}-s${pair - lag}`, (pair - lag) % sessions, 1);
  }
  const voucher = sequence % sessions;
  const authenticator = crypto.randomBytes(16);
  const code = codeOf(voucher);
  return encodeRequest(
    Code.AccessRequest,
    identifier,
    secret,
    { messageAuthenticator: true, authenticator },
    (w) =>
      w
        .string(Attr.UserName, code)
        .octets(Attr.ChapPassword, chapResponse(identifier, Buffer.from(code), authenticator))
        .ipAddress(Attr.NasIpAddress, '127.0.0.1')
        .string(Attr.NasIdentifier, 'bench')
        .string(Attr.CallingStationId, macOf(voucher)),
  );
}
