/**
 * Queries of delivery receipts (SMPP deliver_sm, Twilio status callbacks, Kannel-style dlr-url): applied to
 * the part the gateway knows by its id, and a message's status recomputed from its parts. A
 * receipt can beat the send loop's record of its part: it is kept, and applied when the part is.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import type { DeliveryReceipt } from './gateway.js';

/** Unmatched receipts older than this are dropped: their part is never coming. */
const UNMATCHED_RECEIPT_TTL_MS = 3 * 24 * 3600_000;

/**
 * Applies a delivery receipt to the part the gateway knows by its id and recomputes the
 * message's status. A receipt whose part is not recorded yet (it can beat the send loop) is
 * kept and applied when the part is. Returns the message id, or undefined when kept.
 */
export async function applyReceipt(
  db: Kysely<Database>,
  receipt: DeliveryReceipt,
  nowMs: number,
): Promise<number | undefined> {
  const applied = await applyToPart(db, receipt, nowMs);
  if (applied !== undefined) return applied;
  await db
    .insertInto('sms_unmatched_receipts')
    .values({
      tenant_id: receipt.tenantId,
      gateway_id: receipt.gatewayId,
      external_id: receipt.externalId,
      state: receipt.state,
      outcome: receipt.outcome,
      received_at: nowMs,
    })
    .execute();
  await db
    .deleteFrom('sms_unmatched_receipts')
    .where('received_at', '<', nowMs - UNMATCHED_RECEIPT_TTL_MS)
    .execute();
  // The part may have been recorded between the lookup and the insert: its matching missed this row.
  return matchUnmatched(db, receipt.tenantId, receipt.gatewayId, receipt.externalId);
}

/** Applies kept receipts of a part that exists now (each once: the delete decides who applies it). */
export async function matchUnmatched(
  db: Kysely<Database>,
  tenantId: number,
  gatewayId: number,
  externalId: string,
): Promise<number | undefined> {
  const part = await findPartByExternalId(db, tenantId, gatewayId, externalId);
  if (!part) return undefined;
  const kept = await db
    .deleteFrom('sms_unmatched_receipts')
    .where('tenant_id', '=', tenantId)
    .where('gateway_id', '=', gatewayId)
    .where('external_id', '=', externalId)
    .returningAll()
    .execute();
  let messageId: number | undefined;
  for (const r of kept.sort((x, y) => x.id - y.id)) {
    messageId = await applyToPart(
      db,
      {
        tenantId,
        gatewayId,
        externalId,
        state: r.state,
        outcome: r.outcome as DeliveryReceipt['outcome'],
      },
      r.received_at,
    );
  }
  return messageId;
}

function findPartByExternalId(db: Kysely<Database>, tenantId: number, gatewayId: number, externalId: string) {
  return db
    .selectFrom('sms_parts')
    .select(['id', 'message_id'])
    .where('tenant_id', '=', tenantId)
    .where('gateway_id', '=', gatewayId)
    .where('external_id', '=', externalId)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

async function applyToPart(
  db: Kysely<Database>,
  receipt: DeliveryReceipt,
  nowMs: number,
): Promise<number | undefined> {
  const part = await findPartByExternalId(db, receipt.tenantId, receipt.gatewayId, receipt.externalId);
  if (!part) return undefined;
  await db.transaction().execute(async (trx) => {
    // Row lock on the message: receipts of its parts and the sender's own refresh take turns.
    await trx
      .updateTable('sms_messages')
      .set((eb) => ({ status: eb.ref('status') }))
      .where('id', '=', part.message_id)
      .execute();
    // An intermediate report never undoes a final one.
    let update = trx
      .updateTable('sms_parts')
      .set({
        receipt_state: receipt.state.slice(0, 32),
        receipt_at: nowMs,
        ...(receipt.outcome === 'pending' ? {} : { status: receipt.outcome }),
      })
      .where('id', '=', part.id);
    if (receipt.outcome === 'pending') update = update.where('status', '=', 'accepted');
    await update.execute();
    await recomputeStatus(trx, receipt.tenantId, part.message_id);
  });
  return part.message_id;
}

/** Recomputes a sent message's status from its parts (after the send, receipts may be in). */
export async function refreshDeliveryStatus(
  db: Kysely<Database>,
  tenantId: number,
  messageId: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('sms_messages')
      .set((eb) => ({ status: eb.ref('status') }))
      .where('id', '=', messageId)
      .execute();
    await recomputeStatus(trx, tenantId, messageId);
  });
}

/**
 * delivered when every part the message went out with (on the gateway that sent it) is,
 * undelivered when any of them is, sent otherwise. Call with the message row locked.
 */
async function recomputeStatus(db: Kysely<Database>, tenantId: number, messageId: number) {
  const message = await db
    .selectFrom('sms_messages')
    .select(['status', 'gateway_id'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', messageId)
    .executeTakeFirst();
  if (
    !message ||
    message.gateway_id === null ||
    !['sent', 'delivered', 'undelivered'].includes(message.status)
  )
    return;
  const parts = await db
    .selectFrom('sms_parts')
    .select(['part_count', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('message_id', '=', messageId)
    .where('gateway_id', '=', message.gateway_id)
    .execute();
  if (parts.length === 0) return;
  const count = Math.max(...parts.map((p) => p.part_count));
  const status = parts.some((p) => p.status === 'undelivered')
    ? 'undelivered'
    : parts.filter((p) => p.status === 'delivered').length >= count
      ? 'delivered'
      : 'sent';
  if (status !== message.status)
    await db
      .updateTable('sms_messages')
      .set({ status })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', messageId)
      .execute();
}
