/**
 * The tenant's portal address for links in SMS, and where it came from, so Config > Portal can
 * say it. In order: the tenant's public URL, the deployment's (PORTICO_PUBLIC_URL), the tenant's
 * first host name, the address an admin last signed in at (the operator reached Portico there,
 * so it is the best guess a guest's phone can too), else this machine's first network address.
 * Never a made-up "localhost": a guest's phone cannot reach it.
 */
import os from 'node:os';
import type { Tenant } from '../store/index.js';

export type PortalUrlSource = 'tenant' | 'deployment' | 'host' | 'admin' | 'network';

export interface PortalAddress {
  url: string;
  source: PortalUrlSource;
}

export interface PortalUrlFallback {
  publicUrl: string | undefined;
  hostsOf: (tenantId: number) => Promise<string[]>;
  /** The origin an admin last signed in at, '' when none yet. */
  adminOriginOf: (tenantId: number) => Promise<string>;
  port: number;
  /** This machine's addresses (os.networkInterfaces by default; tests pass their own). */
  networkInterfaces?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
}

export async function portalAddressFor(tenant: Tenant, fallback: PortalUrlFallback): Promise<PortalAddress> {
  const at = (base: string, source: PortalUrlSource) => ({
    url: `${base.replace(/\/+$/, '')}/portal`,
    source,
  });
  if (tenant.public_url) return at(tenant.public_url, 'tenant');
  if (fallback.publicUrl) return at(fallback.publicUrl, 'deployment');
  const [host] = await fallback.hostsOf(tenant.id);
  if (host) return at(`https://${host}`, 'host');
  const adminOrigin = await fallback.adminOriginOf(tenant.id);
  if (adminOrigin) return at(adminOrigin, 'admin');
  return at(
    `http://${machineAddress(fallback.networkInterfaces ?? os.networkInterfaces)}:${fallback.port}`,
    'network',
  );
}

export async function portalUrlFor(tenant: Tenant, fallback: PortalUrlFallback): Promise<string> {
  return (await portalAddressFor(tenant, fallback)).url;
}

/** The first external IPv4 address (IPv6 in brackets), else 127.0.0.1. */
function machineAddress(interfaces: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>): string {
  const all = Object.values(interfaces()).flatMap((list) => list ?? []);
  const v4 = all.find((i) => !i.internal && i.family === 'IPv4');
  if (v4) return v4.address;
  const v6 = all.find((i) => !i.internal && i.family === 'IPv6' && !i.address.startsWith('fe80'));
  return v6 ? `[${v6.address}]` : '127.0.0.1';
}
