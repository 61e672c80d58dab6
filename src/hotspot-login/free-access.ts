/**
 * Free access by phone (issue 13, item 4): a walk-in guest without a voucher proves a phone
 * number with an SMS code and gets a voucher of the plan the operator chose for the hotspot; the
 * phone becomes a customer (status-page SMS and portal work for them), and the page logs the
 * guest in at the router with that voucher like any other.
 *
 * State lives on the server, keyed by the router's client MAC (else IP) and a short flow id: a
 * captive mini-browser keeps no cookies and may close while the guest reads the SMS, and reopening
 * must resume the code already sent, not text a new one. The flow id and the code's attempt token
 * are derived from a random nonce with the server secret, so the database holds neither.
 *
 * SMS pumping defences, all before a code is texted: the portal's allowed prefixes, the portal's
 * OTP caps (cooldown and hourly cap per number, per client IP, daily per tenant), and free access's
 * own limits per phone, per device (MAC), per hotspot and per tenant per period, then a monthly
 * SMS budget per tenant after which free access pauses and the operator is told.
 */
import crypto from 'node:crypto';
import { parsePhone } from '../customers/index.js';
import { parseMac } from '../devices/index.js';
import { otpPolicy, phoneAllowed } from '../otp/index.js';
import type { PlanView } from '../plans/index.js';
import { AppError, DAY_MS, HOUR_MS, randomToken, sha256Hex, validation } from '../shared/index.js';
import type { Tenant, Voucher } from '../store/index.js';
import type { HotspotLoginSettings } from '../tenants/index.js';
import type { FreeAccessConfig, FreeAccessRequest } from './free-access-repository.js';
import type { LoginPage } from './repository.js';
import {
  FREE_ACCESS_BOUNDS,
  startOfMonthInZone,
  type FreeAccessAvailability,
  type FreeAccessDeps,
  type FreeAccessLimit,
  type FreeAccessStart,
  type FreeAccessVerify,
  type PendingCode,
} from './free-access-model.js';

export class FreeAccessService {
  /** Tenants (and month) whose operator was already told the budget is spent, per process. */
  private readonly budgetLogged = new Set<string>();

  constructor(private readonly deps: FreeAccessDeps) {}

  config(tenantId: number, hotspotId: number): Promise<FreeAccessConfig> {
    return this.deps.repository.config(tenantId, hotspotId);
  }

  /** Checks every field, stores the hotspot's settings and returns them. */
  async setConfig(
    tenantId: number,
    hotspotId: number,
    patch: Partial<FreeAccessConfig>,
  ): Promise<FreeAccessConfig> {
    const next = { ...(await this.config(tenantId, hotspotId)) };
    const problems: Record<string, string> = {};
    const labels: Record<keyof typeof FREE_ACCESS_BOUNDS, string> = {
      periodHours: 'Period (hours)',
      vouchersPerPhone: 'Vouchers per phone',
      codesPerPhone: 'Codes per phone',
      codesPerDevice: 'Codes per device',
      codesPerHotspot: 'Codes per hotspot',
    };
    for (const key of Object.keys(FREE_ACCESS_BOUNDS) as Array<keyof typeof FREE_ACCESS_BOUNDS>) {
      const value = patch[key];
      if (value === undefined) continue;
      const [min, max] = FREE_ACCESS_BOUNDS[key];
      if (!Number.isInteger(value) || value < min || value > max)
        problems[key] = `${labels[key]} must be a whole number from ${min} to ${max}`;
      else next[key] = value;
    }
    if (patch.planId !== undefined) next.planId = patch.planId;
    if (patch.enabled !== undefined) next.enabled = patch.enabled;
    if (next.planId !== null) {
      const plan = await this.deps.plans.find(tenantId, next.planId);
      if (!plan) problems.planId = 'Choose one of your plans';
      else if (next.enabled && !plan.isActive) problems.planId = 'The plan is not active';
    }
    if (next.enabled && next.planId === null) problems.planId = 'Choose the plan of the free vouchers';
    if (Object.keys(problems).length > 0) throw validation('Please correct the free access fields', problems);
    if (next.enabled && !(await this.deps.hasEnabledGateway(tenantId)))
      throw new AppError(
        'CONFLICT',
        'Free access by phone needs an SMS gateway: add and enable one in Config > SMS gateways first.',
      );
    await this.deps.repository.setConfig(tenantId, hotspotId, next, this.deps.clock.nowMs());
    return next;
  }

