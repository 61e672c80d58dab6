/**
 * The demo tenant: enough real-looking data to try every screen and the RADIUS flow at once.
 * Documented in the README; tests assert what it contains. Written as plain inserts in one
 * transaction: it is a data set, not a domain operation, and must stay stable across releases.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, Plan } from '../store/index.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, dayInZone, MB, GB } from '../shared/index.js';

export const DEMO = {
  hotspotIp: '127.0.0.1',
  hotspotSecret: 'testing123',
  customerPhone: '+12025550143',
  otherCustomerPhone: '+12025550188',
  newVoucherCode: 'DEMO-NEW-0001',
} as const;

type Trx = Transaction<Database>;

interface PlanSpec {
  title: string;
  prefix: string;
  priceMinor: number;
  downKbps: number;
  upKbps: number;
  dataBytes: number | null;
  timeSeconds: number | null;
  validitySeconds: number | null;
  devices: number;
}

const PLANS: PlanSpec[] = [
  {
    title: '1 hour, 500 MB',
    prefix: '1h500m',
    priceMinor: 300,
    downKbps: 10_000,
    upKbps: 2_000,
    dataBytes: 500 * MB,
    timeSeconds: 3600,
    validitySeconds: DAY_MS / 1000,
    devices: 2,
  },
  {
    title: '1 day, 2 GB',
    prefix: '1d2g',
    priceMinor: 800,
    downKbps: 20_000,
    upKbps: 5_000,
    dataBytes: 2 * GB,
    timeSeconds: null,
    validitySeconds: DAY_MS / 1000,
    devices: 3,
  },
  {
    title: '1 week, 10 GB',
    prefix: '1w10g',
    priceMinor: 2500,
    downKbps: 50_000,
    upKbps: 10_000,
    dataBytes: 10 * GB,
    timeSeconds: null,
    validitySeconds: (7 * DAY_MS) / 1000,
    devices: 3,
  },
];

/** Deterministic pseudo-random numbers so the demo looks the same on every machine. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

export async function seedDemo(db: Kysely<Database>, tenantId: number, nowMs: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const tenant = await trx
      .selectFrom('tenants')
      .select(['time_zone', 'currency'])
      .where('id', '=', tenantId)
      .executeTakeFirstOrThrow();
    const hotspot = await trx
      .insertInto('hotspots')
      .values({
        tenant_id: tenantId,
        title: 'Demo lobby (MikroTik)',
        vendor: 'mikrotik',
        ip_address: DEMO.hotspotIp,
        secret: DEMO.hotspotSecret,
        coa_port: 3799,
        require_message_authenticator: 1,
        interim_interval_seconds: 300,
        location: 'Front desk',
        created_at: nowMs - 30 * DAY_MS,
        updated_at: nowMs - 30 * DAY_MS,
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    const plans = [];
    for (const spec of PLANS) {
      plans.push(
        await trx
          .insertInto('plans')
          .values({
            tenant_id: tenantId,
            title: spec.title,
            is_active: 1,
            voucher_prefix: spec.prefix,
            price_minor: spec.priceMinor,
            currency: tenant.currency,
            speed_down_kbps: spec.downKbps,
            speed_up_kbps: spec.upKbps,
            data_limit_bytes: spec.dataBytes,
            time_limit_seconds: spec.timeSeconds,
            validity_seconds: spec.validitySeconds,
            devices_limit: spec.devices,
            created_at: nowMs - 30 * DAY_MS,
            updated_at: nowMs - 30 * DAY_MS,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
    }
    const [hourPlan, dayPlan, weekPlan] = plans as [(typeof plans)[0], (typeof plans)[0], (typeof plans)[0]];

    const alex = await insertCustomer(
      trx,
      tenantId,
      DEMO.customerPhone,
      'Alex Rivera',
      'alex@example.com',
      nowMs - 20 * DAY_MS,
    );
    const sam = await insertCustomer(
      trx,
      tenantId,
      DEMO.otherCustomerPhone,
      'Sam Lee',
      null,
      nowMs - 3 * DAY_MS,
    );

    const voucher = (
      plan: typeof hourPlan,
      code: string,
      values: Partial<Parameters<typeof insertVoucher>[2]> = {},
    ) => insertVoucher(trx, plan, { code, shortCode: code.split('-').at(-1) ?? code, ...values });

    // Alex's active week voucher, used over the last 7 days on two devices. The sessions come
    // first: the voucher was activated by the first of them and each device was first seen at its
    // own first session, as a RADIUS login would have stamped them.
    const random = seeded(42);
    const planned: {
      onLaptop: boolean;
      startedAtMs: number;
      seconds: number;
      downloadedBytes: number;
      uploadedBytes: number;
      open: boolean;
    }[] = [];
    for (let daysAgo = 6; daysAgo >= 0; daysAgo--) {
      const count = daysAgo === 0 ? 1 : 1 + Math.floor(random() * 2);
      for (let i = 0; i < count; i++) {
        const seconds = Math.floor((20 + random() * 100) * 60);
        // Today's session is still open: its last interim update came 2 minutes ago, so it started
        // `seconds` before that — as accounting would have recorded it (start + counted time).
        const startedAtMs =
          daysAgo === 0
            ? nowMs - 2 * MINUTE_MS - seconds * 1000
            : nowMs - daysAgo * DAY_MS - (8 - i * 4) * HOUR_MS + Math.floor(random() * 60) * MINUTE_MS;
        const onLaptop = (daysAgo + i) % 3 === 0 && daysAgo <= 4;
        planned.push({
          onLaptop,
          startedAtMs,
          seconds,
          downloadedBytes: Math.floor((30 + random() * 250) * MB),
          uploadedBytes: Math.floor((2 + random() * 25) * MB),
          open: daysAgo === 0,
        });
      }
    }
    const firstStartMs = (onLaptop: boolean) =>
      Math.min(...planned.filter((s) => s.onLaptop === onLaptop).map((s) => s.startedAtMs));
    const active = await voucher(weekPlan, '202611-1w10g-J8TiJDyT', {
      customerId: alex,
      status: 'active',
      activatedAtMs: Math.min(...planned.map((s) => s.startedAtMs)),
    });
    const phone = await insertDevice(
      trx,
      tenantId,
      active.id,
      'F0:99:B6:12:34:56',
      "Alex's phone",
      firstStartMs(false),
    );
    const laptop = await insertDevice(
      trx,
      tenantId,
      active.id,
      '3A:1F:C2:77:08:9E',
      'Laptop',
      firstStartMs(true),
    );
    const sessions = planned.map(({ onLaptop, ...s }) => ({ device: onLaptop ? laptop : phone, ...s }));
    // Newest first is not how accounting writes: keep the order of time.
    sessions.sort((a, b) => a.startedAtMs - b.startedAtMs);
    for (const [index, s] of sessions.entries()) {
      await insertSession(trx, {
        tenantId,
        hotspotId: hotspot.id,
        voucherId: active.id,
        customerId: alex,
        userName: active.code,
        acctSessionId: `demo-${String(index + 1).padStart(4, '0')}`,
        timeZone: tenant.time_zone,
        framedIp: `10.5.50.${10 + index}`,
        nowMs,
        ...s,
      });
    }

    // History: one voucher that expired, one whose data ran out.
    const expired = await voucher(hourPlan, '202610-1h500m-Kq7WmP3x', {
      customerId: alex,
      status: 'used',
      usedReason: 'expired',
      activatedAtMs: nowMs - 19 * DAY_MS,
      downloadedBytes: 212 * MB,
      uploadedBytes: 18 * MB,
      onlineSeconds: 41 * 60,
    });
    const exhausted = await voucher(dayPlan, '202611-1d2g-Zr4NcE8b', {
      customerId: alex,
      status: 'used',
      usedReason: 'data',
      activatedAtMs: nowMs - 10 * DAY_MS,
      downloadedBytes: 1_860 * MB,
      uploadedBytes: 140 * MB,
      onlineSeconds: 7 * 3600 + 25 * 60,
    });
    for (const old of [expired, exhausted]) {
      // Devices belong to one voucher: the phone had its own row on each earlier voucher, so the
      // active voucher's "Alex's phone" counts only the active voucher's traffic.
      const oldPhone = await insertDevice(
        trx,
        tenantId,
        old.id,
        phone.mac,
        "Alex's phone",
        old.activated_at ?? nowMs,
      );
      await insertSession(trx, {
        tenantId,
        hotspotId: hotspot.id,
        voucherId: old.id,
        customerId: alex,
        userName: old.code,
        acctSessionId: `demo-old-${old.id}`,
        timeZone: tenant.time_zone,
        framedIp: '10.5.50.200',
        nowMs,
        device: oldPhone,
        startedAtMs: old.activated_at ?? nowMs,
        seconds: old.online_seconds,
        downloadedBytes: old.downloaded_bytes,
        uploadedBytes: old.uploaded_bytes,
        open: false,
        // 41 of the hour's 60 minutes were used, so the expired voucher's session was not cut by
        // its time limit (Session-Timeout): the guest left and the day of validity ran out.
        cause: old.used_reason === 'data' ? 'Admin-Reset' : 'User-Request',
        countOnVoucher: false,
      });
    }

    // A new, never used voucher to log in with over RADIUS.
    await voucher(hourPlan, DEMO.newVoucherCode, { customerId: alex });
    // Sam's single voucher.
    await voucher(dayPlan, '202611-1d2g-Hs2PvQ9k', { customerId: sam });
  });
}

async function insertCustomer(
  trx: Trx,
  tenantId: number,
  phone: string,
  name: string,
  email: string | null,
  joinedAtMs: number,
) {
  const row = await trx
    .insertInto('customers')
    .values({
      tenant_id: tenantId,
      phone,
      name,
      email,
      status: 'active',
      joined_at: joinedAtMs,
      last_seen_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function insertVoucher(
  trx: Trx,
  plan: Plan,
  values: {
    code: string;
    shortCode: string;
    customerId?: number;
    status?: string;
    usedReason?: string;
    activatedAtMs?: number;
    downloadedBytes?: number;
    uploadedBytes?: number;
    onlineSeconds?: number;
  },
) {
  const activatedAtMs = values.activatedAtMs ?? null;
  const expiresAtMs =
    activatedAtMs !== null && plan.validity_seconds !== null
      ? activatedAtMs + plan.validity_seconds * 1000
      : null;
  const usedAtMs =
    values.status === 'used'
      ? values.usedReason === 'expired'
        ? expiresAtMs
        : // Used up when its only session (from activation, online_seconds long) ended.
          (activatedAtMs ?? 0) + (values.onlineSeconds ?? 0) * 1000
      : null;
  return trx
    .insertInto('vouchers')
    .values({
      tenant_id: plan.tenant_id,
      plan_id: plan.id,
      customer_id: values.customerId ?? null,
      code: values.code,
      short_code: values.shortCode,
      status: values.status ?? 'new',
      used_reason: values.usedReason ?? null,
      plan_title: plan.title,
      price_minor: plan.price_minor,
      currency: plan.currency,
      speed_down_kbps: plan.speed_down_kbps,
      speed_up_kbps: plan.speed_up_kbps,
      data_limit_bytes: plan.data_limit_bytes,
      time_limit_seconds: plan.time_limit_seconds,
      validity_seconds: plan.validity_seconds,
      devices_limit: plan.devices_limit,
      activated_at: activatedAtMs,
      expires_at: expiresAtMs,
      used_at: usedAtMs,
      downloaded_bytes: values.downloadedBytes ?? 0,
      uploaded_bytes: values.uploadedBytes ?? 0,
      online_seconds: values.onlineSeconds ?? 0,
      created_at: (activatedAtMs ?? plan.created_at) - HOUR_MS,
      updated_at: usedAtMs ?? activatedAtMs ?? plan.created_at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

async function insertDevice(
  trx: Trx,
  tenantId: number,
  voucherId: number,
  mac: string,
  title: string,
  firstSeenAtMs: number,
) {
  const firstOctet = parseInt(mac.slice(0, 2), 16);
  const row = await trx
    .insertInto('devices')
    .values({
      tenant_id: tenantId,
      voucher_id: voucherId,
      mac,
      title,
      added_by: 'first_login',
      is_randomized: firstOctet & 0b10 ? 1 : 0, // locally administered bit
      first_seen_at: firstSeenAtMs,
      created_at: firstSeenAtMs,
    })
    .returning(['id', 'mac'])
    .executeTakeFirstOrThrow();
  return row;
}

/** One accounting session, with the voucher, device and per-day counters it implies. */
async function insertSession(
  trx: Trx,
  s: {
    tenantId: number;
    hotspotId: number;
    voucherId: number;
    customerId: number;
    userName: string;
    acctSessionId: string;
    timeZone: string;
    framedIp: string;
    nowMs: number;
    device: { id: number; mac: string };
    startedAtMs: number;
    seconds: number;
    downloadedBytes: number;
    uploadedBytes: number;
    open: boolean;
    cause?: string;
    countOnVoucher?: boolean;
  },
) {
  const stoppedAtMs = s.open ? null : s.startedAtMs + s.seconds * 1000;
  // The last accounting packet: the stop, or for an open session an interim update 2 minutes ago.
  const updatedAtMs = stoppedAtMs ?? s.nowMs - 2 * MINUTE_MS;
  await trx
    .insertInto('sessions')
    .values({
      tenant_id: s.tenantId,
      hotspot_id: s.hotspotId,
      acct_session_id: s.acctSessionId,
      voucher_id: s.voucherId,
      device_id: s.device.id,
      user_name: s.userName,
      mac: s.device.mac,
      framed_ip: s.framedIp,
      started_at: s.startedAtMs,
      updated_at: updatedAtMs,
      stopped_at: stoppedAtMs,
      downloaded_bytes: s.downloadedBytes,
      uploaded_bytes: s.uploadedBytes,
      session_seconds: s.seconds,
      terminate_cause: s.open ? null : (s.cause ?? 'User-Request'),
    })
    .execute();
  const day = dayInZone(s.startedAtMs, s.timeZone);
  await trx
    .insertInto('usage_daily')
    .values({
      tenant_id: s.tenantId,
      voucher_id: s.voucherId,
      customer_id: s.customerId,
      day,
      downloaded_bytes: s.downloadedBytes,
      uploaded_bytes: s.uploadedBytes,
      online_seconds: s.seconds,
    })
    .onConflict((oc) =>
      oc.columns(['voucher_id', 'day']).doUpdateSet((eb) => ({
        downloaded_bytes: eb('usage_daily.downloaded_bytes', '+', s.downloadedBytes),
        uploaded_bytes: eb('usage_daily.uploaded_bytes', '+', s.uploadedBytes),
        online_seconds: eb('usage_daily.online_seconds', '+', s.seconds),
      })),
    )
    .execute();
  // Accounting marks a device seen at each packet: "Last seen" is never after the session's last
  // packet (it said 3:31 AM under a session that stopped at 3:29 once the stale rule closed it).
  const lastSeenAtMs = updatedAtMs;
  await trx
    .updateTable('devices')
    .set((eb) => ({
      downloaded_bytes: eb('downloaded_bytes', '+', s.downloadedBytes),
      uploaded_bytes: eb('uploaded_bytes', '+', s.uploadedBytes),
      online_seconds: eb('online_seconds', '+', s.seconds),
      // The latest session decides "Last seen", whatever order the seed inserts them in.
      last_seen_at: sql<number>`case when last_seen_at is null or last_seen_at < ${lastSeenAtMs} then ${lastSeenAtMs} else last_seen_at end`,
      last_hotspot_id: s.hotspotId,
    }))
    .where('id', '=', s.device.id)
    .execute();
  if (s.countOnVoucher === false) return;
  await trx
    .updateTable('vouchers')
    .set((eb) => ({
      downloaded_bytes: eb('downloaded_bytes', '+', s.downloadedBytes),
      uploaded_bytes: eb('uploaded_bytes', '+', s.uploadedBytes),
      online_seconds: eb('online_seconds', '+', s.seconds),
      last_session_at: s.startedAtMs,
      status: s.open ? 'online' : 'active',
      updated_at: s.nowMs,
    }))
    .where('id', '=', s.voucherId)
    .execute();
}
