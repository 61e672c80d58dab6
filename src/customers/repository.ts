import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

/** What the portal needs to know about a customer. */
export interface CustomerSummary {
  id: number;
  tenantId: number;
  phone: string;
  name: string | null;
  status: string; // active | blocked
  locale: string | null;
}

const COLUMNS = ['id', 'tenant_id', 'phone', 'name', 'status', 'locale'] as const;

type Row = Pick<Database['customers'], 'tenant_id' | 'phone' | 'name' | 'status' | 'locale'> & { id: number };

const toSummary = (row: Row): CustomerSummary => ({
  id: row.id,
  tenantId: row.tenant_id,
  phone: row.phone,
  name: row.name,
  status: row.status,
  locale: row.locale,
});

/** Customers, always within one tenant. */
export class CustomersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The customer with this E.164 number in this tenant, or undefined. */
  async findByPhone(tenantId: number, e164: string): Promise<CustomerSummary | undefined> {
    const row = await this.db
      .selectFrom('customers')
      .select(COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('phone', '=', e164)
      .executeTakeFirst();
    return row && toSummary(row);
  }

  async findById(tenantId: number, customerId: number): Promise<CustomerSummary | undefined> {
    const row = await this.db
      .selectFrom('customers')
      .select(COLUMNS)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', customerId)
      .executeTakeFirst();
    return row && toSummary(row);
  }

  /**
   * The customer with this E.164 number, created (active, joined now) if there is none: a walk-in
   * guest who proved the number with a code. Two processes may race: the unique (tenant, phone)
   * index lets one insert win and both read the same row.
   */
  async ensureByPhone(
    tenantId: number,
    e164: string,
    locale: string | null,
    nowMs: number,
  ): Promise<CustomerSummary> {
    const existing = await this.findByPhone(tenantId, e164);
    if (existing) return existing;
    await this.db
      .insertInto('customers')
      .values({ tenant_id: tenantId, phone: e164, status: 'active', locale, joined_at: nowMs })
      .onConflict((oc) => oc.columns(['tenant_id', 'phone']).doNothing())
      .execute();
    const created = await this.findByPhone(tenantId, e164);
    if (!created) throw new Error('the customer was not created');
    return created;
  }

  /** Records that the customer used the portal (shown to operators as "last seen"). */
  async touchLastSeen(tenantId: number, customerId: number, nowMs: number): Promise<void> {
    await this.db
      .updateTable('customers')
      .set({ last_seen_at: nowMs })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', customerId)
      .execute();
  }
}
