/**
 * SMPP 3.4 gateway on the `smpp` package (client side). The package leaves a lot to the caller,
 * done here: every `error` event is handled (an unhandled one kills the process), binds time
 * out, enquire_link keeps the link alive and detects dead peers, the link reconnects with
 * backoff while in use, long texts are split (GSM-7 160/153, UCS-2 70/67) with concatenation
 * UDHs, submit_sm asks for delivery receipts (registered_delivery=1), and receipts (deliver_sm
 * with esm_class 0x04) are parsed and reported.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import type { Logger } from 'pino';
import smpp, { type Pdu, type Session } from 'smpp';
import type { DestinationGuard } from '../destinations.js';
import {
  GatewayError,
  type DeliveryReceipt,
  type OutgoingSms,
  type ReceiptOutcome,
  type SendHooks,
  type SendResult,
  type SmsGateway,
} from '../gateway.js';
import type { SmppSettings } from '../gateway-settings.js';
import { splitSms } from '../sms-parts.js';

const STATUS_NAMES = new Map<number, string>(
  Object.entries(smpp.errors).map(([name, value]) => [value, name] as [number, string]),
);
/** submit_sm statuses that will fail the same way again. */
const PERMANENT_STATUSES = new Set([0x01, 0x0a, 0x0b, 0x33, 0x34, 0x62, 0x63]);
/** esm_class bits (SMPP 3.4 §5.2.12). */
const ESM_UDHI = 0x40;
const ESM_DELIVERY_RECEIPT = 0x04;
/** message_state values (SMPP 3.4 §5.2.28). */
const MESSAGE_STATES: Record<number, string> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

/** Final states other than DELIVRD: the part will not arrive (UNKNOWN included: nothing more will come). */
const UNDELIVERED_STATES = new Set(['UNDELIV', 'EXPIRED', 'DELETED', 'REJECTD', 'UNKNOWN']);

export function receiptOutcome(state: string): ReceiptOutcome {
  if (state === 'DELIVRD') return 'delivered';
  return UNDELIVERED_STATES.has(state) ? 'undelivered' : 'pending';
}

export function smppStatusName(status: number): string {
  return STATUS_NAMES.get(status) ?? `0x${status.toString(16).padStart(8, '0')}`;
}

/**
 * Reads a delivery receipt (SMPP 3.4 Appendix B text `id:… sub:… dlvrd:… … stat:DELIVRD err:…`,
 * or the receipted_message_id / message_state TLVs when present).
 */
export function parseReceipt(
  pdu: Pdu,
): { externalId: string; state: string; outcome: ReceiptOutcome } | undefined {
  const esmClass = typeof pdu.esm_class === 'number' ? pdu.esm_class : 0;
  if ((esmClass & 0x3c) !== ESM_DELIVERY_RECEIPT) return undefined;
  const sm = pdu.short_message as { message?: unknown } | Buffer | undefined;
  const raw = Buffer.isBuffer(sm) ? sm.toString('latin1') : typeof sm?.message === 'string' ? sm.message : '';
  const idFromText = /\bid:(\S+)/i.exec(raw)?.[1];
  const statFromText = /\bstat:(\w+)/i.exec(raw)?.[1]?.toUpperCase();
  const idFromTlv =
    typeof pdu.receipted_message_id === 'string' ? pdu.receipted_message_id.replace(/\0+$/, '') : undefined;
  const stateFromTlv = typeof pdu.message_state === 'number' ? MESSAGE_STATES[pdu.message_state] : undefined;
  const externalId = idFromTlv || idFromText;
  const state = stateFromTlv ?? statFromText;
  if (!externalId || !state) return undefined;
  return { externalId, state, outcome: receiptOutcome(state) };
}

export interface SmppGatewayDeps {
  tenantId: number;
  gatewayId: number;
  logger: Logger;
  onReceipt: (receipt: DeliveryReceipt) => void;
  /** Where the link may connect: the host is resolved and checked, then its address dialled. */
  destinations: DestinationGuard;
  /** Keep reconnecting this long after the last send (receipts still arrive). */
  keepAliveAfterUseMs?: number;
}

export class SmppGateway implements SmsGateway {
  readonly type = 'smpp' as const;
  private session: Session | undefined;
  private bound: Promise<Session> | undefined;
  private enquireTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelayMs = 1000;
  private lastUsedMs = 0;
  private closed = false;
  private isBound = false;
  private reference = crypto.randomInt(256);
  private readonly pending = new Set<(error: GatewayError) => void>();

  constructor(
    private readonly settings: SmppSettings,
    private readonly deps: SmppGatewayDeps,
  ) {}

