import type { Tenant } from '../store/index.js';
import type { TenantsRepository } from './repository.js';

const HOST_CACHE_MS = 10_000;

/**
 * Whether a host name no tenant claims gets the default tenant: 'auto' while the instance has one
 * tenant (a single-tenant install answers on any name) and not once a second exists; 'on' always;
 * 'off' never.
 */
export type HostFallback = 'auto' | 'on' | 'off';

/** Names that always reach the default tenant: the machine itself (an operator on the box). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface TenantResolverOptions {
  fallback?: HostFallback;
  /** The instance's public origin (PORTICO_PUBLIC_URL): its host reaches the default tenant. */
  publicUrl?: string;
}

/** Picks the tenant that serves a request from its host name. */
export class TenantResolver {
  private cache = new Map<string, { tenant: Tenant | undefined; untilMs: number }>();

  constructor(
    private readonly tenants: TenantsRepository,
    private readonly nowMs: () => number = Date.now,
    private readonly options: TenantResolverOptions = {},
  ) {}

  /**
   * The tenant whose host name matches (port ignored, case-insensitive); else the default tenant
   * on its own names (loopback, its public URL's host, PORTICO_PUBLIC_URL's) and, when the
   * fallback allows, on any name; else undefined (the caller answers 404). Cached briefly.
   */
  async resolve(hostHeader: string | undefined): Promise<Tenant | undefined> {
    const host = normalizeHost(hostHeader);
    const cached = this.cache.get(host);
    if (cached && cached.untilMs > this.nowMs()) return cached.tenant;
    const tenant = (host ? await this.tenants.findByHost(host) : undefined) ?? (await this.fallbackFor(host));
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(host, { tenant, untilMs: this.nowMs() + HOST_CACHE_MS });
    return tenant;
  }

  private async fallbackFor(host: string): Promise<Tenant | undefined> {
    const fallback = await this.tenants.findDefault();
    if (!fallback) return undefined;
    if (LOOPBACK_HOSTS.has(host)) return fallback;
    const own = [this.options.publicUrl, fallback.public_url].map((url) => hostOfUrl(url));
    if (host && own.includes(host)) return fallback;
    const mode = this.options.fallback ?? 'auto';
    if (mode === 'on') return fallback;
    if (mode === 'off') return undefined;
    return (await this.tenants.count()) <= 1 ? fallback : undefined;
  }

  invalidate(): void {
    this.cache.clear();
  }
}

function hostOfUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return normalizeHost(new URL(url).host);
  } catch {
    return undefined;
  }
}

export function normalizeHost(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.replace(/:\d+$/, '');
}
