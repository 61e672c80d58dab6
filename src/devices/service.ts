/**
 * Associated devices: the MAC addresses bound to a voucher. Customers (through the portal, only
 * when the tenant allows it) and operators add, edit and remove them; every change is audited;
 * removing or replacing a MAC disconnects its live sessions at the hotspot.
 */
import type { Device } from '../store/index.js';
import {
  AppError,
  cleanName,
  countOf,
  notFound,
  type Clock,
  type Page,
  type PageRequest,
} from '../shared/index.js';
import { isRandomizedMac, parseDeviceMac } from './mac.js';
import type { DeviceActor, DeviceEvent, DisconnectSummary } from './model.js';
import {
  LIVE_VOUCHER_STATUSES,
  type DeviceEventCursor,
  type DeviceEventFilter,
  type DevicesRepository,
} from './repository.js';

/**
 * Port to the RADIUS side: disconnect every live session of a MAC on a voucher and report what
 * the hotspot said. Implemented by the RADIUS Disconnect client and wired in app.ts.
 */
export interface DeviceSessionTerminator {
  disconnectMac(tenantId: number, voucherId: number, mac: string, reason: string): Promise<DisconnectSummary>;
  /**
   * How the disconnect of `mac` on the voucher asked for at `sinceMs` stands now, from what is
   * stored: checking (first exchange under way), confirmed, pending (not confirmed, retried) or
   * none (nothing was online).
   */
  progress(tenantId: number, voucherId: number, mac: string, sinceMs: number): Promise<DisconnectProgress>;
}

export type DisconnectProgress = 'none' | 'checking' | 'confirmed' | 'pending';

export const NO_SESSIONS: DisconnectSummary = { sessions: 0, confirmed: 0, unconfirmed: 0 };

/** devices.title is varchar(100): the API, the forms and this check allow the same. */
const TITLE_MAX_CHARS = 100;

export interface DeviceDetails extends Device {
  /** Start of the device's oldest open session, or null when offline. */
  online_since_at: number | null;
  last_hotspot_title: string | null;
}

export interface DevicesOverview {
  voucherId: number;
  devicesLimit: number;
  /** Devices can be added or changed only on a live voucher (new, active, online). */
  live: boolean;
  devices: DeviceDetails[];
  events: DeviceEvent[];
}

/**
 * Customers may manage devices only when the portal asks for an SMS code (so the person is the
 * phone's owner) and the operator shows the block. Checked on every request, not only in views.
 */
export function customerDevicesEnabled(portal: { otpEnabled: boolean; showDevices: boolean }): boolean {
  return portal.otpEnabled && portal.showDevices;
}

export class DevicesService {
  constructor(
    private readonly devices: DevicesRepository,
    private readonly terminator: DeviceSessionTerminator,
    private readonly clock: Clock,
  ) {}

  /** Devices of a voucher the actor may see (a customer: only their own voucher). */
  async list(tenantId: number, actor: DeviceActor, voucherId: number): Promise<Device[]> {
    await this.voucherFor(tenantId, actor, voucherId);
    return this.devices.listByVoucher(tenantId, voucherId);
  }

  async add(
    tenantId: number,
    actor: DeviceActor,
    voucherId: number,
    input: { mac: string; title?: string | null },
  ): Promise<Device> {
    const voucher = await this.liveVoucherFor(tenantId, actor, voucherId);
    const mac = parseDeviceMac(input.mac);
    const title = cleanTitle(input.title);
    const existing = await this.devices.listByVoucher(tenantId, voucherId);
    if (existing.some((d) => d.mac === mac)) {
      throw new AppError('MAC_ALREADY_ON_VOUCHER', `${mac} is already on this voucher.`);
    }
    if (existing.length >= voucher.devices_limit) {
      throw new AppError(
        'VOUCHER_DEVICE_LIMIT',
        `This voucher can be used by ${deviceLimitText(voucher.devices_limit)}. Remove one before adding another.`,
        { limit: voucher.devices_limit },
      );
    }
    await this.refuseMacOnOtherLiveVoucher(tenantId, mac, voucherId);
    const device = await this.devices.insert({
      tenantId,
      voucherId,
      mac,
      title,
      addedBy: actor.kind,
      isRandomized: isRandomizedMac(mac),
      nowMs: this.clock.nowMs(),
    });
    // Two adds racing (two tabs, two processes) could both pass the check above: recount after
    // the insert and take ours back if the voucher went over its limit.
    if ((await this.devices.countOnVoucher(tenantId, voucherId)) > voucher.devices_limit) {
      await this.devices.delete(tenantId, device.id);
      await this.devices.touchPortal(voucherId);
      throw new AppError(
        'VOUCHER_DEVICE_LIMIT',
        `This voucher can be used by ${deviceLimitText(voucher.devices_limit)}.`,
        {
          limit: voucher.devices_limit,
        },
      );
    }
    await this.audit(tenantId, actor, voucherId, device.id, 'added', { mac, title });
    return device;
  }

