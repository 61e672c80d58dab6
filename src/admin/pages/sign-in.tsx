import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { clearSessionCookie, readSessionCookie, renderDocument, setSessionCookie } from '../../http/index.js';
import { normalizeEmail } from '../../auth/index.js';
import { ADMIN_COOKIE } from '../auth.js';
import type { AdminDeps } from '../deps.js';
import { Head, Notices } from '../views/layout.js';

/** After a form was sent in an expired session (issue 15, 8c). */
const EXPIRED_NOTICE = {
  kept: 'Your session expired, so that was not saved. Sign in again: the form opens again with what you typed.',
  lost: 'Your session expired, so that was not saved. Sign in again.',
} as const;

function SignInPage(props: {
  csrf: string;
  email?: string;
  error?: string;
  notice?: string | undefined;
  tenantName: string;
}) {
  return (
    <html lang="en">
      <Head title="Sign in" />
      <body class="admin sign-in">
        <main class="card narrow">
          <h1>Portico admin</h1>
          <p class="muted">{props.tenantName}</p>
          <Notices notice={props.notice} error={props.error} />
          <form method="post" action="/admin/sign-in" class="stack">
            <input type="hidden" name="_csrf" value={props.csrf} />
            <label>
              Email
              <input type="email" name="email" required autocomplete="username" value={props.email ?? ''} />
            </label>
            <label>
              Password
              <input type="password" name="password" required autocomplete="current-password" />
            </label>
            <button type="submit">Sign in</button>
          </form>
        </main>
      </body>
    </html>
  );
}

/** Marks a browser that signed in to an account before (it is not held by that account's backoff). */
const DEVICE_COOKIE = 'portico_admin_device';
const DEVICE_COOKIE_MAX_AGE_SECONDS = 180 * 86_400;

function formatWait(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** The sign-in form (the body's type comes from it). */
const SignInForm = Type.Object({
  email: Type.Optional(Type.String({ maxLength: 254 })),
  password: Type.Optional(Type.String({ maxLength: 200 })),
  _csrf: Type.Optional(Type.String()),
});

export const signInPages: FastifyPluginAsync = async (admin) => {
  const deps = admin.adminDeps;
  await admin.register(fastifyRateLimit, {
    global: false,
    ...(deps.rateLimitStore ? { store: deps.rateLimitStore } : {}),
  });

  admin.get('/admin/sign-in', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const notice =
      query.expired === 'kept' ? EXPIRED_NOTICE.kept : 'expired' in query ? EXPIRED_NOTICE.lost : undefined;
    const html = renderDocument(
      <SignInPage csrf={reply.generateCsrf()} tenantName={request.tenant.name} notice={notice} />,
    );
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
  });

  admin.withTypeProvider<TypeBoxTypeProvider>().post(
    '/admin/sign-in',
    {
      config: {
        rateLimit: {
          max: deps.signInLimitPerMinute ?? 10,
          timeWindow: 60_000,
          keyGenerator: (request) => `${request.tenant.id}:${request.ip}`,
        },
      },
      schema: { body: SignInForm },
    },
    async (request, reply) => {
      const email = request.body.email ?? '';
      const account = normalizeEmail(email);
      const tenantId = request.tenant.id;
      const device = readSessionCookie(request, DEVICE_COOKIE);
      const refused = (status: number, error: string) =>
        reply
          .status(status)
          .type('text/html; charset=utf-8')
          .send(
            renderDocument(
              <SignInPage
                csrf={reply.generateCsrf()}
                email={email}
                error={error}
                tenantName={request.tenant.name}
              />,
            ),
          );
      // Too many wrong passwords for this account lately: wait (unless this browser signed in
      // to it before; then only its own failures count).
      const waitMs = await deps.signInGuard.retryAfterMs(tenantId, account, device);
      if (waitMs > 0) {
        request.log.info({ tenantId }, 'admin sign-in held back (account backoff)');
        reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
        return refused(
          429,
          `Too many wrong passwords for this account. Try again in ${formatWait(waitMs)}, ` +
            'or from a browser you signed in with before.',
        );
      }
      const admin = await deps.admins.authenticate(tenantId, email, request.body.password ?? '');
      if (!admin) {
        await deps.signInGuard.recordFailure(tenantId, account, device);
        request.log.info({ tenantId }, 'admin sign-in refused');
        return refused(401, 'The email or password is not correct.');
      }
      await deps.signInGuard.recordSuccess(tenantId, account, device);
      setSessionCookie(request, reply, DEVICE_COOKIE, deps.signInGuard.issueDeviceToken(tenantId, account), {
        maxAgeSeconds: DEVICE_COOKIE_MAX_AGE_SECONDS,
      });
      // A new token on every sign-in: a token planted before sign-in is never promoted.
      await deps.webSessions.destroy(readSessionCookie(request, ADMIN_COOKIE));
      const token = await deps.webSessions.create(tenantId, 'admin', admin.id, {
        clientIp: request.ip,
        userAgent: request.headers['user-agent'],
      });
      setSessionCookie(request, reply, ADMIN_COOKIE, token);
      await rememberAdminOrigin(deps, request);
      // Back to the form whose session had expired, if one was kept (it opens filled in).
      return reply.redirect(request.server.formResume.page(request, '/admin') ?? '/admin', 303);
    },
  );

  admin.post('/admin/sign-out', async (request, reply) => {
    await deps.webSessions.destroy(readSessionCookie(request, ADMIN_COOKIE));
    clearSessionCookie(request, reply, ADMIN_COOKIE);
    return reply.redirect('/admin/sign-in', 303);
  });
};

/**
 * The origin this admin reached Portico at: SMS portal links use it while no public URL is set
 * (notifications/portal-url.ts). Written only when it changes.
 */
async function rememberAdminOrigin(deps: AdminDeps, request: FastifyRequest): Promise<void> {
  const origin = `${request.protocol}://${request.host}`;
  const reach = await deps.tenants.getSettings(request.tenant.id, 'reach');
  if (reach.adminOrigin !== origin)
    await deps.tenants.putSettings(request.tenant.id, 'reach', { adminOrigin: origin }, deps.clock.nowMs());
}
