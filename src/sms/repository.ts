/**
 * Queries of the sms module: gateways and the outbox/log (sms_messages). Every query is scoped
 * by tenant except the worker's claim of due rows, which serves all tenants and then works on
 * each row by id under its lease.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, SmsAttempt, SmsGatewayRow, SmsMessage, SmsPart } from '../store/index.js';
import { applyReceipt, matchUnmatched, refreshDeliveryStatus } from './receipts-repository.js';
import type { AcceptedPart, DeliveryReceipt } from './gateway.js';

export type SmsType = 'login_code' | 'portal_link' | 'voucher_details' | 'limit_warning' | 'test';
export const SMS_TYPES: readonly SmsType[] = [
  'login_code',
  'portal_link',
  'voucher_details',
  'limit_warning',
  'test',
];
export type SmsStatus = 'queued' | 'sent' | 'failed' | 'delivered' | 'undelivered';
export const SMS_STATUSES: readonly SmsStatus[] = ['queued', 'sent', 'failed', 'delivered', 'undelivered'];

export interface NewSms {
  tenantId: number;
  customerId: number | null;
  type: SmsType;
  recipient: string;
  text: string;
  /** Unique per tenant: a second message with the same key is not queued. */
  dedupeKey?: string | null;
  nowMs: number;
  /** Insert already leased by the caller (a send that happens right now). */
  lockedUntilMs?: number;
}

export interface SmsLogFilter {
  fromMs?: number;
  toMs?: number;
  type?: SmsType;
  status?: SmsStatus;
  /** Part of the recipient number (digits and +). */
  recipient?: string;
  limit: number;
  offset: number;
}

export interface AttemptOutcome {
  attempts: number;
  gatewayId: number | null;
  answer: string | null;
  error: string | null;
  text: string;
}

export type AttemptOutcomeKind =
  'accepted' | 'partly_accepted' | 'temporary_failure' | 'permanent_failure' | 'no_gateway' | 'expired';

export interface NewAttempt {
  tenantId: number;
  messageId: number;
  pass: number;
  gatewayId: number | null;
  gatewayName: string | null;
  startedAtMs: number;
  finishedAtMs: number;
  outcome: AttemptOutcomeKind;
  partsAccepted: number;
  partsTotal: number | null;
  answer: string | null;
  error: string | null;
}

