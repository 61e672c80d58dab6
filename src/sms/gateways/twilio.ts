/**
 * Twilio Messages API: POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json with form fields
 * To, From, Body and HTTP Basic auth (API key SID + secret, or Account SID + auth token).
 * Answers 201 JSON {sid, status}; errors are JSON {code, message, status}. Only those fields
 * are kept from an answer (checked and trimmed), never the raw body: `baseUrl` is a tenant
 * admin's choice and the body could be anything.
 */
import type { DestinationGuard } from '../destinations.js';
import {
  GatewayError,
  summarizeAnswer,
  type OutgoingSms,
  type SendResult,
  type SmsGateway,
} from '../gateway.js';
import type { TwilioSettings } from '../gateway-settings.js';
import { httpCall } from '../http-client.js';

/** Twilio error codes that will fail the same way on every retry (invalid/unreachable number). */
const PERMANENT_CODES = new Set([21211, 21212, 21214, 21217, 21219, 21408, 21610, 21612, 21614]);

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
    const body = new URLSearchParams({ To: message.to, From: s.from, Body: message.text }).toString();
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
