/**
 * The REST API at /api/v1: bearer API tokens, TypeBox request and response schemas (the TypeBox
 * type provider types each route from them), the OpenAPI document at /api/v1/openapi.json,
 * problem+json errors, one pagination shape. `restApi` sets up the scope (fastify-plugin);
 * route plugins of this and other modules are registered beside it in the same `/api/v1` scope
 * (every route needs `schema` with querystring/body and response).
 */
export { restApi, type ApiOptions } from './plugin.js';
export { noContent } from './kit.js';
export { settingsRoutes, type SettingsDocument } from './settings.js';
export * as apiSchemas from './schemas.js';
export { smsApiRoutes } from './routes/sms.js';
export { devicesApiRoutes } from './routes/devices.js';
