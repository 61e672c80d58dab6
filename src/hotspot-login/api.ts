/**
 * REST API of the hosted login page (a plugin for the /api/v1 scope): a hotspot's login page
 * address, router files and RouterOS commands (GET /hotspots/{id}/login-page), its login method
 * (PUT), and the tenant's login page settings (GET/PUT /settings/login-page).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireWrite } from '../admin/index.js';
import { apiSchemas, noContent, settingsRoutes } from '../api/index.js';
import { publicOrigin } from './admin.js';
import { ROUTER_FILE_NAMES } from './router-files.js';
import type { FreeAccessService } from './free-access.js';
import { FREE_ACCESS_BOUNDS, FREE_ACCESS_TENANT_BOUNDS } from './free-access-model.js';
import { MAX_LOGO_BYTES, type HotspotLoginService } from './service.js';

const Params = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const LoginBy = Type.Union([Type.Literal('chap'), Type.Literal('pap')], {
  description: "the router's login method: chap (HTTP-CHAP, recommended) or pap",
});

const Installation = Type.Object(
  {
    publicId: Type.String({ description: 'the page id in its address (not the hotspot id)' }),
    loginBy: LoginBy,
    loginPageUrl: Type.String({ description: "where the router's login.html hands guests over" }),
    files: Type.Array(
      Type.Object({
        name: Type.Union(ROUTER_FILE_NAMES.map((n) => Type.Literal(n))),
        url: Type.String({ description: 'public download (the router fetches it)' }),
      }),
    ),
    routerOsConfig: Type.String({ description: 'RouterOS commands: walled garden, files, login-by' }),
  },
  {
    examples: [
      {
        publicId: 'k3m9q2x7wd4h',
        loginBy: 'chap',
        loginPageUrl: 'https://wifi.example.com/hotspot/k3m9q2x7wd4h/login',
        files: [
          { name: 'login.html', url: 'https://wifi.example.com/hotspot/k3m9q2x7wd4h/files/login.html' },
        ],
        routerOsConfig: '/ip hotspot walled-garden add dst-host="wifi.example.com" …',
      },
    ],
  },
);
const LoginByBody = Type.Object({ loginBy: LoginBy }, { examples: [{ loginBy: 'chap' }] });

const Settings = Type.Object(
  {
    openPortalAfterLogin: Type.Boolean({
      description: 'after login, guests land on the voucher they just used (signed link), else their page',
    }),
    accentColor: Type.String({ pattern: '^#[0-9a-fA-F]{6}$' }),
    welcomeText: Type.String({ maxLength: 120 }),
    routerLoginHosts: Type.Array(Type.String({ maxLength: 253 }), {
      maxItems: 20,
      description:
        "DNS names of routers' login address; codes are posted only there, to private IPs or local names",
    }),
    freeAccessCodesPerDay: Type.Integer({
      minimum: FREE_ACCESS_TENANT_BOUNDS.freeAccessCodesPerDay[0],
      maximum: FREE_ACCESS_TENANT_BOUNDS.freeAccessCodesPerDay[1],
      description: "free access by phone: walk-in guests' codes per day over all hotspots",
    }),
    smsBudgetPerMonth: Type.Integer({
      minimum: FREE_ACCESS_TENANT_BOUNDS.smsBudgetPerMonth[0],
      maximum: FREE_ACCESS_TENANT_BOUNDS.smsBudgetPerMonth[1],
      description:
        'SMS of every type per calendar month (tenant time zone); at it, free access by phone pauses',
    }),
  },
  {
    examples: [
      {
        openPortalAfterLogin: true,
        accentColor: '#0b5cad',
        welcomeText: 'Free refills',
        routerLoginHosts: [],
        freeAccessCodesPerDay: 300,
        smsBudgetPerMonth: 2000,
      },
    ],
  },
);
const limit = (name: keyof typeof FREE_ACCESS_BOUNDS, description: string) =>
  Type.Integer({ minimum: FREE_ACCESS_BOUNDS[name][0], maximum: FREE_ACCESS_BOUNDS[name][1], description });

const FreeAccess = Type.Object(
  {
    enabled: Type.Boolean({
      description: 'offer free access by phone on this hotspot (needs an enabled SMS gateway)',
    }),
    planId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
      description: 'the plan of the vouchers given (active; required to enable)',
    }),
    periodHours: limit('periodHours', 'the window every limit below counts in'),
    vouchersPerPhone: limit('vouchersPerPhone', 'free vouchers per phone number per period'),
    codesPerPhone: limit('codesPerPhone', 'codes texted per phone number per period'),
    codesPerDevice: limit('codesPerDevice', 'codes per device (router client MAC) per period'),
    codesPerHotspot: limit('codesPerHotspot', 'codes at this hotspot per period'),
  },
  {
    examples: [
      {
        enabled: true,
        planId: 3,
        periodHours: 24,
        vouchersPerPhone: 1,
        codesPerPhone: 3,
        codesPerDevice: 3,
        codesPerHotspot: 100,
      },
    ],
  },
);
const FreeAccessPatch = Type.Partial(FreeAccess, { examples: [{ enabled: true, planId: 3 }] });

const SettingsPatch = Type.Partial(Settings, {
  examples: [{ openPortalAfterLogin: true }],
});

export interface HotspotLoginApiOptions {
  service: HotspotLoginService;
  /** PORTICO_PUBLIC_URL, when set: the origin of the login page addresses. */
  configuredPublicUrl?: string | undefined;
  /** Free access by phone; its routes are left out without it. */
  freeAccess?: FreeAccessService | undefined;
}

