import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../shared/index.js';
import { listRoute } from '../lists.js';
import { SESSION_SORT_KEYS, SESSION_USERS } from '../../usage/index.js';
import {
  Dashboard,
  errors,
  FromMs,
  IdParams,
  MacQuery,
  PageQuery,
  Session,
  SortParam,
  ToMs,
} from '../schemas.js';

const ListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(SESSION_SORT_KEYS),
  online: Type.Optional(Type.Boolean({ description: 'true: online now; false: history' })),
  voucherId: Type.Optional(Type.Integer({ minimum: 1 })),
  customerId: Type.Optional(Type.Integer({ minimum: 1 })),
  hotspotId: Type.Optional(Type.Integer({ minimum: 1 })),
  startedFromMs: FromMs('started'),
  startedToMs: ToMs('started'),
  mac: MacQuery("sessions of this device MAC (the hotspot's Calling-Station-Id)"),
  user: Type.Optional(
    Type.Union(
      SESSION_USERS.map((u) => Type.Literal(u)),
      {
        description:
          "customers: sessions of a voucher or its devices; unknown: User-Names that are neither (kept apart from customers' usage)",
      },
    ),
  ),
});

export const sessionsRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const deps = api.adminDeps;
  const tags = ['sessions'];
  listRoute(api, {
    path: '/sessions',
    tags,
    summary: 'List RADIUS accounting sessions (online now and history)',
    query: ListQuery,
    item: Session,
    sortKeys: SESSION_SORT_KEYS,
    defaultSort: { key: 'started_at', direction: 'desc' },
    list: (tenantId, filter, sort, page) => deps.sessions.list(tenantId, filter, sort, page),
  });

  api.get(
    '/sessions/:id',
    { schema: { tags, summary: 'Get a session', params: IdParams, response: { 200: Session, ...errors } } },
    async (request) => {
      const session = await deps.sessions.find(request.tenant.id, request.params.id);
      if (!session) throw new AppError('NOT_FOUND', 'Session not found');
      return session;
    },
  );

  api.get(
    '/dashboard',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'The dashboard figures',
        response: { 200: Dashboard, ...errors },
      },
    },
    async (request) => deps.dashboard.figures(request.tenant),
  );
};
