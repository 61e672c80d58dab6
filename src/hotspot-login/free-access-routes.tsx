/**
 * The guest's side of free access by phone on the hosted login page: the offer under the voucher
 * form, the phone step (POST /hotspot/<id>/free), the code step (POST /hotspot/<id>/free/code),
 * then the same HTTP-CHAP login at the router as a voucher. No cookies: the router's variables and
 * the short flow id travel in the forms, the state is on the server (free-access.ts), and a
 * reopened sheet finds the code step again by the device's MAC.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { examplePhone, formatPhone } from '../customers/index.js';
import { formatDuration } from '../shared/index.js';
import type { FreeAccessService } from './free-access.js';
import type { FreeAccessStart, PendingCode } from './free-access-model.js';
import type { MessageKey } from './i18n.js';
import { field, forwarded, type RouterVariables } from './router-variables.js';
import type { LoginPage } from './repository.js';
import type { HotspotLoginService } from './service.js';
import { FreeCodeView, LoginView, type FreeAccessOffer, type ViewContext } from './views.js';

export interface OpenedLogin {
  page: LoginPage;
  vars: RouterVariables;
  ctx: ViewContext;
}

/** What the login page plugin lends these routes. */
export interface PageKit {
  service: HotspotLoginService;
  send(reply: FastifyReply, page: VNode, nonce: string, formTarget?: URL, status?: number): FastifyReply;
  renderConnect(
    request: FastifyRequest,
    reply: FastifyReply,
    page: LoginPage,
    vars: RouterVariables,
    code: string,
    flowToken: string,
    lang: unknown,
  ): Promise<FastifyReply>;
  /**
   * A login page request: its hotspot's page (loaded by the routes' preHandler), the router's
   * variables (from `source`, the query or the form) and the view in `lang`.
   */
  open(
    request: FastifyRequest,
    source: Record<string, unknown> | undefined,
    lang: unknown,
  ): Promise<OpenedLogin>;
  /** The login page when it was not opened through the router (no login address): nobody can go on. */
  notThroughRouter(reply: FastifyReply, opened: { page: LoginPage; ctx: ViewContext }): FastifyReply;
  rateLimit: { max: number; windowMs: number };
}

const PHONE_PROBLEMS = new Set(['empty', 'not_a_number', 'too_short', 'too_long', 'invalid']);

function codeView(
  kit: PageKit,
  reply: FastifyReply,
  request: FastifyRequest,
  input: { page: LoginPage; vars: RouterVariables; ctx: ViewContext; pending: PendingCode },
  error?: string,
  status = 200,
) {
  const { page, vars, ctx, pending } = input;
  const another = new URLSearchParams({ ...forwarded(vars), lang: ctx.lang, free: 'new' });
  // Kept on one line: a number broken at its hyphen is hard to read back.
  const phoneDisplay = formatPhone(pending.phone, request.tenant.default_country)
    .replace(/-/g, '\u2011')
    .replace(/ /g, '\u00a0');
  return kit.send(
    reply,
    <FreeCodeView
      ctx={ctx}
      action={`/hotspot/${page.publicId}/free/code`}
      resendAction={`/hotspot/${page.publicId}/free`}
      fields={{ ...forwarded(vars), flow: pending.flowId }}
      phone={pending.phone}
      phoneDisplay={phoneDisplay}
      codeLength={pending.codeLength}
      otherNumberHref={`/hotspot/${page.publicId}/login?${another.toString()}`}
      {...(error ? { error } : {})}
    />,
    ctx.nonce,
    undefined,
    status,
  );
}

/**
 * For the login page (GET): the code step when a code is waiting at this device (a reopened
 * sheet, `resume`), else the offer to show under the voucher form, else nothing.
 */
export async function freeAccessOffer(
  kit: PageKit,
  freeAccess: FreeAccessService,
  request: FastifyRequest,
  reply: FastifyReply,
  input: { page: LoginPage; vars: RouterVariables; ctx: ViewContext; resume: boolean },
): Promise<{ kind: 'sent'; reply: FastifyReply } | { kind: 'offer'; offer: FreeAccessOffer } | undefined> {
  const available = await freeAccess.availability(input.page);
  if (available.kind !== 'on') return undefined;
  if (input.resume) {
    const pending = await freeAccess.pending(input.page, { mac: input.vars.mac, ip: input.vars.ip });
    if (pending) return { kind: 'sent', reply: codeView(kit, reply, request, { ...input, pending }) };
  }
  return {
    kind: 'offer',
    offer: { action: `/hotspot/${input.page.publicId}/free`, plan: available.plan.title, phone: '' },
  };
}

/** Words for a refused phone step. */
function startError(
  ctx: ViewContext,
  result: Exclude<FreeAccessStart, { kind: 'code-sent' }>,
  country: string,
): { text: string; status: number } {
  const { t } = ctx;
  switch (result.kind) {
    case 'invalid-phone': {
      const key = PHONE_PROBLEMS.has(result.problem) ? result.problem : 'invalid';
      return {
        text: t(`free.error.${key}` as MessageKey, { example: examplePhone(country), country }),
        status: 400,
      };
    }
    case 'prefix-refused':
      return { text: t('free.error.prefix'), status: 422 };
    case 'unavailable':
      return { text: t('free.error.unavailable'), status: 409 };
    case 'limited': {
      const wait = formatDuration(result.retryAfterSeconds);
      const key: MessageKey =
        result.limit === 'cooldown'
          ? 'free.error.cooldown'
          : result.limit === 'phone' || result.limit === 'number'
            ? 'free.error.number'
            : result.limit === 'device'
              ? 'free.error.device'
              : 'free.error.busy';
      return { text: t(key, { wait }), status: 429 };
    }
  }
}

