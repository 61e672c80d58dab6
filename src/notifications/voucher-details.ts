/** "Send the voucher's details to its customer by SMS": one message through the SMS outbox. */
import { AppError, dayInZone, formatBytes, formatDuration } from '../shared/index.js';
import type { Tenant } from '../store/index.js';
import type { VoucherView } from '../vouchers/index.js';

/** What sending a voucher's details needs (wired in the composition root). */
export interface VoucherDetailsDeps {
  vouchers: { get(tenantId: number, voucherId: number): Promise<VoucherView> };
  customers: { get(tenantId: number, customerId: number): Promise<{ id: number; phone: string }> };
  /** The SMS outbox and its gateway check. */
  sender: {
    enqueue(sms: {
      tenantId: number;
      customerId: number | null;
      type: 'voucher_details';
      recipient: string;
      text: string;
    }): Promise<unknown>;
    hasEnabledGateway(tenantId: number): Promise<boolean>;
  };
  /** The tenant's portal address for the link in the text. */
  portalUrl(tenant: Tenant): Promise<string>;
}

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

export class VoucherDetailsSms {
  constructor(private readonly deps: VoucherDetailsDeps) {}

  /** Queues the SMS to the voucher's customer: CONFLICT without a customer, SMS_NO_GATEWAY without a gateway. */
  async send(tenant: Tenant, voucherId: number): Promise<void> {
    const { deps } = this;
    const voucher = await deps.vouchers.get(tenant.id, voucherId);
    if (voucher.customerId === null) throw new AppError('CONFLICT', 'Assign the voucher to a customer first');
    const customer = await deps.customers.get(tenant.id, voucher.customerId);
    if (!(await deps.sender.hasEnabledGateway(tenant.id)))
      throw new AppError('SMS_NO_GATEWAY', 'No SMS gateway is enabled: add one under Config > SMS gateways');
    await deps.sender.enqueue({
      tenantId: tenant.id,
      customerId: customer.id,
      type: 'voucher_details',
      recipient: customer.phone,
      text: voucherDetailsText(tenant, voucher, await deps.portalUrl(tenant)),
    });
  }
}
