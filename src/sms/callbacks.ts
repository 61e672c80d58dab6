/**
 * Delivery callbacks of HTTP gateways, as a Fastify plugin (registered by src/app.ts):
 *
 * - POST /sms/callbacks/twilio/:gatewayId — Twilio's StatusCallback. Authenticated by
 *   X-Twilio-Signature (HMAC-SHA1 with the account's auth token over the configured public URL
 *   Portico gave Twilio plus the sorted POST parameters), compared in constant time.
 * - GET|POST /sms/callbacks/http/:gatewayId/:secret?ref=<message id>&status=<report> — generic
 *   delivery reports in Kannel's dlr-url style, authenticated by the gateway's secret in the path.
 *
 * The gateway is found by id across tenants (the provider calls one public host), then the
 * signature or secret proves the caller knows that gateway's key; everything after works in the
 * gateway's tenant, and a receipt only ever touches that gateway's parts. Unknown gateway and
 * bad key answer the same 403, so ids cannot be probed.
 */
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { TenantsRepository } from '../tenants/index.js';
import { publicBaseUrl, twilioCallbackUrl } from './callback-urls.js';
import type { ReceiptOutcome } from './gateway.js';
import { parseGatewaySettings } from './gateway-settings.js';
import { httpReceiptId } from './gateways/http.js';
import { twilioCallbackKey, twilioOutcome, verifyTwilioSignature } from './gateways/twilio.js';
import type { SmsOutbox } from './outbox.js';
import type { SmsRepository } from './repository.js';

export interface SmsCallbackDeps {
  repository: SmsRepository;
  outbox: SmsOutbox;
  tenants: TenantsRepository;
  /** PORTICO_PUBLIC_URL. */
  publicUrl: string | undefined;
  logger: Logger;
}

/**
 * A generic report's status: Kannel's dlr-url %d (1 delivered to phone, 2 non-delivered to
 * phone, 4 queued on SMSC, 8 delivered to SMSC, 16 non-delivered to SMSC) or a word.
 */
export function genericOutcome(status: string): ReceiptOutcome | undefined {
  const value = status.trim();
  if (/^\d+$/.test(value)) {
    const type = Number(value);
    if (type & 1) return 'delivered';
    if (type & (2 | 16)) return 'undelivered';
    if (type & (4 | 8)) return 'pending';
    return undefined;
  }
  const word = value.toLowerCase();
  if (['delivered', 'delivrd', 'success'].includes(word)) return 'delivered';
  if (['undelivered', 'undeliv', 'failed', 'expired', 'rejected', 'rejectd', 'deleted'].includes(word))
    return 'undelivered';
  if (['enroute', 'accepted', 'acceptd', 'queued', 'sent', 'buffered'].includes(word)) return 'pending';
  return undefined;
}

function sameSecret(expected: string | null, given: string): boolean {
  if (!expected) return false;
  const a = crypto.createHash('sha256').update(expected).digest();
  const b = crypto.createHash('sha256').update(given).digest();
  return crypto.timingSafeEqual(a, b);
}

function flatParams(input: unknown): Record<string, string> {
  const params: Record<string, string> = {};
  if (!input || typeof input !== 'object') return params;
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    if (typeof value === 'string') params[name] = value;
    else if (Array.isArray(value) && typeof value[0] === 'string') params[name] = value[0];
  }
  return params;
}

const refuse = (reply: FastifyReply) => reply.status(403).type('text/plain').send('Forbidden');

export function smsCallbackRoutes(deps: SmsCallbackDeps) {
  const log = deps.logger.child({ module: 'sms-callbacks' });
  return async (app: FastifyInstance) => {
    app.post<{ Params: { gatewayId: string } }>(
      '/sms/callbacks/twilio/:gatewayId',
      async (request, reply) => {
        const gatewayId = Number(request.params.gatewayId);
        const row = Number.isSafeInteger(gatewayId)
          ? await deps.repository.findGatewayForCallback(gatewayId)
          : undefined;
        const tenant = row?.type === 'twilio' ? await deps.tenants.findById(row.tenant_id) : undefined;
        const base = tenant ? publicBaseUrl(tenant, deps.publicUrl) : undefined;
        const params = flatParams(request.body);
        const signature = request.headers['x-twilio-signature'];
        let key = '';
        if (row && base) {
          try {
            key = twilioCallbackKey(parseGatewaySettings('twilio', JSON.parse(row.settings_json)));
          } catch {
            key = '';
          }
        }
        if (
          !row ||
          !base ||
          !verifyTwilioSignature(
            key,
            twilioCallbackUrl(base, row.id),
            params,
            typeof signature === 'string' ? signature : undefined,
          )
        ) {
          log.warn({ gatewayId: request.params.gatewayId }, 'Twilio status callback refused: bad signature');
          return refuse(reply);
        }
        const sid = params.MessageSid ?? params.SmsSid;
        const status = params.MessageStatus ?? params.SmsStatus;
        if (!sid || !status)
          return reply.status(400).type('text/plain').send('MessageSid and MessageStatus needed');
        const error = params.ErrorCode ? ` (error ${params.ErrorCode})` : '';
        await deps.outbox.applyReceipt({
          tenantId: row.tenant_id,
          gatewayId: row.id,
          externalId: sid,
          outcome: twilioOutcome(status),
          state: `${status}${error}`.slice(0, 32),
        });
        return reply.status(204).send();
      },
    );

    const generic = async (
      request: { params: { gatewayId: string; secret: string }; query: unknown; body: unknown },
      reply: FastifyReply,
    ) => {
      const gatewayId = Number(request.params.gatewayId);
      const row = Number.isSafeInteger(gatewayId)
        ? await deps.repository.findGatewayForCallback(gatewayId)
        : undefined;
      if (!row || row.type !== 'http' || !sameSecret(row.callback_secret, request.params.secret)) {
        log.warn({ gatewayId: request.params.gatewayId }, 'HTTP delivery report refused: bad secret');
        return refuse(reply);
      }
      const params = { ...flatParams(request.body), ...flatParams(request.query) };
      const ref = params.ref ?? '';
      const outcome = genericOutcome(params.status ?? '');
      if (!/^\d{1,15}$/.test(ref) || !outcome)
        return reply
          .status(400)
          .type('text/plain')
          .send('ref (the message id) and status (Kannel %d, or delivered/undelivered/…) needed');
      await deps.outbox.applyReceipt({
        tenantId: row.tenant_id,
        gatewayId: row.id,
        externalId: httpReceiptId(Number(ref)),
        outcome,
        state: (params.status ?? '').slice(0, 32),
      });
      return reply.type('text/plain').send('OK');
    };
    app.get<{ Params: { gatewayId: string; secret: string } }>(
      '/sms/callbacks/http/:gatewayId/:secret',
      generic,
    );
    app.post<{ Params: { gatewayId: string; secret: string } }>(
      '/sms/callbacks/http/:gatewayId/:secret',
      generic,
    );
  };
}
