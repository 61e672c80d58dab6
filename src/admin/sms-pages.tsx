/**
 * Admin pages of the SMS features: Config > SMS gateways (add, edit, enable, order, delete,
 * test send), Config > Portal (OTP and devices block, OTP limits), Config > Notifications (status
 * page SMS with a preview for a real customer), Config > SMS texts (voucher details and sign-in
 * code, per language, with previews) and Logs > SMS Logs (filters, detail view).
 * Registered as an AdminPagesExtension: auth, CSRF and the layout come from the admin shell.
 * Each page lives in its own file under pages/.
 */
import type { FastifyInstance } from 'fastify';
import type { SmsAdminDeps } from './deps.js';
import type { AdminKit, AdminPagesExtension } from './kit.js';
import { configNotificationsPage } from './pages/config-notifications.js';
import { configPortalPage } from './pages/config-portal.js';
import { configSmsTextsPage } from './pages/config-sms-texts.js';
import { smsGatewaysPages } from './pages/sms-gateways.js';
import { smsLogPages } from './pages/sms-log.js';

export type { SmsAdminDeps } from './deps.js';

export function smsAdminPages(deps: SmsAdminDeps): AdminPagesExtension {
  return async (admin: FastifyInstance, kit: AdminKit) => {
    await smsGatewaysPages(admin, deps, kit);
    await configPortalPage(admin, deps, kit);
    await configNotificationsPage(admin, deps, kit);
    await configSmsTextsPage(admin, deps, kit);
    await smsLogPages(admin, deps, kit);
  };
}
