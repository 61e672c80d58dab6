/**
 * Associated devices, twice over the same repository: the service for the API and the portal's
 * JSON, whose removals wait up to `waitMs` for the hotspot's Disconnect answer, and the one of web
 * pages, which waits only `pageWaitMs` and then follows the outcome live.
 */
import type { Logger } from 'pino';
import { boundedTerminator, DevicesRepository, DevicesService } from '../devices/index.js';
import type { Clock } from '../shared/index.js';
import type { Store } from '../store/index.js';
import type { UsageService } from '../usage/index.js';

export function createDevices(parts: {
  store: Store;
  usage: UsageService;
  clock: Clock;
  logger: Logger;
  waitMs: number;
  pageWaitMs: number;
}): { devices: DevicesService; pageDevices: DevicesService } {
  const repository = new DevicesRepository(parts.store.db);
  const waitingUpTo = (waitMs: number) =>
    new DevicesService(
      repository,
      boundedTerminator(parts.usage.deviceTerminator, {
        waitMs,
        countOpenSessions: (tenantId, voucherId, mac) =>
          repository.countOpenSessions(tenantId, voucherId, mac),
        logger: parts.logger,
      }),
      parts.clock,
    );
  return { devices: waitingUpTo(parts.waitMs), pageDevices: waitingUpTo(parts.pageWaitMs) };
}
