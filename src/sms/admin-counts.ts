/** Read-only SMS counts for the operator dashboard (the SMS module owns the outbox and the log). */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

export class SmsAdminCounts {
  constructor(private readonly db: Kysely<Database>) {}

  ofCustomer(tenantId: number, customerId: number, limit = 50): Promise<SmsSummary[]> {
    return smsOfCustomer(this.db, tenantId, customerId, limit);
  }

  /** Whether the tenant has ever queued a message of one of these types (first-run checklist). */
  async hasAnyOfTypes(tenantId: number, types: readonly string[]): Promise<boolean> {
    const row = await this.db
      .selectFrom('sms_messages')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('type', 'in', [...types])
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Messages created in [fromMs, toMs) by status (sent, delivered, failed, ...). */
  async byStatusBetween(tenantId: number, fromMs: number, toMs: number): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('sms_messages')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('created_at', '>=', fromMs)
      .where('created_at', '<', toMs)
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}

export interface SmsSummary {
  id: number;
  type: string;
  recipient: string;
  text: string;
  status: string;
  createdAtMs: number;
  sentAtMs: number | null;
}

/** The latest SMS sent to one customer (customer detail page); login codes masked here too. */
export async function smsOfCustomer(
  db: Kysely<Database>,
  tenantId: number,
  customerId: number,
  limit = 50,
): Promise<SmsSummary[]> {
  const rows = await db
    .selectFrom('sms_messages')
    .select(['id', 'type', 'recipient', 'text', 'status', 'created_at', 'sent_at'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    recipient: r.recipient,
    text: r.type === 'login_code' ? r.text.replace(/\d/g, '•') : r.text,
    status: r.status,
    createdAtMs: r.created_at,
    sentAtMs: r.sent_at,
  }));
}
