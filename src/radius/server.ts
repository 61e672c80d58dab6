/**
 * The RADIUS UDP server: authentication (RFC 2865) and accounting (RFC 2866) sockets, the
 * secret chosen by source IP, request validation in the order the RFCs and the Blast-RADIUS
 * advisory ask (Message-Authenticator verified before any other work), the RFC 5080 §2.2.2
 * duplicate cache, Status-Server (RFC 5997), and counted, rate-limited logging of every drop.
 * Policy lives in the handlers; this file knows packets and sockets only.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from 'pino';
import type { NasRecord } from '../hotspots/index.js';
import {
  Attr,
  Code,
  countAttributes,
  decodePacket,
  encodeReply,
  findAttribute,
  verifyMessageAuthenticator,
  verifyZeroAuthenticatorRequest,
  ZERO_AUTHENTICATOR,
  type AttributeWriter,
  type RadiusPacket,
} from './protocol/index.js';

export interface ReplyPlan {
  code: number;
  write?: (writer: AttributeWriter) => void;
}

export interface RadiusHandlers {
  findNas(ipAddress: string): Promise<NasRecord | undefined>;
  /** Decides a validated Access-Request. */
  access(request: RadiusPacket, nas: NasRecord, secret: Buffer): Promise<ReplyPlan>;
  /** Stores a validated Accounting-Request; resolves after the commit (then we answer). */
  accounting(request: RadiusPacket, nas: NasRecord): Promise<void>;
}

export interface RadiusServerOptions {
  host: string;
  authPort: number;
  acctPort: number;
  logger: Logger;
  /** Kernel receive buffer per socket: bursts beyond the default ~208 KiB lose packets. */
  recvBufferSize?: number;
  /** How long answers are kept for duplicates (RFC 5080 §2.2.2: 5–30 s). */
  duplicateTtlMs?: number;
  maxDuplicateEntries?: number;
  /**
   * SO_REUSEPORT (Linux): several threads bind the same ports and the kernel gives each one the
   * datagrams of some sources — always the same ones, as it picks by source address and port, so
   * a NAS's retransmissions meet the duplicate cache of the thread that answered the first.
   */
  reusePort?: boolean;
}

export type DropReason =
  | 'too-short'
  | 'bad-length'
  | 'bad-attribute'
  | 'unknown-code'
  | 'unknown-source'
  | 'missing-message-authenticator'
  | 'multiple-message-authenticators'
  | 'bad-message-authenticator'
  | 'bad-authenticator'
  | 'invalid-request'
  | 'duplicate-in-progress'
  | 'reply-too-large'
  | 'handler-failed';

interface CacheEntry {
  authenticator: Buffer;
  reply: Buffer | null;
  expiresAtMs: number;
}

type SocketKind = 'auth' | 'acct';

export const RECV_BUFFER_BYTES = 4 * 1024 * 1024;

