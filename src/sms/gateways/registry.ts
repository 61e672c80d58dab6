/**
 * Builds gateway instances from their rows and keeps them while their settings stay the same
 * (an SMPP bind is worth keeping). A changed row gets a new instance; the old one is closed.
 */
import type { Logger } from 'pino';
import type { SmsGatewayRow } from '../../store/index.js';
import type { DestinationGuard } from '../destinations.js';
import type { DeliveryReceipt, GatewayType, SmsGateway } from '../gateway.js';
import { parseGatewaySettings } from '../gateway-settings.js';
import { HttpGateway } from './http.js';
import { LogGateway } from './log.js';
import { SmppGateway } from './smpp.js';
import { TwilioGateway } from './twilio.js';

export interface GatewayFactoryDeps {
  logger: Logger;
  onReceipt: (receipt: DeliveryReceipt) => void;
  /** Where gateways may connect (public addresses plus the operator's allow-list). */
  destinations: DestinationGuard;
}

export function createGateway(row: SmsGatewayRow, deps: GatewayFactoryDeps): SmsGateway {
  const stored = JSON.parse(row.settings_json) as unknown;
  const type = row.type as GatewayType;
  switch (type) {
    case 'http':
      return new HttpGateway(parseGatewaySettings('http', stored), deps.destinations);
    case 'twilio':
      return new TwilioGateway(parseGatewaySettings('twilio', stored), deps.destinations);
    case 'smpp':
      return new SmppGateway(parseGatewaySettings('smpp', stored), {
        tenantId: row.tenant_id,
        gatewayId: row.id,
        logger: deps.logger,
        onReceipt: deps.onReceipt,
        destinations: deps.destinations,
      });
    case 'log':
      return new LogGateway(deps.logger, row.name);
    default:
      throw new Error(`unknown gateway type ${String(row.type)}`);
  }
}

export class GatewayRegistry {
  private readonly instances = new Map<number, { key: string; gateway: SmsGateway }>();

  constructor(
    private readonly deps: GatewayFactoryDeps,
    private readonly factory: (row: SmsGatewayRow, deps: GatewayFactoryDeps) => SmsGateway = createGateway,
  ) {}

  get(row: SmsGatewayRow): SmsGateway {
    const key = `${row.type}\n${row.name}\n${row.settings_json}`;
    const existing = this.instances.get(row.id);
    if (existing?.key === key) return existing.gateway;
    if (existing) void existing.gateway.close?.().catch(() => undefined);
    const gateway = this.factory(row, this.deps);
    this.instances.set(row.id, { key, gateway });
    return gateway;
  }

  /** Drops the instance of a deleted or changed gateway. */
  forget(gatewayId: number): void {
    const existing = this.instances.get(gatewayId);
    this.instances.delete(gatewayId);
    if (existing) void existing.gateway.close?.().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const all = [...this.instances.values()];
    this.instances.clear();
    const closing: Array<Promise<void>> = [];
    for (const { gateway } of all) if (gateway.close) closing.push(gateway.close().catch(() => undefined));
    await Promise.all(closing);
  }
}
