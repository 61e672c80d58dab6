/**
 * REST API of the hosted login page (an ApiExtension under /api/v1): a hotspot's login page
 * address, router files and RouterOS commands (GET /hotspots/{id}/login-page), its login method
 * (PUT), and the tenant's login page settings (GET/PUT /settings/login-page).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiExtension, ApiKit } from '../api/index.js';
import { apiSchemas } from '../api/index.js';
import { publicOrigin } from './admin.js';
import { ROUTER_FILE_NAMES } from './router-files.js';
import type { HotspotLoginService } from './service.js';

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
  },
  {
    examples: [
      {
        openPortalAfterLogin: true,
        accentColor: '#0b5cad',
        welcomeText: 'Free refills',
        routerLoginHosts: [],
      },
    ],
  },
);
const SettingsPatch = Type.Partial(Settings, {
  examples: [{ openPortalAfterLogin: true }],
});

export function hotspotLoginApiRoutes(
  service: HotspotLoginService,
  configuredPublicUrl?: string,
): ApiExtension {
  return async (api: FastifyInstance, kit: ApiKit) => {
    const tags = ['hotspots'];
    api.get<{ Params: Static<typeof Params> }>(
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
        service.installation(
          request.tenant.id,
          request.params.id,
          publicOrigin(request, configuredPublicUrl),
        ),
    );

    api.patch<{ Params: Static<typeof Params>; Body: Static<typeof LoginByBody> }>(
      '/hotspots/:id/login-page',
      {
        preHandler: kit.requireWrite,
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

    api.get(
      '/settings/login-page',
      {
        schema: {
          tags: ['settings'],
          summary: 'The hosted login page settings (look, portal after login)',
          response: { 200: Settings, ...apiSchemas.errors },
        },
      },
      async (request) => service.settings(request.tenant.id),
    );

    api.patch<{ Body: Static<typeof SettingsPatch> }>(
      '/settings/login-page',
      {
        preHandler: kit.requireWrite,
        schema: {
          tags: ['settings'],
          summary: 'Change the hosted login page settings (fields left out keep their value)',
          body: SettingsPatch,
          response: { 200: Settings, ...apiSchemas.errors },
        },
      },
      async (request) => service.updateSettings(request.tenant.id, request.body),
    );
  };
}
