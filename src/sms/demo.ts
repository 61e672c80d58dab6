/**
 * For the demo seed: gives a tenant the `log` gateway (SMS are written to the server log) and
 * turns on status page notifications. Idempotent. Takes only the database so the seed can call
 * it before the app's modules are built: `await seedDemoSms(db, tenantId, nowMs)`.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import { TenantsRepository } from '../tenants/index.js';
import { SmsRepository } from './repository.js';

export async function seedDemoSms(db: Kysely<Database>, tenantId: number, nowMs: number): Promise<void> {
  const sms = new SmsRepository(db);
  const tenants = new TenantsRepository(db);
  const gateways = await sms.listGateways(tenantId);
  if (!gateways.some((g) => g.type === 'log')) {
    await sms.insertGateway({
      tenantId,
      name: 'Server log (demo)',
      type: 'log',
      settingsJson: '{}',
      isEnabled: true,
      nowMs,
    });
  }
  const notifications = await tenants.getSettings(tenantId, 'notifications');
  await tenants.putSettings(tenantId, 'notifications', { ...notifications, statusPageEnabled: true }, nowMs);
}