export function freeAccessRoutes(app: FastifyInstance, kit: PageKit, freeAccess: FreeAccessService): void {
  const limits = { config: { rateLimit: { max: kit.rateLimit.max, timeWindow: kit.rateLimit.windowMs } } };

  async function begin(request: FastifyRequest) {
    const body = request.body as Record<string, unknown> | undefined;
    const opened = await kit.open(request, body, body?.lang);
    return { ...opened, body, device: { mac: opened.vars.mac, ip: opened.vars.ip } };
  }

  /** The login page again, with a message in the free-access section (or the voucher's). */
  async function loginAgain(
    reply: FastifyReply,
    input: { page: LoginPage; vars: RouterVariables; ctx: ViewContext },
    error: string,
    status: number,
    phone = '',
  ) {
    const { page, vars, ctx } = input;
    const available = await freeAccess.availability(page);
    const offer =
      available.kind === 'on'
        ? { action: `/hotspot/${page.publicId}/free`, plan: available.plan.title, phone, error }
        : undefined;
    return kit.send(
      reply,
      <LoginView
        ctx={ctx}
        action={`/hotspot/${page.publicId}/login`}
        fields={forwarded(vars)}
        code=""
        {...(offer ? { freeAccess: offer } : { error })}
      />,
      ctx.nonce,
      undefined,
      status,
    );
  }

  // The phone step (and "Send a new code" from the code step).
  app.post('/hotspot/:publicId/free', limits, async (request, reply) => {
    const started = await begin(request);
    const { page, body, vars, ctx, device } = started;
    if (!vars.linkLoginOnly) return kit.notThroughRouter(reply, started);
    const phoneInput = field(body, 'phone', 40);
    const resend = field(body, 'resend', 1) === '1';
    const result = await freeAccess.requestCode({
      page,
      tenant: request.tenant,
      phoneInput,
      device,
      resend,
    });
    if (result.kind === 'code-sent')
      return codeView(kit, reply, request, {
        page,
        vars,
        ctx,
        pending: {
          flowId: result.flowId,
          phone: result.phone,
          expiresAtMs: result.expiresAtMs,
          codeLength: result.codeLength,
        },
      });
    const { text, status } = startError(ctx, result, request.tenant.default_country);
    // "Send a new code" too soon: stay on the code step, the first code still works.
    if (resend && result.kind === 'limited') {
      const pending = await freeAccess.pending(page, device);
      if (pending) return codeView(kit, reply, request, { page, vars, ctx, pending }, text, status);
    }
    return loginAgain(reply, started, text, status, phoneInput);
  });

  // The code step: a right code gives (or gives again) the voucher, then the router login.
  app.post('/hotspot/:publicId/free/code', limits, async (request, reply) => {
    const started = await begin(request);
    const { page, body, vars, ctx, device } = started;
    if (!vars.linkLoginOnly) return kit.notThroughRouter(reply, started);
    const flowId = field(body, 'flow', 64);
    const code = field(body, 'code', 20);
    const pending = await freeAccess.describeFlow(page, flowId, device);
    if (!pending) return loginAgain(reply, started, ctx.t('free.error.unknownFlow'), 400);
    if (code === '')
      return codeView(kit, reply, request, { page, vars, ctx, pending }, ctx.t('free.error.emptyCode'), 400);
    const result = await freeAccess.verifyCode({
      page,
      tenant: request.tenant,
      flowId,
      code,
      device,
      locale: ctx.lang,
    });
    switch (result.kind) {
      case 'granted': {
        const flowToken = await kit.service.startFlow({
          page,
          mac: vars.mac,
          voucherId: result.voucher.id,
          linkOrig: vars.linkOrig || undefined,
        });
        return kit.renderConnect(request, reply, page, vars, result.voucher.code, flowToken, body?.lang);
      }
      case 'code-error': {
        const text =
          result.reason === 'invalid' && result.triesLeft !== undefined
            ? ctx.t('free.error.wrongCode', { count: result.triesLeft })
            : ctx.t(
                result.reason === 'expired'
                  ? 'free.error.expired'
                  : result.reason === 'locked'
                    ? 'free.error.locked'
                    : 'free.error.codeInvalid',
              );
        return codeView(kit, reply, request, { page, vars, ctx, pending }, text, 400);
      }
      case 'unknown-flow':
        return loginAgain(reply, started, ctx.t('free.error.unknownFlow'), 400);
      case 'used-up':
        return loginAgain(
          reply,
          started,
          ctx.t('free.error.usedUp', { wait: formatDuration(result.retryAfterSeconds) }),
          403,
        );
      case 'unavailable':
        return loginAgain(reply, started, ctx.t('free.error.unavailable'), 409);
    }
  });
}
