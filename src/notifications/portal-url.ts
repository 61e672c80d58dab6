/** The tenant's portal URL for SMS links: its public URL, else the deployment's, else its first host name. */
import type { Tenant } from '../store/index.js';

export async function portalUrlFor(
  tenant: Tenant,
  fallback: { publicUrl: string | undefined; hostsOf: (tenantId: number) => Promise<string[]>; port: number },
): Promise<string> {
  const base =
    tenant.public_url?.replace(/\/+$/, '') ||
    fallback.publicUrl ||
    (await fallback.hostsOf(tenant.id).then((hosts) => (hosts[0] ? `https://${hosts[0]}` : undefined))) ||
    `http://localhost:${fallback.port}`;
  return `${base}/portal`;
}
