/**
 * For the demo seed: gives a tenant the `log` gateway (SMS are written to the server log) and
 * turns on status page notifications. Idempotent.
 */
import type { TenantsRepository } from '../tenants/index.js';
import type { SmsService } from './service.js';

export async function seedDemoSms(
  deps: { sms: SmsService; tenants: TenantsRepository; nowMs: number },
  tenantId: number,
): Promise<void> {
  const gateways = await deps.sms.listGateways(tenantId);
  if (!gateways.some((g) => g.type === 'log')) {
    await deps.sms.createGateway(tenantId, {
      name: 'Server log (demo)',
      type: 'log',
      settings: {},
      enabled: true,
    });
  }
  const notifications = await deps.tenants.getSettings(tenantId, 'notifications');
  await deps.tenants.putSettings(
    tenantId,
    'notifications',
    { ...notifications, statusPageEnabled: true },
    deps.nowMs,
  );
}