export class SmsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  // ---- gateways ----

  listGateways(tenantId: number): Promise<SmsGatewayRow[]> {
    return this.db
      .selectFrom('sms_gateways')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('position')
      .orderBy('id')
      .execute();
  }

  listEnabledGateways(tenantId: number): Promise<SmsGatewayRow[]> {
    return this.db
      .selectFrom('sms_gateways')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('is_enabled', '=', 1)
      .orderBy('position')
      .orderBy('id')
      .execute();
  }

  async countEnabledGateways(tenantId: number): Promise<number> {
    const row = await this.db
      .selectFrom('sms_gateways')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('is_enabled', '=', 1)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  findGateway(tenantId: number, id: number): Promise<SmsGatewayRow | undefined> {
    return this.db
      .selectFrom('sms_gateways')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /**
   * A gateway by id in any tenant: only for delivery callbacks, which prove the gateway's key
   * (signature, secret) before anything is done, and then work in the gateway's tenant.
   */
  findGatewayForCallback(id: number): Promise<SmsGatewayRow | undefined> {
    return this.db.selectFrom('sms_gateways').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insertGateway(values: {
    tenantId: number;
    name: string;
    type: string;
    settingsJson: string;
    isEnabled: boolean;
    nowMs: number;
  }): Promise<SmsGatewayRow> {
    const last = await this.db
      .selectFrom('sms_gateways')
      .select((eb) => eb.fn.max('position').as('p'))
      .where('tenant_id', '=', values.tenantId)
      .executeTakeFirst();
    return this.db
      .insertInto('sms_gateways')
      .values({
        tenant_id: values.tenantId,
        name: values.name,
        type: values.type,
        settings_json: values.settingsJson,
        is_enabled: values.isEnabled ? 1 : 0,
        position: Number(last?.p ?? -1) + 1,
        callback_secret: crypto.randomBytes(24).toString('base64url'),
        created_at: values.nowMs,
        updated_at: values.nowMs,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async updateGateway(
    tenantId: number,
    id: number,
    patch: { name?: string; settingsJson?: string; isEnabled?: boolean; nowMs: number },
  ): Promise<SmsGatewayRow | undefined> {
    return this.db
      .updateTable('sms_gateways')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.settingsJson !== undefined ? { settings_json: patch.settingsJson } : {}),
        ...(patch.isEnabled !== undefined ? { is_enabled: patch.isEnabled ? 1 : 0 } : {}),
        updated_at: patch.nowMs,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async deleteGateway(tenantId: number, id: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom('sms_gateways')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Sets positions 0..n-1 in the given order (ids of other tenants are ignored). */
  async reorderGateways(tenantId: number, orderedIds: number[], nowMs: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const [position, id] of orderedIds.entries()) {
        await trx
          .updateTable('sms_gateways')
          .set({ position, updated_at: nowMs })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .execute();
      }
    });
  }

  // ---- messages: outbox ----

  /** Queues a message; undefined when a message with the same dedupe key exists already. */
  async insertMessage(sms: NewSms): Promise<SmsMessage | undefined> {
    return this.db
      .insertInto('sms_messages')
      .values({
        tenant_id: sms.tenantId,
        customer_id: sms.customerId,
        type: sms.type,
        recipient: sms.recipient,
        text: sms.text,
        status: 'queued',
        dedupe_key: sms.dedupeKey ?? null,
        next_attempt_at: sms.nowMs,
        locked_until: sms.lockedUntilMs ?? null,
        created_at: sms.nowMs,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'dedupe_key']).doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  async findByDedupeKey(tenantId: number, dedupeKey: string): Promise<SmsMessage | undefined> {
    return this.db
      .selectFrom('sms_messages')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('dedupe_key', '=', dedupeKey)
      .executeTakeFirst();
  }

  /** Messages the tenant queued since `sinceMs`, of every type and status (its SMS bill). */
  async countCreatedSince(tenantId: number, sinceMs: number): Promise<number> {
    const row = await this.db
      .selectFrom('sms_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('created_at', '>=', sinceMs)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Queued messages of every tenant (the outbox depth): all, and those due by `nowMs`. */
  async outboxDepth(nowMs: number): Promise<{ queued: number; due: number }> {
    const row = await this.db
      .selectFrom('sms_messages')
      .select((eb) => [
        eb.fn.countAll<number>().as('queued'),
        eb.fn.sum<number>(eb.case().when('next_attempt_at', '<=', nowMs).then(1).else(0).end()).as('due'),
      ])
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return { queued: Number(row?.queued ?? 0), due: Number(row?.due ?? 0) };
  }

  /** Ids of queued messages that are due and not leased by a live worker (all tenants). */
  async findDue(nowMs: number, limit: number): Promise<Array<{ id: number; tenant_id: number }>> {
    return this.db
      .selectFrom('sms_messages')
      .select(['id', 'tenant_id'])
      .where('status', '=', 'queued')
      .where('next_attempt_at', '<=', nowMs)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', nowMs)]))
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /**
   * Takes the lease on one message (compare-and-set): only one worker's UPDATE matches, because
   * PostgreSQL re-checks the WHERE clause on the row version a concurrent UPDATE committed, and
   * SQLite serialises writers. Returns the row when this worker owns it until `leaseUntilMs`.
   */
  async claim(id: number, nowMs: number, leaseUntilMs: number): Promise<SmsMessage | undefined> {
    return this.db
      .updateTable('sms_messages')
      .set({ locked_until: leaseUntilMs })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .where('next_attempt_at', '<=', nowMs)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', nowMs)]))
      .returningAll()
      .executeTakeFirst();
  }

  /** Records the outcome of an attempt if this worker still holds the lease. */
  async finishAttempt(
    id: number,
    leaseUntilMs: number,
    outcome: AttemptOutcome &
      (
        | { status: 'sent'; externalId: string | null; sentAtMs: number }
        | { status: 'queued'; nextAttemptAtMs: number }
        | { status: 'failed' }
      ),
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('sms_messages')
      .set({
        status: outcome.status,
        attempts: outcome.attempts,
        gateway_id: outcome.gatewayId,
        gateway_answer: outcome.answer,
        error: outcome.error,
        text: outcome.text,
        locked_until: null,
        ...(outcome.status === 'sent' ? { external_id: outcome.externalId, sent_at: outcome.sentAtMs } : {}),
        ...(outcome.status === 'queued' ? { next_attempt_at: outcome.nextAttemptAtMs } : {}),
      })
      .where('id', '=', id)
      .where('locked_until', '=', leaseUntilMs)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  // ---- attempts, parts, receipts ----

  async insertAttempt(a: NewAttempt): Promise<void> {
    await this.db
      .insertInto('sms_attempts')
      .values({
        tenant_id: a.tenantId,
        message_id: a.messageId,
        pass: a.pass,
        gateway_id: a.gatewayId,
        gateway_name: a.gatewayName,
        started_at: a.startedAtMs,
        finished_at: a.finishedAtMs,
        outcome: a.outcome,
        parts_accepted: a.partsAccepted,
        parts_total: a.partsTotal,
        answer: a.answer,
        error: a.error,
      })
      .execute();
  }

  listAttempts(tenantId: number, messageId: number): Promise<SmsAttempt[]> {
    return this.db
      .selectFrom('sms_attempts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('message_id', '=', messageId)
      .orderBy('id')
      .execute();
  }

  listParts(tenantId: number, messageId: number): Promise<SmsPart[]> {
    return this.db
      .selectFrom('sms_parts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('message_id', '=', messageId)
      .orderBy('id')
      .execute();
  }

  /**
   * Records a part a gateway accepted, then applies receipts that arrived for it before this
   * row existed. False when the part was recorded already (it must not be sent twice).
   */
  async insertPart(
    tenantId: number,
    messageId: number,
    gatewayId: number,
    part: AcceptedPart,
    nowMs: number,
  ): Promise<boolean> {
    const inserted = await this.db
      .insertInto('sms_parts')
      .values({
        tenant_id: tenantId,
        message_id: messageId,
        gateway_id: gatewayId,
        part_number: part.partNumber,
        part_count: part.partCount,
        concat_ref: part.reference,
        external_id: part.externalId,
        status: 'accepted',
        accepted_at: nowMs,
      })
      .onConflict((oc) => oc.columns(['message_id', 'gateway_id', 'part_number']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (part.externalId !== null) await matchUnmatched(this.db, tenantId, gatewayId, part.externalId);
    return inserted !== undefined;
  }

  /**
   * Applies a delivery receipt to the part the gateway knows by its id and recomputes the
   * message's status; a receipt that beats its part is kept until the part is recorded
   * (receipts-repository.ts). Returns the message id, or undefined when kept.
   */
  applyReceipt(receipt: DeliveryReceipt, nowMs: number): Promise<number | undefined> {
    return applyReceipt(this.db, receipt, nowMs);
  }

  /** Recomputes a sent message's status from its parts (after the send, receipts may be in). */
  refreshDeliveryStatus(tenantId: number, messageId: number): Promise<void> {
    return refreshDeliveryStatus(this.db, tenantId, messageId);
  }

  // ---- messages: log ----

  getMessage(tenantId: number, id: number): Promise<SmsMessage | undefined> {
    return this.db
      .selectFrom('sms_messages')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async listMessages(tenantId: number, filter: SmsLogFilter): Promise<{ rows: SmsMessage[]; total: number }> {
    let query = this.db.selectFrom('sms_messages').where('tenant_id', '=', tenantId);
    if (filter.fromMs !== undefined) query = query.where('created_at', '>=', filter.fromMs);
    if (filter.toMs !== undefined) query = query.where('created_at', '<', filter.toMs);
    if (filter.type) query = query.where('type', '=', filter.type);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.recipient) {
      const digits = filter.recipient.replace(/[^\d+]/g, '');
      if (digits) query = query.where('recipient', 'like', `%${digits}%`);
    }
    const [rows, count] = await Promise.all([
      query
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    ]);
    return { rows, total: Number(count?.n ?? 0) };
  }
}
