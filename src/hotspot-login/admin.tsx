/**
 * The operator's side of the hosted login page: Config > Login page (look, and "Open the
 * customer portal after login"), and on each MikroTik hotspot's page its login page address,
 * the router files and the RouterOS commands. Admin pages plus the section the
 * hotspot page renders; every change needs write access and carries the CSRF token.
 * `hotspotLoginAdminPages` is a plugin for the admin scope (registered beside adminArea).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { Type } from '@sinclair/typebox';
import { adminKit as kit, formBody, formRoute, idParam, ui } from '../admin/index.js';
import { canWrite } from '../auth/index.js';
import { AppError } from '../shared/index.js';
import type { Tenant } from '../store/index.js';
import type { FreeAccessService } from './free-access.js';
import { FREE_ACCESS_BOUNDS } from './free-access-model.js';
import type { FreeAccessConfig } from './free-access-repository.js';
import { MAX_LOGO_BYTES, type HotspotLoginService } from './service.js';

type Body = Record<string, unknown> | undefined;

/** The router's login method on a hotspot's page (HTTP-CHAP or HTTP-PAP). */
const LoginByForm = Type.Object({ loginBy: Type.Union([Type.Literal('chap'), Type.Literal('pap')]) });

function text(body: Body, name: string): string {
  const value = body?.[name];
  return typeof value === 'string' ? value.trim() : '';
}

function errorText(error: AppError): string {
  const reasons = Object.values(error.details ?? {}).filter((v): v is string => typeof v === 'string');
  return reasons.length > 0 ? `${error.message}: ${reasons.join('; ')}.` : error.message;
}

/** Where guests reach Portico: the tenant's public address, else the address of this request. */
export function publicOrigin(request: FastifyRequest, configuredPublicUrl?: string): string {
  const configured = request.tenant.public_url ?? configuredPublicUrl;
  if (configured) {
    try {
      return new URL(configured).origin;
    } catch {
      // fall through to the request's own address
    }
  }
  return `${request.protocol}://${request.headers.host ?? request.hostname}`;
}

/** The operator's notice while the monthly SMS budget has paused free access, else null. */
export async function freeAccessPausedNotice(
  freeAccess: FreeAccessService,
  tenant: Tenant,
): Promise<VNode | null> {
  if (!(await freeAccess.isOfferedAnywhere(tenant.id))) return null;
  const budget = await freeAccess.budget(tenant);
  if (!budget.spent) return null;
  return (
    <p class="caution" role="status" data-free-access-paused>
      Free access by phone is paused until the end of the month: this month's SMS budget (
      {budget.budget.toLocaleString('en')} SMS) is used up ({budget.used.toLocaleString('en')} sent). Raise it
      under <a href="/admin/config/login-page">Config &gt; Login page</a> to resume now. Vouchers, the portal
      and codes already sent keep working.
    </p>
  );
}

const TENANT_LIMIT_FIELDS: Array<['freeAccessCodesPerDay' | 'smsBudgetPerMonth', string, string]> = [
  [
    'freeAccessCodesPerDay',
    'Codes per day, all hotspots',
    "walk-in guests' codes; each hotspot has its own limits too",
  ],
  [
    'smsBudgetPerMonth',
    'SMS budget per month',
    "every SMS counts; once this month's total reaches it, free access pauses until the next month and this page says so",
  ],
];

const LIMIT_FIELDS: Array<[keyof typeof FREE_ACCESS_BOUNDS, string]> = [
  ['periodHours', 'Period the limits count in (hours)'],
  ['vouchersPerPhone', 'Free vouchers per phone number per period'],
  ['codesPerPhone', 'Codes per phone number per period'],
  ['codesPerDevice', 'Codes per device (router client MAC) per period'],
  ['codesPerHotspot', 'Codes at this hotspot per period'],
];

