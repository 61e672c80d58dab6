/**
 * What the notifications need to read about an activation (voucher, its customer) and the one
 * write they own on customers: when the first portal link was queued. Scoped by tenant.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

export interface ActivationFacts {
  voucherId: number;
  voucherCode: string;
  planTitle: string;
  expiresAtMs: number | null;
  customerId: number;
  customerPhone: string;
  customerName: string | null;
  customerStatus: string;
  portalLinkSentAtMs: number | null;
}

export class NotificationsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private factsQuery(tenantId: number) {
    return this.db
      .selectFrom('vouchers')
      .innerJoin('customers', (join) =>
        join
          .onRef('customers.id', '=', 'vouchers.customer_id')
          .onRef('customers.tenant_id', '=', 'vouchers.tenant_id'),
      )
      .select([
        'vouchers.id as voucher_id',
        'vouchers.code',
        'vouchers.plan_title',
        'vouchers.expires_at',
        'vouchers.valid_until_at',
        'vouchers.activated_at',
        'vouchers.validity_seconds',
        'customers.id as customer_id',
        'customers.phone',
        'customers.name',
        'customers.status',
        'customers.portal_link_sent_at',
      ])
      .where('vouchers.tenant_id', '=', tenantId);
  }

  /** The voucher and its customer; undefined when the voucher has no customer. */
  async activationFacts(tenantId: number, voucherId: number): Promise<ActivationFacts | undefined> {
    const row = await this.factsQuery(tenantId).where('vouchers.id', '=', voucherId).executeTakeFirst();
    return row && toFacts(row);
  }

  /** A customer's most recent voucher (for previews); undefined without one. */
  async latestFactsOfCustomer(tenantId: number, customerId: number): Promise<ActivationFacts | undefined> {
    const row = await this.factsQuery(tenantId)
      .where('customers.id', '=', customerId)
      .orderBy('vouchers.created_at', 'desc')
      .orderBy('vouchers.id', 'desc')
      .executeTakeFirst();
    return row && toFacts(row);
  }

  /** The most recently joined customer that has a voucher (default preview subject). */
  async latestFacts(tenantId: number): Promise<ActivationFacts | undefined> {
    const row = await this.factsQuery(tenantId)
      .orderBy('customers.joined_at', 'desc')
      .orderBy('vouchers.created_at', 'desc')
      .orderBy('vouchers.id', 'desc')
      .executeTakeFirst();
    return row && toFacts(row);
  }

  async customerBasics(tenantId: number, customerId: number) {
    return this.db
      .selectFrom('customers')
      .select(['id', 'phone', 'name'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', customerId)
      .executeTakeFirst();
  }

  async markPortalLinkSent(tenantId: number, customerId: number, nowMs: number): Promise<void> {
    await this.db
      .updateTable('customers')
      .set({ portal_link_sent_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', customerId)
      .where('portal_link_sent_at', 'is', null)
      .execute();
  }
}

function toFacts(row: {
  voucher_id: number;
  code: string;
  plan_title: string;
  expires_at: number | null;
  valid_until_at: number | null;
  activated_at: number | null;
  validity_seconds: number | null;
  customer_id: number;
  phone: string;
  name: string | null;
  status: string;
  portal_link_sent_at: number | null;
}): ActivationFacts {
  const fromValidity =
    row.activated_at !== null && row.validity_seconds !== null
      ? row.activated_at + row.validity_seconds * 1000
      : null;
  const candidates = [row.expires_at ?? fromValidity, row.valid_until_at].filter(
    (v): v is number => v !== null,
  );
  return {
    voucherId: row.voucher_id,
    voucherCode: row.code,
    planTitle: row.plan_title,
    expiresAtMs: candidates.length > 0 ? Math.min(...candidates) : null,
    customerId: row.customer_id,
    customerPhone: row.phone,
    customerName: row.name,
    customerStatus: row.status,
    portalLinkSentAtMs: row.portal_link_sent_at,
  };
}
