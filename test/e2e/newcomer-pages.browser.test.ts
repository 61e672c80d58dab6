/**
 * More of what a newcomer trips over (issue 15), checked in Chromium where a person sees it:
 * the admin Sessions table fits a 1,280 px screen (10b).
 */
import { expect, it } from 'vitest';
import { createAdmin, TEST_PASSWORD } from '../helpers/admin.js';
import { adminNav, saveScreenshot, signInToAdmin, watchProblems } from '../helpers/browser.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import { createHotspot, createPlan, createSession, createVoucher } from '../helpers/factories.js';
import {
  E2E_TIMEOUT_MS,
  describeWithBrowserAndRadclient,
  useHotspotWorldInBrowser,
} from '../helpers/hotspot-world.js';

describeWithBrowserAndRadclient.each(TEST_DIALECTS)('newcomer pages in Chromium (%s)', (dialect) => {
  const setup = useHotspotWorldInBrowser(dialect, async (app, tenantId) => {
    const db = app.store.db;
    await createAdmin(app, tenantId, { email: 'olga@example.com', role: 'admin' });
    const plan = await createPlan(db, tenantId, { title: '1 hour 100 MB', voucher_prefix: '1h100m' });
    const nowMs = app.clock.nowMs();
    const lobby = await createHotspot(db, tenantId, { title: 'Lobby terrace' });
    const garden = await createHotspot(db, tenantId, { title: 'Garden bar' });
    for (let i = 0; i < 6; i++) {
      const voucher = await createVoucher(db, plan, {
        code: `202611-1h100m-J8TiJD${i}y`,
        status: 'active',
        activated_at: nowMs - 7_200_000,
      });
      const online = i < 3;
      await createSession(db, {
        tenant_id: tenantId,
        hotspot_id: i % 2 ? garden.id : lobby.id,
        voucher_id: voucher.id,
        user_name: voucher.code,
        mac: `D4:6E:0E:11:22:3${i}`,
        framed_ip: `10.5.50.${100 + i}`,
        started_at: nowMs - 5_400_000 - i * 600_000,
        updated_at: nowMs - 60_000,
        stopped_at: online ? null : nowMs - 120_000,
        terminate_cause: online ? null : i === 4 ? 'Lost-Service' : 'User-Request',
        downloaded_bytes: 1_234_567_890 + i,
        uploaded_bytes: 234_567_890,
        session_seconds: 4_000 + i * 700,
        ...(i === 0
          ? { disconnect_reason: 'operator', disconnect_attempts: 3, disconnect_next_at: nowMs + 60_000 }
          : {}),
      });
    }
  });

  it(
    'the admin Sessions table fits 1,280 px without wrapping its rows',
    { timeout: E2E_TIMEOUT_MS },
    async () => {
      const page = await setup.browser.newPage({ viewport: { width: 1280, height: 800 } });
      const problems = watchProblems(page);
      await signInToAdmin(page, setup.world.baseUrl, 'olga@example.com', TEST_PASSWORD);
      await adminNav(page, 'Sessions').click();
      await saveScreenshot(page, 'admin-sessions', { fullPage: false });
      const fit = await page.evaluate(() => {
        const box = document.querySelector('main .table-scroll')!;
        const lineHeight = parseFloat(getComputedStyle(box.querySelector('td')!).lineHeight);
        const lines = (element: Element) => Math.round(element.getBoundingClientRect().height / lineHeight);
        return {
          overflow: box.scrollWidth - box.clientWidth,
          // Each row: the most lines any of its cells takes (the device cell is MAC over IP).
          rowLines: Array.from(box.querySelectorAll('tbody tr')).map((row) =>
            Math.max(...Array.from(row.querySelectorAll('td > *:first-child')).map(lines)),
          ),
          hotspotLines: Array.from(box.querySelectorAll('td.hotspot a')).map(lines),
        };
      });
      // Nothing scrolls sideways; a row is one line but for the device's IP under its MAC.
      expect(fit.overflow).toBe(0);
      expect(fit.rowLines).toEqual([1, 1, 1, 1, 1, 1]);
      expect(fit.hotspotLines).toEqual([1, 1, 1, 1, 1, 1]);
      const header = await page.locator('main thead').innerText();
      expect(header.split(/\s+/).length).toBeLessThan(14);
      expect(problems).toEqual([]);
      await page.close();
    },
  );
});
