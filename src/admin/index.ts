/**
 * The operator admin area at /admin (server-rendered pages): `adminArea` (fastify-plugin) sets up
 * the admin scope; other modules add page plugins beside it in the same scope:
 * `async (admin) => { admin.get('/admin/x', (req, reply) => adminKit.render(req, reply, { title,
 * body })) }`. Inside, every request has `request.actor` (signed in), every POST is CSRF-checked
 * (form field `_csrf` = `adminKit.csrf(reply)`), and changes must use `preHandler: requireWrite`.
 * Services are the typed decorators `adminDeps` and `smsAdminDeps` (set by the composition root).
 */
export { adminArea } from './plugin.js';
export { ADMIN_COOKIE } from './auth.js';
export { adminKit, type AdminKit, type PageOptions } from './kit.js';
export { formBody, formRoute, idParam } from './forms.js';
export type { AdminDeps } from './deps.js';
export { DashboardQueries } from './dashboard-queries.js';
export { SetupProgressQueries } from './setup-progress.js';
export { NAV, type NavItem } from './views/layout.js';
export * as ui from './views/components.js';
export { actorOf, operatorActor, requireOwner, requireSuper, requireWrite } from './auth.js';
export { smsAdminPages } from './sms-pages.js';
export type { SmsAdminDeps } from './deps.js';
