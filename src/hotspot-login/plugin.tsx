/**
 * The hosted hotspot login page (public, no session): /hotspot/<public id>/login, the router's
 * files, the "done" stop after the router's login, and the signed view of the voucher just used.
 * Guests arrive from the router's login.html with its variables; nothing here relies on cookies
 * (captive mini-browsers keep none). Each page sends its own Content-Security-Policy: inline
 * style and script by nonce, and the form may post only to the router's own login address.
 */
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import type { VNode } from 'preact';
import { renderDocument } from '../http/index.js';
import type { FastifyRateLimitStoreClass } from '../rate-limits/index.js';
import { formatBytes, formatDuration } from '../shared/index.js';
import type { CustomerVoucher } from '../vouchers/index.js';
import { chapPasswordHex, parseChapParameters } from './chap.js';
import { pickLanguage, translator, type Language, type MessageKey, type Translate } from './i18n.js';
import type { LoginPage } from './repository.js';
import { ROUTER_FILE_NAMES, routerFile, type RouterFileName } from './router-files.js';
import type { FreeAccessService } from './free-access.js';
import { field, forwarded, httpUrl, readRouterVariables, type RouterVariables } from './router-variables.js';
import { freeAccessOffer, freeAccessRoutes, type PageKit } from './free-access-routes.js';
import type { HotspotLoginService } from './service.js';
import {
  ConnectedView,
  ConnectView,
  LoginView,
  WelcomeView,
  type RouterFields,
  type ViewContext,
  type WelcomeFacts,
} from './views.js';

export { readRouterVariables, type RouterVariables };

declare module 'fastify' {
  interface FastifyRequest {
    /** The hotspot's login page of a /hotspot/:publicId/… route (loaded by its preHandler). */
    loginPage: LoginPage | null;
  }
}

export interface HotspotLoginOptions {
  service: HotspotLoginService;
  /** Free access by phone (off per hotspot unless the operator turns it on). */
  freeAccess?: FreeAccessService;
  /** Voucher checks per client IP and minute (a venue shares one address: generous). */
  checkRateLimit?: { max: number; windowMs: number };
  /** Counters shared by every process on the database (PostgreSQL); in memory without. */
  rateLimitStore?: FastifyRateLimitStoreClass;
}

/** The router's error in words a guest understands (our own RADIUS Reply-Messages included). */
const REPLY_MESSAGE_CODES: Record<string, MessageKey> = {
  'unknown voucher code': 'error.VOUCHER_UNKNOWN',
  'this voucher is disabled': 'error.VOUCHER_DISABLED',
  'this voucher has expired': 'error.VOUCHER_EXPIRED',
  'this voucher is used up': 'error.VOUCHER_USED',
  'this voucher is already in use on the maximum number of devices': 'error.VOUCHER_DEVICE_LIMIT',
};

export function routerErrorText(t: Translate, error: string): string {
  const normalised = error
    .toLowerCase()
    .replace(/[.!]+$/, '')
    .trim();
  const known = REPLY_MESSAGE_CODES[normalised];
  if (known) return t(known);
  if (normalised.includes('not responding') || normalised.includes('timeout'))
    return t('router.notResponding');
  return t('router.generic', { error });
}

function formatSpeed(kbps: number | null, t: Translate): string {
  if (kbps === null) return t('welcome.unlimited');
  return kbps >= 1000 ? `${Math.round(kbps / 100) / 10} Mbit/s` : `${kbps} kbit/s`;
}

