/**
 * The admin area counts the tenant's calendar day in the tenant's time zone: the dashboard's
 * "today" figures and the voucher list's activation-date filters, checked with a fake clock
 * on both sides of New York's midnight (04:00–05:00 UTC, when UTC's day already differs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { AdminClient, createAdmin, createApiToken } from '../../../test/helpers/admin.js';
import {
  createPlan,
  createSmsMessage,
  createTenant,
  createUsageDay,
  createVoucher,
} from '../../../test/helpers/factories.js';
import { startOfDayInZone } from '../../shared/index.js';

const HOST = 'ny.example.com';
const ZONE = 'America/New_York';
/** 2026-11-27 in New York: 05:00 UTC on the 27th to 05:00 UTC on the 28th (EST, UTC−5). */
const at = (iso: string) => Date.parse(iso);

function figure(html: string, name: string): string {
  const match = new RegExp(`data-figure="${name}"[^>]*>([^<]*(?:<!-- -->[^<]*)*)<`).exec(html);
  if (!match?.[1]) throw new Error(`no ${name} figure on the dashboard`);
  return match[1]
    .replace(/<!-- -->/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('startOfDayInZone', () => {
  it('finds local midnight, also on days a DST change shortens or lengthens', () => {
    expect(startOfDayInZone('2026-11-27', ZONE)).toBe(at('2026-11-27T05:00:00Z'));
    expect(startOfDayInZone('2026-11-01', ZONE)).toBe(at('2026-11-01T04:00:00Z')); // 25 h day
    expect(startOfDayInZone('2026-11-02', ZONE)).toBe(at('2026-11-02T05:00:00Z'));
    expect(startOfDayInZone('2026-11-27', 'Asia/Kolkata')).toBe(at('2026-11-26T18:30:00Z'));
    // Santiago skips 00:00–01:00 when DST starts: the day begins at 01:00 local (04:00 UTC).
    expect(startOfDayInZone('2026-09-06', 'America/Santiago')).toBe(at('2026-09-06T04:00:00Z'));
    expect(() => startOfDayInZone('2026-02-30', ZONE)).toThrow(RangeError);
  });
});

describe.each(TEST_DIALECTS)('admin in the tenant time zone (%s)', (dialect) => {
  let app: TestApp;
  let client: AdminClient;
  let token: string;
  let adminEmail: string;
  const codes: Record<string, string> = {};

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    const db = app.store.db;
    const tenant = await createTenant(db, { time_zone: ZONE, hosts: [HOST], name: 'Night Owl Wi-Fi' });
    const other = await createTenant(db, { time_zone: 'UTC' });
    const admin = await createAdmin(app, tenant.id);
    token = await createApiToken(app, tenant.id, 'readonly');
    const plan = await createPlan(db, tenant.id, { voucher_prefix: 'ny' });
    const activated = {
      lateYesterday: at('2026-11-27T04:50:00Z'), // 23:50 on the 26th in New York
      earlyToday: at('2026-11-27T05:10:00Z'), // 00:10 on the 27th
      lateToday: at('2026-11-28T04:20:00Z'), // 23:20 on the 27th (already the 28th in UTC)
      tomorrow: at('2026-11-28T05:30:00Z'), // 00:30 on the 28th
    };
    for (const [name, activatedAt] of Object.entries(activated)) {
      const voucher = await createVoucher(db, plan, {
        status: 'active',
        activated_at: activatedAt,
        short_code: `NY${name.toUpperCase()}`,
      });
      codes[name] = voucher.code;
    }
    // Another tenant's activity at the same instants counts nowhere here.
    const otherPlan = await createPlan(db, other.id);
    await createVoucher(db, otherPlan, { status: 'active', activated_at: activated.earlyToday });
    await createSmsMessage(db, { tenant_id: other.id, created_at: at('2026-11-27T06:00:00Z') });

    await createSmsMessage(db, { tenant_id: tenant.id, created_at: at('2026-11-27T04:50:00Z') }); // 23:50 on the 26th
    await createSmsMessage(db, { tenant_id: tenant.id, created_at: at('2026-11-27T05:30:00Z') });
    await createSmsMessage(db, {
      tenant_id: tenant.id,
      status: 'delivered',
      created_at: at('2026-11-28T04:40:00Z'), // 23:40 on the 27th
    });
    await createSmsMessage(db, {
      tenant_id: tenant.id,
      status: 'failed',
      sent_at: null,
      created_at: at('2026-11-28T04:00:00Z'),
    });
    await createSmsMessage(db, { tenant_id: tenant.id, created_at: at('2026-11-28T05:00:00Z') }); // 28th
    const voucherId = (
      await db
        .selectFrom('vouchers')
        .select('id')
        .where('code', '=', codes.earlyToday!)
        .executeTakeFirstOrThrow()
    ).id;
    await createUsageDay(db, {
      tenant_id: tenant.id,
      voucher_id: voucherId,
      day: '2026-11-27',
      downloaded_bytes: 7_000_000,
    });
    await createUsageDay(db, {
      tenant_id: tenant.id,
      voucher_id: voucherId,
      day: '2026-11-28',
      uploaded_bytes: 3_000_000,
    });

    adminEmail = admin.email;
  });
  afterAll(async () => {
    await app?.destroy();
  });

  /** Moves the clock and signs in afresh (an admin session ends after a while idle). */
  async function signInAt(instantMs: number) {
    app.clock.set(instantMs);
    client = new AdminClient(app, HOST);
    expect((await client.signIn(adminEmail)).statusCode).toBe(303);
  }

  async function dashboard() {
    const page = await client.get('/admin');
    expect(page.statusCode).toBe(200);
    const api = await app.http.inject({
      method: 'GET',
      url: '/api/v1/dashboard',
      headers: { host: HOST, authorization: `Bearer ${token}` },
    });
    expect(api.statusCode).toBe(200);
    return {
      html: {
        activated: figure(page.body, 'activated'),
        data: figure(page.body, 'data'),
        sms: figure(page.body, 'sms'),
      },
      api: api.json<{
        activatedToday: number;
        dataTodayBytes: number;
        smsSentToday: number;
        smsFailedToday: number;
      }>(),
    };
  }

  it('counts the New York day before its midnight, when UTC is already on the next day', async () => {
    await signInAt(at('2026-11-28T04:45:00Z')); // 23:45 on the 27th in New York
    const { html, api } = await dashboard();
    expect(html).toEqual({ activated: '2', data: '7 MB', sms: '2 / 1' });
    expect(api).toMatchObject({
      activatedToday: 2,
      dataTodayBytes: 7_000_000,
      smsSentToday: 2,
      smsFailedToday: 1,
    });
  });

  it('starts a new day at New York midnight', async () => {
    await signInAt(at('2026-11-28T05:45:00Z')); // 00:45 on the 28th in New York
    const { html, api } = await dashboard();
    expect(html).toEqual({ activated: '1', data: '3 MB', sms: '1 / 0' });
    expect(api).toMatchObject({
      activatedToday: 1,
      dataTodayBytes: 3_000_000,
      smsSentToday: 1,
      smsFailedToday: 0,
    });
  });

  it('filters the voucher list by activation days in the tenant zone', async () => {
    const listed = async (query: string) => {
      const page = await client.get(`/admin/vouchers?${query}`);
      expect(page.statusCode).toBe(200);
      return Object.entries(codes)
        .filter(([, code]) => page.body.includes(code))
        .map(([name]) => name)
        .sort();
    };
    expect(await listed('activatedFrom=2026-11-27&activatedTo=2026-11-27')).toEqual([
      'earlyToday',
      'lateToday',
    ]);
    expect(await listed('activatedFrom=2026-11-28')).toEqual(['tomorrow']);
    expect(await listed('activatedTo=2026-11-26')).toEqual(['lateYesterday']);
    // A day that does not exist is no filter rather than a wrong one.
    expect(await listed('activatedFrom=2026-02-30')).toEqual([
      'earlyToday',
      'lateToday',
      'lateYesterday',
      'tomorrow',
    ]);
  });
});
