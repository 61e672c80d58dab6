/**
 * An unknown user in Chromium (issue 15, item 13), on every database in TEST_DIALECTS: the router
 * accounts for a customer's voucher and for a User-Name that is neither a voucher nor a
 * registered device. The operator's dashboard counts one customer online and names the unknown
 * user apart; its link leads to the sessions list, where the session is labelled as such.
 */
import { expect, it } from 'vitest';
import { createAdmin, TEST_PASSWORD } from '../helpers/admin.js';
import { signInToAdmin, watchProblems } from '../helpers/browser.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import { createPlan, createVoucher } from '../helpers/factories.js';
import {
  E2E_TIMEOUT_MS,
  describeWithBrowserAndRadclient,
  useHotspotWorldInBrowser,
} from '../helpers/hotspot-world.js';

const STRANGER = 'trial-user-7';

describeWithBrowserAndRadclient.each(TEST_DIALECTS)('admin: unknown users in Chromium (%s)', (dialect) => {
  let code = '';
  const setup = useHotspotWorldInBrowser(dialect, async (app, tenantId) => {
    const plan = await createPlan(app.store.db, tenantId, { title: 'Hour pass' });
    code = (await createVoucher(app.store.db, plan, { status: 'active', activated_at: app.clock.nowMs() }))
      .code;
    await createAdmin(app, tenantId, { email: 'olga@example.com', role: 'readonly' });
  });

  it(
    'counts customers online apart from unknown users, and labels the unknown user’s session',
    async () => {
      const { world, browser } = setup;
      const sessions = [
        { userName: code, mac: 'D4:6E:0E:11:22:33', acctSessionId: 'cust-1', framedIp: '10.5.50.10' },
        { userName: STRANGER, mac: 'D4:6E:0E:44:55:66', acctSessionId: 'unknown-1', framedIp: '10.5.50.11' },
      ];
      for (const session of sessions) {
        const start = await world.accountingStart(session);
        expect(start.code, start.stdout + start.stderr).toBe('Accounting-Response');
      }
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.setDefaultTimeout(20_000);
      const problems = watchProblems(page);
      await signInToAdmin(page, world.baseUrl, 'olga@example.com', TEST_PASSWORD);
      await expect(page.locator('[data-figure="online"]').textContent()).resolves.toBe('1');
      const unknown = page.locator('[data-figure="unknown-online"]');
      await expect(unknown.textContent()).resolves.toBe('1 unknown user');
      await expect(page.locator('[data-hint="unknown-users"]').textContent()).resolves.toContain(
        'not counted in these figures',
      );

      await unknown.click();
      await expect(page.getByLabel('User').inputValue()).resolves.toBe('unknown');
      const rows = page.locator('main tbody tr');
      await expect(rows.count()).resolves.toBe(1);
      const badge = rows.first().locator('[data-unknown-user]');
      await expect(badge.isVisible()).resolves.toBe(true);
      await expect(badge.textContent()).resolves.toBe('unknown user');
      await expect(rows.first().textContent()).resolves.toContain(STRANGER);

      // The customer's session carries no such label; both are listed without the filter.
      await page.getByLabel('User').selectOption({ label: 'Customers and unknown users' });
      await page.getByRole('button', { name: 'Show' }).click();
      await expect(rows.count()).resolves.toBe(2);
      const customerRow = rows.filter({ hasText: code });
      await expect(customerRow.locator('[data-unknown-user]').count()).resolves.toBe(0);
      await expect(customerRow.getByRole('link', { name: code }).isVisible()).resolves.toBe(true);
      expect(problems).toEqual([]);
      await page.close();
    },
    E2E_TIMEOUT_MS,
  );
});