  /** Whether any hotspot of the tenant offers free access (then the budget matters). */
  isOfferedAnywhere(tenantId: number): Promise<boolean> {
    return this.deps.repository.anyEnabled(tenantId);
  }

  /** The plans an operator can choose for free access (active ones). */
  plansToOffer(tenantId: number): Promise<PlanView[]> {
    return this.deps.plans.listActive(tenantId);
  }

  /** Whether the tenant has an enabled SMS gateway (free access needs one). */
  hasGateway(tenantId: number): Promise<boolean> {
    return this.deps.hasEnabledGateway(tenantId);
  }

  /** Whether the page offers free access now, and with which plan. */
  async availability(page: LoginPage): Promise<FreeAccessAvailability> {
    const config = await this.config(page.tenantId, page.hotspotId);
    return this.availabilityOf(page, config);
  }

  /**
   * The tenant's SMS budget this month: used, the budget, and whether it is spent (then free
   * access pauses until the month ends).
   */
  async budget(
    tenant: Pick<Tenant, 'id' | 'time_zone'>,
  ): Promise<{ used: number; budget: number; spent: boolean }> {
    const settings = await this.settings(tenant.id);
    const used = await this.deps.smsCountSince(
      tenant.id,
      startOfMonthInZone(this.deps.clock.nowMs(), tenant.time_zone),
    );
    return { used, budget: settings.smsBudgetPerMonth, spent: used >= settings.smsBudgetPerMonth };
  }

  /** The code still waiting at this device, if any (a reopened sheet resumes it). */
  async pending(page: LoginPage, device: { mac: string; ip: string }): Promise<PendingCode | undefined> {
    const request = await this.deps.repository.findPending(
      page.tenantId,
      page.hotspotId,
      deviceOf(device),
      this.deps.clock.nowMs(),
    );
    return request && this.describe(page.tenantId, request);
  }

  /** The flow a page carries, described for its code step (undefined: unknown, other device). */
  async describeFlow(
    page: LoginPage,
    flowId: string,
    device: { mac: string; ip: string },
  ): Promise<PendingCode | undefined> {
    const request = await this.findFlow(page, flowId, device);
    return request && this.describe(page.tenantId, request);
  }

  private async describe(tenantId: number, request: FreeAccessRequest): Promise<PendingCode> {
    const portal = await this.deps.tenants.getSettings(tenantId, 'portal');
    return {
      flowId: this.flowId(tenantId, request),
      phone: request.phone,
      expiresAtMs: request.expiresAtMs,
      codeLength: otpPolicy(portal).length,
    };
  }

