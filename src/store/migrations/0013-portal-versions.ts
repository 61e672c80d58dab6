/**
 * What a customer's portal shows, versioned (issue 12): `customers.portal_version` moves on every
 * write that changes a customer's portal pages (sessions and usage, vouchers, devices, the
 * customer), `tenants.portal_version` on writes that change every customer's pages (portal
 * settings, hotspots' names, tenant details). A portal view reads both with the session in one
 * indexed statement and serves its rendered page from a per-process cache while they hold.
 */
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('customers')
    .addColumn('portal_version', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('tenants')
    .addColumn('portal_version', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('customers').dropColumn('portal_version').execute();
  await db.schema.alterTable('tenants').dropColumn('portal_version').execute();
}
