/**
 * The customer portal at /portal: sign-in by phone, the dashboard, voucher details, a live JSON
 * summary for the refresh script, sign-out and the language switch. Server-rendered, works
 * without JavaScript; every POST carries a CSRF token; sign-in attempts are rate-limited per IP.
 */
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import { MemoryCounters, type CounterStore, type FastifyRateLimitStoreClass } from '../rate-limits/index.js';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { PortalAuthMethod, WebSessions } from '../auth/index.js';
import {
  examplePhone,
  formatPhone,
  type CustomerSummary,
  type CustomersRepository,
} from '../customers/index.js';
import {
  clearSessionCookie,
  readSessionCookie,
  renderDocument,
  sendProblem,
  setSessionCookie,
  toProblem,
} from '../http/index.js';
import { formatDuration, type Clock } from '../shared/index.js';
import type { Tenant } from '../store/index.js';
import type { PortalDashboard } from './dashboard.js';
import type { PortalDevices } from './devices.js';
import { formatterFor, type Formatter } from './format.js';
import {
  chooseLanguage,
  formattingLocale,
  isLanguage,
  translator,
  type Language,
  type MessageKey,
  type Translate,
} from './i18n/index.js';
import type { PortalSignIn, SignInStart } from './sign-in.js';
import { UsageChart } from './views/chart.js';
import { DashboardPage } from './views/dashboard.js';
import { ErrorPage } from './views/error.js';
import type { PageContext } from './views/layout.js';
import { SignInPage, type SignInProps } from './views/sign-in.js';
import { SessionsPage } from './views/sessions.js';
import { SignInCodePage } from './views/sign-in-code.js';
import { liveValues } from './views/texts.js';
import { VoucherPage } from './views/voucher.js';

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

/** Cookie names (the session one gets `__Host-` over HTTPS). */
export const PORTAL_SESSION_COOKIE = 'portico_portal';
export const LANGUAGE_COOKIE = 'portico_lang';
/** The OTP sign-in attempt (token the code is bound to, number, resend time), HttpOnly. */
export const OTP_ATTEMPT_COOKIE = 'portico_otp';

interface OtpAttempt {
  token: string;
  e164: string;
  resendAtMs: number;
  codeLength: number;
  minutes: number;
}

function encodeAttempt(a: OtpAttempt): string {
  return [a.token, a.e164, a.resendAtMs, a.codeLength, a.minutes].join('~');
}

