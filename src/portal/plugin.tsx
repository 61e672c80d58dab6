/**
 * The customer portal at /portal: sign-in by phone, the dashboard, voucher details, a live JSON
 * summary for the refresh script, sign-out and the language switch. Server-rendered, works
 * without JavaScript; every POST carries a CSRF token; sign-in attempts are rate-limited per IP.
 * The sign-in steps live in sign-in-routes.tsx, what all routes share in kit.tsx.
 */
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import fastifyRateLimit from '@fastify/rate-limit';
import { MemoryCounters, type CounterStore, type FastifyRateLimitStoreClass } from '../rate-limits/index.js';
import { renderToString } from 'preact-render-to-string';
import type { WebSessions } from '../auth/index.js';
import { formatPhone, type CustomersRepository } from '../customers/index.js';
import {
  CSRF_COOKIE,
  RESUME_COOKIE,
  renderDocument,
  sendProblem,
  sessionCookieName,
  toProblem,
} from '../http/index.js';
import { formatDuration, type Clock } from '../shared/index.js';
import type { PortalDashboard } from './dashboard.js';
import { portalDeviceRoutes, type PortalDevices } from './devices.js';
import { isLanguage } from './i18n/index.js';
import { createPortalKit, LANGUAGE_COOKIE, type PortalSession, type RequestView } from './kit.js';
import { PageCache, type CachedPage } from './page-cache.js';
import type { PortalSignIn } from './sign-in.js';
import { clearAttempt, signInRoutes } from './sign-in-routes.js';
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
  /** Rendered pages of this process (default: a new PageCache of PAGE_CACHE_BYTES). */
  pageCache?: PageCache;
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
  app.decorate('portalKit', kit);
  app.decorateRequest('portalSession', null);
  const { view, loadSession, html, errorPage, signInPage } = kit;
  const signedIn = { preHandler: loadSession };
  const pages = options.pageCache ?? new PageCache();
  const tenantKeys = new WeakMap<object, string>();

  /**
   * The page cache key of this view (page-cache.ts says what a page depends on), or undefined
   * when it must be rendered: a page with forms needs the browser's CSRF secret already set (its
   * tokens are bound to it and to the session), and a form to resume after a sign-in goes into it.
   */
  function pageKey(
    request: FastifyRequest,
    session: PortalSession,
    v: RequestView,
    withForms: boolean,
  ): string | undefined {
    const csrf = withForms ? request.cookies[sessionCookieName(request, CSRF_COOKIE)] : '';
    if (csrf === undefined || csrf.length > 100 || request.cookies[RESUME_COOKIE] !== undefined)
      return undefined;
    // This process's copy of the tenant (names, zone, language; refreshed by the host resolver).
    let tenantKey = tenantKeys.get(v.tenant);
    if (tenantKey === undefined) tenantKeys.set(v.tenant, (tenantKey = JSON.stringify(v.tenant)));
    return [
      tenantKey,
      session.tenantVersion,
      session.customer.id,
      session.customerVersion,
      session.token,
      session.codeVerified ? 'code' : 'phone',
      csrf,
      v.lang,
      request.url,
    ].join('\n');
  }

  function sendPage(request: FastifyRequest, reply: FastifyReply, key: string, page: CachedPage) {
    const { body, encoding } = pages.encoded(key, page, request.headers['accept-encoding']);
    reply.header('vary', 'Cookie, Accept-Language, Accept-Encoding');
    if (encoding) reply.header('content-encoding', encoding);
    return reply.status(200).type(page.type).send(body);
  }

  /**
   * A signed-in page from the cache when nothing it shows has changed; else rendered (`render`
   * reads the database), kept and sent. Pages that can't be cached go out as before.
   */
  async function cachedHtml(
    request: FastifyRequest,
    reply: FastifyReply,
    session: PortalSession,
    v: RequestView,
    render: () => Promise<{ page: VNode; freshUntilMs: number } | FastifyReply>,
  ): Promise<FastifyReply> {
    const key = pageKey(request, session, v, true);
    const cached = key === undefined ? undefined : pages.get(key, options.clock.nowMs());
    if (key !== undefined && cached) return sendPage(request, reply, key, cached);
    const rendered = await render();
    if (!('page' in rendered)) return rendered;
    if (key === undefined) return html(reply, rendered.page);
    const page: CachedPage = {
      body: Buffer.from(renderDocument(rendered.page)),
      type: 'text/html; charset=utf-8',
      etag: '',
      freshUntilMs: rendered.freshUntilMs,
      compressed: {},
    };
    pages.set(key, page);
    return sendPage(request, reply, key, page);
  }

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

  app.get('/', signedIn, async (request, reply) => {
    const session = request.portalSession;
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
    return cachedHtml(request, reply, session, v, async () => {
      const model = await dashboard.load(v.tenant, customer, v.t, v.fmt, {
        sessionsLimit: clampedInt(query.sessions, DEFAULT_SESSIONS, MAX_SESSIONS),
        historyLimit: clampedInt(query.history, DEFAULT_HISTORY, MAX_HISTORY),
        revealCodes: codeVerified,
      });
      const page = (
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
        />
      );
      return { page, freshUntilMs: model.freshUntilMs };
    });
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

  app.get('/vouchers/:id', signedIn, async (request, reply) => {
    const session = request.portalSession;
    if (!session) return reply.redirect('/portal', 303);
    const { customer, codeVerified } = session;
    const { id } = request.params as { id: string };
    if (!/^\d{1,15}$/.test(id)) return errorPage(request, reply, 404, 'error.404');
    const v = view(request);
    const query = request.query as Record<string, unknown>;
    const sessionsLimit = clampedInt(query.sessions, DEFAULT_VOUCHER_SESSIONS, MAX_SESSIONS);
    const render = async () => {
      const loaded = await dashboard.loadVoucher(v.tenant, customer, Number(id), v.t, v.fmt, {
        sessionsLimit,
        revealCode: codeVerified,
      });
      if (!loaded) return errorPage(request, reply, 404, 'error.404');
      const devices = codeVerified
        ? await options.devices?.block(request, reply, customer, Number(id), v)
        : undefined;
      const page = (
        <VoucherPage
          ctx={v.ctx}
          props={{ ...loaded, sessionsLimit, devices, csrfToken: reply.generateCsrf() }}
        />
      );
      return { page, freshUntilMs: loaded.freshUntilMs };
    };
    // The devices block follows disconnects in progress and answers its forms' outcomes: not cached.
    if (codeVerified && options.devices) {
      const rendered = await render();
      return 'page' in rendered ? html(reply, rendered.page) : rendered;
    }
    return cachedHtml(request, reply, session, v, render);
  });

  app.get('/sessions', signedIn, async (request, reply) => {
    const session = request.portalSession;
    if (!session) return reply.redirect('/portal', 303);
    const v = view(request);
    const page = clampedInt((request.query as Record<string, unknown>).page, 1, MAX_SESSIONS_PAGE);
    return cachedHtml(request, reply, session, v, async () => {
      const loaded = await dashboard.loadSessionsPage(v.tenant, session.customer, v.t, v.fmt, {
        page,
        pageSize: SESSIONS_PAGE_SIZE,
      });
      return {
        page: (
          <SessionsPage
            ctx={v.ctx}
            props={{ ...loaded, page, hasOlder: loaded.hasOlder && page < MAX_SESSIONS_PAGE }}
          />
        ),
        freshUntilMs: loaded.freshUntilMs,
      };
    });
  });

  app.get('/api/summary', signedIn, async (request, reply) => {
    const session = request.portalSession;
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
    // Unchanged since the caller's copy (its ETag) and nothing written since: an empty 304, with
    // no statement but the visit's. Otherwise the numbers come from the database.
    const key = pageKey(request, session, v, false);
    let page = key === undefined ? undefined : pages.get(key, options.clock.nowMs());
    if (!page) {
      const model = await dashboard.load(v.tenant, session.customer, v.t, v.fmt, {
        sessionsLimit: clampedInt(query.sessions, DEFAULT_SESSIONS, MAX_SESSIONS),
        historyLimit: clampedInt(query.history, DEFAULT_HISTORY, MAX_HISTORY),
        revealCodes: session.codeVerified,
      });
      const body = Buffer.from(
        JSON.stringify({
          ...liveValues(model, v.t),
          html: { chart: renderToString(<UsageChart chart={model.chart} />) },
        }),
      );
      page = {
        body,
        type: 'application/json; charset=utf-8',
        etag: `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        freshUntilMs: model.freshUntilMs,
        compressed: {},
      };
      if (key !== undefined) pages.set(key, page);
    }
    reply.header('etag', page.etag);
    if (ifNoneMatch(request.headers['if-none-match'], page.etag)) return reply.status(304).send();
    if (key === undefined) return reply.type(page.type).send(page.body);
    return sendPage(request, reply, key, page);
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
