/**
 * Who may get on the network: the voucher and device access policy behind RADIUS
 * Access-Request. Pure limit arithmetic (`evaluateVoucherLimits`) plus the service that looks
 * vouchers and devices up, takes device slots under the tenant's device-limit policy, activates
 * new vouchers, and says why when it refuses. Knows nothing about packets.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { DeviceAccessRepository, isRandomizedMac, parseMac } from '../devices/index.js';
import { Batcher, type Clock, type ErrorCode } from '../shared/index.js';
import { touchVoucherOwnersPortals, type Database, type Dialect, type Voucher } from '../store/index.js';
import type { TenantsRepository, VoucherSettings } from '../tenants/index.js';
import { VoucherAccessRepository, type VoucherLimitFields } from './access-repository.js';

export interface VoucherLimitState {
  /** Effective expiry (the sooner of validity end and valid-until), null = never. */
  expiresAtMs: number | null;
  expired: boolean;
  /** Which limit is used up, if any. */
  exhausted: 'data' | 'time' | null;
  remainingTotalBytes: number | null;
  remainingDownloadBytes: number | null;
  remainingUploadBytes: number | null;
  remainingSeconds: number | null;
}

/** Limits and what is left of them at `nowMs` (pure). */
export function evaluateVoucherLimits(voucher: VoucherLimitFields, nowMs: number): VoucherLimitState {
  const ends = [voucher.expires_at, voucher.valid_until_at].filter((v): v is number => v !== null);
  const expiresAtMs = ends.length > 0 ? Math.min(...ends) : null;
  const down = voucher.downloaded_bytes;
  const up = voucher.uploaded_bytes;
  const remainingTotalBytes = voucher.data_limit_bytes === null ? null : voucher.data_limit_bytes - down - up;
  const remainingDownloadBytes =
    voucher.download_limit_bytes === null ? null : voucher.download_limit_bytes - down;
  const remainingUploadBytes = voucher.upload_limit_bytes === null ? null : voucher.upload_limit_bytes - up;
  const remainingSeconds =
    voucher.time_limit_seconds === null ? null : voucher.time_limit_seconds - voucher.online_seconds;
  const dataOut = [remainingTotalBytes, remainingDownloadBytes, remainingUploadBytes].some(
    (r) => r !== null && r <= 0,
  );
  return {
    expiresAtMs,
    expired: expiresAtMs !== null && expiresAtMs <= nowMs,
    exhausted: dataOut ? 'data' : remainingSeconds !== null && remainingSeconds <= 0 ? 'time' : null,
    remainingTotalBytes,
    remainingDownloadBytes,
    remainingUploadBytes,
    remainingSeconds,
  };
}

/** Expiry set at activation: validity counted from now, capped by an absolute valid-until. */
export function expiryOnActivation(voucher: Voucher, nowMs: number): number | null {
  const ends: number[] = [];
  if (voucher.validity_seconds !== null) ends.push(nowMs + voucher.validity_seconds * 1000);
  if (voucher.valid_until_at !== null) ends.push(voucher.valid_until_at);
  return ends.length > 0 ? Math.min(...ends) : null;
}

export interface AccessAttempt {
  tenantId: number;
  hotspotId: number;
  /** User-Name as sent: a voucher code, its short part, or a MAC address. */
  userName: string;
  /** Calling-Station-Id as sent (the client's MAC in some format), if any. */
  callingStationId?: string;
  /** Whether `candidate` matches the credentials sent (PAP or CHAP), in constant time. */
  passwordMatches(candidate: string): boolean;
}

export type AccessDecision =
  | {
      accepted: true;
      method: 'voucher' | 'mac';
      voucher: Voucher;
      deviceId: number | null;
      mac: string | null;
      limits: VoucherLimitState;
      /** Session-Timeout: time left and time to expiry, whichever is sooner; null = none. */
      sessionTimeoutSeconds: number | null;
    }
  | { accepted: false; code: ErrorCode; message: string };

export interface VoucherActivatedEvent {
  tenantId: number;
  voucherId: number;
  customerId: number | null;
  activatedAtMs: number;
}

export interface AccessPolicyHooks {
  /** A voucher was activated by its first accepted login (after the commit). */
  voucherActivated?(event: VoucherActivatedEvent): void;
  /** A device was replaced under the device-limit policy: disconnect its live sessions. */
  deviceReplaced?(event: { tenantId: number; voucherId: number; mac: string }): void;
}

