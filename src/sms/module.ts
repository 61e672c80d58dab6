/** Builds the sms module for the composition root (src/app.ts). */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../shared/index.js';
import type { Database } from '../store/index.js';
import type { TenantsRepository } from '../tenants/index.js';
import { DestinationGuard, type AllowedDestinations, type HostResolver } from './destinations.js';
import type { SmsGateway } from './gateway.js';
import { GatewayRegistry, createGateway, type GatewayFactoryDeps } from './gateways/registry.js';
import { SmsOutbox, type OutboxOptions } from './outbox.js';
import { publicBaseUrl } from './callback-urls.js';
import { SmsRepository } from './repository.js';
import { SmsService } from './service.js';
import type { SmsGatewayRow } from '../store/index.js';

export interface SmsModule {
  repository: SmsRepository;
  outbox: SmsOutbox;
  service: SmsService;
  registry: GatewayRegistry;
  /** Starts the outbox worker. */
  start(): void;
  /** Stops the worker and closes gateway links (SMPP binds). */
  close(): Promise<void>;
}

export function createSmsModule(deps: {
  db: Kysely<Database>;
  tenants: TenantsRepository;
  clock: Clock;
  logger: Logger;
  outboxOptions?: Partial<OutboxOptions>;
  /** Non-public destinations the operator allows (config.smsAllowedHosts). */
  allowedDestinations: AllowedDestinations;
  /** Tests: a fake DNS. */
  hostResolver?: HostResolver;
  /** PORTICO_PUBLIC_URL: the origin providers call back on when a tenant has none of its own. */
  publicUrl?: string;
  /** Tests: replace how gateways are built from their rows. */
  gatewayFactory?: (row: SmsGatewayRow, deps: GatewayFactoryDeps) => SmsGateway;
}): SmsModule {
  const repository = new SmsRepository(deps.db);
  const logger = deps.logger.child({ module: 'sms' });
  let outbox: SmsOutbox | undefined = undefined;
  const destinations = new DestinationGuard(deps.allowedDestinations, deps.hostResolver);
  const registry = new GatewayRegistry(
    {
      logger,
      destinations,
      onReceipt: (receipt) => {
        void outbox
          ?.applyReceipt(receipt)
          .catch((error: unknown) => logger.error({ err: error }, 'receipt failed'));
      },
    },
    deps.gatewayFactory ?? createGateway,
  );
  const callbackBase = async (tenantId: number) => {
    const tenant = await deps.tenants.findById(tenantId);
    return tenant ? publicBaseUrl(tenant, deps.publicUrl) : undefined;
  };
  outbox = new SmsOutbox(repository, registry, deps.clock, logger, deps.outboxOptions, callbackBase);
  const service = new SmsService(repository, outbox, registry, deps.tenants, deps.clock, destinations);
  const theOutbox = outbox;
  return {
    repository,
    outbox: theOutbox,
    service,
    registry,
    start: () => theOutbox.start(),
    async close() {
      await theOutbox.stop();
      await registry.closeAll();
    },
  };
}
