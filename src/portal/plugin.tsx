/**
 * The customer portal at /portal: sign-in by phone, the dashboard, voucher details, a live JSON
 * summary for the refresh script, sign-out and the language switch. Server-rendered, works
 * without JavaScript; every POST carries a CSRF token; sign-in attempts are rate-limited per IP.
 * This is the portal's shell (rate limits, the shared `app.portalKit`, no-store, its error and
 * not-found pages); its route sets are Fastify plugins registered in its scope: the sign-in steps
 * (sign-in-routes.tsx), the signed-in pages (account-pages.tsx) and the devices routes.
 */
import type { FastifyInstance } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import { MemoryCounters, type CounterStore, type FastifyRateLimitStoreClass } from '../rate-limits/index.js';
import type { WebSessions } from '../auth/index.js';
import type { CustomersRepository } from '../customers/index.js';
import { sendProblem, toProblem } from '../http/index.js';
import { formatDuration, type Clock } from '../shared/index.js';
import { accountPages } from './account-pages.js';
import type { PortalDashboard } from './dashboard.js';
import { portalDeviceRoutes, type PortalDevices } from './devices.js';
import { isLanguage } from './i18n/index.js';
import { createPortalKit, LANGUAGE_COOKIE } from './kit.js';
import type { PageCache } from './page-cache.js';
import type { PortalSignIn } from './sign-in.js';
import { signInRoutes } from './sign-in-routes.js';

export { LANGUAGE_COOKIE, PORTAL_SESSION_COOKIE, type PortalSession } from './kit.js';
export { OTP_ATTEMPT_COOKIE } from './sign-in-routes.js';

export interface PortalOptions {
  webSessions: WebSessions;
  customers: CustomersRepository;
  signIn: PortalSignIn;
  dashboard: PortalDashboard;
  clock: Clock;
  /** The "Associated devices" block and its routes (absent: no devices block at all). */
  devices?: PortalDevices;
  /**
   * Sign-in attempts allowed per client IP and window. A whole venue shares one address behind
   * its NAT, so the default is wide (120 a minute); one number is held back by the next limit.
   */
  signInRateLimit?: { max: number; windowMs: number };
  /** Sign-in attempts allowed per phone number and window (default 10 a minute). */
  signInPerNumberLimit?: { max: number; windowMs: number };
  /** Where the sign-in counts live (shared across processes); default: this process's memory. */
  rateLimitStore?: FastifyRateLimitStoreClass;
  /** Per-number sign-in attempts counted here (shared across processes); default: memory. */
  signInCounters?: CounterStore;
  /** Rendered pages of this process (default: a new PageCache of PAGE_CACHE_BYTES). */
  pageCache?: PageCache;
}

export async function portalPlugin(app: FastifyInstance, options: PortalOptions): Promise<void> {
  const { webSessions, customers, signIn } = options;
  const rateLimit = options.signInRateLimit ?? { max: 120, windowMs: 60_000 };

  await app.register(fastifyRateLimit, {
    global: false,
    ...(options.rateLimitStore ? { store: options.rateLimitStore } : {}),
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error('Too many sign-in attempts'), {
        statusCode: 429,
        code: 'RATE_LIMITED',
        retryAfterMs: context.ttl,
      }),
  });

  const kit = createPortalKit(app, options);
  app.decorate('portalKit', kit);
  app.decorateRequest('portalSession', null);
  const { view, errorPage, signInPage } = kit;

  // Personal pages and pages with CSRF tokens must not be cached or shared.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    reply.header('vary', 'Cookie, Accept-Language');
  });

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'portal request failed');
    else request.log.info({ code: problem.code, status: problem.status }, 'portal request refused');
    if (request.url.startsWith('/portal/api/')) return sendProblem(reply, problem);
    const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
    switch (problem.status) {
      case 403:
        return errorPage(request, reply, 403, problem.code === 'CSRF' ? 'error.403csrf' : 'error.403');
      case 404:
        return errorPage(request, reply, 404, 'error.404');
      case 413:
        return errorPage(request, reply, 413, 'error.413');
      case 415:
        return errorPage(request, reply, 415, 'error.415');
      case 429:
        // Over the per-address limit on a sign-in step: the form again, with the wait in words.
        if (request.url.startsWith('/portal/sign-in'))
          return signInPage(
            request,
            reply,
            {
              error: view(request).t('error.429', {
                wait: formatDuration(Math.ceil((retryAfterMs ?? 60_000) / 1000)),
              }),
            },
            429,
          );
        return errorPage(
          request,
          reply,
          429,
          'error.429',
          formatDuration(Math.ceil((retryAfterMs ?? 60_000) / 1000)),
        );
      default:
        return problem.status >= 500
          ? errorPage(request, reply, 500, 'error.500')
          : errorPage(request, reply, problem.status, 'error.400');
    }
  });

  if (options.devices) await app.register(portalDeviceRoutes, { devices: options.devices });

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/portal/api/')) {
      return sendProblem(reply, { type: 'about:blank', title: 'Not found', status: 404, code: 'NOT_FOUND' });
    }
    return errorPage(request, reply, 404, 'error.404');
  });

  await app.register(signInRoutes, {
    webSessions,
    customers,
    signIn,
    clock: options.clock,
    rateLimit,
    perNumberLimit: options.signInPerNumberLimit ?? { max: 10, windowMs: 60_000 },
    // Shared counters on PostgreSQL (every process counts), per-process ones otherwise.
    numberCounters: options.signInCounters ?? new MemoryCounters(),
  });

  await app.register(accountPages, {
    dashboard: options.dashboard,
    clock: options.clock,
    devices: options.devices,
    pageCache: options.pageCache,
  });

  app.get('/language/:lang', async (request, reply) => {
    const { lang } = request.params as { lang: string };
    const { next } = request.query as { next?: unknown };
    // Only back into the portal: never an open redirect.
    const target =
      typeof next === 'string' && /^\/portal(?:[/?#]|$)/.test(next) && !next.includes('//')
        ? next
        : '/portal';
    if (isLanguage(lang)) {
      reply.setCookie(LANGUAGE_COOKIE, lang, {
        path: '/portal',
        maxAge: 365 * 24 * 3600,
        sameSite: 'lax',
        httpOnly: true,
        secure: request.protocol === 'https',
      });
    }
    return reply.redirect(target, 303);
  });
}
