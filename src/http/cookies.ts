import type { FastifyReply, FastifyRequest } from 'fastify';

/** True when the request arrived over HTTPS (directly or, with trustProxy, via the proxy). */
export function isHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/**
 * Session cookies set or cleared while handling a request: later reads in the same request see
 * the new value (a page rendered right after sign-in binds its CSRF tokens to the new session).
 */
const setDuringRequest = new WeakMap<FastifyRequest, Map<string, string>>();

function remember(request: FastifyRequest, base: string, value: string): void {
  const values = setDuringRequest.get(request) ?? new Map<string, string>();
  values.set(base, value);
  setDuringRequest.set(request, values);
}

/**
 * Session cookies: `__Host-` prefixed when served over HTTPS (bound to this exact origin),
 * HttpOnly, SameSite=Lax, path /. Over plain HTTP (development) the prefix is not allowed.
 */
export function sessionCookieName(request: FastifyRequest, base: string): string {
  return isHttps(request) ? `__Host-${base}` : base;
}

export function readSessionCookie(request: FastifyRequest, base: string): string | undefined {
  const set = setDuringRequest.get(request)?.get(base);
  if (set !== undefined) return set || undefined;
  return request.cookies[sessionCookieName(request, base)];
}

/** Sets the cookie for this browser session, or for `maxAgeSeconds` when given. */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  base: string,
  token: string,
  options: { maxAgeSeconds?: number } = {},
): void {
  remember(request, base, token);
  reply.setCookie(sessionCookieName(request, base), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: isHttps(request),
    ...(options.maxAgeSeconds === undefined ? {} : { maxAge: options.maxAgeSeconds }),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, base: string): void {
  remember(request, base, '');
  reply.clearCookie(sessionCookieName(request, base), { path: '/' });
}
