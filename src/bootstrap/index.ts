/**
 * First-start work: the default tenant of a fresh install and, when asked for, the demo data.
 * Safe to run on every start and from several processes: it only acts on an empty database.
 */
import type { Config } from '../config/index.js';
import { DEMO, seedDemo } from '../demo/index.js';
import type { Clock } from '../shared/index.js';
import { seedDemoSms } from '../sms/index.js';
import type { Store, Tenant } from '../store/index.js';
import type { TenantsRepository } from '../tenants/index.js';

export interface BootstrapResult {
  tenant: Tenant;
  createdTenant: boolean;
  seededDemo: boolean;
}

/**
 * Ensures a default tenant exists. On a database with no tenants it creates one, and seeds the
 * demo into it when `config.demo` is 'always', or 'auto' with the embedded database.
 */
export async function bootstrap(
  config: Readonly<Config>,
  store: Store,
  tenants: TenantsRepository,
  clock: Clock,
): Promise<BootstrapResult> {
  const existing = await tenants.findDefault();
  if (existing) return { tenant: existing, createdTenant: false, seededDemo: false };
  const seed = config.demo === 'always' || (config.demo === 'auto' && config.databaseIsEmbedded);
  const nowMs = clock.nowMs();
  let tenant: Tenant;
  try {
    tenant = await tenants.create({
      slug: 'default',
      name: seed ? 'Portico Demo Wi-Fi' : 'My Wi-Fi',
      defaultCountry: 'US',
      locale: 'en-US',
      timeZone: seed ? 'America/New_York' : 'UTC',
      currency: 'USD',
      publicUrl: config.publicUrl ?? null,
      isDefault: true,
      hosts: [],
      nowMs,
    });
  } catch (error) {
    // Another process created it first (unique slug): use theirs.
    const winner = await tenants.findDefault();
    if (!winner) throw error;
    return { tenant: winner, createdTenant: false, seededDemo: false };
  }
  if (seed) {
    await seedDemo(store.db, tenant.id, nowMs);
    // The demo texts through the `log` gateway (the server log), with status-page SMS on.
    await seedDemoSms(store.db, tenant.id, nowMs);
  }
  return { tenant, createdTenant: true, seededDemo: seed };
}

/** What to print after the first start so a person can try Portico at once. */
export function demoInstructions(httpUrl: string): string {
  return [
    'Demo tenant ready:',
    `  portal sign-in: ${DEMO.customerPhone} (or ${DEMO.otherCustomerPhone}) at ${httpUrl}/portal`,
    `  RADIUS: hotspot ${DEMO.hotspotIp}, secret "${DEMO.hotspotSecret}", voucher ${DEMO.newVoucherCode}`,
  ].join('\n');
}

export { checkSharedSecret, SecretMismatchError, secretFingerprint } from './secret-check.js';
