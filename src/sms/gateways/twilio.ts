/**
 * Twilio Messages API: POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json with form fields
 * To, From, Body (and StatusCallback when Portico can verify the callback) and HTTP Basic auth
 * (API key SID + secret, or Account SID + auth token). Answers 201 JSON {sid, status}; errors are
 * JSON {code, message, status}. Only those fields are kept from an answer (checked and trimmed),
 * never the raw body: `baseUrl` is a tenant admin's choice and the body could be anything.
 * Status callbacks are signed with the account's auth token (X-Twilio-Signature): see
 * verifyTwilioSignature.
 */
import crypto from 'node:crypto';
import type { DestinationGuard } from '../destinations.js';
import {
  GatewayError,
  summarizeAnswer,
  type OutgoingSms,
  type ReceiptOutcome,
  type SendResult,
  type SmsGateway,
} from '../gateway.js';
import type { TwilioSettings } from '../gateway-settings.js';
import { httpCall } from '../http-client.js';

/** Twilio error codes that will fail the same way on every retry (invalid/unreachable number). */
const PERMANENT_CODES = new Set([21211, 21212, 21214, 21217, 21219, 21408, 21610, 21612, 21614]);

/**
 * X-Twilio-Signature as Twilio computes it: the full URL Twilio requested (the StatusCallback
 * given, query string included), then each POST parameter name and value appended in name order,
 * HMAC-SHA1 with the auth token, Base64.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + name + params[name], url);
  return crypto.createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Compares in constant time (for equal lengths; the length of a signature is no secret). */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
  signature: string | undefined,
): boolean {
  if (!authToken || !signature) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

/** The key Twilio signs callbacks with: the auth token (API key secrets do not sign). */
export function twilioCallbackKey(settings: TwilioSettings): string {
  return settings.authToken || (settings.apiKeySid ? '' : settings.secret);
}

/** MessageStatus of a status callback, as a receipt outcome. */
export function twilioOutcome(status: string): ReceiptOutcome {
  if (status === 'delivered' || status === 'read') return 'delivered';
  if (status === 'undelivered' || status === 'failed' || status === 'canceled') return 'undelivered';
  return 'pending'; // accepted, scheduled, queued, sending, sent
}

export class TwilioGateway implements SmsGateway {
  readonly type = 'twilio' as const;
  constructor(
    private readonly settings: TwilioSettings,
    private readonly destinations: DestinationGuard,
  ) {}

  async send(message: OutgoingSms): Promise<SendResult> {
    const s = this.settings;
    const base = s.baseUrl.replace(/\/+$/, '');
    const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(s.accountSid)}/Messages.json`;
    const user = s.apiKeySid || s.accountSid;
    const form = new URLSearchParams({ To: message.to, From: s.from, Body: message.text });
    // Only ask for callbacks Portico can verify.
    if (message.statusCallbackUrl && twilioCallbackKey(s))
      form.set('StatusCallback', message.statusCallbackUrl);
    const body = form.toString();
    const answer = await httpCall({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: `Basic ${Buffer.from(`${user}:${s.secret}`).toString('base64')}`,
      },
      body,
      timeoutMs: s.timeoutSeconds * 1000,
      destinations: this.destinations,
    });
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(answer.body) as Record<string, unknown>;
    } catch {
      // Proxies and outages answer HTML; handled below by the status.
    }
    if (answer.status === 201 || answer.status === 200) {
      const sid = typeof json.sid === 'string' && /^[A-Za-z0-9]{2,64}$/.test(json.sid) ? json.sid : null;
      const status =
        typeof json.status === 'string' && /^[a-z_]{1,20}$/.test(json.status) ? json.status : 'accepted';
      return { externalId: sid, answer: `HTTP ${answer.status} ${status}${sid ? ` ${sid}` : ''}` };
    }
    const code = typeof json.code === 'number' && Number.isInteger(json.code) ? json.code : undefined;
    const text = typeof json.message === 'string' ? summarizeAnswer(json.message, 160) : '';
    const summary = `HTTP ${answer.status}${code ? ` code ${code}` : ''}${text ? `: ${text}` : ''}`;
    const permanent = code !== undefined && PERMANENT_CODES.has(code);
    const reason =
      answer.status === 401
        ? 'Twilio rejected the credentials'
        : answer.status >= 300 && answer.status < 400
          ? `Twilio answered HTTP ${answer.status} (a redirect: not followed, check the base URL)`
          : `Twilio answered HTTP ${answer.status}`;
    throw new GatewayError(reason, { permanent, answer: summary });
  }
}
