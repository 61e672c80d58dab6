/**
 * Operator-facing SMS features: gateway management (add, edit, enable, order, delete, test
 * send) and the SMS log. Secrets never leave through these views. The portal's OTP depends on
 * an enabled gateway, so the last enabled gateway cannot be disabled or deleted while OTP is on.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { AppError, cleanName, type Clock, NAME_MAX_CHARS, notFound, validation } from '../shared/index.js';
import type { SmsGatewayRow, SmsMessage, Tenant } from '../store/index.js';
import type { TenantsRepository } from '../tenants/index.js';
import { DestinationRefused, type DestinationGuard } from './destinations.js';
import { GATEWAY_TYPES, type GatewayType } from './gateway.js';
import { destinationHost, parseGatewaySettings, redactGatewaySettings } from './gateway-settings.js';
import type { GatewayRegistry } from './gateways/registry.js';
import { maskLoginCode, type SmsOutbox } from './outbox.js';
import {
  SMS_STATUSES,
  SMS_TYPES,
  type SmsLogFilter,
  type SmsRepository,
  type SmsStatus,
  type SmsType,
} from './repository.js';

export interface GatewayView {
  id: number;
  name: string;
  type: GatewayType;
  enabled: boolean;
  position: number;
  /** Settings without secrets. */
  settings: Record<string, unknown>;
  /** Names of the secret fields that hold a value. */
  secretsSet: string[];
  createdAt: number;
  updatedAt: number;
}

export interface SmsMessageView {
  id: number;
  type: string;
  recipient: string;
  customerId: number | null;
  /** Login codes are always masked here. */
  text: string;
  status: string;
  attempts: number;
  gatewayId: number | null;
  gatewayName: string | null;
  gatewayAnswer: string | null;
  error: string | null;
  createdAt: number;
  sentAt: number | null;
  nextAttemptAt: number | null;
}

/** One try of one gateway, for the SMS log. */
export interface SmsAttemptView {
  pass: number;
  gatewayId: number | null;
  /** The gateway's name at the time of the attempt. */
  gatewayName: string | null;
  startedAt: number;
  finishedAt: number;
  outcome: string;
  partsAccepted: number;
  partsTotal: number | null;
  answer: string | null;
  error: string | null;
}

/** One part a gateway accepted, with its delivery receipt. */
export interface SmsPartView {
  gatewayId: number;
  partNumber: number;
  partCount: number;
  externalId: string | null;
  status: string;
  receiptState: string | null;
  acceptedAt: number;
  receiptAt: number | null;
}

export interface SmsMessageDetailView extends SmsMessageView {
  history: SmsAttemptView[];
  parts: SmsPartView[];
}

export interface GatewayInput {
  name: string;
  type: GatewayType;
  enabled?: boolean;
  settings: unknown;
}

export const TEST_SMS_TEXT = 'Portico test message: your SMS gateway works.';