  /**
   * Changes a device's title and/or MAC. A new MAC is a replacement: the old MAC loses access at
   * once and its live sessions are disconnected.
   */
  async edit(
    tenantId: number,
    actor: DeviceActor,
    voucherId: number,
    deviceId: number,
    input: { mac?: string; title?: string | null },
  ): Promise<{ device: Device; disconnect: DisconnectSummary }> {
    await this.liveVoucherFor(tenantId, actor, voucherId);
    const device = await this.devices.findOnVoucher(tenantId, voucherId, deviceId);
    if (!device) throw notFound('Device');
    const title = input.title === undefined ? undefined : cleanTitle(input.title);
    const newMac = input.mac === undefined ? undefined : parseDeviceMac(input.mac);
    const replacing = newMac !== undefined && newMac !== device.mac;
    if (replacing) {
      const others = await this.devices.listByVoucher(tenantId, voucherId);
      if (others.some((d) => d.id !== deviceId && d.mac === newMac)) {
        throw new AppError('MAC_ALREADY_ON_VOUCHER', `${newMac} is already on this voucher.`);
      }
      await this.refuseMacOnOtherLiveVoucher(tenantId, newMac, voucherId);
    }
    await this.devices.update(tenantId, deviceId, {
      ...(replacing ? { mac: newMac, isRandomized: isRandomizedMac(newMac) } : {}),
      ...(title !== undefined ? { title } : {}),
    });
    await this.audit(tenantId, actor, voucherId, deviceId, replacing ? 'replaced' : 'edited', {
      ...(replacing ? { fromMac: device.mac, toMac: newMac } : { mac: device.mac }),
      ...(title !== undefined ? { title } : {}),
    });
    const disconnect = replacing
      ? await this.terminator.disconnectMac(tenantId, voucherId, device.mac, 'device_replaced')
      : NO_SESSIONS;
    const updated = await this.devices.findOnVoucher(tenantId, voucherId, deviceId);
    return { device: updated ?? device, disconnect };
  }

  /** Removes a device: it loses access at once and its live sessions are disconnected. */
  async remove(
    tenantId: number,
    actor: DeviceActor,
    voucherId: number,
    deviceId: number,
  ): Promise<{ device: Device; disconnect: DisconnectSummary }> {
    const device = await this.deviceFor(tenantId, actor, voucherId, deviceId);
    // Delete first: from this moment MAC authentication refuses it, so it cannot log back in
    // between the disconnect and the delete.
    await this.devices.delete(tenantId, deviceId);
    await this.audit(tenantId, actor, voucherId, deviceId, 'removed', {
      mac: device.mac,
      title: device.title,
    });
    const disconnect = await this.terminator.disconnectMac(tenantId, voucherId, device.mac, 'device_removed');
    return { device, disconnect };
  }

  /**
   * Ends a device's live sessions at the hotspot without removing it (it may log back in).
   * Audited like a change, so the trail shows who cut a device off and when.
   */
  async disconnect(
    tenantId: number,
    actor: DeviceActor,
    voucherId: number,
    deviceId: number,
  ): Promise<{ device: Device; disconnect: DisconnectSummary }> {
    const device = await this.deviceFor(tenantId, actor, voucherId, deviceId);
    const disconnect = await this.terminator.disconnectMac(tenantId, voucherId, device.mac, 'operator');
    await this.audit(tenantId, actor, voucherId, deviceId, 'disconnected', {
      mac: device.mac,
      sessions: disconnect.sessions,
      confirmed: disconnect.confirmed,
    });
    return { device, disconnect };
  }

  /**
   * How a removal, replacement or disconnect of `mac` asked for at `sinceMs` stands now (a page
   * polling for the outcome, or reloaded). A customer: only their own voucher.
   */
  async disconnectProgress(
    tenantId: number,
    actor: DeviceActor,
    voucherId: number,
    mac: string,
    sinceMs: number,
  ): Promise<DisconnectProgress> {
    await this.voucherFor(tenantId, actor, voucherId);
    return this.terminator.progress(tenantId, voucherId, mac, sinceMs);
  }

  /**
   * What the Associated devices block shows: the voucher's limit and whether it is live, each
   * device with presence and last hotspot, and the recent changes.
   */
  async overview(
    tenantId: number,
    actor: DeviceActor,
    voucherId: number,
    eventsLimit = 20,
    eventsBefore?: DeviceEventCursor,
  ): Promise<DevicesOverview> {
    const voucher = await this.voucherFor(tenantId, actor, voucherId);
    const [devices, online, events] = await Promise.all([
      this.devices.listByVoucher(tenantId, voucherId),
      this.devices.openSessionsByMac(tenantId, voucherId),
      this.devices.listEvents(tenantId, { voucherId, limit: eventsLimit, before: eventsBefore }),
    ]);
    const hotspotIds = [
      ...new Set(devices.flatMap((d) => (d.last_hotspot_id === null ? [] : [d.last_hotspot_id]))),
    ];
    const hotspots = await this.devices.hotspotNames(tenantId, hotspotIds);
    return {
      voucherId,
      devicesLimit: voucher.devices_limit,
      live: (LIVE_VOUCHER_STATUSES as readonly string[]).includes(voucher.status),
      devices: devices.map((device) => ({
        ...device,
        online_since_at: online.get(device.mac) ?? null,
        last_hotspot_title:
          device.last_hotspot_id === null ? null : (hotspots.get(device.last_hotspot_id) ?? null),
      })),
      events,
    };
  }

