/**
 * Free access by phone on the hosted login page (issue 13, item 4), and when a router first
 * fetched the page's files (the admin checklist's login page step): per hotspot, whether it is on,
 * the plan its vouchers are made of and its limits; the guests' requests, kept on the server and
 * keyed by the router's MAC/IP and a short flow id (a captive mini-browser keeps no cookies and
 * may close while the guest reads the SMS); and, on the one-time codes, what a code is for and
 * whether it was texted (a walk-in guest is not a customer yet, so "has a customer" no longer
 * tells whether an SMS went out).
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: AnyDb): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  const page = () => db.schema.alterTable('hotspot_login_pages');
  await page()
    .addColumn('free_access_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await page()
    .addColumn('free_access_plan_id', 'bigint', (c) => c.references('plans.id').onDelete('set null'))
    .execute();
  for (const [name, value] of [
    ['free_access_period_hours', 24],
    ['free_access_vouchers_per_phone', 1],
    ['free_access_codes_per_phone', 3],
    ['free_access_codes_per_device', 3],
    ['free_access_codes_per_hotspot', 100],
  ] as const)
    await page()
      .addColumn(name, 'integer', (c) => c.notNull().defaultTo(value))
      .execute();

  // When a router first downloaded the page's login.html: the Getting started checklist's "install
  // the login page on your router" step.
  await page().addColumn('files_fetched_at', 'bigint').execute();

  await db.schema
    .alterTable('otp_challenges')
    .addColumn('purpose', 'varchar(16)', (c) => c.notNull().defaultTo('portal'))
    .execute();
  await db.schema
    .alterTable('otp_challenges')
    .addColumn('texted', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update otp_challenges set texted = 1 where customer_id is not null`.execute(db);

  const id = postgres
    ? db.schema
        .createTable('free_access_requests')
        .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : db.schema
        .createTable('free_access_requests')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await id
    .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('hotspot_id', 'bigint', (c) => c.notNull().references('hotspots.id').onDelete('cascade'))
    // Random; the flow id and the code's attempt token are derived from it with the server secret.
    .addColumn('nonce', 'varchar(32)', (c) => c.notNull())
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('phone', 'varchar(20)', (c) => c.notNull())
    .addColumn('mac', 'varchar(17)')
    .addColumn('client_ip', 'varchar(45)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('verified_at', 'bigint')
    .addColumn('customer_id', 'bigint', (c) => c.references('customers.id').onDelete('set null'))
    .addColumn('voucher_id', 'bigint', (c) => c.references('vouchers.id').onDelete('set null'))
    .execute();
  for (const [name, column] of [
    ['free_access_requests_hotspot', 'hotspot_id'],
    ['free_access_requests_phone', 'phone'],
    ['free_access_requests_mac', 'mac'],
  ] as const)
    await db.schema
      .createIndex(name)
      .on('free_access_requests')
      .columns(['tenant_id', column, 'created_at'])
      .execute();
  await db.schema
    .createIndex('free_access_requests_tenant')
    .on('free_access_requests')
    .columns(['tenant_id', 'created_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('free_access_requests').execute();
  await db.schema.alterTable('otp_challenges').dropColumn('texted').execute();
  await db.schema.alterTable('otp_challenges').dropColumn('purpose').execute();
  for (const name of [
    'files_fetched_at',
    'free_access_codes_per_hotspot',
    'free_access_codes_per_device',
    'free_access_codes_per_phone',
    'free_access_vouchers_per_phone',
    'free_access_period_hours',
    'free_access_plan_id',
    'free_access_enabled',
  ])
    await db.schema.alterTable('hotspot_login_pages').dropColumn(name).execute();
}
