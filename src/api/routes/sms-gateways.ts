/**
 * /api/v1/sms-gateways: list, get, add, change, delete, order and test-send SMS gateways. Secrets
 * are write-only: answers list which are set (`secretsSet`) and never their values.
 */
import { Type, type Static } from '@sinclair/typebox';
import { errors, IdParams, Ms } from '../schemas.js';
import { GATEWAY_TYPES } from '../../sms/index.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireWrite, type SmsAdminDeps } from '../../admin/index.js';
import { SmsMessageSchema, toMessage } from './sms-messages.js';

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

export const smsGatewaysApi: FastifyPluginAsyncTypebox = async (api) => {
  const deps = api.smsAdminDeps;
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

  api.get(
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

  api.post(
    '/sms-gateways',
    {
      preHandler: requireWrite,
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

  api.patch(
    '/sms-gateways/:id',
    {
      preHandler: requireWrite,
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

  api.delete(
    '/sms-gateways/:id',
    {
      preHandler: requireWrite,
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

  api.put(
    '/sms-gateways/order',
    {
      preHandler: requireWrite,
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

  api.post(
    '/sms-gateways/:id/test',
    {
      preHandler: requireWrite,
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
};
