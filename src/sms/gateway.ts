/**
 * The SmsGateway port: one implementation per gateway type (./gateways/*). A gateway either
 * accepts a message (returns the provider's answer and id) or throws a GatewayError that says
 * whether trying again later can help.
 */

export interface OutgoingSms {
  /** E.164, e.g. +12025550123. */
  to: string;
  text: string;
}

export interface SendResult {
  /** The provider's message id, used to match delivery receipts. */
  externalId: string | null;
  /** Short, secret-free summary of the provider's answer, stored in the SMS log. */
  answer: string;
}

export interface SmsGateway {
  readonly type: GatewayType;
  send(message: OutgoingSms): Promise<SendResult>;
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

/** Delivery receipt reported by a gateway (SMPP deliver_sm with esm_class 0x04). */
export interface DeliveryReceipt {
  gatewayId: number;
  externalId: string;
  delivered: boolean;
  /** The receipt's stat field, e.g. DELIVRD, UNDELIV, EXPIRED. */
  state: string;
}

/** Cuts a provider answer to something safe to store. */
export function summarizeAnswer(text: string, maxLength = 300): string {
  const single = text.replace(/\s+/g, ' ').trim();
  return single.length > maxLength ? `${single.slice(0, maxLength)}…` : single;
}
