/**
 * Test data factories: each inserts one row with sensible defaults that a test can override.
 * Shared by every module's tests; add a factory here rather than fixtures.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Insertable } from '../../src/store/index.js';
import type {
  CustomersTable,
  DevicesTable,
  HotspotsTable,
  PlansTable,
  SessionsTable,
  SmsMessagesTable,
  TenantsTable,
  UsageDailyTable,
  VouchersTable,
} from '../../src/store/schema.js';

const NOW_MS = Date.UTC(2026, 10, 27, 12, 0, 0);
const unique = () => crypto.randomBytes(4).toString('hex');

export async function createTenant(
  db: Kysely<Database>,
  values: Partial<Insertable<TenantsTable>> & { hosts?: string[] } = {},
) {
  const { hosts = [], ...row } = values;
  const tenant = await db
    .insertInto('tenants')
    .values({
      slug: `t-${unique()}`,
      name: 'Test Wi-Fi',
      default_country: 'US',
      locale: 'en-US',
      time_zone: 'UTC',
      currency: 'USD',
      is_default: 0,
      created_at: NOW_MS,
      ...row,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  for (const host of hosts)
    await db.insertInto('tenant_hosts').values({ tenant_id: tenant.id, host }).execute();
  return tenant;
}

export async function createPlan(
  db: Kysely<Database>,
  tenantId: number,
  values: Partial<Insertable<PlansTable>> = {},
) {
  return db
    .insertInto('plans')
    .values({
      tenant_id: tenantId,
      title: '1 hour 500 MB',
      is_active: 1,
      voucher_prefix: '1h500m',
      price_minor: 300,
      currency: 'USD',
      speed_down_kbps: 10_000,
      speed_up_kbps: 2_000,
      data_limit_bytes: 500_000_000,
      time_limit_seconds: 3600,
      validity_seconds: 86_400,
      devices_limit: 2,
      created_at: NOW_MS,
      updated_at: NOW_MS,
      ...values,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function createCustomer(
  db: Kysely<Database>,
  tenantId: number,
  values: Partial<Insertable<CustomersTable>> = {},
) {
  return db
    .insertInto('customers')
    .values({
      tenant_id: tenantId,
      phone: `+1202555${String(crypto.randomInt(10_000)).padStart(4, '0')}`,
      status: 'active',
      joined_at: NOW_MS,
      ...values,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A voucher with the plan's limits copied, as the vouchers module does at creation. */
export async function createVoucher(
  db: Kysely<Database>,
  plan: { id: number; tenant_id: number } & Partial<Insertable<PlansTable>>,
  values: Partial<Insertable<VouchersTable>> = {},
) {
  const shortCode = values.short_code ?? unique().toUpperCase();
  return db
    .insertInto('vouchers')
    .values({
      tenant_id: plan.tenant_id,
      plan_id: plan.id,
      code: `202611-${plan.voucher_prefix ?? 'p'}-${shortCode}`,
      short_code: shortCode,
      status: 'new',
      plan_title: plan.title ?? 'Plan',
      price_minor: plan.price_minor ?? 0,
      currency: plan.currency ?? 'USD',
      speed_down_kbps: plan.speed_down_kbps ?? null,
      speed_up_kbps: plan.speed_up_kbps ?? null,
      data_limit_bytes: plan.data_limit_bytes ?? null,
      download_limit_bytes: plan.download_limit_bytes ?? null,
      upload_limit_bytes: plan.upload_limit_bytes ?? null,
      time_limit_seconds: plan.time_limit_seconds ?? null,
      validity_seconds: plan.validity_seconds ?? null,
      devices_limit: plan.devices_limit ?? 1,
      created_at: NOW_MS,
      updated_at: NOW_MS,
      ...values,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function createHotspot(
  db: Kysely<Database>,
  tenantId: number,
  values: Partial<Insertable<HotspotsTable>> = {},
) {
  return db
    .insertInto('hotspots')
    .values({
      tenant_id: tenantId,
      title: 'Lobby',
      vendor: 'mikrotik',
      ip_address: `127.0.${crypto.randomInt(1, 255)}.${crypto.randomInt(1, 255)}`,
      secret: 'testing123',
      coa_port: 3799,
      require_message_authenticator: 1,
      interim_interval_seconds: 300,
      created_at: NOW_MS,
      updated_at: NOW_MS,
      ...values,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function createSession(
  db: Kysely<Database>,
  values: Pick<Insertable<SessionsTable>, 'tenant_id' | 'hotspot_id'> & Partial<Insertable<SessionsTable>>,
) {
  return db
    .insertInto('sessions')
    .values({
      acct_session_id: unique(),
      user_name: 'user',
      started_at: NOW_MS - 3_600_000,
      updated_at: NOW_MS,
      ...values,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A device (MAC) on a voucher; a random locally unique MAC unless one is given. */
export async function createDevice(
  db: Kysely<Database>,
  values: Pick<Insertable<DevicesTable>, 'tenant_id' | 'voucher_id'> & Partial<Insertable<DevicesTable>>,
) {
  const mac = ['02', ...crypto.randomBytes(5).toString('hex').match(/../g)!].join(':').toUpperCase();
  return db
    .insertInto('devices')
    .values({ mac, title: null, added_by: 'operator', is_randomized: 1, created_at: NOW_MS, ...values })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** One per-day usage rollup row (day in the tenant's time zone, YYYY-MM-DD). */
export async function createUsageDay(
  db: Kysely<Database>,
  values: Pick<Insertable<UsageDailyTable>, 'tenant_id' | 'voucher_id' | 'day'> &
    Partial<Insertable<UsageDailyTable>>,
) {
  return db
    .insertInto('usage_daily')
    .values({ customer_id: null, downloaded_bytes: 0, uploaded_bytes: 0, online_seconds: 0, ...values })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** One row of the SMS log (outbox), e.g. for counts by status and day. */
export async function createSmsMessage(
  db: Kysely<Database>,
  values: Pick<Insertable<SmsMessagesTable>, 'tenant_id'> & Partial<Insertable<SmsMessagesTable>>,
) {
  return db
    .insertInto('sms_messages')
    .values({
      customer_id: null,
      type: 'test',
      recipient: '+12025550100',
      text: 'Test message',
      status: 'sent',
      gateway_id: null,
      gateway_answer: null,
      error: null,
      external_id: null,
      dedupe_key: null,
      next_attempt_at: NOW_MS,
      locked_until: null,
      created_at: NOW_MS,
      sent_at: NOW_MS,
      ...values,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
