/** Portal test helpers: a tiny cookie jar over inject, and sign-in by phone. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.js';

export class CookieJar {
  private readonly cookies = new Map<string, string>();
  /** Each jar is a browser on its own loopback address, so per-IP limits don't leak between tests. */
  readonly remoteAddress = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 250)}`;

  store(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now())) {
        this.cookies.delete(cookie.name);
      } else this.cookies.set(cookie.name, cookie.value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export function csrfTokenIn(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token in the page');
  return token;
}

/** GETs a portal page with the jar's cookies (HTML), storing new cookies. */
export async function getPage(
  http: FastifyInstance,
  jar: CookieJar,
  url: string,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const response = await http.inject({
    url,
    remoteAddress: jar.remoteAddress,
    headers: { accept: 'text/html', cookie: jar.header(), ...headers },
  });
  jar.store(response);
  return response;
}

/** POSTs a form with a CSRF token taken from `formPageUrl`. */
export async function postForm(
  http: FastifyInstance,
  jar: CookieJar,
  url: string,
  fields: Record<string, string>,
  options: { formPageUrl?: string; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const page = await getPage(http, jar, options.formPageUrl ?? '/portal', options.headers);
  const body = new URLSearchParams({ _csrf: csrfTokenIn(page.body), ...fields }).toString();
  const response = await http.inject({
    method: 'POST',
    url,
    remoteAddress: jar.remoteAddress,
    headers: {
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
      cookie: jar.header(),
      ...options.headers,
    },
    payload: body,
  });
  jar.store(response);
  return response;
}

/** Signs in with `phone` on the portal; returns the response of the sign-in POST. */
export function portalSignIn(
  http: FastifyInstance,
  jar: CookieJar,
  phone: string,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return postForm(http, jar, '/portal/sign-in', { phone }, { headers });
}

/** The newest sign-in code queued for `phone` (read before the worker sends and masks it). */
export async function queuedLoginCode(
  app: TestApp,
  tenantId: number,
  phone: string,
): Promise<string | undefined> {
  await app.otp.idle();
  const row = await app.store.db
    .selectFrom('sms_messages')
    .select('text')
    .where('tenant_id', '=', tenantId)
    .where('recipient', '=', phone)
    .where('type', '=', 'login_code')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row ? /(\d{6})/.exec(row.text)?.[1] : undefined;
}
