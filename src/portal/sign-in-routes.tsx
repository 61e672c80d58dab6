/**
 * The portal's sign-in steps: the phone number (POST /sign-in), the SMS code (GET and POST
 * /sign-in/code), a new code (POST /sign-in/resend) and sign-out. Every POST carries a CSRF
 * token and counts against the per-address limit; the phone form also against a per-number one.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { PortalAuthMethod, WebSessions } from '../auth/index.js';
import {
  examplePhone,
  formatPhone,
  type CustomerSummary,
  type CustomersRepository,
} from '../customers/index.js';
import { clearSessionCookie, readSessionCookie, setSessionCookie } from '../http/index.js';
import type { CounterStore } from '../rate-limits/index.js';
import { formatDuration, type Clock } from '../shared/index.js';
import { PORTAL_SESSION_COOKIE } from './kit.js';
import type { PortalSignIn, SignInStart } from './sign-in.js';
import { SignInCodePage } from './views/sign-in-code.js';

/** The OTP sign-in attempt (token the code is bound to, number, resend time), HttpOnly. */
export const OTP_ATTEMPT_COOKIE = 'portico_otp';

const FORM_BODY_LIMIT_BYTES = 8 * 1024;

interface OtpAttempt {
  /** Undefined: this browser did not start the attempt; it enters the number's latest code. */
  token: string | undefined;
  e164: string;
  resendAtMs: number;
  codeLength: number;
  minutes: number;
}

function encodeAttempt(a: OtpAttempt): string {
  return [a.token ?? '', a.e164, a.resendAtMs, a.codeLength, a.minutes].join('~');
}

function decodeAttempt(raw: string | undefined): OtpAttempt | undefined {
  const parts = raw?.split('~');
  if (parts?.length !== 5) return undefined;
  const [token, e164, resendAtMs, codeLength, minutes] = parts as [string, string, string, string, string];
  if (!/^(?:[\w-]{20,100})?$/.test(token) || !/^\+\d{6,15}$/.test(e164)) return undefined;
  return {
    token: token === '' ? undefined : token,
    e164,
    resendAtMs: Number(resendAtMs) || 0,
    codeLength: Number(codeLength) || 6,
    minutes: Number(minutes) || 5,
  };
}

/** Where a fresh sign-in goes: back to a form whose session had expired, else the dashboard. */
function afterSignIn(request: FastifyRequest): string {
  return request.server.formResume.page(request, '/portal') ?? '/portal';
}

/** Forget the code step (the "another number" link, a finished sign-in). */
export function clearAttempt(request: FastifyRequest, reply: FastifyReply): void {
  if (request.cookies[OTP_ATTEMPT_COOKIE] !== undefined)
    reply.clearCookie(OTP_ATTEMPT_COOKIE, { path: '/portal' });
}

export interface SignInRoutesDeps {
  webSessions: WebSessions;
  customers: CustomersRepository;
  signIn: PortalSignIn;
  clock: Clock;
  /** Sign-in attempts allowed per client IP and window (enforced by @fastify/rate-limit). */
  rateLimit: { max: number; windowMs: number };
  /** Sign-in attempts allowed per phone number and window, counted in numberCounters. */
  perNumberLimit: { max: number; windowMs: number };
  numberCounters: CounterStore;
}

/**
 * The sign-in routes, registered in the portal scope (its rate-limit plugin, error page and
 * `app.portalKit`); their services and limits are the plugin's options.
 */
