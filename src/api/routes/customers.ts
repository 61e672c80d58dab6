import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireWrite } from '../../admin/index.js';
import { CUSTOMER_SORT_KEYS } from '../../customers/index.js';
import { listRoute } from '../lists.js';
import {
  Customer,
  CustomerCreate,
  CustomerPatch,
  errors,
  IdParams,
  PageQuery,
  SortParam,
} from '../schemas.js';

const ListQuery = Type.Object({
  ...PageQuery,
  sort: SortParam(CUSTOMER_SORT_KEYS),
  search: Type.Optional(
    Type.String({ maxLength: 100, description: 'part of the phone number, name or email' }),
  ),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('blocked')])),
});

export const customersRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const deps = api.adminDeps;
  const tags = ['customers'];
  listRoute(api, {
    path: '/customers',
    tags,
    summary: 'List and search customers',
    query: ListQuery,
    item: Customer,
    sortKeys: CUSTOMER_SORT_KEYS,
    defaultSort: { key: 'joined_at', direction: 'desc' },
    list: (tenantId, { search, status }, sort, page) =>
      deps.customers.list(tenantId, { search, status }, sort, page),
  });

  api.get(
    '/customers/:id',
    { schema: { tags, summary: 'Get a customer', params: IdParams, response: { 200: Customer, ...errors } } },
    async (request) => deps.customers.get(request.tenant.id, request.params.id),
  );

  api.post(
    '/customers',
    {
      preHandler: requireWrite,
      schema: {
        tags,
        summary: 'Create a customer',
        body: CustomerCreate,
        response: { 201: Customer, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const customer = await deps.customers.create(
        request.tenant.id,
        request.tenant.default_country,
        { phone: b.phone, name: b.name ?? null, email: b.email ?? null },
        deps.clock.nowMs(),
      );
      return reply.status(201).send(customer);
    },
  );

  api.patch(
    '/customers/:id',
    {
      preHandler: requireWrite,
      schema: {
        tags,
        summary: 'Edit a customer; status "blocked" blocks them and ends their portal sessions',
        params: IdParams,
        body: CustomerPatch,
        response: { 200: Customer, ...errors },
      },
    },
    async (request) => {
      const tenant = request.tenant;
      const current = await deps.customers.get(tenant.id, request.params.id);
      const b = request.body;
      if (b.phone !== undefined || b.name !== undefined || b.email !== undefined) {
        await deps.customers.update(tenant.id, current.id, tenant.default_country, {
          phone: b.phone ?? current.phone,
          name: b.name === undefined ? current.name : b.name,
          email: b.email === undefined ? current.email : b.email,
        });
      }
      if (b.status !== undefined && b.status !== current.status) {
        await deps.customers.setStatus(tenant.id, current.id, b.status);
        if (b.status === 'blocked') await deps.webSessions.destroyAllFor(tenant.id, 'portal', current.id);
      }
      return deps.customers.get(tenant.id, current.id);
    },
  );
};
