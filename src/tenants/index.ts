export { TenantsRepository } from './repository.js';
export { TenantResolver, normalizeHost, type HostFallback, type TenantResolverOptions } from './service.js';
export * from './settings.js';
