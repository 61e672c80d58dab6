export { TenantsRepository } from './repository.js';
export { TenantResolver, normalizeHost } from './service.js';
export * from './settings.js';
