import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { FormResume } from './resume.js';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { Tenant } from '../store/index.js';
import type { TenantResolver } from '../tenants/index.js';
import { compression } from './compress.js';
import { csrfTokens, type CsrfOptions } from './csrf.js';
import { routeCatalog } from './routes.js';
import { renderErrorPage } from './error-page.js';
import { OPERATIONS_PATHS } from './health.js';
import { sendProblem, toProblem, wantsJson } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant this request is for (resolved from the Host header). */
    tenant: Tenant;
  }
}

export interface HttpOptions {
  logger: FastifyBaseLogger;
  tenantResolver: TenantResolver;
  /** Whose X-Forwarded-* to believe: nobody, a hop count, or proxy addresses/CIDRs (config). */
  trustProxy: false | number | readonly string[];
  /** CSRF tokens: the key and which session cookie each area's tokens are bound to. */
  csrf: CsrfOptions;
  /** Largest accepted request body; forms and API calls are small. */
  bodyLimitBytes?: number;
}

const ASSETS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');

/**
 * Fastify's trustProxy for our setting. A hop count n trusts the n addresses nearest to us (the
 * socket's peer, then X-Forwarded-For from the right), so the client is the address the farthest
 * trusted proxy saw, whatever the client wrote at the left of the header.
 */
function trustProxyOption(
  setting: HttpOptions['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (setting === false) return false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return [...setting];
}

export { isHttps } from './cookies.js';

/**
 * The Fastify instance with what every edge needs: security headers, forms, cookies, CSRF,
 * tenant resolution, static assets and one error handler (problem+json or an HTML page).
 */
export async function createHttpServer(options: HttpOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    trustProxy: trustProxyOption(options.trustProxy),
    bodyLimit: options.bodyLimitBytes ?? 64 * 1024,
    // Ajv defaults tuned for forms: coerce "3" → 3, drop unknown keys, fill defaults.
    ajv: {
      customOptions: { coerceTypes: 'array', removeAdditional: true, useDefaults: true, allErrors: true },
    },
  });

  await app.register(routeCatalog);
  await app.register(compression);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    hsts: false, // only meaningful behind TLS; the reverse proxy sets it
  });
  await app.register(fastifyFormbody);
  await app.register(fastifyCookie);
  await app.register(csrfTokens, options.csrf);
  app.decorate('formResume', new FormResume(options.csrf.key));
  await app.register(fastifyStatic, {
    root: ASSETS_DIR,
    prefix: '/assets/',
    maxAge: '1h',
    decorateReply: false,
  });

  app.decorateRequest('tenant', null as unknown as Tenant);
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/assets/') || OPERATIONS_PATHS.has(request.url.split('?')[0] ?? '')) return;
    const tenant = await options.tenantResolver.resolve(request.headers.host);
    if (!tenant) {
      return sendProblem(reply, {
        type: 'about:blank',
        title: 'No Portico tenant serves this host name',
        status: 404,
        code: 'TENANT_UNKNOWN',
      });
    }
    request.tenant = tenant;
  });

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: problem.code, status: problem.status }, 'request refused');
    if (wantsJson(request)) return sendProblem(reply, problem);
    const home = request.url.startsWith('/admin') ? '/admin' : '/portal';
    return reply.status(problem.status).type('text/html; charset=utf-8').send(renderErrorPage(problem, home));
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = { type: 'about:blank', title: 'Not found', status: 404, code: 'NOT_FOUND' };
    if (wantsJson(request)) return sendProblem(reply, problem);
    const home = request.url.startsWith('/admin') ? '/admin' : '/portal';
    return reply.status(404).type('text/html; charset=utf-8').send(renderErrorPage(problem, home));
  });

  app.get('/', async (_request, reply) => reply.redirect('/portal'));
  return app;
}
