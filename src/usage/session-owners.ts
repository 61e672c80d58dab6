/**
 * Which voucher and device a new accounting session belongs to, when the insert could not tell
 * (SessionsRepository.insertManyIfAbsent places our Class and the full code as User-Name for the
 * whole batch in its one statement): User-Name as a short code, else the device of the MAC
 * (User-Name for MAC authentication, or Calling-Station-Id), looked up one by one. No owner
 * found means an unknown user: the session is kept, apart.
 */
import { parseMac, type DeviceAccessRepository } from '../devices/index.js';
import type { VoucherAccessRepository } from '../vouchers/index.js';
import type { AccountingRecord } from './accounting-record.js';

export async function ownerNotPlacedByInsert(
  vouchers: VoucherAccessRepository,
  devices: DeviceAccessRepository,
  record: AccountingRecord,
): Promise<{ voucherId: number; deviceId: number | null } | undefined> {
  const mac = record.callingStationId ? parseMac(record.callingStationId) : undefined;
  const name = record.userName.trim();
  const voucher = name ? await vouchers.findByShortCode(record.tenantId, name) : undefined;
  if (voucher) {
    const deviceId = mac
      ? ((await devices.findOnVoucher(record.tenantId, voucher.id, mac))?.id ?? null)
      : null;
    return { voucherId: voucher.id, deviceId };
  }
  const byMac = (name ? parseMac(name) : undefined) ?? mac;
  if (byMac) {
    const device = (await devices.findByMac(record.tenantId, byMac))[0];
    if (device) return { voucherId: device.voucher_id, deviceId: device.id };
  }
  return undefined;
}