  private get timeoutMs(): number {
    return this.settings.timeoutSeconds * 1000;
  }

  /**
   * Submits every part not accepted yet (a resumed message keeps its concatenation reference and
   * skips the parts this SMSC accepted before), reporting each accepted part before the next is
   * sent. A refused part stops the loop: the GatewayError says whether a retry can help.
   */
  async send(message: OutgoingSms, hooks: SendHooks = {}): Promise<SendResult> {
    this.lastUsedMs = Date.now();
    const reference = message.resume?.reference ?? this.reference++ & 0xff;
    const done = new Set(message.resume?.acceptedParts ?? []);
    let parts;
    try {
      parts = splitSms(message.text, reference);
    } catch (error) {
      throw new GatewayError((error as Error).message, { permanent: true });
    }
    const session = await this.ensureBound();
    const sourceAddress = this.settings.sourceAddress;
    const alphanumeric = sourceAddress !== '' && !/^\+?\d+$/.test(sourceAddress);
    const ids: string[] = [];
    for (const [index, part] of parts.entries()) {
      const partNumber = index + 1;
      if (done.has(partNumber)) continue;
      const answer = await this.request(session, 'submit_sm', {
        service_type: '',
        source_addr_ton: alphanumeric ? 5 : sourceAddress ? 1 : 0,
        source_addr_npi: alphanumeric ? 0 : sourceAddress ? 1 : 0,
        source_addr: sourceAddress.replace(/^\+/, ''),
        dest_addr_ton: 1, // international
        dest_addr_npi: 1, // E.164
        destination_addr: message.to.replace(/^\+/, ''),
        esm_class: part.hasUdh ? ESM_UDHI : 0,
        registered_delivery: 1, // SMSC delivery receipt on final outcome
        data_coding: part.dataCoding,
        short_message: part.shortMessage,
      });
      if (answer.command_status !== 0) {
        const name = smppStatusName(answer.command_status);
        const where = parts.length > 1 ? ` for part ${partNumber} of ${parts.length}` : '';
        throw new GatewayError(`the SMSC refused submit_sm${where}: ${name}`, {
          permanent: PERMANENT_STATUSES.has(answer.command_status),
          answer: `submit_sm_resp ${name}${where}${ids.length > 0 ? ` (accepted before: ${ids.join(', ')})` : ''}`,
        });
      }
      const id = typeof answer.message_id === 'string' ? answer.message_id : '';
      ids.push(id);
      try {
        await hooks.onPartAccepted?.({
          partNumber,
          partCount: parts.length,
          reference: parts.length > 1 ? reference : null,
          externalId: id || null,
        });
      } catch {
        // Going on without the record would send this part again on the retry.
        throw new GatewayError(`part ${partNumber} was accepted but could not be recorded`);
      }
    }
    const count =
      parts.length > 1
        ? ` (${parts.length} parts${done.size > 0 ? `, resumed at part ${done.size + 1}` : ''})`
        : '';
    return {
      externalId: parts.length === 1 ? ids[0] || null : null,
      answer: `submit_sm_resp ESME_ROK, message id ${ids.join(', ')}${count}`,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.enquireTimer);
    const session = this.session;
    this.session = undefined;
    this.bound = undefined;
    this.failPending(new GatewayError('the gateway is shutting down'));
    if (!session) return;
    if (!this.isBound) {
      session.destroy();
      return;
    }
    this.isBound = false;
    await new Promise<void>((resolve) => {
      const done = setTimeout(() => {
        session.destroy();
        resolve();
      }, 500);
      try {
        session.unbind(() => {
          clearTimeout(done);
          session.close(() => resolve());
        });
      } catch {
        clearTimeout(done);
        session.destroy();
        resolve();
      }
    });
  }

  private ensureBound(): Promise<Session> {
    if (this.closed) return Promise.reject(new GatewayError('the gateway is closed'));
    if (!this.bound) {
      this.bound = this.connectAndBind();
      this.bound.catch(() => undefined);
    }
    return this.bound;
  }

