/**
 * Status page notifications: when a voucher of a customer is activated (first RADIUS login, or
 * an operator activating/assigning it), text the customer the portal link, rendered from the
 * tenant's template. Frequency "once" texts a customer once ever; "every_activation" once per
 * voucher. Exactly one SMS per activation, even with retries or several processes: the outbox
 * row's dedupe key (unique per tenant) is `portal_link:customer:<id>` or
 * `portal_link:voucher:<id>`.
 */
import type { Logger } from 'pino';
import { AppError, notFound, type Clock } from '../shared/index.js';
import type { Tenant } from '../store/index.js';
import type { NotificationSettings, TenantsRepository } from '../tenants/index.js';
import type { ActivationFacts, NotificationsRepository } from './repository.js';
import { checkSmsTextTemplates } from './sms-texts.js';
import { checkTemplate, formatExpiry, renderTemplate, type StatusPageVariables } from './template.js';

/** The voucher-activation event (raised by RADIUS on first login, and by operators). */
export interface VoucherActivated {
  tenantId: number;
  voucherId: number;
  customerId?: number | null;
  activatedAtMs?: number;
}

/** Where portal-link SMS are queued (the sms module's outbox). */
export interface NotificationSender {
  enqueue(sms: {
    tenantId: number;
    customerId: number | null;
    type: 'portal_link';
    recipient: string;
    text: string;
    dedupeKey: string;
  }): Promise<{ id: number } | undefined>;
}

export type ActivationOutcome =
  | { queued: true; messageId: number }
  | {
      queued: false;
      reason: 'disabled' | 'no_customer' | 'customer_blocked' | 'already_sent' | 'tenant_unknown';
    };

export interface PreviewResult {
  text: string;
  /** The customer the preview was rendered for, or null when sample data was used. */
  customer: { id: number; name: string | null; phone: string } | null;
  variables: StatusPageVariables;
}

export class NotificationsService {
  constructor(
    private readonly deps: {
      repo: NotificationsRepository;
      tenants: TenantsRepository;
      sender: NotificationSender;
      clock: Clock;
      logger: Logger;
      /** The tenant's portal URL, e.g. https://wifi.example.com/portal. */
      portalUrl: (tenant: Tenant) => Promise<string>;
    },
  ) {}

  getSettings(tenantId: number): Promise<NotificationSettings> {
    return this.deps.tenants.getSettings(tenantId, 'notifications');
  }

  async updateSettings(
    tenantId: number,
    input: Partial<NotificationSettings>,
  ): Promise<NotificationSettings> {
    const current = await this.getSettings(tenantId);
    const next: NotificationSettings = { ...current };
    if (input.statusPageEnabled !== undefined) next.statusPageEnabled = input.statusPageEnabled === true;
    if (input.statusPageFrequency !== undefined) {
      if (input.statusPageFrequency !== 'once' && input.statusPageFrequency !== 'every_activation')
        throw new AppError('VALIDATION', 'The frequency must be "once" or "every_activation"');
      next.statusPageFrequency = input.statusPageFrequency;
    }
    if (input.statusPageTemplate !== undefined)
      next.statusPageTemplate = checkTemplate(input.statusPageTemplate);
    if (input.smsTexts !== undefined) next.smsTexts = checkSmsTextTemplates(input.smsTexts);
    await this.deps.tenants.putSettings(tenantId, 'notifications', next, this.deps.clock.nowMs());
    return next;
  }

  /** Handles the event without throwing (for synchronous hooks): errors are logged. */
  handleVoucherActivated(event: VoucherActivated): void {
    this.onVoucherActivated(event).catch((error: unknown) =>
      this.deps.logger.error({ err: error, ...event }, 'status page notification failed'),
    );
  }

  /** Queues the portal-link SMS for this activation when due. */
  async onVoucherActivated(event: VoucherActivated): Promise<ActivationOutcome> {
    const settings = await this.getSettings(event.tenantId);
    if (!settings.statusPageEnabled) return { queued: false, reason: 'disabled' };
    const tenant = await this.deps.tenants.findById(event.tenantId);
    if (!tenant) return { queued: false, reason: 'tenant_unknown' };
    const facts = await this.deps.repo.activationFacts(event.tenantId, event.voucherId);
    if (!facts) return { queued: false, reason: 'no_customer' };
    if (facts.customerStatus !== 'active') return { queued: false, reason: 'customer_blocked' };
    const once = settings.statusPageFrequency === 'once';
    if (once && facts.portalLinkSentAtMs !== null) return { queued: false, reason: 'already_sent' };

    const text = await renderTemplate(settings.statusPageTemplate, await this.variables(tenant, facts));
    const dedupeKey = once
      ? `portal_link:customer:${facts.customerId}`
      : `portal_link:voucher:${facts.voucherId}`;
    const row = await this.deps.sender.enqueue({
      tenantId: tenant.id,
      customerId: facts.customerId,
      type: 'portal_link',
      recipient: facts.customerPhone,
      text,
      dedupeKey,
    });
    await this.deps.repo.markPortalLinkSent(tenant.id, facts.customerId, this.deps.clock.nowMs());
    if (!row) return { queued: false, reason: 'already_sent' };
    this.deps.logger.info(
      { tenantId: tenant.id, smsId: row.id, voucherId: facts.voucherId },
      'portal link queued',
    );
    return { queued: true, messageId: row.id };
  }

  /**
   * Renders `template` (or the saved one) for a real customer: the given one, else the most
   * recent customer with a voucher; sample data only when the tenant has none.
   */
  async preview(
    tenant: Tenant,
    options: { template?: string; customerId?: number } = {},
  ): Promise<PreviewResult> {
    const template =
      options.template !== undefined
        ? checkTemplate(options.template)
        : (await this.getSettings(tenant.id)).statusPageTemplate;
    let facts: ActivationFacts | undefined;
    let customer: PreviewResult['customer'] = null;
    if (options.customerId !== undefined) {
      const basics = await this.deps.repo.customerBasics(tenant.id, options.customerId);
      if (!basics) throw notFound('Customer');
      customer = { id: basics.id, name: basics.name, phone: basics.phone };
      facts = await this.deps.repo.latestFactsOfCustomer(tenant.id, options.customerId);
    } else {
      facts = await this.deps.repo.latestFacts(tenant.id);
      if (facts) customer = { id: facts.customerId, name: facts.customerName, phone: facts.customerPhone };
    }
    const sample: ActivationFacts = {
      voucherId: 0,
      voucherCode: '202611-1h500m-J8TiJDyT',
      planTitle: '1 hour 500 MB',
      expiresAtMs: this.deps.clock.nowMs() + 86_400_000,
      customerId: 0,
      customerPhone: customer?.phone ?? '+12025550123',
      customerName: customer ? customer.name : 'Alex',
      customerStatus: 'active',
      portalLinkSentAtMs: null,
    };
    const variables = await this.variables(tenant, facts ?? sample);
    return { text: await renderTemplate(template, variables), customer, variables };
  }

  private async variables(tenant: Tenant, facts: ActivationFacts): Promise<StatusPageVariables> {
    return {
      link: await this.deps.portalUrl(tenant),
      customer_name: facts.customerName ?? '',
      customer_phone: facts.customerPhone,
      voucher_code: facts.voucherCode,
      plan_name: facts.planTitle,
      expiry: formatExpiry(facts.expiresAtMs, tenant.locale, tenant.time_zone),
      tenant_name: tenant.name,
    };
  }
}
