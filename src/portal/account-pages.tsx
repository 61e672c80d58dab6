/**
 * The signed-in customer's pages: the dashboard (or the sign-in form when signed out), a voucher,
 * the sessions list and the live JSON summary for the refresh script. Pages are kept in the page
 * cache until something they show changes (page-cache.ts). Registered in the portal scope: the
 * view, session and pages come from `app.portalKit`, the services from the plugin's options.
 */
import crypto from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { formatPhone } from '../customers/index.js';
import { CSRF_COOKIE, RESUME_COOKIE, renderDocument, sendProblem, sessionCookieName } from '../http/index.js';
import type { Clock } from '../shared/index.js';
import type { PortalDashboard } from './dashboard.js';
import type { PortalDevices } from './devices.js';
import type { PortalSession, RequestView } from './kit.js';
import { PageCache, type CachedPage } from './page-cache.js';
import { clearAttempt } from './sign-in-routes.js';
import { UsageChart } from './views/chart.js';
import { DashboardPage } from './views/dashboard.js';
import { SessionsPage } from './views/sessions.js';
import { liveValues } from './views/texts.js';
import { VoucherPage } from './views/voucher.js';

export interface AccountPagesOptions {
  dashboard: PortalDashboard;
  clock: Clock;
  /** The "Associated devices" block (absent: none). */
  devices?: PortalDevices | undefined;
  /** Rendered pages of this process (default: a new PageCache of PAGE_CACHE_BYTES). */
  pageCache?: PageCache | undefined;
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

export const accountPages: FastifyPluginAsync<AccountPagesOptions> = async (app, options) => {
  const { dashboard } = options;
  const { view, loadSession, html, errorPage, signInPage } = app.portalKit;
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
      const model = await dashboard.loadLive(v.tenant, session.customer, v.t, v.fmt, {
        sessionsLimit: clampedInt(query.sessions, DEFAULT_SESSIONS, MAX_SESSIONS),
        historyLimit: clampedInt(query.history, DEFAULT_HISTORY, MAX_HISTORY),
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
};
