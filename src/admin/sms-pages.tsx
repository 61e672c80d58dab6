/**
 * Admin pages of the SMS features: Config > SMS gateways (add, edit, enable, order, delete,
 * test send), Config > Portal (OTP and devices block, OTP limits), Config > Notifications (status
 * page SMS with a preview for a real customer), Config > SMS texts (voucher details and sign-in
 * code, per language, with previews) and Logs > SMS Logs (filters, detail view).
 * A plugin for the admin scope (beside adminArea: auth, CSRF and the layout come from there);
 * each page plugin reads `admin.smsAdminDeps`, decorated by the composition root.
 * Each page lives in its own file under pages/.
 */
import type { FastifyPluginAsync } from 'fastify';
import { configNotificationsPage } from './pages/config-notifications.js';
import { configPortalPage } from './pages/config-portal.js';
import { configSmsTextsPage } from './pages/config-sms-texts.js';
import { smsGatewaysPages } from './pages/sms-gateways.js';
import { smsLogPages } from './pages/sms-log.js';

export type { SmsAdminDeps } from './deps.js';

export const smsAdminPages: FastifyPluginAsync = async (admin) => {
  await admin.register(smsGatewaysPages);
  await admin.register(configPortalPage);
  await admin.register(configNotificationsPage);
  await admin.register(configSmsTextsPage);
  await admin.register(smsLogPages);
};