  /** Device counts of a customer's vouchers (ids not theirs are simply absent). */
  countByVouchers(tenantId: number, voucherIds: number[]): Promise<Map<number, number>> {
    return this.devices.countByVouchers(tenantId, voucherIds);
  }

  /** Recent device changes of a voucher (customer: own voucher only), newest first. */
  async history(tenantId: number, actor: DeviceActor, voucherId: number, limit = 20): Promise<DeviceEvent[]> {
    await this.voucherFor(tenantId, actor, voucherId);
    return this.devices.listEvents(tenantId, { voucherId, limit });
  }

  /**
   * The operator's view of the tenant's whole device audit trail (Logs > Device changes): changes
   * matching `filter`, newest first, `limit` of them after `before`. A voucher id or MAC of
   * another tenant simply matches nothing.
   */
  eventLog(
    tenantId: number,
    filter: DeviceEventFilter,
    options: { limit: number; before?: DeviceEventCursor | undefined },
  ): Promise<DeviceEvent[]> {
    return this.devices.listEvents(tenantId, { ...filter, ...options });
  }

  /** The same log as offset pages with a total (the REST API's lists). */
  eventPage(tenantId: number, filter: DeviceEventFilter, page: PageRequest): Promise<Page<DeviceEvent>> {
    return this.devices.pageEvents(tenantId, filter, page);
  }

  /** One voucher's changes as offset pages (NOT_FOUND for a voucher the actor may not see). */
  async voucherEventPage(
    tenantId: number,
    actor: DeviceActor,
    voucherId: number,
    page: PageRequest,
  ): Promise<Page<DeviceEvent>> {
    await this.voucherFor(tenantId, actor, voucherId);
    return this.devices.pageEvents(tenantId, { voucherId }, page);
  }

  /** Codes of the tenant's vouchers among `ids`, to name them in the log. */
  voucherCodes(tenantId: number, ids: number[]): Promise<Map<number, string>> {
    return this.devices.voucherCodes(tenantId, ids);
  }

  private async voucherFor(tenantId: number, actor: DeviceActor, voucherId: number) {
    const voucher = await this.devices.findVoucher(tenantId, voucherId);
    // Another customer's voucher is "not found", never "forbidden": no existence oracle.
    if (!voucher || (actor.kind === 'customer' && voucher.customer_id !== actor.customerId))
      throw notFound('Voucher');
    return voucher;
  }

  /** The device on a voucher the actor may see, whatever the voucher's status. */
  private async deviceFor(tenantId: number, actor: DeviceActor, voucherId: number, deviceId: number) {
    await this.voucherFor(tenantId, actor, voucherId);
    const device = await this.devices.findOnVoucher(tenantId, voucherId, deviceId);
    if (!device) throw notFound('Device');
    return device;
  }

  private async liveVoucherFor(tenantId: number, actor: DeviceActor, voucherId: number) {
    const voucher = await this.voucherFor(tenantId, actor, voucherId);
    if (!(LIVE_VOUCHER_STATUSES as readonly string[]).includes(voucher.status)) {
      throw new AppError(
        'VOUCHER_USED',
        'Devices can only be added or changed on a voucher that is still valid.',
      );
    }
    return voucher;
  }

  private async refuseMacOnOtherLiveVoucher(tenantId: number, mac: string, voucherId: number): Promise<void> {
    const other = await this.devices.findLiveVoucherIdWithMac(tenantId, mac, voucherId);
    if (other !== undefined) {
      throw new AppError(
        'MAC_ON_OTHER_VOUCHER',
        `${mac} is already used with another voucher. Remove it there first.`,
        // For operators (API, admin link); the portal shows customers only the message.
        { voucherId: other },
      );
    }
  }

  private audit(
    tenantId: number,
    actor: DeviceActor,
    voucherId: number,
    deviceId: number,
    action: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.devices.insertEvent({
      tenantId,
      voucherId,
      deviceId,
      actor: actor.kind,
      actorId: actor.kind === 'customer' ? actor.customerId : actor.adminId,
      clientIp: actor.clientIp,
      action,
      details,
      createdAtMs: this.clock.nowMs(),
    });
  }
}

function cleanTitle(title: string | null | undefined): string | null {
  const trimmed = cleanName(title);
  if (trimmed.length > TITLE_MAX_CHARS) {
    throw new AppError('VALIDATION', `A device name can be at most ${TITLE_MAX_CHARS} characters.`);
  }
  return trimmed === '' ? null : trimmed;
}

/** "1 device" / "up to 3 devices": a voucher's device limit in words. */
export function deviceLimitText(limit: number): string {
  return limit === 1 ? countOf(1, 'device', 'devices') : `up to ${countOf(limit, 'device', 'devices')}`;
}
