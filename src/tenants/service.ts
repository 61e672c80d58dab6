import type { Tenant } from '../store/index.js';
import type { TenantsRepository } from './repository.js';

const HOST_CACHE_MS = 10_000;

/** Picks the tenant that serves a request from its host name. */
export class TenantResolver {
  private cache = new Map<string, { tenant: Tenant | undefined; untilMs: number }>();

  constructor(
    private readonly tenants: TenantsRepository,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /**
   * The tenant whose host name matches (port ignored, case-insensitive), else the default tenant
   * of a single-tenant install, else undefined. Cached briefly: host names change rarely.
   */
  async resolve(hostHeader: string | undefined): Promise<Tenant | undefined> {
    const host = normalizeHost(hostHeader);
    const cached = this.cache.get(host);
    if (cached && cached.untilMs > this.nowMs()) return cached.tenant;
    const tenant =
      (host ? await this.tenants.findByHost(host) : undefined) ?? (await this.tenants.findDefault());
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(host, { tenant, untilMs: this.nowMs() + HOST_CACHE_MS });
    return tenant;
  }

  invalidate(): void {
    this.cache.clear();
  }
}

export function normalizeHost(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.replace(/:\d+$/, '');
}
