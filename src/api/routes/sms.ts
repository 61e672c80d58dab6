/**
 * REST API of the SMS features (an ApiExtension under /api/v1): /sms-gateways, /sms-messages,
 * /settings/portal and /settings/notifications. Gateway secrets are write-only: answers list
 * which are set (`secretsSet`) and never their values; login codes are masked in messages.
 * Each group of routes lives in its own sms-*.ts file beside this one.
 */
import type { ApiExtension, ApiInstance, ApiKit } from '../kit.js';
import { smsGatewaysApi } from './sms-gateways.js';
import { smsMessagesApi } from './sms-messages.js';
import { smsSettingsApi } from './sms-settings.js';
import type { SmsAdminDeps } from '../../admin/index.js';

export function smsApiRoutes(deps: SmsAdminDeps): ApiExtension {
  return async (api: ApiInstance, kit: ApiKit) => {
    await smsGatewaysApi(api, deps, kit);
    await smsMessagesApi(api, deps);
    await smsSettingsApi(api, deps, kit);
  };
}