function decodeAttempt(raw: string | undefined): OtpAttempt | undefined {
  const parts = raw?.split('~');
  if (parts?.length !== 5) return undefined;
  const [token, e164, resendAtMs, codeLength, minutes] = parts as [string, string, string, string, string];
  if (!/^[\w-]{20,100}$/.test(token) || !/^\+\d{6,15}$/.test(e164)) return undefined;
  return {
    token,
    e164,
    resendAtMs: Number(resendAtMs) || 0,
    codeLength: Number(codeLength) || 6,
    minutes: Number(minutes) || 5,
  };
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
const FORM_BODY_LIMIT_BYTES = 8 * 1024;

/** A signed-in portal visit: who, and whether the session passed an SMS one-time code. */
export interface PortalSession {
  customer: CustomerSummary;
  /** Only code-verified sessions manage devices and see full voucher codes (issue 10, 6-7). */
  codeVerified: boolean;
}

interface RequestView {
  ctx: PageContext;
  t: Translate;
  lang: Language;
  fmt: Formatter;
  tenant: Tenant;
}

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

function html(reply: FastifyReply, page: VNode, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(renderDocument(page));
}

export async function portalPlugin(app: FastifyInstance, options: PortalOptions): Promise<void> {
  const { webSessions, customers, signIn, dashboard } = options;
  // Bound: Fastify calls hooks with the instance as `this`, eslint cannot know that.
  const csrfProtection = app.csrfProtection.bind(app);
  const rateLimit = options.signInRateLimit ?? { max: 120, windowMs: 60_000 };
  const perNumberLimit = options.signInPerNumberLimit ?? { max: 10, windowMs: 60_000 };
  // Shared counters on PostgreSQL (every process counts), per-process ones otherwise.
  const numberCounters = options.signInCounters ?? new MemoryCounters();
  /** Seconds to wait when over the per-number limit, else 0. */
  const takeNumberAttempt = async (key: string, nowMs: number): Promise<number> => {
    const hit = await numberCounters.hit(`portal-sign-in-number:${key}`, perNumberLimit.windowMs, nowMs);
    return hit.count <= perNumberLimit.max ? 0 : Math.max(1, Math.ceil((hit.resetAtMs - nowMs) / 1000));
  };

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

  function view(request: FastifyRequest): RequestView {
    const tenant = request.tenant;
    const lang = chooseLanguage(
      request.cookies[LANGUAGE_COOKIE],
      request.headers['accept-language'],
      tenant.locale,
    );
    const t = translator(lang);
    const fmt = formatterFor(formattingLocale(lang, tenant.locale), tenant.time_zone);
    return { ctx: { t, lang, tenantName: tenant.name, path: request.url }, t, lang, fmt, tenant };
  }

  /**
   * The signed-in customer and whether the session passed an SMS code, or undefined. Ends
   * sessions of customers who were blocked meanwhile, and phone-only sessions once the tenant
   * requires codes (switching codes on also deletes them; this covers a sign-in racing the switch).
   */
  async function currentSession(request: FastifyRequest): Promise<PortalSession | undefined> {
    const token = readSessionCookie(request, PORTAL_SESSION_COOKIE);
    const session = await webSessions.find(request.tenant.id, 'portal', token);
    if (!session) return undefined;
    const codeVerified = session.authMethod === 'code';
    if (!codeVerified && (await signIn.codesRequired(request.tenant))) {
      await webSessions.destroy(token);
      return undefined;
    }
    const customer = await customers.findById(request.tenant.id, session.subjectId);
    if (!customer || customer.status !== 'active') {
      await webSessions.destroy(token);
      return undefined;
    }
    return { customer, codeVerified };
  }

  async function signInPage(
    request: FastifyRequest,
    reply: FastifyReply,
    props: Partial<SignInProps>,
    status = 200,
  ): Promise<FastifyReply> {
    const v = view(request);
    const countryName = v.fmt.region(v.tenant.default_country);
    const canManageDevices = (await options.devices?.canManage(v.tenant.id)) ?? false;
    return html(
      reply,
      <SignInPage
        ctx={v.ctx}
        props={{
          csrfToken: reply.generateCsrf(),
          phone: '',
          example: examplePhone(v.tenant.default_country),
          countryName,
          canManageDevices,
          ...props,
        }}
      />,
      status,
    );
  }

  function errorPage(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    key: MessageKey,
    wait?: string,
  ) {
    const v = view(request);
    return html(
      reply,
      <ErrorPage ctx={v.ctx} status={status} message={v.t(key, { wait: wait ?? '' })} />,
      status,
    );
  }

  function readAttempt(request: FastifyRequest): OtpAttempt | undefined {
    return decodeAttempt(request.cookies[OTP_ATTEMPT_COOKIE]);
  }

  function clearAttempt(request: FastifyRequest, reply: FastifyReply): void {
    if (request.cookies[OTP_ATTEMPT_COOKIE] !== undefined)
      reply.clearCookie(OTP_ATTEMPT_COOKIE, { path: '/portal' });
  }

  function codePage(
    request: FastifyRequest,
    reply: FastifyReply,
    attempt: OtpAttempt,
    extra: { error?: string; notice?: string } = {},
    status = 200,
  ): FastifyReply {
    const v = view(request);
    const waitMs = attempt.resendAtMs - options.clock.nowMs();
    return html(
      reply,
      <SignInCodePage
        ctx={v.ctx}
        props={{
          csrfToken: reply.generateCsrf(),
          phone: formatPhone(attempt.e164, v.tenant.default_country),
          codeLength: attempt.codeLength,
          minutes: attempt.minutes,
          resendWait: waitMs > 0 ? formatDuration(Math.ceil(waitMs / 1000)) : undefined,
          ...extra,
        }}
      />,
      status,
    );
  }

  /** After a code was sent (or refused by a cooldown), show the code step. */
  function afterCodeRequest(
    request: FastifyRequest,
    reply: FastifyReply,
    result: Extract<SignInStart, { kind: 'code-sent' | 'rate-limited' }>,
    previous: OtpAttempt | undefined,
    notice?: string,
  ): FastifyReply | Promise<FastifyReply> {
    const v = view(request);
    if (result.kind === 'rate-limited') {
      const error = v.t('code.error.rateLimited', { wait: formatDuration(result.retryAfterSeconds) });
      if (previous && previous.e164 === result.e164)
        return codePage(request, reply, previous, { error }, 429);
      return signInPage(
        request,
        reply,
        { phone: formatPhone(result.e164, v.tenant.default_country), error },
        429,
      );
    }
    const attempt: OtpAttempt = {
      token: result.attemptToken,
      e164: result.e164,
      resendAtMs: result.resendAtMs,
      codeLength: result.codeLength,
      minutes: Math.max(1, Math.round((result.expiresAtMs - options.clock.nowMs()) / 60_000)),
    };
    reply.setCookie(OTP_ATTEMPT_COOKIE, encodeAttempt(attempt), {
      path: '/portal',
      httpOnly: true,
      sameSite: 'lax',
      secure: request.protocol === 'https',
      maxAge: 3600,
    });
    if (notice) return reply.redirect('/portal/sign-in/code?resent', 303);
    return reply.redirect('/portal/sign-in/code', 303);
  }

  /** A new session token on every sign-in (no session fixation); the old one, if any, ends. */
  async function startSession(
    request: FastifyRequest,
    reply: FastifyReply,
    customer: CustomerSummary,
    authMethod: PortalAuthMethod,
  ) {
    await webSessions.destroy(readSessionCookie(request, PORTAL_SESSION_COOKIE));
    const token = await webSessions.create(request.tenant.id, 'portal', customer.id, {
      clientIp: request.ip,
      userAgent: request.headers['user-agent'],
      authMethod,
    });
    await customers.touchLastSeen(request.tenant.id, customer.id, options.clock.nowMs());
    setSessionCookie(request, reply, PORTAL_SESSION_COOKIE, token);
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

  options.devices?.register(app, { view, currentSession, html, errorPage, csrfProtection });

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
      const notice = 'signed-out' in query ? v.t('signIn.signedOut') : undefined;
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

  app.post(
    '/sign-in',
    {
      bodyLimit: FORM_BODY_LIMIT_BYTES,
      preHandler: csrfProtection,
      config: { rateLimit: { max: rateLimit.max, timeWindow: rateLimit.windowMs } },
    },
    async (request, reply) => {
      const body = request.body as Record<string, unknown> | undefined;
      const phoneInput = typeof body?.phone === 'string' ? body.phone.slice(0, 100) : '';
      const waitSeconds = await takeNumberAttempt(
        `${request.tenant.id}:${phoneInput.replace(/\D/g, '')}`,
        options.clock.nowMs(),
      );
      if (waitSeconds > 0) {
        reply.header('retry-after', String(waitSeconds));
        return signInPage(
          request,
          reply,
          {
            phone: phoneInput,
            error: view(request).t('signIn.error.tooMany', { wait: formatDuration(waitSeconds) }),
          },
          429,
        );
      }
      const result = await signIn.start(request.tenant, phoneInput, { clientIp: request.ip });
      const v = view(request);
      const example = examplePhone(v.tenant.default_country);
      const country = v.fmt.region(v.tenant.default_country);
      switch (result.kind) {
        case 'signed-in': {
          await startSession(request, reply, result.customer, 'phone');
          clearAttempt(request, reply);
          return reply.redirect('/portal', 303);
        }
        case 'code-sent':
        case 'rate-limited':
          return afterCodeRequest(request, reply, result, readAttempt(request));
        case 'invalid-phone':
          return signInPage(
            request,
            reply,
            { phone: phoneInput, error: v.t(`signIn.error.${result.problem}`, { example, country }) },
            400,
          );
        case 'unknown':
          return signInPage(
            request,
            reply,
            {
              phone: phoneInput,
              error: v.t('signIn.error.unknown', {
                phone: formatPhone(result.e164, v.tenant.default_country),
              }),
            },
            400,
          );
        case 'blocked':
          return signInPage(request, reply, { phone: phoneInput, error: v.t('signIn.error.blocked') }, 403);
      }
    },
  );

  app.get('/sign-in/code', async (request, reply) => {
    const attempt = readAttempt(request);
    if (!attempt) return reply.redirect('/portal', 303);
    const v = view(request);
    const resent = 'resent' in (request.query as Record<string, unknown>);
    return codePage(request, reply, attempt, resent ? { notice: v.t('code.resent') } : {});
  });

  app.post(
    '/sign-in/code',
    {
      bodyLimit: FORM_BODY_LIMIT_BYTES,
      preHandler: csrfProtection,
      config: { rateLimit: { max: rateLimit.max, timeWindow: rateLimit.windowMs } },
    },
    async (request, reply) => {
      const attempt = readAttempt(request);
      if (!attempt) return reply.redirect('/portal', 303);
      const v = view(request);
      const body = request.body as Record<string, unknown> | undefined;
      const code = typeof body?.code === 'string' ? body.code.slice(0, 20).trim() : '';
      if (code === '') return codePage(request, reply, attempt, { error: v.t('code.error.empty') }, 400);
      const result = await signIn.verify(request.tenant, attempt.token, code);
      if (result.kind === 'signed-in') {
        await startSession(request, reply, result.customer, 'code');
        clearAttempt(request, reply);
        return reply.redirect('/portal', 303);
      }
      const error =
        result.reason === 'expired'
          ? v.t('code.error.expired')
          : result.reason === 'locked'
            ? v.t('code.error.locked')
            : result.triesLeft !== undefined
              ? v.t('code.error.invalid', { tries: result.triesLeft })
              : v.t('code.error.used');
      return codePage(request, reply, attempt, { error }, result.reason === 'locked' ? 429 : 400);
    },
  );

  app.post(
    '/sign-in/resend',
    {
      bodyLimit: FORM_BODY_LIMIT_BYTES,
      preHandler: csrfProtection,
      config: { rateLimit: { max: rateLimit.max, timeWindow: rateLimit.windowMs } },
    },
    async (request, reply) => {
      const attempt = readAttempt(request);
      if (!attempt) return reply.redirect('/portal', 303);
      const result = await signIn.sendCode(request.tenant, attempt.e164, { clientIp: request.ip });
      if (result.kind !== 'code-sent' && result.kind !== 'rate-limited')
        return reply.redirect('/portal', 303);
      return afterCodeRequest(request, reply, result, attempt, 'resent');
    },
  );

  app.post(
    '/sign-out',
    { bodyLimit: FORM_BODY_LIMIT_BYTES, preHandler: csrfProtection },
    async (request, reply) => {
      await webSessions.destroy(readSessionCookie(request, PORTAL_SESSION_COOKIE));
      clearSessionCookie(request, reply, PORTAL_SESSION_COOKIE);
      return reply.redirect('/portal?signed-out', 303);
    },
  );

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