function sourceIp(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

export class RadiusServer {
  private auth: dgram.Socket | undefined;
  private acct: dgram.Socket | undefined;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly secrets = new Map<string, Buffer>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly dropLog = new Map<DropReason, { lastLogMs: number; suppressed: number }>();
  private inFlight = 0;
  /** Set by stop(): datagrams that still arrive are ignored (the NAS fails over). */
  private stopping = false;
  readonly stats = {
    received: 0,
    answered: 0,
    duplicatesAnswered: 0,
    dropped: {} as Partial<Record<DropReason, number>>,
  };

  constructor(
    private readonly options: RadiusServerOptions,
    private readonly handlers: RadiusHandlers,
  ) {}

  /** Binds both sockets; resolves with the actual ports (useful with port 0). */
  async start(): Promise<{ authPort: number; acctPort: number }> {
    this.stopping = false;
    this.auth = await this.bind('auth', this.options.authPort);
    this.acct = await this.bind('acct', this.options.acctPort);
    this.sweepTimer = setInterval(() => this.sweepCache(), 1000);
    this.sweepTimer.unref();
    const ports = this.ports();
    this.options.logger.info(
      {
        host: this.options.host,
        ...ports,
        recvBufferBytes: this.auth.getRecvBufferSize(),
      },
      'RADIUS server listening',
    );
    return ports;
  }

  /** Whether both sockets are bound and taking packets (readiness). */
  isListening(): boolean {
    return this.auth !== undefined && this.acct !== undefined && !this.stopping;
  }

  ports(): { authPort: number; acctPort: number } {
    return { authPort: this.auth?.address().port ?? 0, acctPort: this.acct?.address().port ?? 0 };
  }

  /** Stops receiving, then waits (briefly) for in-flight requests to be answered. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    const deadline = Date.now() + 5000;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await Promise.all(
      [this.auth, this.acct].map(
        (socket) => new Promise<void>((resolve) => (socket ? socket.close(() => resolve()) : resolve())),
      ),
    );
    this.auth = undefined;
    this.acct = undefined;
    this.cache.clear();
  }

  private bind(kind: SocketKind, port: number): Promise<dgram.Socket> {
    const type = net.isIPv6(this.options.host) ? 'udp6' : 'udp4';
    // `reusePort` (Node 22.12+) is not in the @types/node this project builds against yet.
    const options: dgram.SocketOptions & { reusePort?: boolean } = {
      type,
      recvBufferSize: this.options.recvBufferSize ?? RECV_BUFFER_BYTES,
      sendBufferSize: this.options.recvBufferSize ?? RECV_BUFFER_BYTES,
      reusePort: this.options.reusePort ?? false,
    };
    const socket = dgram.createSocket(options);
    socket.on('message', (message, rinfo) => this.onMessage(kind, socket, message, rinfo));
    socket.on('error', (error) =>
      this.options.logger.error({ err: error, socket: kind }, 'RADIUS socket error'),
    );
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, this.options.host, () => {
        socket.off('error', reject);
        resolve(socket);
      });
    });
  }

  private drop(reason: DropReason, source: string, detail?: Record<string, unknown>): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
    const now = Date.now();
    const log = this.dropLog.get(reason);
    // At most one log line per reason every 10 s, saying how many were not logged.
    if (log && now - log.lastLogMs < 10_000) {
      log.suppressed++;
      return;
    }
    this.options.logger.warn(
      { reason, source, suppressed: log?.suppressed ?? 0, ...detail },
      'RADIUS packet dropped',
    );
    this.dropLog.set(reason, { lastLogMs: now, suppressed: 0 });
  }

  private onMessage(kind: SocketKind, socket: dgram.Socket, message: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.stopping) return; // shutting down: only the requests already taken are answered
    this.stats.received++;
    const source = sourceIp(rinfo.address);
    const decoded = decodePacket(message);
    if (!decoded.ok) return this.drop(decoded.reason, source);
    const packet = decoded.packet;
    const allowed =
      packet.code === Code.StatusServer ||
      (kind === 'auth' ? packet.code === Code.AccessRequest : packet.code === Code.AccountingRequest);
    if (!allowed) return this.drop('unknown-code', source, { code: packet.code, socket: kind });
    // RFC 3579 §3.2: a packet carries zero or one Message-Authenticator ("0-1" in its table).
    // With two, which one the HMAC covers is ambiguous, so neither is trusted.
    if (countAttributes(packet, Attr.MessageAuthenticator) > 1) {
      return this.drop('multiple-message-authenticators', source);
    }
    this.inFlight++;
    this.process(kind, socket, packet, source, rinfo)
      .catch((error: unknown) => {
        this.options.logger.error({ err: error, source }, 'RADIUS request failed');
      })
      .finally(() => this.inFlight--);
  }

  private async process(
    kind: SocketKind,
    socket: dgram.Socket,
    packet: RadiusPacket,
    source: string,
    rinfo: dgram.RemoteInfo,
  ): Promise<void> {
    const nas = await this.handlers.findNas(source);
    if (!nas) return this.drop('unknown-source', source);
    const secret = this.secretBytes(nas.secret);

    // Authenticate the packet before anything else looks at it (Blast-RADIUS, RFC 3579 §3.2).
    const hasMessageAuthenticator = findAttribute(packet, Attr.MessageAuthenticator) !== undefined;
    if (packet.code === Code.AccountingRequest) {
      if (!verifyZeroAuthenticatorRequest(packet.raw, secret)) return this.drop('bad-authenticator', source);
      if (hasMessageAuthenticator && !verifyMessageAuthenticator(packet, secret, ZERO_AUTHENTICATOR)) {
        return this.drop('bad-message-authenticator', source);
      }
    } else {
      const required = packet.code === Code.StatusServer || nas.requireMessageAuthenticator;
      if (!hasMessageAuthenticator) {
        if (required) return this.drop('missing-message-authenticator', source);
      } else if (!verifyMessageAuthenticator(packet, secret)) {
        return this.drop('bad-message-authenticator', source);
      }
    }

    // RFC 5080 §2.2.2: same (source, port, Identifier, socket) and authenticator = duplicate.
    const cacheKey = `${kind}|${rinfo.address}|${rinfo.port}|${packet.identifier}`;
    const cached = this.cache.get(cacheKey);
    if (cached && cached.authenticator.equals(packet.authenticator)) {
      if (cached.reply === null) return this.drop('duplicate-in-progress', source);
      this.stats.duplicatesAnswered++;
      socket.send(cached.reply, rinfo.port, rinfo.address);
      return;
    }
    const entry: CacheEntry = {
      authenticator: Buffer.from(packet.authenticator),
      reply: null,
      expiresAtMs: Date.now() + (this.options.duplicateTtlMs ?? 10_000),
    };
    this.remember(cacheKey, entry);

    let plan: ReplyPlan | undefined;
    try {
      plan = await this.answer(kind, packet, nas, secret, source);
    } catch (error) {
      this.cache.delete(cacheKey);
      this.drop('handler-failed', source, { err: error instanceof Error ? error.message : String(error) });
      return;
    }
    if (!plan) {
      this.cache.delete(cacheKey);
      return;
    }
    const isAccessReply = plan.code === Code.AccessAccept || plan.code === Code.AccessReject;
    const reply = encodeReply(
      packet,
      plan.code,
      secret,
      // Every Access-* reply, and answers to Status-Server, carry Message-Authenticator first.
      { messageAuthenticator: isAccessReply || packet.code === Code.StatusServer },
      plan.write,
    );
    if (!reply) {
      this.cache.delete(cacheKey);
      return this.drop('reply-too-large', source);
    }
    entry.reply = reply;
    this.stats.answered++;
    socket.send(reply, rinfo.port, rinfo.address);
  }

  /** What to answer, or undefined to drop (the reason is already counted). */
  private async answer(
    kind: SocketKind,
    packet: RadiusPacket,
    nas: NasRecord,
    secret: Buffer,
    source: string,
  ): Promise<ReplyPlan | undefined> {
    if (packet.code === Code.StatusServer) {
      // RFC 5997 §3: Access-Accept on the authentication port, Accounting-Response on accounting.
      return { code: kind === 'auth' ? Code.AccessAccept : Code.AccountingResponse };
    }
    if (packet.code === Code.AccessRequest) {
      // RFC 2865 §4.1: NAS-IP-Address or NAS-Identifier; User-Password or CHAP-Password, not both.
      const hasNasId =
        findAttribute(packet, Attr.NasIpAddress) !== undefined ||
        findAttribute(packet, Attr.NasIdentifier) !== undefined;
      const pap = findAttribute(packet, Attr.UserPassword) !== undefined;
      const chap = findAttribute(packet, Attr.ChapPassword) !== undefined;
      if (!hasNasId || pap === chap) {
        this.drop('invalid-request', source, { hasNasId, pap, chap });
        return undefined;
      }
      return this.handlers.access(packet, nas, secret);
    }
    if (findAttribute(packet, Attr.AcctStatusType) === undefined) {
      this.drop('invalid-request', source, { missing: 'Acct-Status-Type' });
      return undefined;
    }
    await this.handlers.accounting(packet, nas);
    return { code: Code.AccountingResponse };
  }

  /** The NAS secret as octets, converted once per secret rather than once per packet. */
  private secretBytes(secret: string): Buffer {
    let bytes = this.secrets.get(secret);
    if (!bytes) {
      // Bounded: secrets change rarely; a flood of distinct ones just starts the map over.
      if (this.secrets.size >= 1024) this.secrets.clear();
      bytes = Buffer.from(secret, 'utf8');
      this.secrets.set(secret, bytes);
    }
    return bytes;
  }

  private remember(key: string, entry: CacheEntry): void {
    const max = this.options.maxDuplicateEntries ?? 200_000;
    if (this.cache.size >= max) {
      // Oldest entries first (Map keeps insertion order): bounded memory under floods.
      let excess = this.cache.size - max + 1;
      for (const k of this.cache.keys()) {
        this.cache.delete(k);
        if (--excess <= 0) break;
      }
    }
    this.cache.delete(key);
    this.cache.set(key, entry);
  }

  private sweepCache(): void {
    const now = Date.now();
    for (const [key, entry] of this.cache) {
      if (entry.expiresAtMs > now) break; // insertion order ≈ expiry order
      this.cache.delete(key);
    }
  }
}
