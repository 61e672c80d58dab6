/**
 * A voucher and its sessions read the same on every admin page that lists them (one
 * VouchersTable, one SessionsTable): the customer's page says "expired" where the vouchers
 * list does, shows usage against the limits, and a session's time as the voucher's page does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, createAdmin } from '../../../test/helpers/admin.js';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';
import {
  createCustomer,
  createHotspot,
  createPlan,
  createSession,
  createVoucher,
} from '../../../test/helpers/factories.js';

describe.each(TEST_DIALECTS)('shared vouchers and sessions tables (%s)', (dialect) => {
  let app: TestApp;
  let operator: AdminClient;
  let customerId: number;
  let voucherId: number;
  let code: string;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    const tenantId = app.bootstrapped.tenant.id;
    const plan = await createPlan(app.store.db, tenantId, { data_limit_bytes: 2_000_000_000 });
    customerId = (await createCustomer(app.store.db, tenantId)).id;
    const voucher = await createVoucher(app.store.db, plan, {
      status: 'used',
      used_reason: 'expired',
      customer_id: customerId,
      downloaded_bytes: 500_000_000,
    });
    voucherId = voucher.id;
    code = voucher.code;
    const hotspot = await createHotspot(app.store.db, tenantId);
    await createSession(app.store.db, {
      tenant_id: tenantId,
      hotspot_id: hotspot.id,
      voucher_id: voucher.id,
      mac: 'AA:BB:CC:00:00:01',
      started_at: Date.UTC(2026, 10, 1, 10),
      updated_at: Date.UTC(2026, 10, 1, 11),
      stopped_at: Date.UTC(2026, 10, 1, 11),
      session_seconds: 3600,
      downloaded_bytes: 500_000_000,
    });
    operator = new AdminClient(app);
    const admin = await createAdmin(app, tenantId, { role: 'readonly' });
    expect((await operator.signIn(admin.email)).statusCode).toBe(303);
  });
  afterAll(() => app.destroy());

  /** The table with this label: its header cells and the row cells of its first row. */
  async function table(url: string, label: string) {
    const page = await operator.get(url);
    expect(page.statusCode).toBe(200);
    const start = page.body.indexOf(`aria-label="${label}"`);
    expect(start, label).toBeGreaterThan(-1);
    const html = page.body.slice(start, page.body.indexOf('</table>', start));
    const cells = (tag: string, part: string) =>
      [...part.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) =>
        m[1]!
          .replace(/<[^>]+>/g, '')
          .replaceAll('<!-- -->', '')
          .trim(),
      );
    const body = html.slice(html.indexOf('<tbody>'));
    return { head: cells('th', html), row: cells('td', body.slice(0, body.indexOf('</tr>'))) };
  }

  it("shows a customer's vouchers as the vouchers list does, without the customer column", async () => {
    const list = await table('/admin/vouchers', 'Vouchers');
    const own = await table(`/admin/customers/${customerId}`, "The customer's vouchers");
    expect(list.head).toEqual(['Code', 'Plan', 'Status', 'Customer', 'Usage', 'Activated', 'Expires']);
    expect(own.head).toEqual(list.head.filter((h) => h !== 'Customer'));
    expect(own.row).toEqual(list.row.filter((_, i) => i !== 3));
    expect([own.row[0], own.row[2]]).toEqual([code, 'expired']);
    expect(own.row[3]).toContain('500 MB / 2 GB');
  });

  it("shows a customer's sessions as the voucher's page does", async () => {
    const ofVoucher = await table(`/admin/vouchers/${voucherId}`, "The voucher's sessions");
    const ofCustomer = await table(`/admin/customers/${customerId}`, "The customer's sessions");
    expect(ofCustomer).toEqual(ofVoucher);
    expect(ofVoucher.head).toEqual(['Start', 'Stop', 'MAC', 'Data', 'Time', 'Cause']);
    expect(ofVoucher.row[4]).toBe('1 h');
  });
});
