/**
 * REST API of the SMS features (a plugin for the /api/v1 scope): /sms-gateways, /sms-messages,
 * /settings/portal and /settings/notifications. Gateway secrets are write-only: answers list
 * which are set (`secretsSet`) and never their values; login codes are masked in messages.
 * Each group of routes lives in its own sms-*.ts file beside this one; their services are
 * `api.smsAdminDeps` (decorated by the composition root).
 */
import type { FastifyPluginAsync } from 'fastify';
import { smsGatewaysApi } from './sms-gateways.js';
import { smsMessagesApi } from './sms-messages.js';
import { smsSettingsApi } from './sms-settings.js';

export const smsApiRoutes: FastifyPluginAsync = async (api) => {
  await api.register(smsGatewaysApi);
  await api.register(smsMessagesApi);
  await api.register(smsSettingsApi);
};
