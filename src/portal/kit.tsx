/**
 * What every portal route shares: the request's view (language, formatter, tenant), the signed-in
 * session, and the sign-in and error pages. Built once per portal plugin by createPortalKit and
 * decorated on the portal scope (`app.portalKit`): the route plugins registered in it (sign-in,
 * devices) read it there, so they render and guard the same way.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import type { VNode } from 'preact';
import type { WebSessions } from '../auth/index.js';
import { examplePhone, type CustomerSummary, type CustomersRepository } from '../customers/index.js';
import { readSessionCookie, renderDocument } from '../http/index.js';
import type { Tenant } from '../store/index.js';
import type { PortalDevices } from './devices.js';
import { formatterFor, type Formatter } from './format.js';
import {
  chooseLanguage,
  formattingLocale,
  translator,
  type Language,
  type MessageKey,
  type Translate,
} from './i18n/index.js';
import type { PortalSignIn } from './sign-in.js';
import { ErrorPage } from './views/error.js';
import type { PageContext } from './views/layout.js';
import { SignInPage, type SignInProps } from './views/sign-in.js';

/** Cookie names (the session one gets `__Host-` over HTTPS). */
export const PORTAL_SESSION_COOKIE = 'portico_portal';
export const LANGUAGE_COOKIE = 'portico_lang';

/** A signed-in portal visit: who, and whether the session passed an SMS one-time code. */
export interface PortalSession {
  customer: CustomerSummary;
  /** Only code-verified sessions manage devices and see full voucher codes (issue 10, 6-7). */
  codeVerified: boolean;
  /** The session cookie's token (cached pages are per session: their forms' tokens are bound to it). */
  token: string;
  /** The portal versions read with the session (store/portal-version.ts, page-cache.ts). */
  customerVersion: number;
  tenantVersion: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The portal's shared view, session and pages (decorated by portalPlugin on its scope). */
    portalKit: PortalKit;
  }
  interface FastifyRequest {
    /** The signed-in portal visit of a route with the loadSession preHandler (null: signed out). */
    portalSession: PortalSession | null;
  }
}

export interface RequestView {
  ctx: PageContext;
  t: Translate;
  lang: Language;
  fmt: Formatter;
  tenant: Tenant;
}

export interface PortalKit {
  view: (request: FastifyRequest) => RequestView;
  /**
   * The preHandler of every route that shows or changes the signed-in customer's things: sets
   * `request.portalSession` (null when signed out). It ends sessions of customers who were
   * blocked meanwhile, and phone-only sessions once the tenant requires codes (switching codes on
   * also deletes them; this covers a sign-in racing the switch). On a form post it goes after the
   * CSRF check, so a forged post ends nothing.
   */
  loadSession: (request: FastifyRequest) => Promise<void>;
  html: (reply: FastifyReply, page: VNode, status?: number) => FastifyReply;
  signInPage: (
    request: FastifyRequest,
    reply: FastifyReply,
    props: Partial<SignInProps>,
    status?: number,
  ) => Promise<FastifyReply>;
  errorPage: (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    key: MessageKey,
    wait?: string,
  ) => FastifyReply;
  csrfProtection: preHandlerHookHandler;
}

export interface PortalKitDeps {
  webSessions: WebSessions;
  customers: CustomersRepository;
  signIn: PortalSignIn;
  devices?: PortalDevices;
}

export function createPortalKit(app: FastifyInstance, deps: PortalKitDeps): PortalKit {
  const { webSessions, signIn } = deps;

  function html(reply: FastifyReply, page: VNode, status = 200): FastifyReply {
    const document = renderDocument(page);
    // A form sent after the session expired, on its page again after the sign-in (only signed-in
    // pages answer 200 there): its values, for resume.js (issue 15, 8c).
    const resumed =
      status === 200 && readSessionCookie(reply.request, PORTAL_SESSION_COOKIE)
        ? app.formResume.take(reply.request, reply, view(reply.request).t('devices.resumed'))
        : '';
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(resumed ? document.replace('</body>', `${resumed}</body>`) : document);
  }

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

  /** Whether the tenant requires codes, as of a tenant portal version (settings writes move it). */
  const codesRequiredAt = new Map<number, { version: number; required: boolean }>();
  async function codesRequired(tenant: Tenant, version: number): Promise<boolean> {
    const known = codesRequiredAt.get(tenant.id);
    if (known?.version === version) return known.required;
    const required = await signIn.codesRequired(tenant);
    if (codesRequiredAt.size > 10_000) codesRequiredAt.clear();
    codesRequiredAt.set(tenant.id, { version, required });
    return required;
  }

  async function currentSession(request: FastifyRequest): Promise<PortalSession | undefined> {
    const token = readSessionCookie(request, PORTAL_SESSION_COOKIE);
    // One statement: the session, its customer and the portal versions (issue 12).
    const visit = await webSessions.findPortalVisit(request.tenant.id, token);
    if (!visit || !token) return undefined;
    const codeVerified = visit.session.authMethod === 'code';
    if (!codeVerified && (await codesRequired(request.tenant, visit.tenantVersion))) {
      await webSessions.destroy(token);
      return undefined;
    }
    if (visit.customer.status !== 'active') {
      await webSessions.destroy(token);
      return undefined;
    }
    const { customer, customerVersion, tenantVersion } = visit;
    return { customer, codeVerified, token, customerVersion, tenantVersion };
  }

  async function loadSession(request: FastifyRequest): Promise<void> {
    request.portalSession = (await currentSession(request)) ?? null;
  }

  async function signInPage(
    request: FastifyRequest,
    reply: FastifyReply,
    props: Partial<SignInProps>,
    status = 200,
  ): Promise<FastifyReply> {
    const v = view(request);
    const countryName = v.fmt.region(v.tenant.default_country);
    const canManageDevices = (await deps.devices?.canManage(v.tenant.id)) ?? false;
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
  ): FastifyReply {
    const v = view(request);
    return html(
      reply,
      <ErrorPage ctx={v.ctx} status={status} message={v.t(key, { wait: wait ?? '' })} />,
      status,
    );
  }

  return {
    view,
    loadSession,
    html,
    signInPage,
    errorPage,
    // Bound: Fastify calls hooks with the instance as `this`, eslint cannot know that.
    csrfProtection: app.csrfProtection.bind(app),
  };
}