  /**
   * A guest asks for a code for `phoneInput` at this device. A code still good for the same phone
   * at the same device is resumed (nothing texted) unless `resend` is asked for.
   */
  async requestCode(input: {
    page: LoginPage;
    tenant: Tenant;
    phoneInput: string;
    device: { mac: string; ip: string };
    resend: boolean;
  }): Promise<FreeAccessStart> {
    const { page, tenant } = input;
    const { repository, clock } = this.deps;
    const config = await this.config(page.tenantId, page.hotspotId);
    const available = await this.availabilityOf(page, config);
    if (available.kind !== 'on') return available;

    const parsed = parsePhone(input.phoneInput, tenant.default_country);
    if (!parsed.ok) return { kind: 'invalid-phone', problem: parsed.problem };
    const phone = parsed.e164;
    const portal = await this.deps.tenants.getSettings(tenant.id, 'portal');
    if (!phoneAllowed(otpPolicy(portal), phone)) return { kind: 'prefix-refused' };

    const device = deviceOf(input.device);
    const nowMs = clock.nowMs();
    const waiting = await repository.findPending(page.tenantId, page.hotspotId, device, nowMs);
    if (waiting && waiting.phone === phone && !input.resend)
      return {
        kind: 'code-sent',
        flowId: this.flowId(page.tenantId, waiting),
        phone,
        expiresAtMs: waiting.expiresAtMs,
        codeLength: otpPolicy(portal).length,
        resumed: true,
      };

    // Free access's own limits, each over the hotspot's period; the tenant's over a day.
    const sinceMs = nowMs - config.periodHours * HOUR_MS;
    const retry = config.periodHours * 3600;
    const settings = await this.settings(tenant.id);
    const checks: Array<[FreeAccessLimit, () => Promise<boolean>, number]> = [
      [
        'phone',
        async () =>
          (await repository.countSince(tenant.id, { by: 'phone', phone }, sinceMs)) >= config.codesPerPhone,
        retry,
      ],
      [
        'device',
        async () =>
          device.mac !== null &&
          (await repository.countSince(tenant.id, { by: 'mac', mac: device.mac }, sinceMs)) >=
            config.codesPerDevice,
        retry,
      ],
      [
        'hotspot',
        async () =>
          (await repository.countSince(tenant.id, { by: 'hotspot', hotspotId: page.hotspotId }, sinceMs)) >=
          config.codesPerHotspot,
        retry,
      ],
      [
        'tenant',
        async () =>
          (await repository.countSince(tenant.id, { by: 'tenant' }, nowMs - DAY_MS)) >=
          settings.freeAccessCodesPerDay,
        86_400,
      ],
    ];
    for (const [limit, over, retryAfterSeconds] of checks)
      if (await over()) {
        this.deps.logger.info(
          { tenantId: tenant.id, hotspotId: page.hotspotId, limit },
          'free access limit reached',
        );
        return { kind: 'limited', limit, retryAfterSeconds };
      }

    const nonce = randomToken(this.deps.random, 16);
    const request = { nonce };
    const started = await this.deps.otp.startForGuest({
      tenant,
      phone,
      clientIp: device.clientIp,
      attemptToken: this.attemptToken(tenant.id, request),
    });
    if (started.kind === 'rate-limited')
      return { kind: 'limited', limit: started.limit, retryAfterSeconds: started.retryAfterSeconds };
    const flowId = this.flowId(tenant.id, request);
    await repository.insert({
      tenantId: tenant.id,
      hotspotId: page.hotspotId,
      nonce,
      tokenHash: sha256Hex(flowId),
      phone,
      mac: device.mac,
      clientIp: device.clientIp,
      nowMs,
      expiresAtMs: started.expiresAtMs,
    });
    // Now and then, forget requests past the longest period a limit can count in.
    if (this.deps.random.int(100) === 0)
      await repository.purgeBefore(tenant.id, nowMs - FREE_ACCESS_BOUNDS.periodHours[1] * HOUR_MS);
    return {
      kind: 'code-sent',
      flowId,
      phone,
      expiresAtMs: started.expiresAtMs,
      codeLength: started.codeLength,
      resumed: false,
    };
  }

