/**
 * Seeds a large tenant for the portal benchmark: 100,000 customers with a voucher each,
 * 1,000,000 sessions in all, one customer ("the big one") with 5,000 sessions and 30 days of
 * rollups. Bulk inserts in large transactions; runs on SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { Database, Insertable, SessionsTable } from '../../src/store/index.js';
import { DAY_MS, MB, dayInZone } from '../../src/shared/index.js';

export interface SeedSize {
  customers: number;
  sessions: number;
  bigCustomerSessions: number;
}

export const FULL_SIZE: SeedSize = { customers: 100_000, sessions: 1_000_000, bigCustomerSessions: 5_000 };

export interface Seeded {
  tenantId: number;
  bigCustomerId: number;
  bigCustomerPhone: string;
}

const CHUNK_ROWS = 1000;

async function insertChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) await insert(rows.slice(i, i + CHUNK_ROWS));
}

export async function seedLargeTenant(db: Kysely<Database>, size: SeedSize, nowMs: number): Promise<Seeded> {
  const tenant = await db
    .insertInto('tenants')
    .values({
      slug: `bench-${nowMs}`,
      name: 'Bench Wi-Fi',
      default_country: 'US',
      locale: 'en-US',
      time_zone: 'UTC',
      currency: 'USD',
      is_default: 0,
      created_at: nowMs,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const tenantId = tenant.id;
  const hotspot = await db
    .insertInto('hotspots')
    .values({
      tenant_id: tenantId,
      title: 'Bench AP',
      vendor: 'mikrotik',
      ip_address: `127.9.${nowMs % 250}.${(nowMs >> 8) % 250}`,
      secret: 'bench-secret',
      created_at: nowMs,
      updated_at: nowMs,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const plan = await db
    .insertInto('plans')
    .values({
      tenant_id: tenantId,
      title: '1 day, 2 GB',
      voucher_prefix: '1d2g',
      price_minor: 800,
      currency: 'USD',
      data_limit_bytes: 2_000_000_000,
      validity_seconds: 86_400 * 30,
      devices_limit: 3,
      created_at: nowMs,
      updated_at: nowMs,
    })
    .returningAll()
    .executeTakeFirstOrThrow();

  const phoneOf = (i: number) => `+1202${String(1_000_000 + i).padStart(7, '0')}`;
  const customerRows = Array.from({ length: size.customers }, (_, i) => ({
    tenant_id: tenantId,
    phone: phoneOf(i),
    name: `Customer ${i}`,
    status: 'active',
    joined_at: nowMs - DAY_MS * 40,
  }));
  await db
    .transaction()
    .execute((trx) =>
      insertChunks(customerRows, (chunk) => trx.insertInto('customers').values(chunk).execute()),
    );
  const customers = await db
    .selectFrom('customers')
    .select(['id', 'phone'])
    .where('tenant_id', '=', tenantId)
    .orderBy('id')
    .execute();

  const voucherRows = customers.map((c, i) => ({
    tenant_id: tenantId,
    plan_id: plan.id,
    customer_id: c.id,
    code: `202611-1d2g-B${String(i).padStart(8, '0')}`,
    short_code: `B${String(i).padStart(8, '0')}`,
    status: 'active',
    plan_title: plan.title,
    price_minor: plan.price_minor,
    currency: plan.currency,
    data_limit_bytes: plan.data_limit_bytes,
    validity_seconds: plan.validity_seconds,
    devices_limit: plan.devices_limit,
    activated_at: nowMs - 30 * DAY_MS,
    expires_at: nowMs + DAY_MS,
    created_at: nowMs - 31 * DAY_MS,
    updated_at: nowMs,
  }));
  await db
    .transaction()
    .execute((trx) =>
      insertChunks(voucherRows, (chunk) => trx.insertInto('vouchers').values(chunk).execute()),
    );
  const vouchers = await db
    .selectFrom('vouchers')
    .select(['id', 'customer_id'])
    .where('tenant_id', '=', tenantId)
    .orderBy('id')
    .execute();

  // The big customer is the first; the rest of the sessions spread evenly over everyone else.
  const big = vouchers[0]!;
  const otherSessions = size.sessions - size.bigCustomerSessions;
  let sessionNumber = 0;
  const sessionBatch: Insertable<SessionsTable>[] = [];
  const flush = async (trx: Kysely<Database>) => {
    if (sessionBatch.length === 0) return;
    await trx.insertInto('sessions').values(sessionBatch.splice(0)).execute();
  };
  const addSession = async (trx: Kysely<Database>, voucherId: number, index: number) => {
    const startedAtMs = nowMs - (index % 30) * DAY_MS - 3_600_000;
    sessionBatch.push({
      tenant_id: tenantId,
      hotspot_id: hotspot.id,
      acct_session_id: `b${sessionNumber++}`,
      voucher_id: voucherId,
      user_name: 'bench',
      mac: 'AA:BB:CC:00:11:22',
      started_at: startedAtMs,
      updated_at: startedAtMs + 1_800_000,
      stopped_at: startedAtMs + 1_800_000,
      downloaded_bytes: 40 * MB,
      uploaded_bytes: 4 * MB,
      session_seconds: 1800,
      terminate_cause: 'User-Request',
    });
    if (sessionBatch.length >= CHUNK_ROWS / 2) await flush(trx);
  };
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < size.bigCustomerSessions; i++) await addSession(trx, big.id, i);
    for (let i = 0; i < otherSessions; i++)
      await addSession(trx, vouchers[1 + (i % (vouchers.length - 1))]!.id, i);
    await flush(trx);
  });

  const perDay = new Map<string, number>();
  for (let i = 0; i < size.bigCustomerSessions; i++) {
    const day = dayInZone(nowMs - (i % 30) * DAY_MS - 3_600_000, 'UTC');
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  await db
    .insertInto('usage_daily')
    .values(
      [...perDay].map(([day, count]) => ({
        tenant_id: tenantId,
        voucher_id: big.id,
        customer_id: big.customer_id,
        day,
        downloaded_bytes: count * 40 * MB,
        uploaded_bytes: count * 4 * MB,
        online_seconds: count * 1800,
      })),
    )
    .execute();
  await db
    .updateTable('vouchers')
    .set({
      downloaded_bytes: size.bigCustomerSessions * 40 * MB,
      uploaded_bytes: size.bigCustomerSessions * 4 * MB,
    })
    .where('id', '=', big.id)
    .execute();
  return { tenantId, bigCustomerId: big.customer_id!, bigCustomerPhone: customers[0]!.phone };
}
