/**
 * Config > Portal: "Use OTP for accessing the portal" (only while an SMS gateway is enabled),
 * "Show Associated Devices block", and the OTP limits within their safe bounds.
 */
import { AppError, validation, type Clock } from '../shared/index.js';
import type { PortalSettings, TenantsRepository } from '../tenants/index.js';
import { OTP_BOUNDS } from './service.js';

export type PortalSettingsPatch = Partial<
  Pick<
    PortalSettings,
    | 'otpEnabled'
    | 'showDevices'
    | 'otpLength'
    | 'otpTtlSeconds'
    | 'otpMaxAttempts'
    | 'otpResendCooldownSeconds'
    | 'otpMaxPerNumberPerHour'
    | 'otpMaxPerIpPerHour'
    | 'otpMaxPerTenantPerDay'
    | 'otpAllowedPrefixes'
  >
>;

const LIMITS: Array<[keyof PortalSettingsPatch, readonly [number, number], string]> = [
  ['otpLength', OTP_BOUNDS.length, 'Code length'],
  ['otpTtlSeconds', OTP_BOUNDS.ttlSeconds, 'Code lifetime (seconds)'],
  ['otpMaxAttempts', OTP_BOUNDS.maxTries, 'Wrong tries per code'],
  ['otpResendCooldownSeconds', OTP_BOUNDS.resendCooldownSeconds, 'Resend cooldown (seconds)'],
  ['otpMaxPerNumberPerHour', OTP_BOUNDS.maxPerNumberPerHour, 'Codes per number per hour'],
  ['otpMaxPerIpPerHour', OTP_BOUNDS.maxPerIpPerHour, 'Codes per client IP per hour'],
  ['otpMaxPerTenantPerDay', OTP_BOUNDS.maxPerTenantPerDay, 'Codes per day'],
];

export const OTP_NEEDS_GATEWAY =
  'One-time codes need an SMS gateway: add and enable one in Config > SMS gateways first.';

export class PortalSettingsService {
  constructor(
    private readonly deps: {
      tenants: TenantsRepository;
      /** Whether the tenant has at least one enabled SMS gateway. */
      hasEnabledGateway: (tenantId: number) => Promise<boolean>;
      /**
       * Ends the tenant's portal sessions that did not pass a code: once codes are on, a phone
       * number alone must no longer keep anyone signed in (issue 10, item 6).
       */
      endSessionsWithoutCode: (tenantId: number) => Promise<unknown>;
      clock: Clock;
    },
  ) {}

  get(tenantId: number): Promise<PortalSettings> {
    return this.deps.tenants.getSettings(tenantId, 'portal');
  }

  /** Whether OTP can be switched on now (an enabled gateway exists). */
  canUseOtp(tenantId: number): Promise<boolean> {
    return this.deps.hasEnabledGateway(tenantId);
  }

  async update(tenantId: number, patch: PortalSettingsPatch): Promise<PortalSettings> {
    const current = await this.get(tenantId);
    const next: PortalSettings = { ...current };
    const problems: Array<{ field: string; message: string }> = [];
    for (const [field, [min, max], label] of LIMITS) {
      const value = patch[field];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
        problems.push({ field, message: `${label} must be a whole number from ${min} to ${max}` });
      else (next as unknown as Record<string, number>)[field] = value;
    }
    if (patch.otpAllowedPrefixes !== undefined) {
      const prefixes = patch.otpAllowedPrefixes.map((p) => p.trim()).filter((p) => p !== '');
      const bad = prefixes.filter((p) => !/^\+\d{1,6}$/.test(p));
      if (bad.length > 0 || prefixes.length > 50)
        problems.push({ field: 'otpAllowedPrefixes', message: 'Prefixes look like +1 or +44 (at most 50)' });
      else next.otpAllowedPrefixes = [...new Set(prefixes)];
    }
    if (problems.length > 0)
      throw validation(problems.map((p) => p.message).join('. '), { errors: problems });
    if (patch.showDevices !== undefined) next.showDevices = patch.showDevices;
    if (patch.otpEnabled !== undefined) {
      if (patch.otpEnabled && !current.otpEnabled && !(await this.deps.hasEnabledGateway(tenantId)))
        throw new AppError('CONFLICT', OTP_NEEDS_GATEWAY);
      next.otpEnabled = patch.otpEnabled;
    }
    await this.deps.tenants.putSettings(tenantId, 'portal', next, this.deps.clock.nowMs());
    // After the write: a phone-only sign-in racing this switch is refused on its next request
    // (the portal checks the setting for sessions without a code), not only by this sweep.
    if (next.otpEnabled && !current.otpEnabled) await this.deps.endSessionsWithoutCode(tenantId);
    return next;
  }
}
