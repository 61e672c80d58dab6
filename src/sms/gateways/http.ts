/**
 * Generic HTTP gateway (Kannel's sendsms and most local providers): URL and payload templates
 * with {to} {text} {from} {username} {password} {dlr_url} placeholders, form or JSON body, one
 * extra header, and a success check on the status (2xx) and optionally a substring of the answer.
 * {dlr_url} is Portico's delivery-report URL for this message (Kannel: `&dlr-mask=3&dlr-url=
 * {dlr_url}`), empty when Portico has no public URL.
 * Kannel answers `202 0: Accepted for delivery` / `202 3: Queued for later delivery`, and
 * 4xx/503 otherwise.
 *
 * The answer's body is never stored or shown: the URL is a tenant admin's choice, so the body
 * could be anything (an internal page); the log keeps the status and a fixed explanation.
 */
import type { DestinationGuard } from '../destinations.js';
import { GatewayError, type OutgoingSms, type SendResult, type SmsGateway } from '../gateway.js';
import type { HttpSettings } from '../gateway-settings.js';
import { httpCall } from '../http-client.js';

/** The id an HTTP gateway's part is recorded with, and its delivery reports matched by. */
export function httpReceiptId(messageId: number): string {
  return `portico-${messageId}`;
}

type Encoder = (value: string) => string;

function fill(template: string, values: Record<string, string>, encode: Encoder): string {
  return template.replace(/\{(to|text|from|username|password|dlr_url)\}/g, (_m, name: string) =>
    encode(values[name] ?? ''),
  );
}

/** JSON string content without the surrounding quotes: the template supplies them. */
const jsonEscape: Encoder = (value) => JSON.stringify(value).slice(1, -1);
const formEncode: Encoder = (value) => encodeURIComponent(value).replace(/%20/g, '+');

export class HttpGateway implements SmsGateway {
  readonly type = 'http' as const;
  constructor(
    private readonly settings: HttpSettings,
    private readonly destinations: DestinationGuard,
  ) {}

  async send(message: OutgoingSms): Promise<SendResult> {
    const s = this.settings;
    const values = {
      to: message.to,
      text: message.text,
      from: s.sender,
      username: s.username,
      password: s.password,
      dlr_url: message.statusCallbackUrl ?? '',
    };
    const url = fill(s.url, values, encodeURIComponent);
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (s.method === 'POST') {
      const json = s.contentType === 'json';
      headers['content-type'] = json ? 'application/json' : 'application/x-www-form-urlencoded';
      body = fill(s.payloadTemplate, values, json ? jsonEscape : formEncode);
    }
    if (s.headerName) headers[s.headerName.toLowerCase()] = s.headerValue;
    const answer = await httpCall({
      method: s.method,
      url,
      headers,
      body,
      timeoutMs: s.timeoutSeconds * 1000,
      verifyTls: s.verifyTls,
      destinations: this.destinations,
    });
    const summary = `HTTP ${answer.status}`;
    if (answer.status < 200 || answer.status >= 300) {
      // 4xx other than auth/throttling is the request's fault and will fail the same way again.
      const permanent =
        answer.status >= 400 && answer.status < 500 && ![401, 403, 408, 429].includes(answer.status);
      throw new GatewayError(`the gateway answered HTTP ${answer.status}${explainStatus(answer.status)}`, {
        permanent,
        answer: summary,
      });
    }
    if (s.successSubstring && !answer.body.includes(s.successSubstring)) {
      throw new GatewayError(`the answer does not contain "${s.successSubstring}"`, { answer: summary });
    }
    // The delivery-report URL names the message by Portico's id: that is the id receipts match.
    const reportsAsked =
      values.dlr_url !== '' &&
      message.messageId !== undefined &&
      `${s.url}${s.payloadTemplate}`.includes('{dlr_url}');
    return {
      externalId: reportsAsked ? httpReceiptId(message.messageId!) : null,
      answer: s.successSubstring ? `${summary}, the answer contains "${s.successSubstring}"` : summary,
    };
  }
}

/** A fixed word on the common statuses (the body itself is not shown). */
function explainStatus(status: number): string {
  if (status >= 300 && status < 400) return ' (a redirect: not followed, set the final URL)';
  if (status === 401 || status === 403) return ' (it refused the credentials)';
  if (status === 404) return ' (not found: check the URL)';
  if (status === 429) return ' (too many requests)';
  if (status >= 500) return ' (a server error on its side)';
  return '';
}
