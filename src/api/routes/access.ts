import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf, requireOwner, requireSuper, requireWrite } from '../../admin/index.js';
import { assertMayChangeAdmin, revokeApiToken } from '../../auth/index.js';
import { AppError, pageOfList, pageRequest } from '../../shared/index.js';
import { normalizeHost } from '../../tenants/index.js';
import { validateVoucherSettings } from '../../vouchers/index.js';
import { noContent } from '../kit.js';
import {
  Admin,
  AdminCreate,
  AdminPatch,
  ApiToken,
  ApiTokenCreate,
  ApiTokenCreated,
  errors,
  IdParams,
  PageOf,
  PageQuery,
  Tenant,
  TenantCreate,
  VoucherSettings,
} from '../schemas.js';

const ListQuery = Type.Object({ ...PageQuery });
const pageOf = (query: Static<typeof ListQuery>) => pageRequest(query.page, query.perPage);

export const accessRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const deps = api.adminDeps;
  const strip = <T extends { tenantId: number }>(view: T): Omit<T, 'tenantId'> => {
    const { tenantId: _t, ...rest } = view;
    return rest;
  };

  api.get(
    '/admins',
    {
      schema: {
        tags: ['admins'],
        summary: "List the tenant's admins",
        querystring: ListQuery,
        response: { 200: PageOf(Admin), ...errors },
      },
    },
    async (request) => {
      const page = pageOfList(await deps.admins.list(request.tenant.id), pageOf(request.query));
      return { ...page, items: page.items.map(strip) };
    },
  );

  api.post(
    '/admins',
    {
      preHandler: requireOwner,
      schema: {
        tags: ['admins'],
        summary: 'Add an admin (owners only)',
        body: AdminCreate,
        response: { 201: Admin, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const admin = await deps.admins.create(request.tenant.id, {
        email: b.email,
        name: b.name ?? '',
        password: b.password,
        role: b.role,
      });
      return reply.status(201).send(strip(admin));
    },
  );

  api.patch(
    '/admins/:id',
    {
      preHandler: requireOwner,
      schema: {
        tags: ['admins'],
        summary: 'Change an admin: name, role, disabled, or set a new password (owners only)',
        params: IdParams,
        body: AdminPatch,
        response: { 200: Admin, ...errors },
      },
    },
    async (request) => {
      const tenantId = request.tenant.id;
      const { password, ...changes } = request.body;
      const target = await deps.admins.get(tenantId, request.params.id);
      assertMayChangeAdmin(actorOf(request), target, { ...changes, password: password !== undefined });
      const admin = await deps.admins.update(tenantId, request.params.id, changes);
      if (password !== undefined) await deps.admins.setPassword(tenantId, admin.id, password);
      if (password !== undefined || admin.isDisabled)
        await deps.webSessions.destroyAllFor(tenantId, 'admin', admin.id);
      return strip(admin);
    },
  );

  api.delete(
    '/admins/:id',
    {
      preHandler: requireOwner,
      schema: {
        tags: ['admins'],
        summary: 'Delete an admin (owners only)',
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      if (actorOf(request).adminId === request.params.id)
        throw new AppError('CONFLICT', 'You cannot delete yourself');
      const target = await deps.admins.get(request.tenant.id, request.params.id);
      assertMayChangeAdmin(actorOf(request), target, { remove: true });
      await deps.admins.delete(request.tenant.id, request.params.id);
      await deps.webSessions.destroyAllFor(request.tenant.id, 'admin', request.params.id);
      return noContent(reply);
    },
  );

  const tokenTags = ['api-tokens'];
  api.get(
    '/api-tokens',
    {
      preHandler: requireOwner,
      schema: {
        tags: tokenTags,
        summary: 'List API tokens (owners only)',
        querystring: ListQuery,
        response: { 200: PageOf(ApiToken), ...errors },
      },
    },
    async (request) => {
      const page = pageOfList(await deps.apiTokens.list(request.tenant.id), pageOf(request.query));
      return { ...page, items: page.items.map(strip) };
    },
  );

  api.post(
    '/api-tokens',
    {
      preHandler: requireOwner,
      schema: {
        tags: tokenTags,
        summary: 'Create an API token; the secret is in this answer only (owners only)',
        body: ApiTokenCreate,
        response: { 201: ApiTokenCreated, ...errors },
      },
    },
    async (request, reply) => {
      const { token, view } = await deps.apiTokens.create(request.tenant.id, {
        name: request.body.name,
        role: request.body.role,
        createdByAdminId: actorOf(request).adminId,
      });
      return reply.status(201).send({ token, apiToken: strip(view) });
    },
  );

  api.delete(
    '/api-tokens/:id',
    {
      preHandler: requireOwner,
      schema: {
        tags: tokenTags,
        summary: "Revoke an API token (owners only; a super-admin's tokens: super-admins only)",
        params: IdParams,
        response: { 200: ApiToken, ...errors },
      },
    },
    async (request) => strip(await revokeApiToken(deps, actorOf(request), request.params.id)),
  );

  const tenantView = async (id: number) => {
    const t = await deps.tenants.findById(id);
    if (!t) throw new AppError('NOT_FOUND', 'Tenant not found');
    return {
      id: t.id,
      slug: t.slug,
      name: t.name,
      defaultCountry: t.default_country,
      locale: t.locale,
      timeZone: t.time_zone,
      currency: t.currency,
      isDefault: t.is_default === 1,
      hosts: await deps.tenants.hostsOf(t.id),
      createdAtMs: t.created_at,
    };
  };

  api.get(
    '/tenants',
    {
      preHandler: requireSuper,
      schema: {
        tags: ['tenants'],
        summary: 'List tenants (super-admins, and owner tokens a super-admin created)',
        querystring: ListQuery,
        response: { 200: PageOf(Tenant), ...errors },
      },
    },
    async (request) => {
      const page = pageOfList(await deps.tenants.list(), pageOf(request.query));
      return { ...page, items: await Promise.all(page.items.map((t) => tenantView(t.id))) };
    },
  );

  api.post(
    '/tenants',
    {
      preHandler: requireSuper,
      schema: {
        tags: ['tenants'],
        summary: 'Create a tenant with its host names and first owner',
        body: TenantCreate,
        response: { 201: Tenant, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const tenant = await deps.tenantsAdmin.createWithOwner({
        name: b.name,
        slug: b.slug,
        hosts: b.hosts.map((h) => normalizeHost(h)).filter(Boolean),
        defaultCountry: b.defaultCountry ?? 'US',
        currency: b.currency ?? 'USD',
        timeZone: b.timeZone ?? 'UTC',
        locale: b.locale ?? 'en-US',
        adminEmail: b.adminEmail,
        adminPassword: b.adminPassword,
      });
      return reply.status(201).send(await tenantView(tenant.id));
    },
  );

  api.get(
    '/settings/vouchers',
    {
      schema: {
        tags: ['settings'],
        summary: 'Voucher code settings',
        response: { 200: VoucherSettings, ...errors },
      },
    },
    async (request) => deps.tenants.getSettings(request.tenant.id, 'vouchers'),
  );

  api.put(
    '/settings/vouchers',
    {
      preHandler: requireWrite,
      schema: {
        tags: ['settings'],
        summary: 'Change the voucher code settings (new codes only)',
        body: VoucherSettings,
        response: { 200: VoucherSettings, ...errors },
      },
    },
    async (request) => {
      const value = validateVoucherSettings(request.body);
      await deps.tenants.putSettings(request.tenant.id, 'vouchers', value, deps.clock.nowMs());
      return deps.tenants.getSettings(request.tenant.id, 'vouchers');
    },
  );

  const business = (t: {
    name: string;
    default_country: string;
    currency: string;
    time_zone: string;
    locale: string;
    public_url: string | null;
  }): Static<typeof BusinessSettings> => ({
    name: t.name,
    defaultCountry: t.default_country,
    currency: t.currency,
    timeZone: t.time_zone,
    locale: t.locale,
    publicUrl: t.public_url,
  });

  api.get(
    '/settings/business',
    {
      schema: {
        tags: ['settings'],
        summary:
          "The business details: name, country (phone numbers), currency, time zone ('today'), language",
        response: { 200: BusinessSettings, ...errors },
      },
    },
    async (request) => business(request.tenant),
  );

  api.patch(
    '/settings/business',
    {
      preHandler: requireOwner,
      schema: {
        tags: ['settings'],
        summary: 'Change the business details (owners)',
        body: BusinessSettingsPatch,
        response: { 200: BusinessSettings, ...errors },
      },
    },
    async (request) => {
      const current = business(request.tenant);
      const updated = await deps.tenantsAdmin.updateDetails(request.tenant.id, {
        ...current,
        ...request.body,
      });
      return business(updated);
    },
  );
};

const BusinessSettings = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    defaultCountry: Type.String({
      pattern: '^[A-Z]{2}$',
      description: 'ISO 3166-1: phone numbers without + are read in it',
    }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217, for new plans' }),
    timeZone: Type.String({
      description: "IANA zone: 'today' on the dashboard, dates, activation-date filters",
    }),
    locale: Type.String({ description: 'BCP 47 language tag, e.g. en-US' }),
    publicUrl: Type.Union([Type.String(), Type.Null()], {
      description: 'public origin of the portal (SMS links), e.g. https://wifi.example.com',
    }),
  },
  {
    examples: [
      {
        name: 'Harbour Café',
        defaultCountry: 'US',
        currency: 'USD',
        timeZone: 'America/Chicago',
        locale: 'en-US',
        publicUrl: 'https://wifi.harbour.example',
      },
    ],
  },
);
const BusinessSettingsPatch = Type.Partial(BusinessSettings, {
  additionalProperties: false,
  examples: [{ timeZone: 'Europe/Berlin', defaultCountry: 'DE', currency: 'EUR' }],
});
