/**
 * REST API of the SMS features (an ApiExtension under /api/v1): /sms-gateways, /sms-messages,
 * /settings/portal and /settings/notifications. Gateway secrets are write-only: answers list
 * which are set (`secretsSet`) and never their values; login codes are masked in messages.
 * Each group of routes lives in its own file under api/.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiExtension, ApiKit } from '../api/plugin.js';
import { smsGatewaysApi } from './api/sms-gateways.js';
import { smsMessagesApi } from './api/sms-messages.js';
import { smsSettingsApi } from './api/sms-settings.js';
import type { SmsAdminDeps } from './deps.js';

export function smsApiRoutes(deps: SmsAdminDeps): ApiExtension {
  return async (api: FastifyInstance, kit: ApiKit) => {
    await smsGatewaysApi(api, deps, kit);
    await smsMessagesApi(api, deps);
    await smsSettingsApi(api, deps, kit);
  };
}