export const signInRoutes: FastifyPluginAsync<SignInRoutesDeps> = async (app, deps) => {
  const { webSessions, customers, signIn, clock, rateLimit, perNumberLimit, numberCounters } = deps;
  const { view, html, signInPage, csrfProtection } = app.portalKit;

  /** Every sign-in POST: a small form body, a CSRF token, and the per-address limit. */
  const signInStep = {
    bodyLimit: FORM_BODY_LIMIT_BYTES,
    preHandler: csrfProtection,
    config: { rateLimit: { max: rateLimit.max, timeWindow: rateLimit.windowMs } },
  };

  /** Seconds to wait when over the per-number limit, else 0. */
  const takeNumberAttempt = async (key: string, nowMs: number): Promise<number> => {
    const hit = await numberCounters.hit(`portal-sign-in-number:${key}`, perNumberLimit.windowMs, nowMs);
    return hit.count <= perNumberLimit.max ? 0 : Math.max(1, Math.ceil((hit.resetAtMs - nowMs) / 1000));
  };

  function readAttempt(request: FastifyRequest): OtpAttempt | undefined {
    return decodeAttempt(request.cookies[OTP_ATTEMPT_COOKIE]);
  }

  function codePage(
    request: FastifyRequest,
    reply: FastifyReply,
    attempt: OtpAttempt,
    extra: { error?: string; notice?: string } = {},
    status = 200,
  ): FastifyReply {
    const v = view(request);
    const waitMs = attempt.resendAtMs - clock.nowMs();
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
    notice?: 'resent' | 'already-sent',
  ): FastifyReply | Promise<FastifyReply> {
    const v = view(request);
    let attempt: OtpAttempt;
    if (result.kind === 'rate-limited') {
      const error = v.t('code.error.rateLimited', { wait: formatDuration(result.retryAfterSeconds) });
      if (previous && previous.e164 === result.e164)
        return codePage(request, reply, previous, { error }, 429);
      if (!result.pendingCode)
        return signInPage(
          request,
          reply,
          { phone: formatPhone(result.e164, v.tenant.default_country), error },
          429,
        );
      // A code went to this number moments ago (from another tab or device, or this browser
      // lost its cookie): ask for that code, with the wait for a new one in words (issue 15, 6d).
      attempt = {
        token: undefined,
        e164: result.e164,
        resendAtMs: clock.nowMs() + result.retryAfterSeconds * 1000,
        codeLength: result.pendingCode.codeLength,
        minutes: Math.max(1, Math.round((result.pendingCode.expiresAtMs - clock.nowMs()) / 60_000)),
      };
      notice = 'already-sent';
    } else {
      attempt = {
        token: result.attemptToken,
        e164: result.e164,
        resendAtMs: result.resendAtMs,
        codeLength: result.codeLength,
        minutes: Math.max(1, Math.round((result.expiresAtMs - clock.nowMs()) / 60_000)),
      };
    }
    reply.setCookie(OTP_ATTEMPT_COOKIE, encodeAttempt(attempt), {
      path: '/portal',
      httpOnly: true,
      sameSite: 'lax',
      secure: request.protocol === 'https',
      maxAge: 3600,
    });
    return reply.redirect(`/portal/sign-in/code${notice ? `?${notice}` : ''}`, 303);
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
    await customers.touchLastSeen(request.tenant.id, customer.id, clock.nowMs());
    setSessionCookie(request, reply, PORTAL_SESSION_COOKIE, token);
  }

  app.post('/sign-in', signInStep, async (request, reply) => {
    const body = request.body as Record<string, unknown> | undefined;
    const phoneInput = typeof body?.phone === 'string' ? body.phone.slice(0, 100) : '';
    const waitSeconds = await takeNumberAttempt(
      `${request.tenant.id}:${phoneInput.replace(/\D/g, '')}`,
      clock.nowMs(),
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
        return reply.redirect(afterSignIn(request), 303);
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
  });

  app.get('/sign-in/code', async (request, reply) => {
    const attempt = readAttempt(request);
    if (!attempt) return reply.redirect('/portal', 303);
    const v = view(request);
    const query = request.query as Record<string, unknown>;
    const notice =
      'resent' in query
        ? v.t('code.resent')
        : 'already-sent' in query
          ? v.t('code.alreadySent', { phone: formatPhone(attempt.e164, v.tenant.default_country) })
          : undefined;
    return codePage(request, reply, attempt, notice ? { notice } : {});
  });

  app.post('/sign-in/code', signInStep, async (request, reply) => {
    const attempt = readAttempt(request);
    if (!attempt) return reply.redirect('/portal', 303);
    const v = view(request);
    const body = request.body as Record<string, unknown> | undefined;
    const code = typeof body?.code === 'string' ? body.code.slice(0, 20).trim() : '';
    if (code === '') return codePage(request, reply, attempt, { error: v.t('code.error.empty') }, 400);
    const result = await signIn.verify(request.tenant, attempt.token, code, attempt.e164);
    if (result.kind === 'signed-in') {
      await startSession(request, reply, result.customer, 'code');
      clearAttempt(request, reply);
      return reply.redirect(afterSignIn(request), 303);
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
  });

  app.post('/sign-in/resend', signInStep, async (request, reply) => {
    const attempt = readAttempt(request);
    if (!attempt) return reply.redirect('/portal', 303);
    const result = await signIn.sendCode(request.tenant, attempt.e164, { clientIp: request.ip });
    if (result.kind !== 'code-sent' && result.kind !== 'rate-limited') return reply.redirect('/portal', 303);
    return afterCodeRequest(request, reply, result, attempt, 'resent');
  });

  app.post(
    '/sign-out',
    { bodyLimit: FORM_BODY_LIMIT_BYTES, preHandler: csrfProtection },
    async (request, reply) => {
      await webSessions.destroy(readSessionCookie(request, PORTAL_SESSION_COOKIE));
      clearSessionCookie(request, reply, PORTAL_SESSION_COOKIE);
      return reply.redirect('/portal?signed-out', 303);
    },
  );
};