export function toGatewayView(row: SmsGatewayRow): GatewayView {
  const type = row.type as GatewayType;
  const { settings, secretsSet } = redactGatewaySettings(
    type,
    JSON.parse(row.settings_json) as Record<string, unknown>,
  );
  return {
    id: row.id,
    name: row.name,
    type,
    enabled: row.is_enabled === 1,
    position: row.position,
    settings,
    secretsSet,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toMessageView(row: SmsMessage, gatewayNames: Map<number, string>): SmsMessageView {
  return {
    id: row.id,
    type: row.type,
    recipient: row.recipient,
    customerId: row.customer_id,
    text: row.type === 'login_code' ? maskLoginCode(row.text) : row.text,
    status: row.status,
    attempts: row.attempts,
    gatewayId: row.gateway_id,
    gatewayName: row.gateway_id !== null ? (gatewayNames.get(row.gateway_id) ?? null) : null,
    gatewayAnswer: row.gateway_answer,
    error: row.error,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    nextAttemptAt: row.status === 'queued' ? row.next_attempt_at : null,
  };
}

/** Parses a phone number in the tenant's default country to E.164, or throws PHONE_INVALID. */
export function toE164(input: string, defaultCountry: string): string {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry as CountryCode);
  if (!parsed?.isValid()) throw new AppError('PHONE_INVALID', 'This is not a valid phone number');
  return parsed.number;
}

export class SmsService {
  constructor(
    private readonly repo: SmsRepository,
    private readonly outbox: SmsOutbox,
    private readonly registry: GatewayRegistry,
    private readonly tenants: TenantsRepository,
    private readonly clock: Clock,
    private readonly destinations: DestinationGuard,
  ) {}

  async listGateways(tenantId: number): Promise<GatewayView[]> {
    return (await this.repo.listGateways(tenantId)).map(toGatewayView);
  }

  async getGateway(tenantId: number, id: number): Promise<GatewayView> {
    const row = await this.repo.findGateway(tenantId, id);
    if (!row) throw notFound('SMS gateway');
    return toGatewayView(row);
  }

  async hasEnabledGateway(tenantId: number): Promise<boolean> {
    return (await this.repo.countEnabledGateways(tenantId)) > 0;
  }

  async createGateway(tenantId: number, input: GatewayInput): Promise<GatewayView> {
    if (!GATEWAY_TYPES.includes(input.type)) throw validation(`Unknown gateway type "${String(input.type)}"`);
    const name = checkName(input.name);
    const settings = parseGatewaySettings(input.type, input.settings);
    await this.checkDestination(input.type, settings);
    const row = await this.repo.insertGateway({
      tenantId,
      name,
      type: input.type,
      settingsJson: JSON.stringify(settings),
      isEnabled: input.enabled ?? true,
      nowMs: this.clock.nowMs(),
    });
    return toGatewayView(row);
  }

  /** Changes name, settings (secrets left empty are kept) or enabled state. */
  async updateGateway(
    tenantId: number,
    id: number,
    input: { name?: string; enabled?: boolean; settings?: unknown },
  ): Promise<GatewayView> {
    const row = await this.repo.findGateway(tenantId, id);
    if (!row) throw notFound('SMS gateway');
    if (input.enabled === false && row.is_enabled === 1) await this.assertNotLastForOtp(tenantId);
    let settingsJson: string | undefined;
    if (input.settings !== undefined) {
      const type = row.type as GatewayType;
      const settings = parseGatewaySettings(
        type,
        input.settings,
        JSON.parse(row.settings_json) as Record<string, unknown>,
      );
      await this.checkDestination(type, settings);
      settingsJson = JSON.stringify(settings);
    }
    const updated = await this.repo.updateGateway(tenantId, id, {
      name: input.name !== undefined ? checkName(input.name) : undefined,
      settingsJson,
      isEnabled: input.enabled,
      nowMs: this.clock.nowMs(),
    });
    if (!updated) throw notFound('SMS gateway');
    this.registry.forget(id);
    return toGatewayView(updated);
  }

  async deleteGateway(tenantId: number, id: number): Promise<void> {
    const row = await this.repo.findGateway(tenantId, id);
    if (!row) throw notFound('SMS gateway');
    if (row.is_enabled === 1) await this.assertNotLastForOtp(tenantId);
    await this.repo.deleteGateway(tenantId, id);
    this.registry.forget(id);
  }

  /** Sets the order: `orderedIds` must list every gateway of the tenant exactly once. */
  async reorderGateways(tenantId: number, orderedIds: number[]): Promise<GatewayView[]> {
    const rows = await this.repo.listGateways(tenantId);
    const known = new Set(rows.map((r) => r.id));
    const given = new Set(orderedIds);
    if (
      given.size !== orderedIds.length ||
      given.size !== known.size ||
      orderedIds.some((id) => !known.has(id))
    )
      throw validation('The order must list every SMS gateway exactly once');
    await this.repo.reorderGateways(tenantId, orderedIds, this.clock.nowMs());
    return this.listGateways(tenantId);
  }

  /** Moves a gateway one place up (-1) or down (+1). */
  async moveGateway(tenantId: number, id: number, direction: -1 | 1): Promise<GatewayView[]> {
    const ids = (await this.repo.listGateways(tenantId)).map((r) => r.id);
    const index = ids.indexOf(id);
    if (index < 0) throw notFound('SMS gateway');
    const target = index + direction;
    if (target >= 0 && target < ids.length) [ids[index], ids[target]] = [ids[target]!, ids[index]!];
    return this.reorderGateways(tenantId, ids);
  }

  /**
   * Sends a test SMS through one gateway now (whether enabled or not) and returns the logged
   * message with its outcome.
   */
  async sendTest(
    tenant: Tenant,
    gatewayId: number,
    input: { to: string; text?: string },
  ): Promise<SmsMessageView> {
    const row = await this.repo.findGateway(tenant.id, gatewayId);
    if (!row) throw notFound('SMS gateway');
    const recipient = toE164(input.to, tenant.default_country);
    const text = (input.text ?? '').trim() || TEST_SMS_TEXT;
    if (text.length > 640) throw validation('The test text is too long (640 characters at most)');
    const message = await this.outbox.sendNow(
      { tenantId: tenant.id, customerId: null, type: 'test', recipient, text },
      row,
    );
    return toMessageView(message, new Map([[row.id, row.name]]));
  }

  async listMessages(
    tenantId: number,
    filter: SmsLogFilter,
  ): Promise<{ items: SmsMessageView[]; total: number }> {
    if (filter.type && !SMS_TYPES.includes(filter.type)) throw validation('Unknown SMS type');
    if (filter.status && !SMS_STATUSES.includes(filter.status)) throw validation('Unknown SMS status');
    const { rows, total } = await this.repo.listMessages(tenantId, {
      ...filter,
      limit: Math.min(Math.max(filter.limit, 1), 200),
      offset: Math.max(filter.offset, 0),
    });
    const names = await this.gatewayNames(tenantId);
    return { items: rows.map((r) => toMessageView(r, names)), total };
  }

  /** One message with every attempt and every accepted part (receipts per part). */
  async getMessage(tenantId: number, id: number): Promise<SmsMessageDetailView> {
    const row = await this.repo.getMessage(tenantId, id);
    if (!row) throw notFound('SMS message');
    const [names, attempts, parts] = await Promise.all([
      this.gatewayNames(tenantId),
      this.repo.listAttempts(tenantId, id),
      this.repo.listParts(tenantId, id),
    ]);
    return {
      ...toMessageView(row, names),
      history: attempts.map((a) => ({
        pass: a.pass,
        gatewayId: a.gateway_id,
        gatewayName: a.gateway_name,
        startedAt: a.started_at,
        finishedAt: a.finished_at,
        outcome: a.outcome,
        partsAccepted: a.parts_accepted,
        partsTotal: a.parts_total,
        answer: a.answer,
        error: a.error,
      })),
      parts: parts.map((p) => ({
        gatewayId: p.gateway_id,
        partNumber: p.part_number,
        partCount: p.part_count,
        externalId: p.external_id,
        status: p.status,
        receiptState: p.receipt_state,
        acceptedAt: p.accepted_at,
        receiptAt: p.receipt_at,
      })),
    };
  }

  private async gatewayNames(tenantId: number): Promise<Map<number, string>> {
    return new Map((await this.repo.listGateways(tenantId)).map((g) => [g.id, g.name]));
  }

  /**
   * Refuses, with a clear VALIDATION error, a gateway whose host is (or resolves to) an address
   * gateways may not reach. The send checks again at connect time (DNS can change); a name that
   * cannot be resolved now is accepted, the send will say.
   */
  private async checkDestination(type: GatewayType, settings: object): Promise<void> {
    const host = destinationHost(type, settings as Record<string, unknown>);
    if (host === undefined) return;
    try {
      await withTimeout(this.destinations.resolve(host), SAVE_CHECK_TIMEOUT_MS);
    } catch (error) {
      if (error instanceof DestinationRefused) {
        const field = type === 'http' ? 'url' : type === 'twilio' ? 'baseUrl' : 'host';
        const message = error.message.charAt(0).toUpperCase() + error.message.slice(1);
        throw validation(message, { errors: [{ path: `/${field}`, message }] });
      }
    }
  }

  private async assertNotLastForOtp(tenantId: number): Promise<void> {
    const portal = await this.tenants.getSettings(tenantId, 'portal');
    if (portal.otpEnabled && (await this.repo.countEnabledGateways(tenantId)) <= 1) {
      throw new AppError(
        'CONFLICT',
        'This is the last enabled SMS gateway and the portal requires SMS one-time codes. ' +
          'Turn off "Use OTP for accessing the portal" in Config > Portal first, or enable another gateway.',
      );
    }
  }
}

/** How long saving a gateway waits for DNS before accepting an unresolved name. */
const SAVE_CHECK_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function isSmsType(value: unknown): value is SmsType {
  return typeof value === 'string' && (SMS_TYPES as readonly string[]).includes(value);
}
export function isSmsStatus(value: unknown): value is SmsStatus {
  return typeof value === 'string' && (SMS_STATUSES as readonly string[]).includes(value);
}

function checkName(name: string): string {
  const trimmed = cleanName(name);
  if (trimmed.length < 1 || trimmed.length > NAME_MAX_CHARS)
    throw validation(`The gateway name must have 1 to ${NAME_MAX_CHARS} characters`);
  return trimmed;
}
