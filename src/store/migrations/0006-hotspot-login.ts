/**
 * The hosted hotspot login page: each hotspot's public id (the page's address, which must not
 * reveal the hotspot's database id or IP) and how its router logs in (HTTP-CHAP or PAP); and the
 * login flows, kept on the server because captive mini-browsers keep no cookies: a flow is the
 * guest's checked voucher at one router MAC, so the router's answer (success, or an error from a
 * stale challenge) can be matched to it by the flow id that travels in the router's `dst`.
 */
import { PostgresAdapter, type Kysely } from 'kysely';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: AnyDb): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('hotspot_login_pages')
    .addColumn('hotspot_id', 'bigint', (c) => c.primaryKey().references('hotspots.id').onDelete('cascade'))
    .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('public_id', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('login_by', 'varchar(8)', (c) => c.notNull().defaultTo('chap'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  const id = postgres
    ? db.schema
        .createTable('hotspot_login_flows')
        .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : db.schema
        .createTable('hotspot_login_flows')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await id
    .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('hotspot_id', 'bigint', (c) => c.notNull().references('hotspots.id').onDelete('cascade'))
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('mac', 'varchar(17)')
    .addColumn('voucher_id', 'bigint', (c) => c.references('vouchers.id').onDelete('cascade'))
    .addColumn('link_orig', 'varchar(2048)')
    .addColumn('router_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('attempted_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('hotspot_login_flows_created')
    .on('hotspot_login_flows')
    .columns(['tenant_id', 'created_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('hotspot_login_flows').execute();
  await db.schema.dropTable('hotspot_login_pages').execute();
}