export const ACCESS_MESSAGES: Record<string, string> = {
  VOUCHER_UNKNOWN: 'Unknown voucher code',
  VOUCHER_DISABLED: 'This voucher is disabled',
  VOUCHER_EXPIRED: 'This voucher has expired',
  VOUCHER_USED: 'This voucher is used up',
  VOUCHER_DEVICE_LIMIT: 'This voucher is already in use on the maximum number of devices',
  MAC_UNKNOWN: 'This device is not registered to a valid voucher',
};

export type AccessRefusal = Extract<AccessDecision, { accepted: false }>;

function refuse(code: ErrorCode, message = ACCESS_MESSAGES[code] ?? 'Access denied'): AccessRefusal {
  return { accepted: false, code, message };
}

/** Logins looked up (and devices marked seen) together: one statement per batch, not per login. */
const LOGIN_BATCH = 500;
/** Batches at the database at once: two keep it busy while the next batch gathers. */
const LOGIN_BATCHES_IN_FLIGHT = 2;

type LoginLookup = { voucher: Voucher; deviceId: number | null } | undefined;

/** An acceptance of `voucher` with its limits and the Session-Timeout they imply. */
function accepted(
  voucher: Voucher,
  method: 'voucher' | 'mac',
  deviceId: number | null,
  mac: string | null,
  nowMs: number,
): AccessDecision {
  const limits = evaluateVoucherLimits(voucher, nowMs);
  const timeouts = [
    limits.remainingSeconds,
    limits.expiresAtMs === null ? null : Math.ceil((limits.expiresAtMs - nowMs) / 1000),
  ].filter((v): v is number => v !== null);
  return {
    accepted: true,
    method,
    voucher,
    deviceId,
    mac,
    limits,
    sessionTimeoutSeconds: timeouts.length > 0 ? Math.max(1, Math.min(...timeouts)) : null,
  };
}

