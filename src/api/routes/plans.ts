import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireWrite } from '../../admin/index.js';
import { PLAN_SORT_KEYS, type PlanInput } from '../../plans/index.js';
import { listRoute } from '../lists.js';
import { errors, IdParams, PageQuery, Plan, PlanCreate, PlanPatch, SortParam } from '../schemas.js';

const ListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(PLAN_SORT_KEYS),
  active: Type.Optional(Type.Boolean()),
  search: Type.Optional(Type.String({ maxLength: 100, description: 'part of the title' })),
});

export const plansRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const deps = api.adminDeps;
  const tags = ['plans'];
  listRoute(api, {
    path: '/plans',
    tags,
    summary: 'List plans',
    query: ListQuery,
    item: Plan,
    sortKeys: PLAN_SORT_KEYS,
    defaultSort: { key: 'title', direction: 'asc' },
    list: (tenantId, { active, search }, sort, page) =>
      deps.plans.list(tenantId, { isActive: active, search }, sort, page),
  });

  api.get(
    '/plans/:id',
    { schema: { tags, summary: 'Get a plan', params: IdParams, response: { 200: Plan, ...errors } } },
    async (request) => deps.plans.get(request.tenant.id, request.params.id),
  );

  api.post(
    '/plans',
    {
      preHandler: requireWrite,
      schema: { tags, summary: 'Create a plan', body: PlanCreate, response: { 201: Plan, ...errors } },
    },
    async (request, reply) => {
      const b = request.body;
      const input: PlanInput = {
        title: b.title,
        voucherPrefix: b.voucherPrefix,
        isActive: b.isActive ?? true,
        priceMinor: b.priceMinor ?? 0,
        currency: b.currency ?? request.tenant.currency,
        speedDownKbps: b.speedDownKbps ?? null,
        speedUpKbps: b.speedUpKbps ?? null,
        dataLimitBytes: b.dataLimitBytes ?? null,
        downloadLimitBytes: b.downloadLimitBytes ?? null,
        uploadLimitBytes: b.uploadLimitBytes ?? null,
        timeLimitSeconds: b.timeLimitSeconds ?? null,
        validitySeconds: b.validitySeconds ?? null,
        devicesLimit: b.devicesLimit ?? 1,
      };
      const plan = await deps.plans.create(request.tenant.id, input);
      return reply.status(201).send(plan);
    },
  );

  api.patch(
    '/plans/:id',
    {
      preHandler: requireWrite,
      schema: {
        tags,
        summary: 'Change a plan (any subset of fields; isActive to activate or deactivate)',
        params: IdParams,
        body: PlanPatch,
        response: { 200: Plan, ...errors },
      },
    },
    async (request) => {
      const current = await deps.plans.get(request.tenant.id, request.params.id);
      const { id: _id, createdAtMs: _c, updatedAtMs: _u, ...fields } = current;
      return deps.plans.update(request.tenant.id, current.id, { ...fields, ...request.body });
    },
  );
};
