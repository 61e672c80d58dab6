import type { FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { sameSitePage, toProblem, wantsJson } from '../http/index.js';
import { AppError } from '../shared/index.js';
import { actorFromSession } from './auth.js';
import { adminKit as kit } from './kit.js';
import { accessPages } from './pages/access.js';
import { customersPages } from './pages/customers.js';
import { dashboardPage } from './pages/dashboard.js';
import { deviceLogPages } from './pages/device-log.js';
import { plansPages } from './pages/plans.js';
import { hotspotsPages } from './pages/hotspots.js';
import { configBusinessPage } from './pages/config-business.js';
import { configVouchersPage } from './pages/config-vouchers.js';
import { sessionsPages } from './pages/sessions.js';
import { signInPages } from './pages/sign-in.js';
import { tenantsPages } from './pages/tenants.js';
import { vouchersPages } from './pages/vouchers.js';
import { voucherDevicesPages } from './pages/voucher-devices.js';
import { NAV } from './views/layout.js';

const PUBLIC_PATHS = new Set(['/admin/sign-in', '/admin/sign-out']);

function isFormPost(request: FastifyRequest): boolean {
  return String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

/**
 * The admin shell: who is signed in (request.actor), CSRF on every post, the sign-in redirect,
 * refusals explained inside the layout, and the admin's own pages. Not encapsulated
 * (fastify-plugin): register it first in the admin scope, and the page plugins of other
 * modules registered beside it get the same hooks and error handler:
 *
 *     http.register(async (admin) => {
 *       await admin.register(adminArea);
 *       await admin.register(smsAdminPages);
 *     });
 *
 * Pages read their services from `admin.adminDeps` (decorated by the composition root) and
 * render with `adminKit`.
 */
export const adminArea = fastifyPlugin(
  async (admin) => {
    const deps = admin.adminDeps;
    admin.decorateRequest('actor', null);

    admin.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      if (path.startsWith('/assets/')) return;
      request.actor = await actorFromSession(deps, request);
      if (request.actor || PUBLIC_PATHS.has(path)) return;
      if (request.method === 'GET' || request.method === 'HEAD') return reply.redirect('/admin/sign-in', 303);
      // A person's form (not a JSON client) sent after the session expired: answered once its
      // body is read (preHandler), so what they typed can be kept.
      if (request.method === 'POST' && isFormPost(request)) return;
      throw new AppError('UNAUTHENTICATED', 'Your session has ended. Sign in again.');
    });
    // Every form post in the admin area carries the CSRF token (double-submit cookie).
    admin.addHook('preHandler', (request, reply, done) => {
      if (request.method !== 'POST') return done();
      const path = request.url.split('?')[0] ?? '';
      if (request.actor || PUBLIC_PATHS.has(path)) return admin.csrfProtection(request, reply, done);
      // The session expired (issue 15, 8c): nothing is done; sign in again. What was typed is
      // kept for the form's page only when the token verifies (no planted values), and is only
      // ever filled back into the form: the person sends it again, signed in, with a new token.
      admin.csrfProtection(request, reply, (error?: Error) => {
        const page = error ? undefined : sameSitePage(request, '/admin');
        const kept = page !== undefined && admin.formResume.keep(request, reply, page, request.body);
        void reply.redirect(`/admin/sign-in?expired${kept ? '=kept' : ''}`, 303);
      });
    });

    // A refused action (unknown phone, no SMS gateway, ...) is explained inside the admin shell,
    // with the way back, rather than on a bare error page that loses the navigation. Anything
    // else (JSON clients, signed-out visitors, server errors) goes to the app's handler.
    admin.setErrorHandler((error, request, reply) => {
      const problem = toProblem(error);
      if (!request.actor || wantsJson(request) || problem.status >= 500 || problem.status === 401)
        throw error;
      request.log.info({ code: problem.code, status: problem.status }, 'admin request refused');
      return kit.render(request, reply, {
        title: problem.status === 404 ? 'Not found' : 'That did not work',
        status: problem.status,
        error: problem.title,
        body: (
          <p>
            <a href={sameSiteAdminReferer(request.headers.referer, request.headers.host) ?? '/admin'}>
              ← Back to the previous page
            </a>
          </p>
        ),
      });
    });

    await admin.register(signInPages);
    await admin.register(dashboardPage);
    await admin.register(plansPages);
    await admin.register(vouchersPages);
    await admin.register(voucherDevicesPages);
    await admin.register(deviceLogPages);
    await admin.register(customersPages);
    await admin.register(sessionsPages);
    await admin.register(hotspotsPages);
    await admin.register(configBusinessPage);
    await admin.register(configVouchersPage);
    await admin.register(accessPages);
    await admin.register(tenantsPages);

    // Sections that other modules fill in later: a short note instead of a 404.
    admin.get('/admin/*', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      const item = NAV.find((n) => n.href === path);
      if (!item) throw new AppError('NOT_FOUND', 'Not found');
      return kit.render(request, reply, {
        title: item.label,
        body: <p class="empty">Coming soon: this section is being built.</p>,
      });
    });
  },
  { name: 'portico-admin', decorators: { fastify: ['adminDeps'] } },
);

/** The referring admin page (path and query) when it is one of ours, for a "back" link. */
function sameSiteAdminReferer(referer: string | undefined, host: string | undefined): string | undefined {
  if (!referer || !host) return undefined;
  try {
    const url = new URL(referer);
    if (url.host !== host || !url.pathname.startsWith('/admin')) return undefined;
    return `${url.pathname}${url.search}`;
  } catch {
    return undefined;
  }
}
