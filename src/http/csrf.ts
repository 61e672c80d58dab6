/**
 * CSRF tokens bound to the session (OWASP's synchronizer token, stateless): a random secret in a
 * cookie (`__Host-portico_csrf` over HTTPS, so a sibling subdomain cannot plant it), and tokens
 * that are an HMAC over that secret *and the request's session cookie*. A token taken from one
 * session — or minted before sign-in — does not verify in another, even if an attacker manages to
 * set the secret cookie. Built on @fastify/csrf (the token primitive of
 * @fastify/csrf-protection); same decorators, `reply.generateCsrf()` and `csrfProtection`.
 */
import crypto from 'node:crypto';
import { Tokens } from '@fastify/csrf';
import fastifyPlugin from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { AppError } from '../shared/index.js';
import { isHttps, readSessionCookie, sessionCookieName } from './cookies.js';

declare module 'fastify' {
  interface FastifyReply {
    /** A CSRF token for a form on this response's page (sets the secret cookie when missing). */
    generateCsrf(): string;
  }
  interface FastifyInstance {
    /** preHandler: refuses a request whose CSRF token does not match its secret and session. */
    csrfProtection(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void;
  }
}

export interface CsrfOptions {
  /** Keys the token HMAC (derived from the server secret). */
  key: string;
  /** Which session cookie a path's tokens are bound to: the first matching prefix wins. */
  sessionCookies: ReadonlyArray<{ pathPrefix: string; cookie: string }>;
}

export const CSRF_COOKIE = 'portico_csrf';

/** The CSRF decorators for the whole app (fastify-plugin: they land on the registering instance). */
export const csrfTokens = fastifyPlugin<CsrfOptions>(
  async (app: FastifyInstance, options: CsrfOptions) => {
    const tokens = new Tokens({
      userInfo: true,
      hmacKey: crypto.createHmac('sha256', options.key).update('portico csrf').digest(),
    });

    /**
     * What a token is bound to: the form's area and the session it is in (signed out: none). Never
     * empty (the token library refuses that).
     */
    const sessionOf = (request: FastifyRequest): string => {
      const path = request.url.split('?')[0] ?? '';
      const area = options.sessionCookies.find((c) => path.startsWith(c.pathPrefix));
      if (!area) return 'no area';
      return `${area.pathPrefix} session ${readSessionCookie(request, area.cookie) ?? 'none'}`;
    };

    app.decorateReply('generateCsrf', function generateCsrf(this: FastifyReply): string {
      const request = this.request;
      const name = sessionCookieName(request, CSRF_COOKIE);
      let secret = request.cookies[name];
      if (!secret || secret.length > 100) {
        secret = tokens.secretSync();
        // Later reads in this request see it (a page can hold several forms).
        request.cookies[name] = secret;
        this.setCookie(name, secret, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: isHttps(request),
        });
      }
      return tokens.create(secret, sessionOf(request));
    });

    app.decorate(
      'csrfProtection',
      function csrfProtection(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
        const secret = request.cookies[sessionCookieName(request, CSRF_COOKIE)];
        const body = request.body as Record<string, unknown> | undefined;
        const token =
          body && typeof body._csrf === 'string'
            ? body._csrf
            : (request.headers['x-csrf-token'] as string | undefined);
        if (!secret || !token || !tokens.verify(secret, token, sessionOf(request))) {
          request.log.info('CSRF token refused');
          done(
            new AppError(
              'CSRF',
              'The form has expired or did not come from this site. Reload the page and try again.',
            ),
          );
          return;
        }
        done();
      },
    );
  },
  { name: 'portico-csrf' },
);