async function freeAccessForm(
  freeAccess: FreeAccessService,
  request: FastifyRequest,
  hotspotId: number,
  csrf: string,
  writable: boolean,
): Promise<VNode> {
  const tenantId = request.tenant.id;
  const [config, plans, gateway, paused] = await Promise.all([
    freeAccess.config(tenantId, hotspotId),
    freeAccess.plansToOffer(tenantId),
    freeAccess.hasGateway(tenantId),
    freeAccessPausedNotice(freeAccess, request.tenant),
  ]);
  return (
    <>
      <h3 id="free-access-title">Free access by phone</h3>
      {paused}
      <p>
        Guests without a voucher type their mobile number on the login page, get a one-time code by SMS, and
        are logged in with a new voucher of the plan you choose here. Their number becomes a customer, so the
        status-page SMS and the portal work for them. Codes follow Config &gt; Portal (code rules, caps and
        allowed prefixes: list your country's prefix there against SMS pumping); the limits below count per
        period, and the monthly SMS budget is under{' '}
        <a href="/admin/config/login-page">Config &gt; Login page</a>.
      </p>
      {gateway ? null : (
        <p class="caution" role="status">
          Free access needs an SMS gateway: add and enable one in{' '}
          <a href="/admin/config/sms-gateways">Config &gt; SMS gateways</a> first.
        </p>
      )}
      <form method="post" action={`/admin/hotspots/${hotspotId}/free-access`} class="stack">
        <ui.CsrfField token={csrf} />
        <label class="check">
          <input type="checkbox" name="enabled" checked={config.enabled} disabled={!writable} /> Offer free
          access by phone on this hotspot's login page
        </label>
        <label>
          Plan of the free vouchers{' '}
          <select name="planId" disabled={!writable}>
            <option value="">Choose a plan</option>
            {plans.map((plan) => (
              <option key={plan.id} value={String(plan.id)} selected={plan.id === config.planId}>
                {plan.title}
              </option>
            ))}
          </select>
        </label>
        {LIMIT_FIELDS.map(([name, label]) => (
          <label key={name}>
            {label}{' '}
            <input
              type="number"
              name={name}
              min={FREE_ACCESS_BOUNDS[name][0]}
              max={FREE_ACCESS_BOUNDS[name][1]}
              value={String(config[name])}
              required
              disabled={!writable}
            />
          </label>
        ))}
        {writable ? (
          <button type="submit" class="secondary">
            Save free access
          </button>
        ) : null}
      </form>
    </>
  );
}

/** The form's fields as a free-access patch (numbers that are not numbers are left as NaN: refused). */
export function freeAccessPatch(body: Body): Partial<FreeAccessConfig> {
  const patch: Partial<FreeAccessConfig> = { enabled: body?.enabled !== undefined };
  const plan = text(body, 'planId');
  patch.planId = plan === '' ? null : Number(plan);
  for (const [name] of LIMIT_FIELDS) {
    const value = text(body, name);
    if (value !== '') patch[name] = Number(value);
  }
  return patch;
}

/** The "Login page" section of a hotspot's admin page (MikroTik hotspots). */
export async function hotspotLoginSection(
  service: HotspotLoginService,
  request: FastifyRequest,
  hotspotId: number,
  csrf: string,
  configuredPublicUrl?: string,
  freeAccess?: FreeAccessService,
): Promise<VNode> {
  const install = await service.installation(
    request.tenant.id,
    hotspotId,
    publicOrigin(request, configuredPublicUrl),
  );
  const writable = request.actor ? canWrite(request.actor.role) : false;
  return (
    <section aria-labelledby="login-page-title">
      <h2 id="login-page-title">Login page</h2>
      <p>
        Guests who join this hotspot are handed to your login page at{' '}
        <a href={install.loginPageUrl} data-login-page-url>
          {install.loginPageUrl}
        </a>{' '}
        by the router's <code>login.html</code>: they type their voucher code, Portico says in plain words
        what is wrong with it, and logs them in at the router. Its look and where guests go after login are
        under <a href="/admin/config/login-page">Config &gt; Login page</a>.
      </p>
      {writable ? (
        <form method="post" action={`/admin/hotspots/${hotspotId}/login-page`} class="stack">
          <ui.CsrfField token={csrf} />
          <label>
            The router's login method{' '}
            <select name="loginBy">
              <option value="chap" selected={install.loginBy === 'chap'}>
                HTTP-CHAP (recommended: the code never crosses the Wi-Fi in clear)
              </option>
              <option value="pap" selected={install.loginBy === 'pap'}>
                HTTP-PAP (only if the router is set to it)
              </option>
            </select>
          </label>
          <button type="submit" class="secondary">
            Save login method
          </button>
        </form>
      ) : null}
      <h3>Files for the router's hotspot folder</h3>
      <ul data-router-files>
        {install.files.map((file) => (
          <li key={file.name}>
            <a href={file.url} download={file.name}>
              {file.name}
            </a>
            {file.name === 'api.json'
              ? ' (optional: RFC 8908 captive portal API; needs HTTPS on the router)'
              : null}
          </li>
        ))}
      </ul>
      <h3>RouterOS commands for the login page</h3>
      <p class="muted">
        Paste after the configuration above. The router downloads its files from Portico; re-run the{' '}
        <code>/tool fetch</code> lines after changing the login method. Guests reach only Portico's host
        before they log in: never add the phones' captive-detection hosts to the walled garden.
      </p>
      <pre class="config" data-login-page-config>
        {install.routerOsConfig}
      </pre>
      {freeAccess ? await freeAccessForm(freeAccess, request, hotspotId, csrf, writable) : null}
    </section>
  );
}

/** Config > Login page: the logo, its upload and removal. */
function LogoForms(props: { csrf: string; logoUrl: string | undefined; write: boolean }) {
  return (
    <section aria-labelledby="logo-title">
      <h2 id="logo-title">Logo</h2>
      {props.logoUrl ? (
        <p>
          <img src={props.logoUrl} alt="Your logo, as guests see it above your name" class="login-logo" />
        </p>
      ) : (
        <p class="muted">No logo yet: the page shows your business name alone.</p>
      )}
      {props.write ? (
        <>
          <form
            method="post"
            action="/admin/config/login-page/logo"
            enctype="multipart/form-data"
            class="stack"
          >
            <ui.CsrfField token={props.csrf} />
            <label>
              Logo image{' '}
              <small>(PNG, JPEG, WebP or GIF, up to {MAX_LOGO_BYTES / 1000} KB; shown above your name)</small>
              <input type="file" name="logo" accept="image/png,image/jpeg,image/webp,image/gif" required />
            </label>
            <button type="submit" class="secondary">
              Upload logo
            </button>
          </form>
          {props.logoUrl ? (
            <form method="post" action="/admin/config/login-page/logo/remove">
              <ui.CsrfField token={props.csrf} />
              <button type="submit" class="secondary">
                Remove logo
              </button>
            </form>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

export interface HotspotLoginAdminOptions {
  service: HotspotLoginService;
  /** Free access by phone; its settings are left out without it. */
  freeAccess?: FreeAccessService | undefined;
}

export const hotspotLoginAdminPages: FastifyPluginAsync<HotspotLoginAdminOptions> = async (
  admin,
  { service, freeAccess },
) => {
  const settingsPage = async (request: FastifyRequest, reply: FastifyReply, error?: string, typed?: Body) => {
    const settings = await service.settings(request.tenant.id);
    const write = canWrite(kit.actorOf(request).role);
    const value = (name: 'accentColor' | 'welcomeText') => (typed ? text(typed, name) : settings[name]);
    const hosts = typed ? text(typed, 'routerLoginHosts') : settings.routerLoginHosts.join(' ');
    const number = (name: 'freeAccessCodesPerDay' | 'smsBudgetPerMonth') =>
      typed ? text(typed, name) : String(settings[name]);
    const paused = freeAccess ? await freeAccessPausedNotice(freeAccess, request.tenant) : null;
    const logoUrl = await service.logoUrl(request.tenant.id);
    const csrf = kit.csrf(reply);
    const budget = freeAccess ? await freeAccess.budget(request.tenant) : undefined;
    return kit.render(request, reply, {
      title: 'Login page',
      error,
      status: error ? 400 : 200,
      body: (
        <>
          <p class="hint">
            The page guests see when they join your Wi-Fi, hosted by Portico for each hotspot (its address and
            the router's files are on the <a href="/admin/hotspots">hotspot's page</a>). It shows your
            business name (Config &gt; Business) in English or Spanish, following the guest's phone.
          </p>
          {paused}
          <LogoForms csrf={csrf} logoUrl={logoUrl} write={write} />
          <h2>Look and behaviour</h2>
          <form method="post" action="/admin/config/login-page" class="stack form-grid">
            <ui.CsrfField token={csrf} />
            <label class="check">
              <input
                type="checkbox"
                name="openPortalAfterLogin"
                checked={typed ? typed.openPortalAfterLogin !== undefined : settings.openPortalAfterLogin}
                disabled={!write}
              />{' '}
              Open the customer portal after login{' '}
              <small>
                (guests land on the voucher they just used: what is left, speed, devices; one tap to sign in
                with their phone. Off: they go to the page they first asked for. Some phones close the login
                sheet at once, so the status-page SMS stays the sure way to the portal.)
              </small>
            </label>
            <label>
              Accent colour <small>(header and buttons; the text colour follows for contrast)</small>
              <input type="color" name="accentColor" value={value('accentColor')} disabled={!write} />
            </label>
            <label>
              Welcome line <small>(optional, under your name, up to 120 characters)</small>
              <input name="welcomeText" maxLength={120} value={value('welcomeText')} disabled={!write} />
            </label>
            <label>
              Router login addresses{' '}
              <small>
                (only if a router's hotspot has a DNS name such as login.cafe.example: the page sends codes
                only to a router on a private address, a local name, or a name listed here; space-separated)
              </small>
              <input name="routerLoginHosts" value={hosts} disabled={!write} />
            </label>
            <fieldset>
              <legend>Free access by phone (turned on per hotspot, on its page)</legend>
              {TENANT_LIMIT_FIELDS.map(([name, label, help]) => (
                <label key={name}>
                  {label}{' '}
                  <small>
                    ({help}
                    {name === 'smsBudgetPerMonth' && budget
                      ? `; ${budget.used.toLocaleString('en')} sent this month`
                      : ''}
                    )
                  </small>
                  <input type="number" name={name} min={1} value={number(name)} disabled={!write} />
                </label>
              ))}
            </fieldset>
            {write ? <button type="submit">Save</button> : null}
          </form>
        </>
      ),
    });
  };

  admin.get('/admin/config/login-page', async (request, reply) => settingsPage(request, reply));

  // The logo form is the one multipart form of the admin area: Node's own (undici) form-data
  // parser reads it, within a body limit a little over the largest logo accepted.
  admin.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: MAX_LOGO_BYTES * 3 },
    async (request: FastifyRequest, body: Buffer) => {
      const form = await new Response(new Uint8Array(body), {
        headers: { 'content-type': String(request.headers['content-type']) },
      }).formData();
      const fields: Record<string, unknown> = {};
      form.forEach((value, name) => {
        fields[name] = value;
      });
      return fields;
    },
  );

  admin.post('/admin/config/login-page/logo', { preHandler: kit.requireWrite }, async (request, reply) => {
    const file = (request.body as Record<string, unknown> | undefined)?.logo;
    try {
      await service.setLogo(
        request.tenant.id,
        file instanceof Blob ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0),
      );
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'VALIDATION') throw error;
      return settingsPage(request, reply, errorText(error));
    }
    return reply.redirect('/admin/config/login-page?notice=saved', 303);
  });

  admin.post(
    '/admin/config/login-page/logo/remove',
    { preHandler: kit.requireWrite },
    async (request, reply) => {
      await service.removeLogo(request.tenant.id);
      return reply.redirect('/admin/config/login-page?notice=saved', 303);
    },
  );

  admin.post('/admin/config/login-page', { preHandler: kit.requireWrite }, async (request, reply) => {
    const body = request.body as Body;
    try {
      await service.updateSettings(request.tenant.id, {
        openPortalAfterLogin: body?.openPortalAfterLogin !== undefined,
        accentColor: text(body, 'accentColor'),
        welcomeText: text(body, 'welcomeText'),
        routerLoginHosts: text(body, 'routerLoginHosts')
          .split(/[\s,]+/)
          .filter(Boolean),
        ...Object.fromEntries(
          TENANT_LIMIT_FIELDS.filter(([name]) => text(body, name) !== '').map(([name]) => [
            name,
            Number(text(body, name)),
          ]),
        ),
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'VALIDATION') throw error;
      return settingsPage(request, reply, errorText(error), body);
    }
    return reply.redirect('/admin/config/login-page?notice=saved', 303);
  });

  admin.post(
    '/admin/hotspots/:id/login-page',
    { preHandler: kit.requireWrite, ...formRoute(LoginByForm) },
    async (request, reply) => {
      const id = idParam(request.params, 'id', 'Hotspot not found');
      const { loginBy } = formBody(request, LoginByForm, {
        loginBy: 'The login method is HTTP-CHAP or HTTP-PAP',
      });
      await service.setLoginBy(request.tenant.id, id, loginBy);
      return reply.redirect(`/admin/hotspots/${id}?notice=saved#login-page-title`, 303);
    },
  );

  if (freeAccess)
    admin.post(
      '/admin/hotspots/:id/free-access',
      { preHandler: kit.requireWrite },
      async (request, reply) => {
        const id = idParam(request.params, 'id', 'Hotspot not found');
        await service.ensurePage(request.tenant.id, id); // NOT_FOUND for another tenant's hotspot
        try {
          await freeAccess.setConfig(request.tenant.id, id, freeAccessPatch(request.body as Body));
        } catch (error) {
          if (!(error instanceof AppError) || (error.code !== 'VALIDATION' && error.code !== 'CONFLICT'))
            throw error;
          return kit.render(request, reply, {
            title: 'Free access by phone',
            error: errorText(error),
            status: error.code === 'CONFLICT' ? 409 : 400,
            body: (
              <p>
                Nothing was changed.{' '}
                <a href={`/admin/hotspots/${id}#free-access-title`}>Back to the hotspot</a>
              </p>
            ),
          });
        }
        return reply.redirect(`/admin/hotspots/${id}?notice=saved#free-access-title`, 303);
      },
    );
};
