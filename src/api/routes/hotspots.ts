import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireWrite } from '../../admin/index.js';
import { canWrite } from '../../auth/index.js';
import type { Hotspot as HotspotRow } from '../../store/index.js';
import { noContent } from '../kit.js';
import { pageOfList, pageRequest } from '../../shared/index.js';
import { errors, IdParams, Nullable, PageOf, PageQuery } from '../schemas.js';

const Hotspot = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  vendor: Type.Union([Type.Literal('mikrotik'), Type.Literal('generic')]),
  ipAddress: Type.String({ description: 'RADIUS source IP; globally unique' }),
  secret: Nullable(Type.String({ description: 'RADIUS shared secret; null for read-only callers' })),
  coaPort: Type.Integer(),
  requireMessageAuthenticator: Type.Boolean(),
  interimIntervalSeconds: Type.Integer(),
  location: Nullable(Type.String()),
  createdAtMs: Type.Integer(),
  updatedAtMs: Type.Integer(),
});

const ListQuery = Type.Object({ ...PageQuery });

const HotspotCreate = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    vendor: Type.Optional(Type.Union([Type.Literal('mikrotik'), Type.Literal('generic')])),
    ipAddress: Type.String({ maxLength: 45, examples: ['192.0.2.10'] }),
    secret: Type.Optional(Type.String({ maxLength: 128, description: 'omit to generate a strong one' })),
    coaPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    requireMessageAuthenticator: Type.Optional(Type.Boolean()),
    interimIntervalSeconds: Type.Optional(Type.Integer({ minimum: 60 })),
    location: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  },
  {
    examples: [
      {
        title: 'Lobby hAP ac²',
        vendor: 'mikrotik',
        ipAddress: '192.0.2.10',
        coaPort: 3799,
        interimIntervalSeconds: 300,
        location: 'Main lobby',
      },
    ],
  },
);
const HotspotPatch = Type.Partial(HotspotCreate, { examples: [{ location: 'Terrace' }] });

const DisconnectResult = Type.Object({
  sessionId: Type.Integer(),
  status: Type.String({
    description:
      'acked, nacked, timeout, not_online, or pending (no answer within a few seconds: retransmissions and the retry sweep go on)',
  }),
  errorCause: Nullable(Type.Integer()),
  attempts: Type.Integer(),
  confirmed: Type.Boolean({ description: 'the session is no longer on the hotspot' }),
});

function view(request: FastifyRequest, h: HotspotRow) {
  return {
    id: h.id,
    title: h.title,
    vendor: h.vendor === 'generic' ? ('generic' as const) : ('mikrotik' as const),
    ipAddress: h.ip_address,
    secret: request.actor && canWrite(request.actor.role) ? h.secret : null,
    coaPort: h.coa_port,
    requireMessageAuthenticator: h.require_message_authenticator === 1,
    interimIntervalSeconds: h.interim_interval_seconds,
    location: h.location,
    createdAtMs: h.created_at,
    updatedAtMs: h.updated_at,
  };
}

export const hotspotsRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const deps = api.adminDeps;
  const tags = ['hotspots'];
  api.get(
    '/hotspots',
    {
      schema: {
        tags,
        summary: 'List hotspots (NAS)',
        querystring: ListQuery,
        response: { 200: PageOf(Hotspot), ...errors },
      },
    },
    async (request) => {
      const { page, perPage } = request.query;
      const list = pageOfList(await deps.hotspots.list(request.tenant.id), pageRequest(page, perPage));
      return { ...list, items: list.items.map((h) => view(request, h)) };
    },
  );

  api.get(
    '/hotspots/:id',
    { schema: { tags, summary: 'Get a hotspot', params: IdParams, response: { 200: Hotspot, ...errors } } },
    async (request) => view(request, await deps.hotspots.get(request.tenant.id, request.params.id)),
  );

  api.post(
    '/hotspots',
    {
      preHandler: requireWrite,
      schema: { tags, summary: 'Add a hotspot', body: HotspotCreate, response: { 201: Hotspot, ...errors } },
    },
    async (request, reply) => {
      const hotspot = await deps.hotspots.create(request.tenant.id, request.body);
      return reply.status(201).send(view(request, hotspot));
    },
  );

  api.patch(
    '/hotspots/:id',
    {
      preHandler: requireWrite,
      schema: {
        tags,
        summary: 'Change a hotspot',
        params: IdParams,
        body: HotspotPatch,
        response: { 200: Hotspot, ...errors },
      },
    },
    async (request) => {
      const c = await deps.hotspots.get(request.tenant.id, request.params.id);
      const updated = await deps.hotspots.update(request.tenant.id, c.id, {
        title: c.title,
        vendor: c.vendor === 'generic' ? 'generic' : 'mikrotik',
        ipAddress: c.ip_address,
        secret: c.secret,
        coaPort: c.coa_port,
        requireMessageAuthenticator: c.require_message_authenticator === 1,
        interimIntervalSeconds: c.interim_interval_seconds,
        location: c.location,
        ...request.body,
      });
      return view(request, updated);
    },
  );

  api.delete(
    '/hotspots/:id',
    {
      preHandler: requireWrite,
      schema: {
        tags,
        summary: 'Delete a hotspot without sessions (409 otherwise)',
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await deps.hotspots.delete(request.tenant.id, request.params.id);
      return noContent(reply);
    },
  );

  api.post(
    '/sessions/:id/disconnect',
    {
      preHandler: requireWrite,
      schema: {
        tags: ['sessions'],
        summary: 'Disconnect a live session at its hotspot (RFC 5176 Disconnect-Request)',
        params: IdParams,
        response: { 200: DisconnectResult, ...errors },
      },
    },
    async (request) => deps.disconnectSession(request.tenant.id, request.params.id),
  );
};
