/**
 * A voucher's sessions beyond the newest 50 on its page: the voucher page links to the sessions
 * list filtered by the voucher (`/admin/sessions?voucher=ID`), which pages through all of them,
 * keeps the filter, and knows no voucher of another tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../../../test/helpers/databases.js';
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js';
import { type AdminClient, signedInAdmin } from '../../../test/helpers/admin.js';
import {
  createHotspot,
  createPlan,
  createSession,
  createTenant,
  createVoucher,
} from '../../../test/helpers/factories.js';

describe.each(TEST_DIALECTS)('admin sessions of one voucher (%s)', (dialect) => {
  let app: TestApp;
  let readonly: AdminClient;
  let busy: { id: number; code: string };
  let quiet: { id: number; code: string };
  let otherTenantVoucherId: number;

  beforeAll(async () => {
    app = await buildTestApp(dialect);
    const tenantId = app.bootstrapped.tenant.id;
    const hotspotId = (await createHotspot(app.store.db, tenantId)).id;
    const plan = await createPlan(app.store.db, tenantId);
    busy = await createVoucher(app.store.db, plan, { status: 'active' });
    quiet = await createVoucher(app.store.db, plan, { status: 'active' });
    const startMs = Date.UTC(2026, 10, 1);
    const rows = Array.from({ length: 53 }, (_, i) => ({
      tenant_id: tenantId,
      hotspot_id: hotspotId,
      voucher_id: busy.id,
      acct_session_id: `busy-${i}`,
      user_name: busy.code,
      // A MAC per session, so each row can be told apart on the page.
      mac: `AA:BB:CC:00:00:${i.toString(16).padStart(2, '0').toUpperCase()}`,
      started_at: startMs + i * 60_000,
      updated_at: startMs + i * 60_000,
      stopped_at: startMs + i * 60_000 + 30_000,
    }));
    await app.store.db.insertInto('sessions').values(rows).execute();
    await createSession(app.store.db, {
      tenant_id: tenantId,
      hotspot_id: hotspotId,
      voucher_id: quiet.id,
      mac: 'AA:BB:CC:11:11:11',
    });
    const other = await createTenant(app.store.db);
    otherTenantVoucherId = (await createVoucher(app.store.db, await createPlan(app.store.db, other.id))).id;
    readonly = await signedInAdmin(app, tenantId, { role: 'readonly' });
  });
  afterAll(() => app.destroy());

  // A session row's MAC: its own cell on the voucher page, over the IP in the Sessions list.
  const macsOn = (body: string) =>
    [...body.matchAll(/<td(?: class="nowrap"><code)?>(AA:BB:CC:[0-9A-F:]{8})<\/(?:td|code)>/g)].map(
      (m) => m[1]!,
    );

  it('links from a voucher page with more sessions than shown to all of them', async () => {
    const page = await readonly.get(`/admin/vouchers/${busy.id}`);
    expect(page.statusCode).toBe(200);
    expect(macsOn(page.body)).toHaveLength(50);
    expect(page.body).toContain('Showing the newest 50 of 53 sessions.');
    expect(page.body).toContain(
      `<a href="/admin/sessions?voucher=${busy.id}">All sessions of this voucher →</a>`,
    );
    const few = await readonly.get(`/admin/vouchers/${quiet.id}`);
    expect(macsOn(few.body)).toEqual(['AA:BB:CC:11:11:11']);
    expect(few.body).not.toContain('All sessions of this voucher');
  });

  it('lists only that voucher’s sessions, every one over the pages, keeping the filter', async () => {
    const seen: string[] = [];
    const first = await readonly.get(`/admin/sessions?voucher=${busy.id}&perPage=20`);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain(`Sessions of voucher <a href="/admin/vouchers/${busy.id}">${busy.code}</a>`);
    expect(first.body).toContain(`<input type="hidden" name="voucher" value="${busy.id}"/>`);
    expect(first.body).toContain('53 in total');
    seen.push(...macsOn(first.body));
    for (const page of [2, 3]) {
      const next = await readonly.get(`/admin/sessions?voucher=${busy.id}&perPage=20&page=${page}`);
      seen.push(...macsOn(next.body));
    }
    expect(first.body).toContain(`href="/admin/sessions?voucher=${busy.id}&amp;perPage=20&amp;page=2"`);
    expect(new Set(seen).size).toBe(53);
    expect(seen).not.toContain('AA:BB:CC:11:11:11');
    expect(seen[0]).toBe('AA:BB:CC:00:00:34'); // newest first

    const quietOnly = await readonly.get(`/admin/sessions?voucher=${quiet.id}&online=yes`);
    expect(macsOn(quietOnly.body)).toEqual(['AA:BB:CC:11:11:11']);
  });

  it("answers 404 for another tenant's voucher or an id that is not one", async () => {
    for (const voucher of [String(otherTenantVoucherId), 'abc', '0', '-1'])
      expect((await readonly.get(`/admin/sessions?voucher=${voucher}`)).statusCode, voucher).toBe(404);
  });
});