export class VoucherAccessPolicy {
  private readonly settingsCache = new Map<number, { settings: VoucherSettings; expiresAtMs: number }>();
  /** Concurrent Access-Requests share one lookup of their vouchers and devices. */
  private readonly logins: Batcher<{ tenantId: number; code: string; mac: string | null }, LoginLookup>;
  /** "Last seen" of known devices, written for a whole batch of logins at once. */
  private readonly sightings: Batcher<
    { tenantId: number; deviceId: number; hotspotId: number; nowMs: number },
    undefined
  >;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly tenants: TenantsRepository,
    private readonly clock: Clock,
    private readonly hooks: AccessPolicyHooks = {},
    private readonly logger?: Logger,
  ) {
    const options = { maxBatch: LOGIN_BATCH, maxConcurrent: LOGIN_BATCHES_IN_FLIGHT };
    this.logins = new Batcher(
      (logins) => new VoucherAccessRepository(db, dialect).findForLoginMany(logins),
      options,
    );
    this.sightings = new Batcher(async (items) => {
      await new DeviceAccessRepository(db, dialect).markSeenMany(items);
      return items.map(() => undefined);
    }, options);
  }

  private async voucherSettings(tenantId: number): Promise<VoucherSettings> {
    const now = Date.now();
    const cached = this.settingsCache.get(tenantId);
    if (cached && cached.expiresAtMs > now) return cached.settings;
    const settings = await this.tenants.getSettings(tenantId, 'vouchers');
    this.settingsCache.set(tenantId, { settings, expiresAtMs: now + 5_000 });
    return settings;
  }

  /** Decides an Access-Request. Never throws for a refusal: returns a code and a message. */
  async authorize(attempt: AccessAttempt): Promise<AccessDecision> {
    const vouchers = new VoucherAccessRepository(this.db, this.dialect);
    const devices = new DeviceAccessRepository(this.db, this.dialect);
    const nowMs = this.clock.nowMs();
    const userName = attempt.userName.trim();
    const clientMac = attempt.callingStationId ? parseMac(attempt.callingStationId) : undefined;

    const login = await this.logins.add({
      tenantId: attempt.tenantId,
      code: userName,
      mac: clientMac ?? null,
    });
    let voucher = login?.voucher;
    if (!voucher) {
      const settings = await this.voucherSettings(attempt.tenantId);
      if (settings.acceptShortCode) voucher = await vouchers.findByShortCode(attempt.tenantId, userName);
    }
    if (voucher) {
      // The password is the code as typed (a voucher code is not a user password, RFC 2865 §5.3).
      if (!attempt.passwordMatches(attempt.userName)) return refuse('VOUCHER_UNKNOWN');
      // A device already on an activated, live voucher takes no slot and activates nothing, so
      // it needs no transaction or row lock: the decision is the one admit() would take under
      // the lock (an operator's change racing this login is as racy there, right after COMMIT).
      if (
        login?.deviceId != null &&
        clientMac !== undefined &&
        (voucher.status === 'active' || voucher.status === 'online') &&
        this.checkStatus(voucher, nowMs) === undefined
      ) {
        await this.sightings.add({
          tenantId: attempt.tenantId,
          deviceId: login.deviceId,
          hotspotId: attempt.hotspotId,
          nowMs,
        });
        return accepted(voucher, 'voucher', login.deviceId, clientMac, nowMs);
      }
      return this.admit(voucher, 'voucher', clientMac ?? null, attempt, nowMs);
    }

    // MAC authentication (MikroTik mac-as-username[-and-password]): User-Name is the MAC.
    const mac = userName ? parseMac(userName) : undefined;
    if (mac === undefined) return refuse('VOUCHER_UNKNOWN');
    if (
      !attempt.passwordMatches('') &&
      !attempt.passwordMatches(attempt.userName) &&
      !attempt.passwordMatches(mac)
    ) {
      return refuse('MAC_UNKNOWN');
    }
    const candidates = await devices.findByMac(attempt.tenantId, mac);
    for (const device of candidates) {
      const owner = await vouchers.findById(attempt.tenantId, device.voucher_id);
      if (!owner || !['new', 'active', 'online'].includes(owner.status)) continue;
      const limits = evaluateVoucherLimits(owner, nowMs);
      if (limits.expired || limits.exhausted) continue;
      return this.admit(owner, 'mac', mac, attempt, nowMs);
    }
    return refuse('MAC_UNKNOWN');
  }

  /**
   * What a login with `codeTyped` from `mac` would meet, without logging in: the voucher, or the
   * refusal the router would give (unknown, disabled, expired, used up, device limit reached).
   * For the hosted login page, which answers in plain words before the router is involved. Reads
   * only; the router's Access-Request still decides (and takes the device slot).
   */
  async check(
    tenantId: number,
    codeTyped: string,
    mac: string | undefined,
  ): Promise<{ ok: true; voucher: Voucher } | { ok: false; code: ErrorCode }> {
    const vouchers = new VoucherAccessRepository(this.db, this.dialect);
    const code = codeTyped.trim();
    if (code === '' || code.length > 100) return { ok: false, code: 'VOUCHER_UNKNOWN' };
    let voucher = await vouchers.findByCode(tenantId, code);
    const settings = await this.voucherSettings(tenantId);
    if (!voucher && settings.acceptShortCode) voucher = await vouchers.findByShortCode(tenantId, code);
    if (!voucher) return { ok: false, code: 'VOUCHER_UNKNOWN' };
    const nowMs = this.clock.nowMs();
    const refused = this.checkStatus(voucher, nowMs);
    if (refused) return { ok: false, code: refused.code };
    const clientMac = mac ? parseMac(mac) : undefined;
    if (clientMac !== undefined) {
      const devices = new DeviceAccessRepository(this.db, this.dialect);
      if (!(await devices.findOnVoucher(tenantId, voucher.id, clientMac))) {
        const present = await devices.listWithPresence(tenantId, voucher.id);
        const full = present.length >= voucher.devices_limit;
        const anyOffline = present.some((d) => d.online_since_at === null);
        if (
          full &&
          (settings.deviceLimitPolicy === 'reject' ||
            (settings.deviceLimitPolicy === 'replace_offline' && !anyOffline))
        )
          return { ok: false, code: 'VOUCHER_DEVICE_LIMIT' };
      }
    }
    return { ok: true, voucher };
  }

  private async admit(
    found: Voucher,
    method: 'voucher' | 'mac',
    mac: string | null,
    attempt: AccessAttempt,
    nowMs: number,
  ): Promise<AccessDecision> {
    const checked = this.checkStatus(found, nowMs);
    if (checked) {
      if (checked.code === 'VOUCHER_EXPIRED' || checked.code === 'VOUCHER_USED') {
        await this.retire(found, nowMs);
      }
      return checked;
    }

    // Read before the transaction: on SQLite the transaction holds the only connection.
    const settings = await this.voucherSettings(attempt.tenantId);
    let activated = false;
    let replacedMac: string | null = null;
    const outcome = await this.db.transaction().execute(async (trx) => {
      const vouchers = new VoucherAccessRepository(trx, this.dialect);
      const devices = new DeviceAccessRepository(trx, this.dialect);
      const voucher = await vouchers.lock(attempt.tenantId, found.id);
      if (!voucher) return refuse('VOUCHER_UNKNOWN');
      const recheck = this.checkStatus(voucher, nowMs);
      if (recheck) return recheck;

      let deviceId: number | null = null;
      if (mac !== null) {
        const existing = await devices.findOnVoucher(attempt.tenantId, voucher.id, mac);
        if (existing) {
          deviceId = existing.id;
          await devices.markSeen(attempt.tenantId, existing.id, attempt.hotspotId, nowMs);
        } else {
          const present = await devices.listWithPresence(attempt.tenantId, voucher.id);
          if (present.length >= voucher.devices_limit) {
            const offline = present.filter((d) => d.online_since_at === null);
            let victim = offline.sort((a, b) => (a.last_seen_at ?? 0) - (b.last_seen_at ?? 0))[0];
            if (!victim && settings.deviceLimitPolicy === 'replace_oldest') {
              victim = present
                .filter((d) => d.online_since_at !== null)
                .sort((a, b) => (a.online_since_at ?? 0) - (b.online_since_at ?? 0))[0];
            }
            if (settings.deviceLimitPolicy === 'reject' || !victim) return refuse('VOUCHER_DEVICE_LIMIT');
            await devices.delete(attempt.tenantId, victim.id);
            await devices.recordEvent({
              tenantId: attempt.tenantId,
              voucherId: voucher.id,
              deviceId: victim.id,
              action: 'replaced',
              // Why, for the customer's device list and the operator's log (issue 15, 8e): the
              // voucher was at its limit, and which rule picked this device.
              details: {
                mac: victim.mac,
                replacedBy: mac,
                policy: settings.deviceLimitPolicy,
                limit: voucher.devices_limit,
                victimOnline: victim.online_since_at !== null,
                hotspotId: attempt.hotspotId,
              },
              nowMs,
            });
            if (victim.online_since_at !== null) replacedMac = victim.mac;
          }
          const device = await devices.insertFirstLogin({
            tenantId: attempt.tenantId,
            voucherId: voucher.id,
            mac,
            isRandomized: isRandomizedMac(mac),
            hotspotId: attempt.hotspotId,
            nowMs,
          });
          // Binding a device is a device change like any other: it belongs in the audit trail.
          await devices.recordEvent({
            tenantId: attempt.tenantId,
            voucherId: voucher.id,
            deviceId: device.id,
            action: 'added',
            details: { mac, title: null, hotspotId: attempt.hotspotId },
            nowMs,
          });
          deviceId = device.id;
        }
      }

      let current = voucher;
      if (voucher.status === 'new') {
        const expiresAtMs = expiryOnActivation(voucher, nowMs);
        activated = await vouchers.activate(attempt.tenantId, voucher.id, nowMs, expiresAtMs);
        if (activated) {
          current = { ...voucher, status: 'active', activated_at: nowMs, expires_at: expiresAtMs };
          await touchVoucherOwnersPortals(trx, [voucher.id]);
        }
      }
      return accepted(current, method, deviceId, mac, nowMs);
    });

    if (outcome.accepted) {
      if (activated) {
        this.emit(() =>
          this.hooks.voucherActivated?.({
            tenantId: attempt.tenantId,
            voucherId: outcome.voucher.id,
            customerId: outcome.voucher.customer_id,
            activatedAtMs: nowMs,
          }),
        );
      }
      if (replacedMac !== null) {
        const replaced = replacedMac;
        this.emit(() =>
          this.hooks.deviceReplaced?.({
            tenantId: attempt.tenantId,
            voucherId: outcome.voucher.id,
            mac: replaced,
          }),
        );
      }
    }
    return outcome;
  }

  private emit(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.logger?.error({ err: error }, 'access policy hook failed');
    }
  }

  private checkStatus(voucher: Voucher, nowMs: number): AccessRefusal | undefined {
    if (voucher.status === 'disabled') return refuse('VOUCHER_DISABLED');
    if (voucher.status === 'used') {
      return voucher.used_reason === 'expired' ? refuse('VOUCHER_EXPIRED') : refuse('VOUCHER_USED');
    }
    const limits = evaluateVoucherLimits(voucher, nowMs);
    if (limits.expired) return refuse('VOUCHER_EXPIRED');
    if (limits.exhausted) return refuse('VOUCHER_USED');
    return undefined;
  }

  /** Keeps the status truthful when a login finds a voucher past its limits before the sweep does. */
  private async retire(voucher: Voucher, nowMs: number): Promise<void> {
    if (voucher.status === 'used' || voucher.status === 'disabled') return;
    const limits = evaluateVoucherLimits(voucher, nowMs);
    const reason = limits.expired ? 'expired' : limits.exhausted;
    if (
      reason &&
      (await new VoucherAccessRepository(this.db, this.dialect).markUsed(
        voucher.tenant_id,
        voucher.id,
        reason,
        nowMs,
      ))
    )
      await touchVoucherOwnersPortals(this.db, [voucher.id]);
  }
}
