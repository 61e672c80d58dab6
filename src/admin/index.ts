/**
 * The operator admin area at /admin (server-rendered pages) and the REST API at /api/v1.
 *
 * Other modules add pages with an `AdminPagesExtension`: `(admin, kit) => { admin.get('/admin/x',
 * (req, reply) => kit.render(req, reply, { title, body })) }`. Inside, every request has
 * `request.actor` (signed in), every POST is CSRF-checked (form field `_csrf` = `kit.csrf(reply)`),
 * and changes must use `preHandler: kit.requireWrite`. API routes are added the same way with an
 * `ApiExtension` (see ../api/index.ts).
 */
export { registerAdmin, type AdminOptions } from './plugin.js';
export { ADMIN_COOKIE } from './auth.js';
export type { AdminKit, AdminPagesExtension, PageOptions } from './kit.js';
export type { AdminDeps } from './deps.js';
export { DashboardQueries } from './dashboard-queries.js';
export { SetupProgressQueries } from './setup-progress.js';
export { NAV, type NavItem } from './views/layout.js';
export * as ui from './views/components.js';
export { actorOf, operatorActor, requireOwner, requireSuper, requireWrite } from './auth.js';
export { smsAdminPages } from './sms-pages.js';
export type { SmsAdminDeps } from './deps.js';