export const hotspotLoginApiRoutes: FastifyPluginAsyncTypebox<HotspotLoginApiOptions> = async (
  api,
  { service, configuredPublicUrl, freeAccess },
) => {
  const tags = ['hotspots'];
  api.get(
    '/hotspots/:id/login-page',
    {
      schema: {
        tags,
        summary: "A hotspot's hosted login page: its address, the router files and the RouterOS commands",
        params: Params,
        response: { 200: Installation, ...apiSchemas.errors },
      },
    },
    async (request) =>
      service.installation(request.tenant.id, request.params.id, publicOrigin(request, configuredPublicUrl)),
  );

  api.patch(
    '/hotspots/:id/login-page',
    {
      preHandler: requireWrite,
      schema: {
        tags,
        summary: "Set the router's login method (HTTP-CHAP or HTTP-PAP) the login page posts with",
        params: Params,
        body: LoginByBody,
        response: { 200: Installation, ...apiSchemas.errors },
      },
    },
    async (request) => {
      await service.setLoginBy(request.tenant.id, request.params.id, request.body.loginBy);
      return service.installation(
        request.tenant.id,
        request.params.id,
        publicOrigin(request, configuredPublicUrl),
      );
    },
  );

  if (freeAccess) {
    api.get(
      '/hotspots/:id/free-access',
      {
        schema: {
          tags,
          summary: "A hotspot's free access by phone: on/off, the plan of its vouchers, its limits",
          params: Params,
          response: { 200: FreeAccess, ...apiSchemas.errors },
        },
      },
      async (request) => {
        await service.ensurePage(request.tenant.id, request.params.id); // NOT_FOUND for others'
        return freeAccess.config(request.tenant.id, request.params.id);
      },
    );

    api.patch(
      '/hotspots/:id/free-access',
      {
        preHandler: requireWrite,
        schema: {
          tags,
          summary:
            'Change free access by phone (fields left out keep their value; 409 without an SMS gateway)',
          params: Params,
          body: FreeAccessPatch,
          response: { 200: FreeAccess, ...apiSchemas.errors },
        },
      },
      async (request) => {
        await service.ensurePage(request.tenant.id, request.params.id);
        return freeAccess.setConfig(request.tenant.id, request.params.id, request.body);
      },
    );
  }

  // The logo as the image itself (PNG, JPEG, WebP or GIF), checked by its bytes.
  const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
  api.addContentTypeParser(
    LOGO_TYPES,
    { parseAs: 'buffer', bodyLimit: MAX_LOGO_BYTES * 3 },
    (_request, body, done) => done(null, body),
  );
  const Logo = Type.Object(
    {
      logoUrl: Type.String({ description: "the logo's address on the login page (changes with the logo)" }),
    },
    { examples: [{ logoUrl: '/hotspot/logo/4977…1581' }] },
  );
  api.put(
    '/settings/login-page/logo',
    {
      preHandler: requireWrite,
      schema: {
        tags: ['settings'],
        summary: `Set the login page's logo: the image as the body (${LOGO_TYPES.join(', ')}; at most ${MAX_LOGO_BYTES / 1000} KB)`,
        response: { 200: Logo, ...apiSchemas.errors },
      },
    },
    async (request) => {
      await service.setLogo(
        request.tenant.id,
        Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      );
      return { logoUrl: (await service.logoUrl(request.tenant.id)) ?? '' };
    },
  );
  api.delete(
    '/settings/login-page/logo',
    {
      preHandler: requireWrite,
      schema: {
        tags: ['settings'],
        summary: "Remove the login page's logo (the page shows the business name alone)",
        response: { 204: Type.Null(), ...apiSchemas.errors },
      },
    },
    async (request, reply) => {
      await service.removeLogo(request.tenant.id);
      return noContent(reply);
    },
  );

  settingsRoutes(api, {
    path: '/settings/login-page',
    schema: Settings,
    patch: SettingsPatch,
    summaries: {
      read: 'The hosted login page settings (look, portal after login)',
      change: 'Change the hosted login page settings (fields left out keep their value)',
    },
    read: (tenantId) => service.settings(tenantId),
    change: (tenantId, patch) => service.updateSettings(tenantId, patch),
  });
};