  /** The request a flow id stands for at this page and device, if it is still good. */
  async findFlow(
    page: LoginPage,
    flowId: string,
    device: { mac: string; ip: string },
  ): Promise<FreeAccessRequest | undefined> {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(flowId)) return undefined;
    const request = await this.deps.repository.findByToken(page.tenantId, sha256Hex(flowId));
    if (!request || request.hotspotId !== page.hotspotId) return undefined;
    // Bound to the device that asked: another device with the flow id cannot use it.
    const mac = deviceOf(device).mac;
    if (request.mac !== null && mac !== request.mac) return undefined;
    if (request.mac === null && request.clientIp !== null && request.clientIp !== device.ip) return undefined;
    return request;
  }

  /**
   * Checks the guest's code; on success makes the phone a customer and gives (or gives again) a
   * voucher of the hotspot's plan, which the page then logs in with at the router.
   */
  async verifyCode(input: {
    page: LoginPage;
    tenant: Tenant;
    flowId: string;
    code: string;
    device: { mac: string; ip: string };
    locale: string;
  }): Promise<FreeAccessVerify> {
    const { page, tenant } = input;
    const request = await this.findFlow(page, input.flowId, input.device);
    if (!request) return { kind: 'unknown-flow' };
    const config = await this.config(page.tenantId, page.hotspotId);
    const available = await this.availabilityOf(page, config, { ignoreBudget: true });
    if (available.kind !== 'on') return available;
    const mac = deviceOf(input.device).mac ?? undefined;
    const nowMs = this.deps.clock.nowMs();

    // The same page posted twice (a double tap, a reload): the voucher given stays the answer.
    if (request.voucherId !== null) {
      const again = await this.usableVoucher(tenant.id, request.voucherId, mac);
      const customer = await this.deps.customers.ensureByPhone(tenant.id, request.phone, input.locale, nowMs);
      return again ? { kind: 'granted', voucher: again, customer, reused: true } : { kind: 'unknown-flow' };
    }
    if (request.expiresAtMs <= nowMs) return { kind: 'code-error', reason: 'expired' };

    const verified = await this.deps.otp.verifyForGuest({
      tenant,
      attemptToken: this.attemptToken(tenant.id, request),
      code: input.code,
    });
    if (verified.kind !== 'verified') return verified;
    const customer = await this.deps.customers.ensureByPhone(tenant.id, verified.phone, input.locale, nowMs);
    if (customer.status !== 'active') return { kind: 'code-error', reason: 'invalid' };

    // A free voucher of this period that still lets this device in is given again (a second
    // device, a reconnect); a new one only while the phone is under its limit.
    const sinceMs = nowMs - config.periodHours * HOUR_MS;
    const given = await this.deps.repository.vouchersGivenSince(tenant.id, verified.phone, sinceMs);
    for (const voucherId of given) {
      const voucher = await this.usableVoucher(tenant.id, voucherId, mac);
      if (voucher) {
        await this.deps.repository.markVerified(tenant.id, request.id, {
          customerId: customer.id,
          voucherId: voucher.id,
          nowMs,
        });
        return { kind: 'granted', voucher, customer, reused: true };
      }
    }
    if (given.length >= config.vouchersPerPhone)
      return { kind: 'used-up', retryAfterSeconds: config.periodHours * 3600 };

    const issued = await this.deps.vouchers.issueForCustomer(tenant.id, available.plan.id, customer.id);
    await this.deps.repository.markVerified(tenant.id, request.id, {
      customerId: customer.id,
      voucherId: issued.id,
      nowMs,
    });
    this.deps.logger.info(
      { tenantId: tenant.id, hotspotId: page.hotspotId, voucherId: issued.id, customerId: customer.id },
      'free access voucher given',
    );
    const voucher = await this.usableVoucher(tenant.id, issued.id, mac);
    if (!voucher) throw new Error('the free access voucher does not let the guest in');
    return { kind: 'granted', voucher, customer, reused: false };
  }

  private settings(tenantId: number): Promise<HotspotLoginSettings> {
    return this.deps.tenants.getSettings(tenantId, 'hotspotLogin');
  }

  private async availabilityOf(
    page: LoginPage,
    config: FreeAccessConfig,
    options: { ignoreBudget?: boolean } = {},
  ): Promise<FreeAccessAvailability> {
    if (!config.enabled || config.planId === null) return { kind: 'unavailable', reason: 'off' };
    const plan = await this.deps.plans.find(page.tenantId, config.planId);
    if (!plan || !plan.isActive) return { kind: 'unavailable', reason: 'off' };
    if (!(await this.deps.hasEnabledGateway(page.tenantId)))
      return { kind: 'unavailable', reason: 'no-gateway' };
    // A code already texted is still honoured when the budget runs out meanwhile.
    if (!options.ignoreBudget) {
      const tenant = await this.deps.tenants.findById(page.tenantId);
      const budget = await this.budget({ id: page.tenantId, time_zone: tenant?.time_zone ?? 'UTC' });
      if (budget.spent) {
        const key = `${page.tenantId}|${startOfMonthInZone(this.deps.clock.nowMs(), tenant?.time_zone ?? 'UTC')}`;
        if (!this.budgetLogged.has(key)) {
          this.budgetLogged.add(key);
          this.deps.logger.warn(
            { tenantId: page.tenantId, used: budget.used, budget: budget.budget },
            'free access by phone paused: the monthly SMS budget is spent',
          );
        }
        return { kind: 'unavailable', reason: 'budget' };
      }
    }
    return { kind: 'on', plan };
  }

  private async usableVoucher(
    tenantId: number,
    voucherId: number,
    mac: string | undefined,
  ): Promise<Voucher | undefined> {
    const code = await this.deps.findVoucherCode(tenantId, voucherId);
    if (code === undefined) return undefined;
    const check = await this.deps.checkVoucher(tenantId, code, mac);
    return check.ok ? check.voucher : undefined;
  }

  /** The short flow id the guest's page carries (22 characters, 128 bits). */
  private flowId(tenantId: number, request: { nonce: string }): string {
    return this.derive('free-access-flow', tenantId, request.nonce).slice(0, 22);
  }

  /** The code's attempt token: never leaves the server. */
  private attemptToken(tenantId: number, request: { nonce: string }): string {
    return this.derive('free-access-otp', tenantId, request.nonce);
  }

  private derive(label: string, tenantId: number, nonce: string): string {
    return crypto
      .createHmac('sha256', this.deps.secret)
      .update(`${label}\n${tenantId}\n${nonce}`)
      .digest('base64url');
  }
}

function deviceOf(device: { mac: string; ip: string }): { mac: string | null; clientIp: string | null } {
  return { mac: parseMac(device.mac) ?? null, clientIp: device.ip !== '' ? device.ip : null };
}
