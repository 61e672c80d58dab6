/**
 * The hosted hotspot login page (/hotspot/<public id>/login, its router files, the signed
 * voucher view) and free access by phone on it, as the composition root wires them.
 */
import type { Logger } from 'pino';
import { resolveServerSecret, type Config } from '../config/index.js';
import { CustomersRepository } from '../customers/index.js';
import {
  FreeAccessRepository,
  FreeAccessService,
  HotspotLoginRepository,
  HotspotLoginService,
  WelcomeLinks,
} from '../hotspot-login/index.js';
import type { HotspotsService } from '../hotspots/index.js';
import type { OtpService } from '../otp/index.js';
import type { Clock, RandomSource } from '../shared/index.js';
import type { SmsModule } from '../sms/index.js';
import type { Store } from '../store/index.js';
import type { TenantsRepository } from '../tenants/index.js';
import {
  VoucherAccessRepository,
  VoucherPortalQueries,
  type VoucherAccessPolicy,
} from '../vouchers/index.js';
import type { VouchersModule } from './vouchers.js';

export function createHotspotLogin(parts: {
  config: Readonly<Config>;
  store: Store;
  tenants: TenantsRepository;
  hotspots: HotspotsService;
  accessPolicy: VoucherAccessPolicy;
  otp: OtpService;
  operator: VouchersModule;
  sms: SmsModule;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
}): { hotspotLogin: HotspotLoginService; freeAccess: FreeAccessService } {
  const { config, store, tenants, hotspots, accessPolicy, otp, operator, sms, clock, random, logger } = parts;
  // The hosted hotspot login page (/hotspot/<public id>/login) and its router files.
  const hotspotLogin = new HotspotLoginService({
    repository: new HotspotLoginRepository(store.db),
    hotspots,
    policy: accessPolicy,
    vouchers: new VoucherPortalQueries(store.db),
    countDevices: (tenantId, voucherId) =>
      new VoucherAccessRepository(store.db, store.dialect).countDevices(tenantId, voucherId),
    tenants,
    welcomeLinks: new WelcomeLinks(resolveServerSecret(config)),
    clock,
    random,
  });

  // Free access by phone on the login page (off per hotspot until the operator turns it on).
  const freeAccess = new FreeAccessService({
    repository: new FreeAccessRepository(store.db),
    otp,
    tenants,
    plans: operator.plans,
    customers: new CustomersRepository(store.db),
    vouchers: operator.vouchers,
    checkVoucher: (tenantId, code, mac) => accessPolicy.check(tenantId, code, mac),
    findVoucherCode: async (tenantId, voucherId) =>
      (await new VoucherPortalQueries(store.db).findById(tenantId, voucherId))?.code,
    hasEnabledGateway: (tenantId) => sms.service.hasEnabledGateway(tenantId),
    smsCountSince: (tenantId, sinceMs) => sms.repository.countCreatedSince(tenantId, sinceMs),
    clock,
    random,
    secret: resolveServerSecret(config),
    logger,
  });
  return { hotspotLogin, freeAccess };
}
