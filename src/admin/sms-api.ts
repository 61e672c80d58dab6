/**
 * REST API of the SMS features (an ApiExtension under /api/v1): /sms-gateways, /sms-messages,
 * /settings/portal and /settings/notifications. Gateway secrets are write-only: answers list
 * which are set (`secretsSet`) and never their values; login codes are masked in messages.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiExtension, ApiKit } from '../api/plugin.js';
import { errors, FromMs, IdParams, Nullable, PageOf, PageQuery, ToMs } from '../api/schemas.js';
import { pageRequest } from '../shared/index.js';
import {
  describeSmsText,
  GATEWAY_TYPES,
  SMS_STATUSES,
  SMS_TYPES,
  type SmsMessageDetailView,
  type SmsMessageView,
} from '../sms/index.js';
import type { SmsAdminDeps } from './deps.js';

const Ms = Type.Integer({ description: 'epoch milliseconds, UTC' });
const GatewayTypeSchema = Type.Union(
  GATEWAY_TYPES.map((t) => Type.Literal(t)),
  { description: 'http (generic, Kannel), twilio, smpp, log (server log, development)' },
);
const Settings = Type.Record(Type.String(), Type.Unknown(), {
  description:
    'Type-specific settings. http: url, method, contentType, payloadTemplate, sender, username, password*, ' +
    'headerName, headerValue*, successSubstring, verifyTls, timeoutSeconds. twilio: baseUrl, accountSid, ' +
    'apiKeySid, secret*, authToken* (verifies status callbacks when sending with an API key), from, timeoutSeconds. smpp: host, port, tls, verifyTls, systemId, password*, ' +
    'systemType, sourceAddress, bindMode, enquireLinkSeconds, timeoutSeconds. log: none. ' +
    '* secrets: write-only; omit or send "" to keep the stored value.',
});

export const SmsGatewaySchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  type: GatewayTypeSchema,
  enabled: Type.Boolean(),
  position: Type.Integer({
    description: 'order: the first enabled gateway sends, the next ones are fallbacks',
  }),
  settings: Settings,
  secretsSet: Type.Array(Type.String(), { description: 'secret fields that hold a value' }),
  createdAtMs: Ms,
  updatedAtMs: Ms,
});
const GatewayCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: GatewayTypeSchema,
    enabled: Type.Optional(Type.Boolean()),
    settings: Type.Optional(Settings),
  },
  {
    examples: [
      {
        name: 'Kannel',
        type: 'http',
        enabled: true,
        settings: { url: 'https://sms.example.com/cgi-bin/sendsms', method: 'GET', sender: 'Portico' },
      },
    ],
  },
);
const GatewayPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    enabled: Type.Optional(Type.Boolean()),
    settings: Type.Optional(Settings),
  },
  { examples: [{ enabled: false }] },
);
const GatewayOrder = Type.Object(
  {
    ids: Type.Array(Type.Integer({ minimum: 1 }), { description: 'every gateway id, in the new order' }),
  },
  { examples: [{ ids: [2, 1] }] },
);
const TestSend = Type.Object(
  {
    to: Type.String({ minLength: 3, maxLength: 40, description: 'parsed in the tenant country' }),
    text: Type.Optional(Type.String({ maxLength: 640 })),
  },
  { examples: [{ to: '+12025550143', text: 'Portico test message' }] },
);

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

const Bounded = (min: number, max: number) => Type.Integer({ minimum: min, maximum: max });
export const PortalSettingsSchema = Type.Object({
  otpEnabled: Type.Boolean({
    description: 'Use OTP for accessing the portal (needs an enabled SMS gateway)',
  }),
  showDevices: Type.Boolean({ description: 'Show Associated Devices block (effective with OTP on)' }),
  otpLength: Bounded(6, 10),
  otpTtlSeconds: Bounded(60, 600),
  otpMaxAttempts: Bounded(1, 5),
  otpResendCooldownSeconds: Bounded(60, 3600),
  otpMaxPerNumberPerHour: Bounded(1, 20),
  otpMaxPerIpPerHour: Bounded(1, 200),
  otpMaxPerTenantPerDay: Bounded(1, 1_000_000),
  otpAllowedPrefixes: Type.Array(Type.String({ pattern: '^\\+\\d{1,6}$' }), { maxItems: 50 }),
});
const PortalSettingsPatch = Type.Partial(PortalSettingsSchema, {
  examples: [{ otpEnabled: true, showDevices: true }],
});

const Frequency = Type.Union([Type.Literal('once'), Type.Literal('every_activation')], {
  description:
    'once: one SMS per customer, at their first voucher activation while enabled (whichever voucher that is); every_activation: one per activated voucher',
});
export const NotificationSettingsSchema = Type.Object({
  statusPageEnabled: Type.Boolean(),
  statusPageFrequency: Frequency,
  statusPageTemplate: Type.String({
    description:
      'LiquidJS; variables link, customer_name, customer_phone, voucher_code, plan_name, expiry, tenant_name',
  }),
});
const NotificationSettingsPatch = Type.Object(
  {
    statusPageEnabled: Type.Optional(Type.Boolean()),
    statusPageFrequency: Type.Optional(Frequency),
    statusPageTemplate: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  },
  { examples: [{ statusPageEnabled: true, statusPageFrequency: 'once' }] },
);
const PreviewBody = Type.Object(
  {
    template: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    customerId: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { examples: [{ template: 'Hi {{ customer_name }}, your usage: {{ link }}' }] },
);
const PreviewAnswer = Type.Object({
  text: Type.String(),
  customer: Nullable(
    Type.Object({ id: Type.Integer(), name: Nullable(Type.String()), phone: Type.String() }),
  ),
  variables: Type.Record(Type.String(), Type.String()),
  sms: Type.Object(
    {
      encoding: Type.Union([Type.Literal('gsm7'), Type.Literal('ucs2')]),
      parts: Type.Integer({ minimum: 1 }),
      charactersLeft: Type.Integer({ description: 'what still fits in the last part' }),
      nonGsmCharacters: Type.Array(Type.String(), { description: 'characters that force UCS-2' }),
    },
    { description: 'what the rendered text costs as an SMS' },
  ),
});

const toGateway = (
  g: Awaited<ReturnType<SmsAdminDeps['sms']['getGateway']>>,
): Static<typeof SmsGatewaySchema> => ({
  id: g.id,
  name: g.name,
  type: g.type,
  enabled: g.enabled,
  position: g.position,
  settings: g.settings,
  secretsSet: g.secretsSet,
  createdAtMs: g.createdAt,
  updatedAtMs: g.updatedAt,
});

const toMessage = (m: SmsMessageView): Static<typeof SmsMessageSchema> => ({
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

export function smsApiRoutes(deps: SmsAdminDeps): ApiExtension {
  return async (api: FastifyInstance, kit: ApiKit) => {
    const gatewayTags = ['sms gateways'];
    api.get(
      '/sms-gateways',
      {
        schema: {
          tags: gatewayTags,
          summary: 'List SMS gateways in order',
          response: { 200: Type.Object({ items: Type.Array(SmsGatewaySchema) }), ...errors },
        },
      },
      async (request) => ({ items: (await deps.sms.listGateways(request.tenant.id)).map(toGateway) }),
    );

    api.get<{ Params: Static<typeof IdParams> }>(
      '/sms-gateways/:id',
      {
        schema: {
          tags: gatewayTags,
          summary: 'Get an SMS gateway',
          params: IdParams,
          response: { 200: SmsGatewaySchema, ...errors },
        },
      },
      async (request) => toGateway(await deps.sms.getGateway(request.tenant.id, request.params.id)),
    );

    api.post<{ Body: Static<typeof GatewayCreate> }>(
      '/sms-gateways',
      {
        preHandler: kit.requireWrite,
        schema: {
          tags: gatewayTags,
          summary: 'Add an SMS gateway (last in order)',
          body: GatewayCreate,
          response: { 201: SmsGatewaySchema, ...errors },
        },
      },
      async (request, reply) => {
        const created = await deps.sms.createGateway(request.tenant.id, {
          name: request.body.name,
          type: request.body.type,
          enabled: request.body.enabled ?? true,
          settings: request.body.settings ?? {},
        });
        return reply.status(201).send(toGateway(created));
      },
    );

    api.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof GatewayPatch> }>(
      '/sms-gateways/:id',
      {
        preHandler: kit.requireWrite,
        schema: {
          tags: gatewayTags,
          summary:
            'Change name, settings or enabled (disabling the last one while portal OTP is on is refused: 409)',
          params: IdParams,
          body: GatewayPatch,
          response: { 200: SmsGatewaySchema, ...errors },
        },
      },
      async (request) =>
        toGateway(await deps.sms.updateGateway(request.tenant.id, request.params.id, request.body)),
    );

    api.delete<{ Params: Static<typeof IdParams> }>(
      '/sms-gateways/:id',
      {
        preHandler: kit.requireWrite,
        schema: {
          tags: gatewayTags,
          summary: 'Delete an SMS gateway (the last enabled one while portal OTP is on: 409)',
          params: IdParams,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        await deps.sms.deleteGateway(request.tenant.id, request.params.id);
        return reply.status(204).send(null);
      },
    );

    api.put<{ Body: Static<typeof GatewayOrder> }>(
      '/sms-gateways/order',
      {
        preHandler: kit.requireWrite,
        schema: {
          tags: gatewayTags,
          summary: 'Set the order of the gateways',
          body: GatewayOrder,
          response: { 200: Type.Object({ items: Type.Array(SmsGatewaySchema) }), ...errors },
        },
      },
      async (request) => ({
        items: (await deps.sms.reorderGateways(request.tenant.id, request.body.ids)).map(toGateway),
      }),
    );

    api.post<{ Params: Static<typeof IdParams>; Body: Static<typeof TestSend> }>(
      '/sms-gateways/:id/test',
      {
        preHandler: kit.requireWrite,
        schema: {
          tags: gatewayTags,
          summary: 'Send a test SMS through this gateway now; answers the logged message with its outcome',
          params: IdParams,
          body: TestSend,
          response: { 200: SmsMessageSchema, ...errors },
        },
      },
      async (request) => toMessage(await deps.sms.sendTest(request.tenant, request.params.id, request.body)),
    );

    const logTags = ['sms log'];
    api.get<{ Querystring: Static<typeof MessagesQuery> }>(
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

    api.get<{ Params: Static<typeof IdParams> }>(
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

    const settingsTags = ['settings'];
    api.get(
      '/settings/portal',
      {
        schema: {
          tags: settingsTags,
          summary: 'Portal settings (OTP, devices block, OTP limits)',
          response: { 200: PortalSettingsSchema, ...errors },
        },
      },
      async (request) => deps.portalSettings.get(request.tenant.id),
    );

    api.patch<{ Body: Static<typeof PortalSettingsPatch> }>(
      '/settings/portal',
      {
        preHandler: kit.requireWrite,
        schema: {
          tags: settingsTags,
          summary: 'Change portal settings (otpEnabled: true needs an enabled SMS gateway, else 409)',
          body: PortalSettingsPatch,
          response: { 200: PortalSettingsSchema, ...errors },
        },
      },
      async (request) => deps.portalSettings.update(request.tenant.id, request.body),
    );

    api.get(
      '/settings/notifications',
      {
        schema: {
          tags: settingsTags,
          summary: 'Status page notification settings',
          response: { 200: NotificationSettingsSchema, ...errors },
        },
      },
      async (request) => deps.notifications.getSettings(request.tenant.id),
    );

    api.patch<{ Body: Static<typeof NotificationSettingsPatch> }>(
      '/settings/notifications',
      {
        preHandler: kit.requireWrite,
        schema: {
          tags: settingsTags,
          summary: 'Change status page notification settings',
          body: NotificationSettingsPatch,
          response: { 200: NotificationSettingsSchema, ...errors },
        },
      },
      async (request) => deps.notifications.updateSettings(request.tenant.id, request.body),
    );

    api.post<{ Body: Static<typeof PreviewBody> }>(
      '/settings/notifications/preview',
      {
        preHandler: kit.requireWrite,
        schema: {
          tags: settingsTags,
          summary: 'Render a template (or the saved one) for a real customer (or the latest one)',
          body: PreviewBody,
          response: { 200: PreviewAnswer, ...errors },
        },
      },
      async (request) => {
        const preview = await deps.notifications.preview(request.tenant, {
          template: request.body.template,
          customerId: request.body.customerId,
        });
        const { encoding, parts, charactersLeft, nonGsmCharacters } = describeSmsText(preview.text);
        return { ...preview, sms: { encoding, parts, charactersLeft, nonGsmCharacters } };
      },
    );
  };
}
