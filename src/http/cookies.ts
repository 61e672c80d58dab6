import type { FastifyReply, FastifyRequest } from 'fastify';
import { isHttps } from './server.js';

/**
 * Session cookies: `__Host-` prefixed when served over HTTPS (bound to this exact origin),
 * HttpOnly, SameSite=Lax, path /. Over plain HTTP (development) the prefix is not allowed.
 */
export function sessionCookieName(request: FastifyRequest, base: string): string {
  return isHttps(request) ? `__Host-${base}` : base;
}

export function readSessionCookie(request: FastifyRequest, base: string): string | undefined {
  return request.cookies[sessionCookieName(request, base)];
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  base: string,
  token: string,
): void {
  reply.setCookie(sessionCookieName(request, base), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: isHttps(request),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, base: string): void {
  reply.clearCookie(sessionCookieName(request, base), { path: '/' });
}
