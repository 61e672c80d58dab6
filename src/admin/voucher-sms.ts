/** "Send the voucher's details to its customer by SMS": one message through the SMS outbox. */
import { AppError, dayInZone, formatBytes, formatDuration } from '../shared/index.js';
import type { Tenant } from '../store/index.js';
import type { VoucherView } from '../vouchers/index.js';
import type { AdminDeps } from './deps.js';

/** The SMS text: code first (what the guest types), then the limits in plain words. */
export function voucherDetailsText(tenant: Tenant, v: VoucherView, portalUrl?: string): string {
  const limits = [
    v.dataLimitBytes !== null ? `${formatBytes(v.dataLimitBytes)} data` : null,
    v.timeLimitSeconds !== null ? `${formatDuration(v.timeLimitSeconds)} online` : null,
    v.validUntilAtMs !== null
      ? `valid until ${dayInZone(v.validUntilAtMs, tenant.time_zone)}`
      : v.validitySeconds !== null
        ? `valid ${formatDuration(v.validitySeconds)} after first use`
        : null,
  ].filter(Boolean);
  const usage = portalUrl ? ` Your usage: ${portalUrl}` : '';
  return `${tenant.name}: your Wi-Fi voucher code is ${v.code}. ${v.planTitle}${limits.length ? ` (${limits.join(', ')})` : ''}.${usage}`;
}

export async function sendVoucherDetails(deps: AdminDeps, tenant: Tenant, voucherId: number): Promise<void> {
  const voucher = await deps.vouchers.get(tenant.id, voucherId);
  if (voucher.customerId === null) throw new AppError('CONFLICT', 'Assign the voucher to a customer first');
  const customer = await deps.customers.get(tenant.id, voucher.customerId);
  if (!(await deps.smsSender.hasEnabledGateway(tenant.id)))
    throw new AppError('SMS_NO_GATEWAY', 'No SMS gateway is enabled: add one under Config > SMS gateways');
  await deps.smsSender.enqueue({
    tenantId: tenant.id,
    customerId: customer.id,
    type: 'voucher_details',
    recipient: customer.phone,
    text: voucherDetailsText(tenant, voucher, await deps.smsSender.portalUrl(tenant)),
  });
}
