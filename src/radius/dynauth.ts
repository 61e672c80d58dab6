/**
 * RFC 5176 Disconnect client: Portico asks a hotspot to end a session. The request carries only
 * identification attributes plus Event-Timestamp (§3), Message-Authenticator first and computed
 * before the Request Authenticator; it is retransmitted unchanged with exponential backoff
 * (IRT 2 s, doubling, MRD 30 s, as RFC 5080 §2.2.1 describes) until an authentic ACK/NAK arrives.
 * Implements the usage module's SessionTerminator port.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from 'pino';
import type { DisconnectOutcome, DisconnectTarget, SessionTerminator } from '../usage/index.js';
import {
  Attr,
  Code,
  decodePacket,
  encodeRequest,
  findAttribute,
  getInteger,
  verifyMessageAuthenticator,
  verifyResponse,
} from './protocol/index.js';

export interface DisconnectClientOptions {
  logger: Logger;
  /** Initial retransmission timeout (RFC 5080: 2 s). */
  initialTimeoutMs?: number;
  /** Give up after this long in total (≤ 30 s). */
  maxDurationMs?: number;
  /** Current time in seconds for Event-Timestamp. */
  nowSeconds?: () => number;
}

interface PendingRequest {
  requestAuthenticator: Buffer;
  secret: Buffer;
  attempts: number;
  timer: NodeJS.Timeout | undefined;
  finish: (outcome: DisconnectOutcome) => void;
}

export class DisconnectClient implements SessionTerminator {
  private socket: dgram.Socket | undefined;
  private starting: Promise<dgram.Socket> | undefined;
  private readonly pending = new Map<string, PendingRequest>();
  private readonly nextIdentifier = new Map<string, number>();
  /** After close(): nothing more is sent (a late caller gets "timeout" at once, no new socket). */
  private closed = false;
  readonly stats = { sent: 0, retransmitted: 0, acked: 0, nacked: 0, timeouts: 0, invalidResponses: 0 };

  constructor(private readonly options: DisconnectClientOptions) {}

  private open(): Promise<dgram.Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    this.starting ??= new Promise((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      socket.on('message', (message, rinfo) => this.onMessage(message, rinfo));
      socket.on('error', (error) =>
        this.options.logger.error({ err: error }, 'Disconnect client socket error'),
      );
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        socket.unref();
        this.socket = socket;
        resolve(socket);
      });
    });
    return this.starting;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const request of this.pending.values()) {
      clearTimeout(request.timer);
      request.finish({ status: 'timeout', errorCause: null, attempts: request.attempts });
    }
    this.pending.clear();
    const socket = this.socket;
    this.socket = undefined;
    this.starting = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  async disconnect(target: DisconnectTarget): Promise<DisconnectOutcome> {
    if (this.closed) return { status: 'timeout', errorCause: null, attempts: 0 };
    const socket = await this.open();
    const destination = `${target.hotspot.ipAddress}|${target.hotspot.coaPort}`;
    const identifier = this.allocateIdentifier(destination);
    if (identifier === undefined) return { status: 'timeout', errorCause: null, attempts: 0 };
    const secret = Buffer.from(target.hotspot.secret, 'utf8');
    const nowSeconds = this.options.nowSeconds?.() ?? Math.floor(Date.now() / 1000);
    const packet = encodeRequest(
      Code.DisconnectRequest,
      identifier,
      secret,
      { messageAuthenticator: true },
      (w) => {
        // Identification only (RFC 5176 §3). For MikroTik hotspot sessions: NAS-IP-Address +
        // User-Name + Acct-Session-Id + Framed-IP-Address (User-Name = MAC alone can hit Wi-Fi instead).
        if (net.isIPv4(target.hotspot.ipAddress)) w.ipAddress(Attr.NasIpAddress, target.hotspot.ipAddress);
        w.string(Attr.UserName, target.session.userName);
        w.string(Attr.AcctSessionId, target.session.acctSessionId);
        if (target.session.framedIp) w.ipAddress(Attr.FramedIpAddress, target.session.framedIp);
        if (target.hotspot.vendor !== 'mikrotik' && target.session.mac) {
          w.string(Attr.CallingStationId, target.session.mac);
        }
        w.integer(Attr.EventTimestamp, nowSeconds);
      },
    );
    const key = `${destination}|${identifier}`;
    const initial = this.options.initialTimeoutMs ?? 2000;
    const maxDuration = this.options.maxDurationMs ?? 30_000;
    const startedAt = Date.now();

    return new Promise<DisconnectOutcome>((resolve) => {
      const request: PendingRequest = {
        requestAuthenticator: packet.subarray(4, 20),
        secret,
        attempts: 0,
        timer: undefined,
        finish: (outcome) => {
          clearTimeout(request.timer);
          this.pending.delete(key);
          resolve(outcome);
        },
      };
      this.pending.set(key, request);
      const send = (timeoutMs: number) => {
        request.attempts++;
        if (request.attempts === 1) this.stats.sent++;
        else this.stats.retransmitted++;
        socket.send(packet, target.hotspot.coaPort, target.hotspot.ipAddress);
        const elapsed = Date.now() - startedAt;
        const wait = Math.min(timeoutMs, Math.max(0, maxDuration - elapsed));
        request.timer = setTimeout(() => {
          if (Date.now() - startedAt >= maxDuration) {
            this.stats.timeouts++;
            request.finish({ status: 'timeout', errorCause: null, attempts: request.attempts });
            return;
          }
          // RT = 2·RTprev ± 10 % jitter (RFC 5080 §2.2.1).
          send(timeoutMs * 2 * (0.9 + Math.random() * 0.2));
        }, wait);
      };
      send(initial * (0.9 + Math.random() * 0.2));
    });
  }

  private allocateIdentifier(destination: string): number | undefined {
    const start = this.nextIdentifier.get(destination) ?? Math.floor(Math.random() * 256);
    for (let i = 0; i < 256; i++) {
      const identifier = (start + i) % 256;
      if (!this.pending.has(`${destination}|${identifier}`)) {
        this.nextIdentifier.set(destination, (identifier + 1) % 256);
        return identifier;
      }
    }
    return undefined;
  }

  private onMessage(message: Buffer, rinfo: dgram.RemoteInfo): void {
    const decoded = decodePacket(message);
    if (!decoded.ok) {
      this.stats.invalidResponses++;
      return;
    }
    const packet = decoded.packet;
    const address = rinfo.address.startsWith('::ffff:') ? rinfo.address.slice(7) : rinfo.address;
    const request = this.pending.get(`${address}|${rinfo.port}|${packet.identifier}`);
    if (!request) {
      this.stats.invalidResponses++;
      return;
    }
    const acked = packet.code === Code.DisconnectAck;
    const nacked = packet.code === Code.DisconnectNak;
    const authentic =
      (acked || nacked) &&
      verifyResponse(packet.raw, request.requestAuthenticator, request.secret) &&
      (findAttribute(packet, Attr.MessageAuthenticator) === undefined ||
        verifyMessageAuthenticator(packet, request.secret, request.requestAuthenticator));
    if (!authentic) {
      this.stats.invalidResponses++;
      this.options.logger.warn(
        { source: address, code: packet.code },
        'ignoring an unauthentic Disconnect response',
      );
      return;
    }
    if (acked) this.stats.acked++;
    else this.stats.nacked++;
    request.finish({
      status: acked ? 'acked' : 'nacked',
      errorCause: nacked ? (getInteger(packet, Attr.ErrorCause) ?? null) : null,
      attempts: request.attempts,
    });
  }
}
