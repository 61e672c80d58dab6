/**
 * Admin pages of the SMS features: Config > SMS gateways (add, edit, enable, order, delete,
 * test send), Config > Portal (OTP and devices block, OTP limits), Config > Notifications (status
 * page SMS with a preview for a real customer), Config > SMS texts (voucher details and sign-in
 * code, per language, with previews) and Logs > SMS Logs (filters, detail view).
 * A plugin for the admin scope (beside adminArea: auth, CSRF and the layout come from there);
 * its services are `admin.smsAdminDeps`, decorated by the composition root.
 * Each page lives in its own file under pages/.
 */
import type { FastifyPluginAsync } from 'fastify';
import { adminKit as kit } from './kit.js';
import { configNotificationsPage } from './pages/config-notifications.js';
import { configPortalPage } from './pages/config-portal.js';
import { configSmsTextsPage } from './pages/config-sms-texts.js';
import { smsGatewaysPages } from './pages/sms-gateways.js';
import { smsLogPages } from './pages/sms-log.js';

export type { SmsAdminDeps } from './deps.js';

export const smsAdminPages: FastifyPluginAsync = async (admin) => {
  const deps = admin.smsAdminDeps;
  await smsGatewaysPages(admin, deps, kit);
  await configPortalPage(admin, deps, kit);
  await configNotificationsPage(admin, deps, kit);
  await configSmsTextsPage(admin, deps, kit);
  await smsLogPages(admin, deps, kit);
};
