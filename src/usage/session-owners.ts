/**
 * Which voucher and device a new accounting session belongs to (read side of the batch writer).
 * One statement answers the common cases for the whole batch (our Class, or the full code as
 * User-Name); the rest (short code, MAC as User-Name, a Class naming a voucher that is gone) are
 * looked up one by one. No owner found means an unknown user: the session is kept, apart.
 */
import { parseMac, type DeviceAccessRepository } from '../devices/index.js';
import type { VoucherAccessRepository } from '../vouchers/index.js';
import { decodeClassTag, type AccountingRecord } from './accounting-record.js';
import { macOf, type SessionOwner } from './batch-plan.js';

/** What the one-statement owner lookup is asked about a new session's first packet. */
export interface OwnerQuery {
  tenantId: number;
  tagVoucherId: number | null;
  tagDeviceId: number | null;
  code: string;
  mac: string | null;
}

/** What the one-statement owner lookup answers (null where there is none). */
export interface OwnerFacts {
  tagVoucherId: number | null;
  tagDeviceId: number | null;
  tagMacDeviceId: number | null;
  codeVoucherId: number | null;
  codeMacDeviceId: number | null;
}

export function ownerQuery(record: AccountingRecord): OwnerQuery {
  const tag = decodeClassTag(record.classTag);
  return {
    tenantId: record.tenantId,
    tagVoucherId: tag?.voucherId ?? null,
    tagDeviceId: tag?.deviceId ?? null,
    code: record.userName.trim(),
    mac: macOf(record),
  };
}

/**
 * The owner the common cases decide from the lookup's facts: our Class (its device if it still
 * exists, else the device with the packet's MAC on that voucher), else the full code as
 * User-Name. Undefined when neither answers: the writer then tries the short code and the MAC
 * one by one.
 */
export function ownerFromFacts(query: OwnerQuery, facts: OwnerFacts): SessionOwner | undefined {
  if (facts.tagVoucherId !== null) {
    const deviceId = (query.tagDeviceId !== null ? facts.tagDeviceId : null) ?? facts.tagMacDeviceId;
    return { voucherId: facts.tagVoucherId, deviceId };
  }
  if (facts.codeVoucherId !== null)
    return { voucherId: facts.codeVoucherId, deviceId: facts.codeMacDeviceId };
  return undefined;
}

/** The owners of new sessions, in the order of their first packets. */
export async function resolveOwners(
  vouchers: VoucherAccessRepository,
  devices: DeviceAccessRepository,
  firsts: readonly AccountingRecord[],
): Promise<SessionOwner[]> {
  const queries = firsts.map(ownerQuery);
  const facts = await vouchers.findSessionOwnerFacts(queries);
  const owners: SessionOwner[] = [];
  for (const [i, record] of firsts.entries())
    owners.push(ownerFromFacts(queries[i]!, facts[i]!) ?? (await resolveOwner(vouchers, devices, record)));
  return owners;
}

/** One session's owner: our Class, else User-Name as code or short code, else the MAC's device. */
async function resolveOwner(
  vouchers: VoucherAccessRepository,
  devices: DeviceAccessRepository,
  record: AccountingRecord,
): Promise<SessionOwner> {
  const mac = record.callingStationId ? parseMac(record.callingStationId) : undefined;
  const tag = decodeClassTag(record.classTag);
  if (tag) {
    const voucher = await vouchers.findById(record.tenantId, tag.voucherId);
    if (voucher) {
      let deviceId = tag.deviceId;
      if (deviceId !== null && !(await devices.findById(record.tenantId, deviceId))) deviceId = null;
      if (deviceId === null && mac)
        deviceId = (await devices.findOnVoucher(record.tenantId, voucher.id, mac))?.id ?? null;
      return { voucherId: voucher.id, deviceId };
    }
  }
  const name = record.userName.trim();
  const voucher =
    (await vouchers.findByCode(record.tenantId, name)) ??
    (await vouchers.findByShortCode(record.tenantId, name));
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
  return { voucherId: null, deviceId: null };
}
