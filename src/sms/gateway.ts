/**
 * The SmsGateway port: one implementation per gateway type (./gateways/*). A gateway either
 * accepts a message (returns the provider's answer and id) or throws a GatewayError that says
 * whether trying again later can help.
 */

export interface OutgoingSms {
  /** E.164, e.g. +12025550123. */
  to: string;
  text: string;
  /** Portico's id of the message (the generic HTTP delivery-report URL carries it). */
  messageId?: number;
  /**
   * Where the provider should report delivery (Twilio's StatusCallback, Kannel's dlr-url);
   * absent when Portico has no public URL to be called back on.
   */
  statusCallbackUrl?: string;
  /**
   * Parts of this text this gateway accepted in an earlier attempt: they are not sent again and
   * the rest goes with the same concatenation reference (SMPP).
   */
  resume?: { reference: number; acceptedParts: readonly number[] };
}

/** A part the gateway accepted: reported as it happens, before the next part is sent. */
export interface AcceptedPart {
  partNumber: number;
  partCount: number;
  /** Concatenation reference shared by the parts (SMPP), null for single texts and HTTP APIs. */
  reference: number | null;
  /** The provider's id of this part, matched against delivery receipts. */
  externalId: string | null;
}

export interface SendHooks {
  /** Records a part durably; a gateway that splits texts awaits it before the next part. */
  onPartAccepted?(part: AcceptedPart): Promise<void>;
}

export interface SendResult {
  /** The provider's message id, used to match delivery receipts (single-part gateways). */
  externalId: string | null;
  /** Short, secret-free summary of the provider's answer, stored in the SMS log. */
  answer: string;
}

export interface SmsGateway {
  readonly type: GatewayType;
  /**
   * Sends the message. A gateway that splits texts itself (SMPP) reports each accepted part via
   * `hooks.onPartAccepted`; for the others the result's externalId is the one part's id.
   */
  send(message: OutgoingSms, hooks?: SendHooks): Promise<SendResult>;
  /** Releases sockets (SMPP binds); optional. */
  close?(): Promise<void>;
}

export type GatewayType = 'http' | 'twilio' | 'smpp' | 'log';
export const GATEWAY_TYPES: readonly GatewayType[] = ['http', 'twilio', 'smpp', 'log'];

/**
 * A failed send. `permanent` means this message will never go through this gateway (e.g. the
 * provider says the number is invalid); temporary failures (down, timeout, 5xx, throttled,
 * wrong credentials an operator can fix) are retried with backoff. The message must not contain
 * secrets: it is stored in the SMS log and shown to operators.
 */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly options: { permanent?: boolean; answer?: string } = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }
  get permanent(): boolean {
    return this.options.permanent === true;
  }
}

/**
 * What a receipt says about a part: delivered and undelivered are final; pending is an
 * intermediate report (SMPP ENROUTE/ACCEPTD, Twilio sent, Kannel "delivered to SMSC").
 */
export type ReceiptOutcome = 'delivered' | 'undelivered' | 'pending';

/** Delivery receipt reported by a gateway (SMPP deliver_sm with esm_class 0x04, HTTP callbacks). */
export interface DeliveryReceipt {
  tenantId: number;
  gatewayId: number;
  externalId: string;
  outcome: ReceiptOutcome;
  /** The receipt's state as the provider names it, e.g. DELIVRD, UNDELIV, EXPIRED, undelivered. */
  state: string;
}

/** Cuts a provider answer to something safe to store. */
export function summarizeAnswer(text: string, maxLength = 300): string {
  const single = text.replace(/\s+/g, ' ').trim();
  return single.length > maxLength ? `${single.slice(0, maxLength)}…` : single;
}
