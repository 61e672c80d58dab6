import type { FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import fastifySwagger from '@fastify/swagger';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyRateLimitStoreClass } from '../rate-limits/index.js';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { AppError } from '../shared/index.js';
import { tokenPower } from '../auth/index.js';
import { sendProblem } from '../http/index.js';
import { Problem } from './schemas.js';
import { accessRoutes } from './routes/access.js';
import { customersRoutes } from './routes/customers.js';
import { plansRoutes } from './routes/plans.js';
import { sessionsRoutes } from './routes/sessions.js';
import { vouchersRoutes } from './routes/vouchers.js';
import { hotspotsRoutes } from './routes/hotspots.js';

export interface ApiOptions {
  /** Check every JSON answer against its route's response schema (tests): a mismatch is a 500. */
  strictResponses?: boolean;
  /** Requests per API token and minute. */
  rateLimitPerMinute?: number;
  /** Requests without a valid token (and to public paths) per client address and minute. */
  unauthenticatedLimitPerMinute?: number;
  /** Where rate-limit counts live (shared across processes); default: this process's memory. */
  rateLimitStore?: FastifyRateLimitStoreClass;
}

const PUBLIC = new Set(['/api/v1/openapi.json']);
/** Requests a valid API token may make a minute. */
export const API_LIMIT_PER_TOKEN_PER_MINUTE = 600;
/** Requests without a valid token one client address may make a minute (all tenants together). */
export const API_LIMIT_UNAUTHENTICATED_PER_MINUTE = 60;

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

function unauthenticated(reply: FastifyReply, title: string) {
  reply.header('www-authenticate', 'Bearer realm="portico"');
  return sendProblem(reply, { type: 'about:blank', title, status: 401, code: 'UNAUTHENTICATED' });
}

/**
 * The REST API's scope: bearer-token authentication, the two rate-limit budgets, the query
 * allow-list, the OpenAPI document and the API's own routes. Not encapsulated (fastify-plugin):
 * register it first in the `/api/v1` scope, and the route plugins of other modules registered
 * beside it get the same hooks and appear in the same document:
 *
 *     http.register(async (api) => {
 *       await api.register(restApi, options);
 *       await api.register(smsApiRoutes);
 *     }, { prefix: '/api/v1' });
 *
 * Routes read their services from `api.adminDeps` (decorated by the composition root).
 */
export const restApi = fastifyPlugin<ApiOptions>(
  async (api, options) => {
    const deps = api.adminDeps;
    api.addSchema(Problem);
    await api.register(fastifySwagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Portico REST API',
          version: '1.0.0',
          description:
            'Everything an operator can do in the admin area. Authenticate with `Authorization: Bearer <token>` ' +
            '(create tokens under Access > API tokens). Lists take `page`, `perPage` (≤ 200) and an allow-listed ' +
            '`sort` (`key` or `-key`); unknown query parameters are refused. Errors are RFC 9457 problem+json ' +
            'with a stable `code`. Ids of another tenant answer 404.',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      },
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => (json.$id as string) || `schema-${i}`,
      },
    });
    // Two budgets, applied in the authentication hook below, once it knows which applies: per
    // token for valid tokens, per client address for everything else (no token, a wrong one,
    // public paths), so guessing tokens or flooding without one is limited too.
    await api.register(fastifyRateLimit, {
      global: false,
      ...(options.rateLimitStore ? { store: options.rateLimitStore } : {}),
    });
    const perToken = api.rateLimit({
      max: options.rateLimitPerMinute ?? API_LIMIT_PER_TOKEN_PER_MINUTE,
      timeWindow: 60_000,
      keyGenerator: (request) => `token:${request.actor?.id ?? ''}`,
    });
    const perAddress = api.rateLimit({
      max: options.unauthenticatedLimitPerMinute ?? API_LIMIT_UNAUTHENTICATED_PER_MINUTE,
      timeWindow: 60_000,
      keyGenerator: (request) => `address:${request.ip}`,
    });
    api.decorateRequest('actor', null);

    api.addHook('onRequest', async (request, reply) => {
      if (PUBLIC.has(request.url.split('?')[0] ?? '')) return perAddress.call(api, request, reply);
      const token = bearerToken(request);
      if (!token) {
        await perAddress.call(api, request, reply);
        return unauthenticated(reply, 'An API token is required (Authorization: Bearer …)');
      }
      const found = await deps.apiTokens.authenticate(token);
      // A token works only on its own tenant's host names.
      if (!found || found.tenantId !== request.tenant.id) {
        await perAddress.call(api, request, reply);
        return unauthenticated(reply, 'The API token is not valid');
      }
      // A token carries its creator's power as it is now, never more: a demoted creator demotes
      // the token, a removed or disabled one leaves it powerless.
      const creator =
        found.createdByAdminId === null
          ? null
          : await deps.admins.find(found.tenantId, found.createdByAdminId);
      const power = tokenPower(found.role, creator);
      if (!power) {
        await perAddress.call(api, request, reply);
        return unauthenticated(reply, 'The API token is not valid: the admin who created it has no access');
      }
      request.actor = {
        tenantId: found.tenantId,
        role: power.role,
        isSuper: power.isSuper,
        kind: 'token',
        id: found.id,
        adminId: found.createdByAdminId,
        name: found.name,
      };
      await perToken.call(api, request, reply);
    });

    // Sort and filter parameters are allow-listed: a parameter the route does not declare is an error.
    api.addHook('preValidation', async (request) => {
      const schema = request.routeOptions.schema?.querystring as
        { properties?: Record<string, unknown> } | undefined;
      const allowed = schema?.properties ?? {};
      const unknown = Object.keys((request.query as Record<string, unknown> | undefined) ?? {}).filter(
        (key) => !(key in allowed),
      );
      if (unknown.length > 0)
        throw new AppError('VALIDATION', `Unknown query parameter: ${unknown.join(', ')}`, {
          parameters: unknown,
        });
    });

    if (options.strictResponses) {
      api.addHook('preSerialization', async (request, reply, payload) => {
        if (request.routeOptions.schema?.hide) return payload;
        const responses = request.routeOptions.schema?.response as Record<string, TSchema> | undefined;
        const schema = responses?.[String(reply.statusCode)];
        if (!schema)
          throw new Error(`no response schema for ${reply.statusCode} on ${request.routeOptions.url}`);
        if (!Value.Check(schema, [Problem], payload)) {
          const first = [...Value.Errors(schema, [Problem], payload)][0];
          throw new Error(
            `response does not match its schema on ${request.method} ${request.routeOptions.url}: ${first?.path} ${first?.message}`,
          );
        }
        return payload;
      });
    }

    api.get('/openapi.json', { schema: { hide: true } }, async () => api.swagger());

    await api.register(plansRoutes);
    await api.register(vouchersRoutes);
    await api.register(customersRoutes);
    await api.register(sessionsRoutes);
    await api.register(accessRoutes);
    await api.register(hotspotsRoutes);
  },
  { name: 'portico-rest-api', decorators: { fastify: ['adminDeps'] } },
);
