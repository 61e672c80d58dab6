/**
 * The tenant's logo on the hosted login page: one small image per tenant (PNG, JPEG, WebP or
 * GIF, checked by its bytes), served from Portico's own host (the only one in the walled garden)
 * under its SHA-256, so it can be cached for good and changes address when replaced.
 */
import { PostgresAdapter, type Kysely } from 'kysely';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: AnyDb): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('login_page_logos')
    .addColumn('tenant_id', 'bigint', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('content_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('bytes', postgres ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('login_page_logos').execute();
}
