/**
 * The REST API at /api/v1: bearer API tokens, TypeBox request and response schemas, the OpenAPI
 * document at /api/v1/openapi.json, problem+json errors, one pagination shape. Other modules add
 * routes with an `ApiExtension` (every route needs `schema` with querystring/body and response).
 */
export { registerApi, type ApiOptions } from './plugin.js';
export { noContent, type ApiExtension, type ApiInstance, type ApiKit } from './kit.js';
export * as apiSchemas from './schemas.js';
export { smsApiRoutes } from './routes/sms.js';
export { devicesApiRoutes } from './routes/devices.js';
