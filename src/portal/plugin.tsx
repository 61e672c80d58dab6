/**
 * The customer portal at /portal: sign-in by phone, the dashboard, voucher details, a live JSON
 * summary for the refresh script, sign-out and the language switch. Server-rendered, works
 * without JavaScript; every POST carries a CSRF token; sign-in attempts are rate-limited per IP.
 * The sign-in steps live in sign-in-routes.tsx, what all routes share in kit.tsx.
 */
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import { MemoryCounters, type CounterStore, type FastifyRateLimitStoreClass } from '../rate-limits/index.js';
import { renderToString } from 'preact-render-to-string';
import type { WebSessions } from '../auth/index.js';
import { formatPhone, type CustomersRepository } from '../customers/index.js';
import { sendProblem, toProblem } from '../http/index.js';
import { formatDuration, type Clock } from '../shared/index.js';
import type { PortalDashboard } from './dashboard.js';
import type { PortalDevices } from './devices.js';
import { isLanguage } from './i18n/index.js';
import { createPortalKit, LANGUAGE_COOKIE } from './kit.js';
import type { PortalSignIn } from './sign-in.js';
import { clearAttempt, registerSignInRoutes } from './sign-in-routes.js';
import { UsageChart } from './views/chart.js';
import { DashboardPage } from './views/dashboard.js';
import { SessionsPage } from './views/sessions.js';
import { liveValues } from './views/texts.js';
import { VoucherPage } from './views/voucher.js';

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
}

/** The dashboard shows the latest few sessions; the sessions page has them all, by pages. */
const DEFAULT_SESSIONS = 5;
const SESSIONS_PAGE_SIZE = 20;
/** Deepest sessions page (each page walks the newest page × size rows; 25 × 20 = 500). */
const MAX_SESSIONS_PAGE = 25;
const MAX_SESSIONS = 500;
const DEFAULT_HISTORY = 10;
const MAX_HISTORY = 200;
const DEFAULT_VOUCHER_SESSIONS = 20;

/** Whether an If-None-Match header names `etag` (a list, weak or strong, or `*`). */
export function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

/** An integer query parameter clamped to [1, max]; anything else is the fallback. */
function clampedInt(value: unknown, fallback: number, max: number): number {
  const number = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(number) || number < 1) return fallback;
  return Math.min(number, max);
}

export async function portalPlugin(app: FastifyInstance, options: PortalOptions): Promise<void> {
  const { webSessions, customers, signIn, dashboard } = options;
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
  const { view, currentSession, html, errorPage, signInPage } = kit;

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

  options.devices?.register(app, kit);

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/portal/api/')) {
      return sendProblem(reply, { type: 'about:blank', title: 'Not found', status: 404, code: 'NOT_FOUND' });
    }
    return errorPage(request, reply, 404, 'error.404');
  });

  app.get('/', async (request, reply) => {
    const session = await currentSession(request);
    const query = request.query as Record<string, unknown>;
    if (!session) {
      const v = view(request);
      if ('another-number' in query) clearAttempt(request, reply);
      const notice =
        'signed-out' in query
          ? v.t('signIn.signedOut')
          : query.expired === 'kept'
            ? v.t('signIn.sessionExpiredKept')
            : 'expired' in query
              ? v.t('signIn.sessionExpired')
              : undefined;
      return signInPage(request, reply, { notice });
    }
    const { customer, codeVerified } = session;
    const v = view(request);
    const model = await dashboard.load(v.tenant, customer, v.t, v.fmt, {
      sessionsLimit: clampedInt(query.sessions, DEFAULT_SESSIONS, MAX_SESSIONS),
      historyLimit: clampedInt(query.history, DEFAULT_HISTORY, MAX_HISTORY),
      revealCodes: codeVerified,
    });
    return html(
      reply,
      <DashboardPage
        ctx={v.ctx}
        props={{
          model,
          phone: formatPhone(customer.phone, v.tenant.default_country),
          csrfToken: reply.generateCsrf(),
          deviceSummaries: codeVerified
            ? await options.devices?.summaries(v.tenant.id, model.active, v.t)
            : undefined,
        }}
      />,
    );
  });

  registerSignInRoutes(app, kit, {
    webSessions,
    customers,
    signIn,
    clock: options.clock,
    rateLimit,
    perNumberLimit: options.signInPerNumberLimit ?? { max: 10, windowMs: 60_000 },
    // Shared counters on PostgreSQL (every process counts), per-process ones otherwise.
    numberCounters: options.signInCounters ?? new MemoryCounters(),
  });

  app.get('/vouchers/:id', async (request, reply) => {
    const session = await currentSession(request);
    if (!session) return reply.redirect('/portal', 303);
    const { customer, codeVerified } = session;
    const { id } = request.params as { id: string };
    if (!/^\d{1,15}$/.test(id)) return errorPage(request, reply, 404, 'error.404');
    const v = view(request);
    const query = request.query as Record<string, unknown>;
    const sessionsLimit = clampedInt(query.sessions, DEFAULT_VOUCHER_SESSIONS, MAX_SESSIONS);
    const loaded = await dashboard.loadVoucher(v.tenant, customer, Number(id), v.t, v.fmt, {
      sessionsLimit,
      revealCode: codeVerified,
    });
    if (!loaded) return errorPage(request, reply, 404, 'error.404');
    const devices = codeVerified
      ? await options.devices?.block(request, reply, customer, Number(id), v)
      : undefined;
    return html(
      reply,
      <VoucherPage
        ctx={v.ctx}
        props={{ ...loaded, sessionsLimit, devices, csrfToken: reply.generateCsrf() }}
      />,
    );
  });

  app.get('/sessions', async (request, reply) => {
    const session = await currentSession(request);
    if (!session) return reply.redirect('/portal', 303);
    const v = view(request);
    const page = clampedInt((request.query as Record<string, unknown>).page, 1, MAX_SESSIONS_PAGE);
    const loaded = await dashboard.loadSessionsPage(v.tenant, session.customer, v.t, v.fmt, {
      page,
      pageSize: SESSIONS_PAGE_SIZE,
    });
    return html(
      reply,
      <SessionsPage
        ctx={v.ctx}
        props={{ ...loaded, page, hasOlder: loaded.hasOlder && page < MAX_SESSIONS_PAGE }}
      />,
    );
  });

  app.get('/api/summary', async (request, reply) => {
    const session = await currentSession(request);
    if (!session) {
      return sendProblem(reply, {
        type: 'about:blank',
        title: 'Sign in to the portal first',
        status: 401,
        code: 'UNAUTHENTICATED',
      });
    }
    const query = request.query as Record<string, unknown>;
    const v = view(request);
    const model = await dashboard.load(v.tenant, session.customer, v.t, v.fmt, {
      sessionsLimit: clampedInt(query.sessions, DEFAULT_SESSIONS, MAX_SESSIONS),
      historyLimit: clampedInt(query.history, DEFAULT_HISTORY, MAX_HISTORY),
      revealCodes: session.codeVerified,
    });
    const body = JSON.stringify({
      ...liveValues(model, v.t),
      html: { chart: renderToString(<UsageChart chart={model.chart} />) },
    });
    // The numbers come from the database on every call; when they are the same as the caller's
    // last copy (its ETag), the answer is an empty 304: nothing to send, parse or redraw.
    const etag = `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    reply.header('etag', etag);
    if (ifNoneMatch(request.headers['if-none-match'], etag)) return reply.status(304).send();
    return reply.type('application/json; charset=utf-8').send(body);
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
