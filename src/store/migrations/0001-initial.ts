/**
 * The whole product's schema. Runs unchanged on SQLite and PostgreSQL; never edit once landed,
 * add a new migration instead. See ../schema.ts for the portable representations.
 */
import { PostgresAdapter, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely } from 'kysely';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function isPostgres(db: AnyDb): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

function table<T extends string>(db: AnyDb, name: T): CreateTableBuilder<T, 'id'> {
  const id = isPostgres(db)
    ? db.schema
        .createTable(name)
        .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : db.schema.createTable(name).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  return id;
}

const notNull = (c: ColumnDefinitionBuilder) => c.notNull();
const zero = (c: ColumnDefinitionBuilder) => c.notNull().defaultTo(0);
const tenantRef = (c: ColumnDefinitionBuilder) => c.notNull().references('tenants.id').onDelete('cascade');

export async function up(db: AnyDb): Promise<void> {
  await table(db, 'tenants')
    .addColumn('slug', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(200)', notNull)
    .addColumn('default_country', 'varchar(2)', notNull)
    .addColumn('locale', 'varchar(35)', notNull)
    .addColumn('time_zone', 'varchar(64)', notNull)
    .addColumn('currency', 'varchar(3)', notNull)
    .addColumn('public_url', 'varchar(300)')
    .addColumn('is_default', 'integer', zero)
    .addColumn('created_at', 'bigint', notNull)
    .execute();

  await table(db, 'tenant_hosts')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('host', 'varchar(253)', (c) => c.notNull().unique())
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('key', 'varchar(64)', notNull)
    .addColumn('value_json', 'text', notNull)
    .addColumn('updated_at', 'bigint', notNull)
    .addPrimaryKeyConstraint('settings_pk', ['tenant_id', 'key'])
    .execute();

  await table(db, 'admins')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('email', 'varchar(254)', notNull)
    .addColumn('name', 'varchar(200)', notNull)
    .addColumn('password_hash', 'varchar(300)', notNull)
    .addColumn('role', 'varchar(16)', notNull)
    .addColumn('is_super', 'integer', zero)
    .addColumn('is_disabled', 'integer', zero)
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('last_login_at', 'bigint')
    .addUniqueConstraint('admins_tenant_email', ['tenant_id', 'email'])
    .execute();

  await table(db, 'api_tokens')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('name', 'varchar(200)', notNull)
    .addColumn('token_prefix', 'varchar(16)', notNull)
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('role', 'varchar(16)', notNull)
    .addColumn('created_by_admin_id', 'bigint')
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();

  await db.schema
    .createTable('web_sessions')
    .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('kind', 'varchar(16)', notNull)
    .addColumn('subject_id', 'bigint', notNull)
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('last_seen_at', 'bigint', notNull)
    .addColumn('expires_at', 'bigint', notNull)
    .addColumn('client_ip', 'varchar(45)')
    .addColumn('user_agent', 'varchar(300)')
    .execute();
  await db.schema.createIndex('web_sessions_expires').on('web_sessions').column('expires_at').execute();

  await table(db, 'hotspots')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('title', 'varchar(200)', notNull)
    .addColumn('vendor', 'varchar(16)', notNull)
    .addColumn('ip_address', 'varchar(45)', (c) => c.notNull().unique())
    .addColumn('secret', 'varchar(128)', notNull)
    .addColumn('coa_port', 'integer', (c) => c.notNull().defaultTo(3799))
    .addColumn('require_message_authenticator', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('interim_interval_seconds', 'integer', (c) => c.notNull().defaultTo(300))
    .addColumn('location', 'varchar(200)')
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('updated_at', 'bigint', notNull)
    .execute();
  await db.schema.createIndex('hotspots_tenant').on('hotspots').column('tenant_id').execute();

  await table(db, 'plans')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('title', 'varchar(200)', notNull)
    .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('voucher_prefix', 'varchar(32)', notNull)
    .addColumn('price_minor', 'bigint', zero)
    .addColumn('currency', 'varchar(3)', notNull)
    .addColumn('speed_down_kbps', 'integer')
    .addColumn('speed_up_kbps', 'integer')
    .addColumn('data_limit_bytes', 'bigint')
    .addColumn('download_limit_bytes', 'bigint')
    .addColumn('upload_limit_bytes', 'bigint')
    .addColumn('time_limit_seconds', 'bigint')
    .addColumn('validity_seconds', 'bigint')
    .addColumn('devices_limit', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('updated_at', 'bigint', notNull)
    .execute();
  await db.schema.createIndex('plans_tenant').on('plans').columns(['tenant_id', 'title']).execute();

  await table(db, 'customers')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('phone', 'varchar(20)', notNull)
    .addColumn('name', 'varchar(200)')
    .addColumn('email', 'varchar(254)')
    .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('active'))
    .addColumn('locale', 'varchar(35)')
    .addColumn('joined_at', 'bigint', notNull)
    .addColumn('last_seen_at', 'bigint')
    .addColumn('portal_link_sent_at', 'bigint')
    .addUniqueConstraint('customers_tenant_phone', ['tenant_id', 'phone'])
    .execute();
  await db.schema
    .createIndex('customers_tenant_joined')
    .on('customers')
    .columns(['tenant_id', 'joined_at'])
    .execute();

  await table(db, 'voucher_series')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('code', 'varchar(32)', notNull)
    .addColumn('plan_id', 'bigint', (c) => c.notNull().references('plans.id'))
    .addColumn('customer_id', 'bigint', (c) => c.references('customers.id'))
    .addColumn('quantity', 'integer', notNull)
    .addColumn('created_count', 'integer', zero)
    .addColumn('status', 'varchar(16)', notNull)
    .addColumn('expiry_mode', 'varchar(20)', notNull)
    .addColumn('valid_until_at', 'bigint')
    .addColumn('created_by_admin_id', 'bigint')
    .addColumn('created_at', 'bigint', notNull)
    .execute();
  await db.schema
    .createIndex('voucher_series_tenant')
    .on('voucher_series')
    .columns(['tenant_id', 'created_at'])
    .execute();

  await table(db, 'vouchers')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('series_id', 'bigint', (c) => c.references('voucher_series.id'))
    .addColumn('plan_id', 'bigint', (c) => c.notNull().references('plans.id'))
    .addColumn('customer_id', 'bigint', (c) => c.references('customers.id'))
    .addColumn('code', 'varchar(100)', notNull)
    .addColumn('short_code', 'varchar(64)', notNull)
    .addColumn('status', 'varchar(16)', notNull)
    .addColumn('used_reason', 'varchar(16)')
    .addColumn('plan_title', 'varchar(200)', notNull)
    .addColumn('price_minor', 'bigint', zero)
    .addColumn('currency', 'varchar(3)', notNull)
    .addColumn('speed_down_kbps', 'integer')
    .addColumn('speed_up_kbps', 'integer')
    .addColumn('data_limit_bytes', 'bigint')
    .addColumn('download_limit_bytes', 'bigint')
    .addColumn('upload_limit_bytes', 'bigint')
    .addColumn('time_limit_seconds', 'bigint')
    .addColumn('validity_seconds', 'bigint')
    .addColumn('devices_limit', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('valid_until_at', 'bigint')
    .addColumn('activated_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .addColumn('used_at', 'bigint')
    .addColumn('disabled_at', 'bigint')
    .addColumn('downloaded_bytes', 'bigint', zero)
    .addColumn('uploaded_bytes', 'bigint', zero)
    .addColumn('online_seconds', 'bigint', zero)
    .addColumn('last_session_at', 'bigint')
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('updated_at', 'bigint', notNull)
    .addUniqueConstraint('vouchers_tenant_code', ['tenant_id', 'code'])
    .addUniqueConstraint('vouchers_tenant_short_code', ['tenant_id', 'short_code'])
    .execute();
  await db.schema
    .createIndex('vouchers_customer')
    .on('vouchers')
    .columns(['tenant_id', 'customer_id', 'status'])
    .execute();
  await db.schema.createIndex('vouchers_series').on('vouchers').columns(['tenant_id', 'series_id']).execute();
  await db.schema
    .createIndex('vouchers_status')
    .on('vouchers')
    .columns(['tenant_id', 'status', 'expires_at'])
    .execute();

  await table(db, 'devices')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('voucher_id', 'bigint', (c) => c.notNull().references('vouchers.id').onDelete('cascade'))
    .addColumn('mac', 'varchar(17)', notNull)
    .addColumn('title', 'varchar(100)')
    .addColumn('added_by', 'varchar(16)', notNull)
    .addColumn('is_randomized', 'integer', zero)
    .addColumn('first_seen_at', 'bigint')
    .addColumn('last_seen_at', 'bigint')
    .addColumn('last_hotspot_id', 'bigint')
    .addColumn('downloaded_bytes', 'bigint', zero)
    .addColumn('uploaded_bytes', 'bigint', zero)
    .addColumn('online_seconds', 'bigint', zero)
    .addColumn('created_at', 'bigint', notNull)
    .addUniqueConstraint('devices_voucher_mac', ['voucher_id', 'mac'])
    .execute();
  // MAC authentication looks devices up by MAC within a tenant.
  await db.schema.createIndex('devices_tenant_mac').on('devices').columns(['tenant_id', 'mac']).execute();

  await table(db, 'device_events')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('voucher_id', 'bigint', notNull)
    .addColumn('device_id', 'bigint')
    .addColumn('actor', 'varchar(16)', notNull)
    .addColumn('actor_id', 'bigint')
    .addColumn('client_ip', 'varchar(45)')
    .addColumn('action', 'varchar(16)', notNull)
    .addColumn('details_json', 'text', notNull)
    .addColumn('created_at', 'bigint', notNull)
    .execute();
  await db.schema
    .createIndex('device_events_voucher')
    .on('device_events')
    .columns(['tenant_id', 'voucher_id', 'created_at'])
    .execute();

  await table(db, 'sessions')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('hotspot_id', 'bigint', (c) => c.notNull().references('hotspots.id'))
    .addColumn('acct_session_id', 'varchar(253)', notNull)
    .addColumn('voucher_id', 'bigint')
    .addColumn('device_id', 'bigint')
    .addColumn('user_name', 'varchar(253)', notNull)
    .addColumn('mac', 'varchar(17)')
    .addColumn('framed_ip', 'varchar(45)')
    .addColumn('nas_port', 'varchar(64)')
    .addColumn('class_tag', 'varchar(64)')
    .addColumn('started_at', 'bigint', notNull)
    .addColumn('updated_at', 'bigint', notNull)
    .addColumn('stopped_at', 'bigint')
    .addColumn('downloaded_bytes', 'bigint', zero)
    .addColumn('uploaded_bytes', 'bigint', zero)
    .addColumn('session_seconds', 'bigint', zero)
    .addColumn('terminate_cause', 'varchar(32)')
    .addUniqueConstraint('sessions_hotspot_acct', ['hotspot_id', 'acct_session_id'])
    .execute();
  await db.schema
    .createIndex('sessions_voucher')
    .on('sessions')
    .columns(['tenant_id', 'voucher_id', 'started_at'])
    .execute();
  await db.schema
    .createIndex('sessions_open')
    .on('sessions')
    .columns(['tenant_id', 'stopped_at', 'updated_at'])
    .execute();
  await db.schema
    .createIndex('sessions_device')
    .on('sessions')
    .columns(['tenant_id', 'device_id', 'stopped_at'])
    .execute();

  await db.schema
    .createTable('usage_daily')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('voucher_id', 'bigint', notNull)
    .addColumn('customer_id', 'bigint')
    .addColumn('day', 'varchar(10)', notNull)
    .addColumn('downloaded_bytes', 'bigint', zero)
    .addColumn('uploaded_bytes', 'bigint', zero)
    .addColumn('online_seconds', 'bigint', zero)
    .addPrimaryKeyConstraint('usage_daily_pk', ['voucher_id', 'day'])
    .execute();
  await db.schema
    .createIndex('usage_daily_customer')
    .on('usage_daily')
    .columns(['tenant_id', 'customer_id', 'day'])
    .execute();

  await table(db, 'disconnect_requests')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('session_id', 'bigint', notNull)
    .addColumn('hotspot_id', 'bigint', notNull)
    .addColumn('reason', 'varchar(32)', notNull)
    .addColumn('status', 'varchar(16)', notNull)
    .addColumn('attempts', 'integer', zero)
    .addColumn('error_cause', 'integer')
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('disconnect_requests_session')
    .on('disconnect_requests')
    .columns(['tenant_id', 'session_id'])
    .execute();

  await table(db, 'sms_gateways')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('name', 'varchar(200)', notNull)
    .addColumn('type', 'varchar(16)', notNull)
    .addColumn('settings_json', 'text', notNull)
    .addColumn('is_enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('position', 'integer', zero)
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('updated_at', 'bigint', notNull)
    .execute();
  await db.schema
    .createIndex('sms_gateways_tenant')
    .on('sms_gateways')
    .columns(['tenant_id', 'position'])
    .execute();

  await table(db, 'sms_messages')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('customer_id', 'bigint')
    .addColumn('type', 'varchar(32)', notNull)
    .addColumn('recipient', 'varchar(20)', notNull)
    .addColumn('text', 'text', notNull)
    .addColumn('status', 'varchar(16)', notNull)
    .addColumn('attempts', 'integer', zero)
    .addColumn('gateway_id', 'bigint')
    .addColumn('gateway_answer', 'text')
    .addColumn('error', 'text')
    .addColumn('external_id', 'varchar(128)')
    .addColumn('dedupe_key', 'varchar(128)')
    .addColumn('next_attempt_at', 'bigint', notNull)
    .addColumn('locked_until', 'bigint')
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('sent_at', 'bigint')
    .addUniqueConstraint('sms_messages_dedupe', ['tenant_id', 'dedupe_key'])
    .execute();
  await db.schema
    .createIndex('sms_messages_log')
    .on('sms_messages')
    .columns(['tenant_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('sms_messages_due')
    .on('sms_messages')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('sms_messages_recipient')
    .on('sms_messages')
    .columns(['tenant_id', 'recipient', 'created_at'])
    .execute();
  await db.schema
    .createIndex('sms_messages_external')
    .on('sms_messages')
    .columns(['gateway_id', 'external_id'])
    .execute();

  await table(db, 'otp_challenges')
    .addColumn('tenant_id', 'bigint', tenantRef)
    .addColumn('attempt_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('phone', 'varchar(20)', notNull)
    .addColumn('customer_id', 'bigint')
    .addColumn('code_hash', 'varchar(64)', notNull)
    .addColumn('failed_attempts', 'integer', zero)
    .addColumn('client_ip', 'varchar(45)')
    .addColumn('created_at', 'bigint', notNull)
    .addColumn('expires_at', 'bigint', notNull)
    .addColumn('consumed_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('otp_challenges_phone')
    .on('otp_challenges')
    .columns(['tenant_id', 'phone', 'created_at'])
    .execute();
  await db.schema
    .createIndex('otp_challenges_ip')
    .on('otp_challenges')
    .columns(['tenant_id', 'client_ip', 'created_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const name of [
    'otp_challenges',
    'sms_messages',
    'sms_gateways',
    'disconnect_requests',
    'usage_daily',
    'sessions',
    'device_events',
    'devices',
    'vouchers',
    'voucher_series',
    'customers',
    'plans',
    'hotspots',
    'web_sessions',
    'api_tokens',
    'admins',
    'settings',
    'tenant_hosts',
    'tenants',
  ]) {
    await db.schema.dropTable(name).ifExists().execute();
  }
}
