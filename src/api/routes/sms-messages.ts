/** /api/v1/sms-messages: the SMS log, and one message with its attempts and parts (login codes masked). */
import { Type, type Static } from '@sinclair/typebox';
import { errors, FromMs, IdParams, Ms, Nullable, PageOf, PageQuery, ToMs } from '../schemas.js';
import { pageRequest } from '../../shared/index.js';
import { SMS_STATUSES, SMS_TYPES, type SmsMessageDetailView, type SmsMessageView } from '../../sms/index.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

const SmsTypeSchema = Type.Union(SMS_TYPES.map((t) => Type.Literal(t)));
const SmsStatusSchema = Type.Union(SMS_STATUSES.map((s) => Type.Literal(s)));
export const SmsMessageSchema = Type.Object({
  id: Type.Integer(),
  type: Type.String({ description: SMS_TYPES.join(', ') }),
  recipient: Type.String({ description: 'E.164' }),
  customerId: Nullable(Type.Integer()),
  text: Type.String({ description: 'login codes are masked' }),
  status: Type.String({ description: SMS_STATUSES.join(', ') }),
  attempts: Type.Integer(),
  gatewayId: Nullable(Type.Integer()),
  gatewayName: Nullable(Type.String()),
  gatewayAnswer: Nullable(Type.String()),
  error: Nullable(Type.String()),
  createdAtMs: Ms,
  sentAtMs: Nullable(Ms),
  nextAttemptAtMs: Nullable(Ms),
});
const AttemptSchema = Type.Object({
  pass: Type.Integer({ description: 'the pass over the gateways (attempts counts passes)' }),
  gatewayId: Nullable(Type.Integer()),
  gatewayName: Nullable(Type.String({ description: 'as the gateway was named then' })),
  startedAtMs: Ms,
  finishedAtMs: Ms,
  outcome: Type.String({
    description:
      'accepted, partly_accepted (some parts accepted, then refused: resumed on this gateway), ' +
      'temporary_failure, permanent_failure, no_gateway, expired (login code too old to send)',
  }),
  partsAccepted: Type.Integer({ description: 'parts this gateway accepted in this try' }),
  partsTotal: Nullable(Type.Integer()),
  answer: Nullable(Type.String({ description: "the gateway's answer, trimmed" })),
  error: Nullable(Type.String()),
});
const PartSchema = Type.Object({
  gatewayId: Type.Integer(),
  partNumber: Type.Integer({ minimum: 1 }),
  partCount: Type.Integer({ minimum: 1 }),
  externalId: Nullable(Type.String({ description: "the provider's id of the part" })),
  status: Type.String({ description: 'accepted (no final receipt yet), delivered, undelivered' }),
  receiptState: Nullable(Type.String({ description: 'the last receipt as the provider named it' })),
  acceptedAtMs: Ms,
  receiptAtMs: Nullable(Ms),
});
export const SmsMessageDetailSchema = Type.Object({
  ...SmsMessageSchema.properties,
  history: Type.Array(AttemptSchema, { description: 'every try of a gateway, oldest first' }),
  parts: Type.Array(PartSchema, {
    description:
      'every part a gateway accepted, with its delivery receipt; the status is delivered when all ' +
      'parts of the sending gateway are, undelivered when any is',
  }),
});
const MessagesQuery = Type.Object({
  ...PageQuery,
  createdFromMs: FromMs('queued'),
  createdToMs: ToMs('queued'),
  type: Type.Optional(SmsTypeSchema),
  status: Type.Optional(SmsStatusSchema),
  recipient: Type.Optional(Type.String({ maxLength: 40, description: 'part of the number' })),
});

export const toMessage = (m: SmsMessageView): Static<typeof SmsMessageSchema> => ({
  id: m.id,
  type: m.type,
  recipient: m.recipient,
  customerId: m.customerId,
  text: m.text,
  status: m.status,
  attempts: m.attempts,
  gatewayId: m.gatewayId,
  gatewayName: m.gatewayName,
  gatewayAnswer: m.gatewayAnswer,
  error: m.error,
  createdAtMs: m.createdAt,
  sentAtMs: m.sentAt,
  nextAttemptAtMs: m.nextAttemptAt,
});

const toMessageDetail = (m: SmsMessageDetailView): Static<typeof SmsMessageDetailSchema> => ({
  ...toMessage(m),
  history: m.history.map((a) => ({
    pass: a.pass,
    gatewayId: a.gatewayId,
    gatewayName: a.gatewayName,
    startedAtMs: a.startedAt,
    finishedAtMs: a.finishedAt,
    outcome: a.outcome,
    partsAccepted: a.partsAccepted,
    partsTotal: a.partsTotal,
    answer: a.answer,
    error: a.error,
  })),
  parts: m.parts.map((p) => ({
    gatewayId: p.gatewayId,
    partNumber: p.partNumber,
    partCount: p.partCount,
    externalId: p.externalId,
    status: p.status,
    receiptState: p.receiptState,
    acceptedAtMs: p.acceptedAt,
    receiptAtMs: p.receiptAt,
  })),
});

export const smsMessagesApi: FastifyPluginAsyncTypebox = async (api) => {
  const deps = api.smsAdminDeps;
  const logTags = ['sms log'];
  api.get(
    '/sms-messages',
    {
      schema: {
        tags: logTags,
        summary: 'The SMS log, newest first',
        querystring: MessagesQuery,
        response: { 200: PageOf(SmsMessageSchema), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const paging = pageRequest(q.page, q.perPage);
      const { items, total } = await deps.sms.listMessages(request.tenant.id, {
        fromMs: q.createdFromMs,
        toMs: q.createdToMs,
        type: q.type,
        status: q.status,
        recipient: q.recipient,
        limit: paging.perPage,
        offset: (paging.page - 1) * paging.perPage,
      });
      return { items: items.map(toMessage), page: paging.page, perPage: paging.perPage, total };
    },
  );

  api.get(
    '/sms-messages/:id',
    {
      schema: {
        tags: logTags,
        summary:
          'One SMS with its text, every attempt (gateway, time, outcome, answer) and every part with its receipt',
        params: IdParams,
        response: { 200: SmsMessageDetailSchema, ...errors },
      },
    },
    async (request) => toMessageDetail(await deps.sms.getMessage(request.tenant.id, request.params.id)),
  );
};
