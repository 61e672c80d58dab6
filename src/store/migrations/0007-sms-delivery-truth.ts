/**
 * SMS delivery truth (issue 17): every attempt on record, every accepted part with the
 * provider's id (multi-part SMPP receipts come per part), receipts that arrive before their part
 * is recorded kept until it is, and a per-gateway secret for HTTP delivery-report callbacks.
 */
import crypto from 'node:crypto';
import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const notNull = (c: ColumnDefinitionBuilder) => c.notNull();
const zero = (c: ColumnDefinitionBuilder) => c.notNull().defaultTo(0);
const tenantRef = (c: ColumnDefinitionBuilder) => c.notNull().references('tenants.id').onDelete('cascade');
const messageRef = (c: ColumnDefinitionBuilder) =>
  c.notNull().references('sms_messages.id').onDelete('cascade');

function table(db: AnyDb, name: string) {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? db.schema
        .createTable(name)
        .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : db.schema.createTable(name).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

export async function up(db: AnyDb): Promise<void> {
  // One row per try of one gateway (or per pass that found none): what failed, when, where.
  await table(db, 'sms_attempts')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('message_id', 'bigint', messageRef)
    .addColumn('pass', 'integer', notNull)
    .addColumn('gateway_id', 'bigint')
    .addColumn('gateway_name', 'varchar(200)')
    .addColumn('started_at', 'bigint', notNull)
    .addColumn('finished_at', 'bigint', notNull)
    .addColumn('outcome', 'varchar(24)', notNull)
    .addColumn('parts_accepted', 'integer', zero)
    .addColumn('parts_total', 'integer')
    .addColumn('answer', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('sms_attempts_message')
    .on('sms_attempts')
    .columns(['message_id', 'id'])
    .execute();

  // One row per part a gateway accepted; the unique key is "never the same part twice to one gateway".
  await table(db, 'sms_parts')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('message_id', 'bigint', messageRef)
    .addColumn('gateway_id', 'bigint', notNull)
    .addColumn('part_number', 'integer', notNull)
    .addColumn('part_count', 'integer', notNull)
    .addColumn('concat_ref', 'integer')
    .addColumn('external_id', 'varchar(128)')
    .addColumn('status', 'varchar(16)', notNull)
    .addColumn('receipt_state', 'varchar(32)')
    .addColumn('accepted_at', 'bigint', notNull)
    .addColumn('receipt_at', 'bigint')
    .addUniqueConstraint('sms_parts_once', ['message_id', 'gateway_id', 'part_number'])
    .execute();
  await db.schema
    .createIndex('sms_parts_external')
    .on('sms_parts')
    .columns(['gateway_id', 'external_id'])
    .execute();

  // Receipts not (yet) matched to a part: matched when the part is recorded, pruned after days.
  await table(db, 'sms_unmatched_receipts')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('gateway_id', 'bigint', notNull)
    .addColumn('external_id', 'varchar(128)', notNull)
    .addColumn('state', 'varchar(32)', notNull)
    .addColumn('outcome', 'varchar(16)', notNull)
    .addColumn('received_at', 'bigint', notNull)
    .execute();
  await db.schema
    .createIndex('sms_unmatched_receipts_external')
    .on('sms_unmatched_receipts')
    .columns(['gateway_id', 'external_id'])
    .execute();
  await db.schema
    .createIndex('sms_unmatched_receipts_time')
    .on('sms_unmatched_receipts')
    .columns(['received_at'])
    .execute();

  // The secret in an HTTP gateway's delivery-report URL; every gateway gets one.
  await db.schema.alterTable('sms_gateways').addColumn('callback_secret', 'varchar(64)').execute();
  const gateways = (await db.selectFrom('sms_gateways').select('id').execute()) as Array<{ id: number }>;
  for (const { id } of gateways)
    await db
      .updateTable('sms_gateways')
      .set({ callback_secret: crypto.randomBytes(24).toString('base64url') })
      .where('id', '=', id)
      .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sms_gateways').dropColumn('callback_secret').execute();
  await db.schema.dropTable('sms_unmatched_receipts').execute();
  await db.schema.dropTable('sms_parts').execute();
  await db.schema.dropTable('sms_attempts').execute();
}
