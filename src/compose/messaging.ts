/**
 * SMS and what speaks through it: the SMS module (gateways, outbox, log), the portal's one-time
 * codes and their settings, status-page notifications, and the portal address in every SMS link.
 */
import type { Logger } from 'pino';
import type { WebSessions } from '../auth/index.js';
import { resolveServerSecret, type Config } from '../config/index.js';
import { CustomersRepository } from '../customers/index.js';
import type { Metrics } from '../metrics/index.js';
import {
  NotificationsRepository,
  NotificationsService,
  SmsTexts,
  portalAddressFor,
  portalUrlFor,
} from '../notifications/index.js';
import { OtpRepository, PortalSettingsService } from '../otp/index.js';
import type { CounterStore } from '../rate-limits/index.js';
import type { Clock, RandomSource } from '../shared/index.js';
import { createSmsModule } from '../sms/index.js';
import type { Store, Tenant } from '../store/index.js';
import type { TenantsRepository } from '../tenants/index.js';
import { meteredGatewayFactory, MeteredOtpService } from './metered.js';

export function createMessaging(parts: {
  config: Readonly<Config>;
  store: Store;
  tenants: TenantsRepository;
  webSessions: WebSessions;
  /** Shared counters (the code cooldown, sign-in limits). */
  counters: CounterStore;
  metrics: Metrics;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
}) {
  const { config, store, tenants, webSessions, counters, metrics, clock, random, logger } = parts;
  const sms = createSmsModule({
    db: store.db,
    tenants,
    clock,
    logger,
    publicUrl: config.publicUrl,
    allowedDestinations: config.smsAllowedHosts,
    // Every send attempt counted by gateway type and outcome.
    gatewayFactory: meteredGatewayFactory(metrics),
  });
  // Every SMS text but the status page's (which has its own settings) comes from here.
  const texts = new SmsTexts(tenants);
  const otp = new MeteredOtpService({
    metrics,
    texts,
    counters,
    repo: new OtpRepository(store.db),
    customers: new CustomersRepository(store.db),
    sender: {
      enqueue: (message) => {
        metrics.otpEvent('sent');
        return sms.outbox.enqueue(message);
      },
    },
    tenants,
    clock,
    random,
    secret: resolveServerSecret(config),
    logger,
  });
  const portalSettings = new PortalSettingsService({
    tenants,
    hasEnabledGateway: (tenantId) => sms.service.hasEnabledGateway(tenantId),
    endSessionsWithoutCode: (tenantId) => webSessions.destroyPortalSessionsWithoutCode(tenantId),
    clock,
  });
  // The portal link in every SMS (status page notifications, voucher details).
  const portalUrlFallback = {
    publicUrl: config.publicUrl,
    hostsOf: (id: number) => tenants.hostsOf(id),
    adminOriginOf: async (id: number) => (await tenants.getSettings(id, 'reach')).adminOrigin,
    port: config.port,
  };
  const portalUrl = (tenant: Tenant) => portalUrlFor(tenant, portalUrlFallback);
  const portalAddress = (tenant: Tenant) => portalAddressFor(tenant, portalUrlFallback);
  const notifications = new NotificationsService({
    repo: new NotificationsRepository(store.db),
    tenants,
    sender: sms.outbox,
    clock,
    logger,
    portalUrl,
  });
  return { sms, otp, portalSettings, notifications, texts, portalUrl, portalAddress };
}
