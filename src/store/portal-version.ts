/**
 * Moves the portal versions (migration 0013) after a write that changes what the customer portal
 * shows, so every process's cached portal pages (src/portal/page-cache.ts) miss on their next
 * view. Call it AFTER the write, in the same transaction when there is one: a view that reads the
 * new version must find the new data (bumping first would let a view cache old data under the
 * new version). Each call is one statement.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The customers, by id. */
export async function touchCustomerPortals(
  db: Kysely<Database>,
  tenantId: number,
  customerIds: ReadonlyArray<number | null>,
): Promise<void> {
  const ids = [...new Set(customerIds.filter((id): id is number => id !== null))];
  if (ids.length === 0) return;
  await db
    .updateTable('customers')
    .set((eb) => ({ portal_version: eb('portal_version', '+', 1) }))
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

/**
 * The owners of these vouchers, of any tenant (accounting batches mix tenants): each customer is
 * matched through a voucher of its own tenant. Vouchers without an owner change nothing.
 */
export async function touchVoucherOwnersPortals(
  db: Kysely<Database>,
  voucherIds: ReadonlyArray<number>,
): Promise<void> {
  const ids = [...new Set(voucherIds)];
  if (ids.length === 0) return;
  await db
    .updateTable('customers')
    .set((eb) => ({ portal_version: eb('portal_version', '+', 1) }))
    .where(
      sql<boolean>`(tenant_id, id) in (select v.tenant_id, v.customer_id from vouchers v where v.id in (${sql.join(ids)}))`,
    )
    .execute();
}

/** Every customer of the tenant (portal settings, hotspot names, tenant details). */
export async function touchTenantPortals(db: Kysely<Database>, tenantId: number): Promise<void> {
  await db
    .updateTable('tenants')
    .set((eb) => ({ portal_version: eb('portal_version', '+', 1) }))
    .where('id', '=', tenantId)
    .execute();
}
