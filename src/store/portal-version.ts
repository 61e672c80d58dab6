/**
 * Moves the portal versions (migration 0013) after a write that changes what the customer portal
 * shows, so every process's cached portal pages (src/portal/page-cache.ts) miss on their next
 * view. Call it AFTER the write, in the same transaction when there is one: a view that reads the
 * new version must find the new data (bumping first would let a view cache old data under the
 * new version). Each call is one statement.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from './database.js';
import { rowsTable, waitsFor, type FollowingWrite } from './queries.js';
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
 * matched through a voucher of its own tenant. Vouchers without an owner change nothing. With
 * `dialect` 'postgres' (accounting batches, several in flight at once) the customers are locked in
 * id order before any is written, so two batches sharing customers wait instead of deadlocking.
 */
export async function touchVoucherOwnersPortals(
  db: Kysely<Database>,
  voucherIds: ReadonlyArray<number>,
  dialect?: Dialect,
): Promise<void> {
  for (const write of voucherOwnersPortalsWrites(voucherIds, dialect))
    for (const statement of write.alone()) await statement.execute(db);
}

/**
 * touchVoucherOwnersPortals as a write for a caller that runs it inside its own statement (an
 * accounting batch's, on PostgreSQL: the customers are locked after the rows before them), or
 * alone. None when there are no vouchers.
 */
export function voucherOwnersPortalsWrites(
  voucherIds: ReadonlyArray<number>,
  dialect?: Dialect,
): FollowingWrite[] {
  const ids = [...new Set(voucherIds)];
  if (ids.length === 0) return [];
  const owners = (waits: RawBuilder<unknown>, locked: string) => [
    // Every row written is one `locked` returned, and `locked` locks in id order (ORDER BY runs
    // before FOR UPDATE): whatever the join order, locks are taken in id order.
    sql`${sql.raw(locked)} as materialized (select c.id from customers c
        where (c.tenant_id, c.id) in (select v.tenant_id, v.customer_id from vouchers v
          where v.id = any(cast(${ids} as bigint[]))) and ${waits}
        order by c.id for update of c)`,
  ];
  const bump = (locked: string) =>
    sql`update customers set portal_version = portal_version + 1 where id in (select id from ${sql.raw(locked)})`;
  return [
    {
      following(lockAfter, prefix) {
        const locked = `${prefix}locked`;
        return {
          items: [...owners(waitsFor(lockAfter), locked), sql`${sql.raw(`${prefix}w`)} as (${bump(locked)})`],
          locked,
        };
      },
      alone() {
        if (dialect === 'postgres')
          return [sql`with ${sql.join(owners(sql`true`, 'locked'))} ${bump('locked')}`];
        // On SQLite the ids as a rows table: its few statement texts stay prepared, where a list
        // of `?` had one text per count (the accounting batches' counts vary by the packet).
        const wanted =
          dialect === 'sqlite'
            ? sql`select id from ${rowsTable(
                'sqlite',
                'r',
                { id: 'bigint' },
                ids.map((id) => [id]),
              )}`
            : sql.join(ids);
        return [
          sql`update customers set portal_version = portal_version + 1
            where (tenant_id, id) in (select v.tenant_id, v.customer_id from vouchers v where v.id in (${wanted}))`,
        ];
      },
    },
  ];
}

/** Every customer of the tenant (portal settings, hotspot names, tenant details). */
export async function touchTenantPortals(db: Kysely<Database>, tenantId: number): Promise<void> {
  await db
    .updateTable('tenants')
    .set((eb) => ({ portal_version: eb('portal_version', '+', 1) }))
    .where('id', '=', tenantId)
    .execute();
}
