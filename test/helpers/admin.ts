/**
 * Admin-area test helpers: create admins and tokens, sign in through the real form (CSRF and
 * all), and keep cookies between `inject` calls like a browser would.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { AdminsRepository, ApiTokensRepository, type Role } from '../../src/auth/index.js';
import type { App } from '../../src/app.js';

export const TEST_PASSWORD = 'correct horse battery staple';

export async function createAdmin(
  app: App,
  tenantId: number,
  values: { email?: string; role?: Role; isSuper?: boolean; name?: string } = {},
) {
  const admins = new AdminsRepository(app.store.db, app.clock);
  return admins.create(tenantId, {
    email: values.email ?? `${values.role ?? 'owner'}-${Math.random().toString(36).slice(2, 8)}@example.com`,
    name: values.name ?? 'Test Admin',
    password: TEST_PASSWORD,
    role: values.role ?? 'owner',
    isSuper: values.isSuper ?? false,
  });
}

/**
 * A new admin of the tenant (createAdmin's `values`), signed in through the real form in a fresh
 * client (on `host` when given). Throws when the sign-in is not accepted.
 */
export async function signedInAdmin(
  app: App,
  tenantId: number,
  values: Parameters<typeof createAdmin>[2] = {},
  host?: string,
): Promise<AdminClient> {
  const client = new AdminClient(app, host);
  const response = await client.signIn((await createAdmin(app, tenantId, values)).email);
  if (response.statusCode !== 303) throw new Error(`admin sign-in answered ${response.statusCode}, not 303`);
  return client;
}

/** An API token; without `createdByAdminId` it records no creator (like an operator's token). */
export async function createApiToken(
  app: App,
  tenantId: number,
  role: Role = 'owner',
  createdByAdminId: number | null = null,
): Promise<string> {
  const tokens = new ApiTokensRepository(app.store.db, app.clock, app.random);
  const { token } = await tokens.create(tenantId, { name: `test ${role}`, role, createdByAdminId });
  return token;
}

/** A REST API call with a bearer token, as an integration would make it (JSON payload when given). */
export function callApi(
  app: App,
  token: string,
  method: string,
  url: string,
  payload?: Record<string, unknown>,
  host = 'localhost',
): Promise<LightMyRequestResponse> {
  return app.http.inject({
    method: method as 'GET',
    url,
    headers: { host, authorization: `Bearer ${token}` },
    ...(payload === undefined ? {} : { payload }),
  });
}

/** A browser-like client: cookies kept across requests, HTML accepted, a fixed Host. */
export class AdminClient {
  private cookies = new Map<string, string>();
  constructor(
    private readonly app: App,
    readonly host = 'localhost',
  ) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(options: InjectOptions): Promise<LightMyRequestResponse> {
    const response = await this.app.http.inject({
      ...options,
      headers: { host: this.host, accept: 'text/html', cookie: this.cookieHeader, ...options.headers },
    });
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now()))
        this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }

  get(url: string) {
    return this.request({ method: 'GET', url });
  }

  /** The CSRF token from a page's forms. */
  async csrf(url = '/admin/sign-in'): Promise<string> {
    const page = await this.get(url);
    const match = /name="_csrf" value="([^"]+)"/.exec(page.body);
    if (!match?.[1]) throw new Error(`no CSRF token on ${url} (status ${page.statusCode})`);
    return match[1];
  }

  /** Posts a form with a fresh CSRF token taken from `from` (default: the target page's sign-out form). */
  async post(url: string, fields: Record<string, string>, from = '/admin'): Promise<LightMyRequestResponse> {
    const token = await this.csrf(from);
    return this.request({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...fields, _csrf: token }).toString(),
    });
  }

  /** Posts a form body exactly as given: no CSRF token added (the tests of forged and tokenless posts). */
  postRaw(url: string, payload: string): Promise<LightMyRequestResponse> {
    return this.request({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload,
    });
  }

  async signIn(email: string, password = TEST_PASSWORD): Promise<LightMyRequestResponse> {
    return this.post('/admin/sign-in', { email, password }, '/admin/sign-in');
  }
}