export function welcomeFacts(
  voucher: CustomerVoucher,
  devices: number,
  t: Translate,
  locale: string,
  timeZone: string,
): WelcomeFacts {
  const used = voucher.downloadedBytes + voucher.uploadedBytes;
  const dataLeft =
    voucher.dataLimitBytes !== null
      ? formatBytes(Math.max(0, voucher.dataLimitBytes - used), locale)
      : voucher.downloadLimitBytes !== null
        ? formatBytes(Math.max(0, voucher.downloadLimitBytes - voucher.downloadedBytes), locale)
        : t('welcome.unlimited');
  const timeLeft =
    voucher.timeLimitSeconds !== null
      ? formatDuration(Math.max(0, voucher.timeLimitSeconds - voucher.onlineSeconds))
      : t('welcome.unlimited');
  const ends = [voucher.expiresAtMs, voucher.validUntilAtMs].filter((v): v is number => v !== null);
  const until =
    ends.length > 0
      ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
          Math.min(...ends),
        )
      : voucher.activatedAtMs === null && voucher.validitySeconds !== null
        ? t('welcome.notStarted')
        : t('welcome.unlimited');
  const statusKey = `status.${voucher.status}` as MessageKey;
  return {
    plan: voucher.planTitle,
    status: ['new', 'active', 'online', 'used', 'disabled'].includes(voucher.status)
      ? t(statusKey)
      : voucher.status,
    dataLeft,
    timeLeft,
    until,
    speed: t('welcome.speedValue', {
      down: formatSpeed(voucher.speedDownKbps, t),
      up: formatSpeed(voucher.speedUpKbps, t),
    }),
    devices: t('welcome.devicesValue', { count: devices, limit: voucher.devicesLimit }),
  };
}