  private async connectAndBind(): Promise<Session> {
    const s = this.settings;
    // Connect to the address that was checked, not to the name (DNS rebinding); TLS still
    // verifies the certificate against the name.
    const [target] = await this.deps.destinations.resolve(s.host);
    if (this.closed) throw new GatewayError('the gateway is closed');
    return new Promise<Session>((resolve, reject) => {
      let settled = false;
      const fail = (error: GatewayError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      };
      const session = smpp.connect({
        host: target!.address,
        port: s.port,
        tls: s.tls,
        rejectUnauthorized: s.verifyTls,
        servername: s.tls && net.isIP(s.host) === 0 ? s.host : undefined,
      });
      this.session = session;
      const timer = setTimeout(() => {
        fail(new GatewayError(`no bind answer from the SMSC within ${s.timeoutSeconds} s`));
        session.destroy();
      }, this.timeoutMs);

      // The package re-emits socket errors and PDU parse errors; unhandled, they kill the process.
      session.on('error', (error: NodeJS.ErrnoException) => {
        this.deps.logger.warn({ gatewayId: this.deps.gatewayId, code: error.code }, 'SMPP link error');
        fail(new GatewayError(describeSocketError(error)));
        session.destroy();
      });
      session.on('close', () => {
        fail(new GatewayError('the SMSC closed the connection'));
        this.onClosed(session);
      });
      session.on(s.tls ? 'secureConnect' : 'connect', () => {
        const bind = s.bindMode === 'transmitter' ? 'bind_transmitter' : 'bind_transceiver';
        session[bind]({ system_id: s.systemId, password: s.password, system_type: s.systemType }, (pdu) => {
          if (pdu.command_status === 0) {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            this.reconnectDelayMs = 1000;
            this.isBound = true;
            this.startEnquireLink(session);
            resolve(session);
          } else {
            fail(new GatewayError(`the SMSC refused the bind: ${smppStatusName(pdu.command_status)}`));
            session.close();
          }
        });
      });
      session.on('enquire_link', (pdu: Pdu) => {
        session.send(pdu.response());
      });
      session.on('deliver_sm', (pdu: Pdu) => this.onDeliverSm(session, pdu));
      session.on('unbind', (pdu: Pdu) => {
        session.send(pdu.response());
        session.close();
      });
    });
  }

  private onDeliverSm(session: Session, pdu: Pdu): void {
    session.send(pdu.response());
    const receipt = parseReceipt(pdu);
    if (!receipt) return; // a mobile-originated message: not handled
    try {
      this.deps.onReceipt({ tenantId: this.deps.tenantId, gatewayId: this.deps.gatewayId, ...receipt });
    } catch (error) {
      this.deps.logger.error({ err: error }, 'SMPP receipt handler failed');
    }
  }

  private startEnquireLink(session: Session): void {
    clearInterval(this.enquireTimer);
    this.enquireTimer = setInterval(() => {
      this.request(session, 'enquire_link', {}).catch(() => {
        this.deps.logger.warn(
          { gatewayId: this.deps.gatewayId },
          'SMPP enquire_link unanswered, reconnecting',
        );
        session.destroy();
      });
    }, this.settings.enquireLinkSeconds * 1000);
    this.enquireTimer.unref();
  }

  /** Sends a request PDU and waits for its response (or the timeout, or the link dropping). */
  private request(session: Session, command: 'submit_sm' | 'enquire_link', fields: Record<string, unknown>) {
    return new Promise<Pdu>((resolve, reject) => {
      const fail = (error: GatewayError) => {
        clearTimeout(timer);
        this.pending.delete(fail);
        reject(error);
      };
      const timer = setTimeout(
        () =>
          fail(new GatewayError(`no ${command}_resp from the SMSC within ${this.settings.timeoutSeconds} s`)),
        this.timeoutMs,
      );
      this.pending.add(fail);
      const sent = session.send(new smpp.PDU(command, fields), (pdu) => {
        clearTimeout(timer);
        this.pending.delete(fail);
        resolve(pdu);
      });
      if (!sent) fail(new GatewayError('the SMPP link is not writable'));
    });
  }

  private failPending(error: GatewayError): void {
    for (const fail of [...this.pending]) fail(error);
  }

  private onClosed(session: Session): void {
    if (this.session !== session) return;
    this.session = undefined;
    this.bound = undefined;
    this.isBound = false;
    clearInterval(this.enquireTimer);
    this.failPending(new GatewayError('the SMPP link dropped'));
    const keepMs = this.deps.keepAliveAfterUseMs ?? 10 * 60_000;
    if (this.closed || Date.now() - this.lastUsedMs > keepMs) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.ensureBound().catch(() => undefined);
    }, this.reconnectDelayMs);
    this.reconnectTimer.unref();
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 30_000);
  }
}

function describeSocketError(error: NodeJS.ErrnoException): string {
  if (error.code === 'ECONNREFUSED') return 'the SMSC refused the connection (is it running?)';
  if (error.code === 'ECONNRESET') return 'the SMSC reset the connection';
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN')
    return 'the SMSC host name could not be resolved';
  if (error.code?.startsWith('ERR_TLS') || /certificate/i.test(error.message))
    return `TLS verification failed (${error.code ?? 'certificate'})`;
  return `SMPP link error ${error.code ?? ''}`.trim();
}
