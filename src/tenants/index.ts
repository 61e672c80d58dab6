export { TenantsRepository } from './repository.js';
export { TenantResolver, normalizeHost, type HostFallback, type TenantResolverOptions } from './service.js';
export * from './settings.js';
export {
  TenantsAdminService,
  type NewTenant,
  type OwnerAccounts,
  type TenantDetails,
} from './admin-service.js';