export async function hotspotLoginPlugin(app: FastifyInstance, options: HotspotLoginOptions): Promise<void> {
  const { service } = options;
  const rateLimit = options.checkRateLimit ?? { max: 60, windowMs: 60_000 };
  await app.register(fastifyRateLimit, {
    global: false,
    ...(options.rateLimitStore ? { store: options.rateLimitStore } : {}),
  });

  // Every /hotspot/:publicId/… route (free access's included) works on that hotspot's login
  // page: one preHandler looks it up before the handler; an unknown id (or another tenant's)
  // is the 404 page.
  app.decorateRequest('loginPage', null);
  const loadLoginPage = async (request: FastifyRequest, reply: FastifyReply) => {
    const { publicId } = request.params as { publicId: string };
    const page = await service.findPage(request.tenant.id, publicId);
    if (!page) return reply.callNotFound();
    request.loginPage = page;
  };
  app.addHook('onRoute', (route) => {
    if (route.url.includes('/:publicId/'))
      route.preHandler = [loadLoginPage, ...(route.preHandler ? [route.preHandler].flat() : [])];
  });

  function send(reply: FastifyReply, page: VNode, nonce: string, formTarget?: URL, status = 200) {
    const formAction = ["'self'", formTarget ? formTarget.origin : ''].filter(Boolean).join(' ');
    return reply
      .status(status)
      .header(
        'content-security-policy',
        `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src 'self' data:; ` +
          `form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
      )
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(renderDocument(page));
  }

  async function context(
    request: FastifyRequest,
    explicitLang: unknown,
    languageHref?: (lang: Language) => string,
  ): Promise<ViewContext> {
    const [settings, logoUrl] = await Promise.all([
      service.settings(request.tenant.id),
      service.logoUrl(request.tenant.id),
    ]);
    const lang = pickLanguage(explicitLang, request.headers['accept-language'], request.tenant.locale);
    return {
      t: translator(lang),
      lang,
      nonce: crypto.randomBytes(16).toString('base64'),
      look: {
        tenantName: request.tenant.name,
        welcomeText: settings.welcomeText,
        accentColor: settings.accentColor,
        ...(logoUrl ? { logoUrl } : {}),
      },
      ...(languageHref ? { languageHref } : {}),
    };
  }

  function origin(request: FastifyRequest): string {
    return `${request.protocol}://${request.headers.host ?? request.hostname}`;
  }

  /** The page the route's preHandler loaded (every /hotspot/:publicId/… route has it). */
  function pageOf(request: FastifyRequest): LoginPage {
    if (!request.loginPage) throw new Error(`no login page loaded for ${request.routeOptions.url}`);
    return request.loginPage;
  }

  function languageLink(page: LoginPage, vars: RouterVariables) {
    return (lang: Language) => {
      const query = new URLSearchParams({ ...forwarded(vars), error: vars.error, lang });
      return `/hotspot/${page.publicId}/login?${query.toString()}`;
    };
  }

  // Typed by PageKit, which lends them to the free-access routes: one signature for both.
  const open: PageKit['open'] = async (request, source, lang) => {
    const page = pageOf(request);
    const vars = readRouterVariables(source, (await service.settings(page.tenantId)).routerLoginHosts);
    return { page, vars, ctx: await context(request, lang, languageLink(page, vars)) };
  };

  const notThroughRouter: PageKit['notThroughRouter'] = (reply, { page, ctx }) =>
    send(
      reply,
      <LoginView
        ctx={ctx}
        action={`/hotspot/${page.publicId}/login`}
        fields={{}}
        code=""
        blocked={ctx.t('router.missing')}
      />,
      ctx.nonce,
    );

  /** The form the browser posts to the router: the checked code as username + CHAP response. */
  function routerLogin(
    page: LoginPage,
    vars: RouterVariables,
    code: string,
    dst: string,
  ): RouterFields | undefined {
    if (vars.chapId !== '' || vars.chapChallenge !== '') {
      const chap = parseChapParameters(vars.chapId, vars.chapChallenge);
      if (!chap) return undefined;
      return { username: code, password: chapPasswordHex(chap, code), dst, popup: 'false' };
    }
    // No challenge: the router is set to PAP. Send the code in the form only where the operator
    // chose PAP for this hotspot (otherwise something is wrong and the code stays here).
    if (page.loginBy !== 'pap') return undefined;
    return { username: code, password: code, dst, popup: 'false' };
  }

  const renderConnect: PageKit['renderConnect'] = async (
    request,
    reply,
    page,
    vars,
    code,
    flowToken,
    lang,
  ) => {
    const ctx = await context(request, lang);
    const dst = `${origin(request)}/hotspot/${page.publicId}/done?f=${encodeURIComponent(flowToken)}`;
    const fields = routerLogin(page, vars, code, dst);
    if (!fields || !vars.linkLoginOnly) {
      return send(
        reply,
        <LoginView
          ctx={ctx}
          action={`/hotspot/${page.publicId}/login`}
          fields={forwarded(vars)}
          code=""
          error={ctx.t('router.generic', { error: 'login method' })}
        />,
        ctx.nonce,
        undefined,
        400,
      );
    }
    return send(
      reply,
      <ConnectView ctx={ctx} action={vars.linkLoginOnly.href} fields={fields} />,
      ctx.nonce,
      vars.linkLoginOnly,
    );
  };

  app.get('/hotspot/:publicId/login', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const opened = await open(request, query, query.lang);
    const { page, vars, ctx } = opened;
    const action = `/hotspot/${page.publicId}/login`;
    if (!vars.linkLoginOnly) return notThroughRouter(reply, opened);

    // Back from the router with an error: if it answers a code Portico sent a moment ago, its
    // challenge was most likely stale; try once more with the fresh one it just handed over.
    let fields = forwarded(vars);
    const flowToken = doneFlowToken(vars.linkOrig, page);
    if (vars.error !== '' && flowToken) {
      const flow = await service.findFlow(page, flowToken);
      if (flow) {
        const voucher = await service.retryAfterRouterError(page, flow, vars.mac);
        if (voucher) return renderConnect(request, reply, page, vars, voucher.code, flowToken, query.lang);
        fields = { ...fields, 'link-orig': flow.linkOrig ?? '' };
      }
    }
    const error = vars.error !== '' ? routerErrorText(ctx.t, vars.error) : undefined;
    const offer = options.freeAccess
      ? await freeAccessOffer(kit, options.freeAccess, request, reply, {
          page,
          vars,
          ctx,
          resume: !error && query.free !== 'new',
        })
      : undefined;
    if (offer?.kind === 'sent') return offer.reply;
    return send(
      reply,
      <LoginView
        ctx={ctx}
        action={action}
        fields={fields}
        code=""
        {...(error ? { error } : {})}
        {...(offer?.kind === 'offer' ? { freeAccess: offer.offer } : {})}
      />,
      ctx.nonce,
    );
  });

  app.post(
    '/hotspot/:publicId/login',
    { config: { rateLimit: { max: rateLimit.max, timeWindow: rateLimit.windowMs } } },
    async (request, reply) => {
      const body = request.body as Record<string, unknown> | undefined;
      const opened = await open(request, body, body?.lang);
      const { page, vars, ctx } = opened;
      const code = field(body, 'code', 100);
      const action = `/hotspot/${page.publicId}/login`;
      if (!vars.linkLoginOnly) return notThroughRouter(reply, opened);
      const check = code === '' ? undefined : await service.checkVoucher(page.tenantId, code, vars.mac);
      if (!check?.ok) {
        const key = (check ? `error.${check.code}` : 'error.EMPTY') as MessageKey;
        return send(
          reply,
          <LoginView ctx={ctx} action={action} fields={forwarded(vars)} code={code} error={ctx.t(key)} />,
          ctx.nonce,
          undefined,
          check ? 422 : 400,
        );
      }
      const flowToken = await service.startFlow({
        page,
        mac: vars.mac,
        voucherId: check.voucher.id,
        linkOrig: vars.linkOrig || undefined,
      });
      return renderConnect(request, reply, page, vars, check.voucher.code, flowToken, body?.lang);
    },
  );

  const kit: PageKit = { service, send, renderConnect, open, notThroughRouter, rateLimit };
  if (options.freeAccess) freeAccessRoutes(app, kit, options.freeAccess);

  // The router's dst after a successful login: the voucher's view, or the page first asked for.
  app.get('/hotspot/:publicId/done', async (request, reply) => {
    const page = pageOf(request);
    const query = request.query as Record<string, unknown>;
    const flow = typeof query.f === 'string' ? await service.findFlow(page, query.f) : undefined;
    if (flow) {
      const next = await service.completeFlow(page, flow);
      if (next.welcomeToken) return reply.redirect(`/hotspot/welcome/${next.welcomeToken}`, 303);
      // On to the page first asked for by a page of ours, not a redirect: this navigation began
      // as the form post to the router, and the connect page's form-action allows only the
      // router and Portico.
      const target = next.linkOrig ? httpUrl(next.linkOrig) : undefined;
      if (target) {
        const ctx = await context(request, query.lang);
        return send(reply, <ConnectedView ctx={ctx} next={target.href} />, ctx.nonce);
      }
    }
    const ctx = await context(request, query.lang);
    return send(reply, <ConnectedView ctx={ctx} />, ctx.nonce);
  });

  app.get('/hotspot/welcome/:token', async (request, reply) => {
    const { token } = request.params as { token: string };
    const query = request.query as Record<string, unknown>;
    const ctx = await context(
      request,
      query.lang,
      (lang) => `/hotspot/welcome/${encodeURIComponent(token)}?lang=${lang}`,
    );
    const found = await service.welcomeVoucher(request.tenant.id, token);
    const facts = found
      ? welcomeFacts(found.voucher, found.devices, ctx.t, ctx.lang, request.tenant.time_zone)
      : undefined;
    return send(
      reply,
      <WelcomeView ctx={ctx} portalHref="/portal" {...(facts ? { facts } : {})} />,
      ctx.nonce,
      undefined,
      found ? 200 : 410,
    );
  });

  // The tenant's logo, under its hash: cached for good, a new logo gets a new address.
  app.get('/hotspot/logo/:sha256', async (request, reply) => {
    const { sha256 } = request.params as { sha256: string };
    const logo = await service.logo(request.tenant.id, sha256);
    if (!logo) return reply.callNotFound();
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('content-security-policy', "default-src 'none'")
      .type(logo.contentType)
      .send(logo.bytes);
  });

  // The files for the router's hotspot folder (public: they hold only this page's address).
  app.get('/hotspot/:publicId/files/:name', async (request, reply) => {
    const page = pageOf(request);
    const { name } = request.params as { name: string };
    if (!(ROUTER_FILE_NAMES as readonly string[]).includes(name)) return reply.callNotFound();
    if (name === 'login.html') await service.filesFetched(page);
    const base = origin(request);
    return reply
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('cache-control', 'no-store')
      .type(name.endsWith('.json') ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8')
      .send(
        routerFile(name as RouterFileName, {
          loginPageUrl: `${base}/hotspot/${page.publicId}/login`,
          portalUrl: `${base}/portal`,
        }),
      );
  });
}

/** The flow id in a link-orig that is this page's own "done" address, else undefined. */
function doneFlowToken(linkOrig: string, page: LoginPage): string | undefined {
  const url = httpUrl(linkOrig);
  if (!url || url.pathname !== `/hotspot/${page.publicId}/done`) return undefined;
  return url.searchParams.get('f') ?? undefined;
}
