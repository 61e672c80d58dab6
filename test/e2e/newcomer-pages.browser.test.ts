/**
 * More of what a newcomer trips over (issue 15), checked in Chromium where a person sees it:
 * the admin Sessions table fits a 1,280 px screen (10b); a RADIUS login that replaces a device the
 * customer had just added says why, in the portal and in the operator's log (8e); a form sent after
 * the admin session expired says so and opens again, filled in, after the sign-in (8c).
 */
import { expect, it } from 'vitest';
import { createAdmin, TEST_PASSWORD } from '../helpers/admin.js';
import { adminNav, saveScreenshot, signInToAdmin, watchProblems } from '../helpers/browser.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import {
  createCustomer,
  createDevice,
  createHotspot,
  createPlan,
  createSession,
  createVoucher,
} from '../helpers/factories.js';
import {
  E2E_TIMEOUT_MS,
  describeWithBrowserAndRadclient,
  useHotspotWorldInBrowser,
} from '../helpers/hotspot-world.js';
import { NAS_SECRET, radclient } from '../helpers/radius-factories.js';
import { PORTAL_SESSION_COOKIE } from '../../src/portal/index.js';

const PHONE = '+12025550143';
const JUST_ADDED_MAC = 'F0:99:B6:12:34:56';
const LOGIN_MAC = 'AA:BB:CC:00:11:22';

describeWithBrowserAndRadclient.each(TEST_DIALECTS)('newcomer pages in Chromium (%s)', (dialect) => {
  let singleCode = '';
  let singleVoucherId = 0;
  let customerId = 0;
  let editUrl = '';
  const setup = useHotspotWorldInBrowser(dialect, async (app, tenantId) => {
    const db = app.store.db;
    // One device a voucher: the customer adds their laptop, then the README's radclient login
    // arrives with another MAC and the device-limit policy replaces the laptop.
    const single = await createPlan(db, tenantId, { title: 'Single device', devices_limit: 1 });
    customerId = (await createCustomer(db, tenantId, { phone: PHONE, name: 'Alex' })).id;
    const voucher = await createVoucher(db, single, {
      customer_id: customerId,
      status: 'active',
      activated_at: app.clock.nowMs() - 60_000,
    });
    singleCode = voucher.code;
    singleVoucherId = voucher.id;
    await app.sms.service.createGateway(tenantId, { name: 'Log', type: 'log', settings: {} });
    await app.portalSettings.update(tenantId, { otpEnabled: true, showDevices: true });
    const other = await createVoucher(db, single, { status: 'active', activated_at: app.clock.nowMs() });
    const device = await createDevice(db, { tenant_id: tenantId, voucher_id: other.id, title: 'Till' });
    editUrl = `/admin/vouchers/${other.id}/devices/${device.id}/edit`;
    await app.devices.add(tenantId, { kind: 'customer', customerId, clientIp: '127.0.0.1' }, voucher.id, {
      mac: JUST_ADDED_MAC,
      title: 'Laptop',
    });
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

  it(
    'says why a RADIUS login replaced the device the customer had just added',
    { timeout: E2E_TIMEOUT_MS },
    async () => {
      const { world, browser } = setup;
      const login = await radclient(world.authPort, 'auth', NAS_SECRET, {
        'User-Name': singleCode,
        'User-Password': singleCode,
        'NAS-IP-Address': '127.0.0.1',
        'Calling-Station-Id': LOGIN_MAC,
        'Message-Authenticator': '0x00',
      });
      expect(login.code, login.stdout + login.stderr).toBe('Access-Accept');

      // The customer's voucher page (signed in as after an SMS code): a note above the list and
      // the reason in the history, in English and in Spanish.
      const token = await world.app.webSessions.create(world.tenantId, 'portal', customerId, {
        authMethod: 'code',
      });
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
      await context.addCookies([{ name: PORTAL_SESSION_COOKIE, value: token, url: world.baseUrl }]);
      const page = await context.newPage();
      const problems = watchProblems(page);
      await page.goto(`${world.baseUrl}/portal/vouchers/${singleVoucherId}#devices`);
      const why = `${LOGIN_MAC} connected with this voucher's code and took the place of ${JUST_ADDED_MAC}: the voucher allows 1 device`;
      await expect(page.locator('[data-replaced-notice]').textContent()).resolves.toContain(why);
      await expect(page.locator('[data-replaced-notice]').textContent()).resolves.toContain(
        'To use that device again, remove one and add it back.',
      );
      await expect(page.locator('.device-history tbody tr').filter({ hasText: why }).count()).resolves.toBe(
        1,
      );
      await saveScreenshot(page, 'devices-replaced-at-login');
      await page.goto(`${world.baseUrl}/portal/language/es?next=/portal/vouchers/${singleVoucherId}`);
      await expect(page.locator('[data-replaced-notice]').textContent()).resolves.toContain(
        `${LOGIN_MAC} se conectó con el código de este bono y ocupó el lugar de ${JUST_ADDED_MAC}: el bono permite 1 dispositivo`,
      );
      expect(problems).toEqual([]);
      await context.close();

      // The operator's log says the same.
      const admin = await setup.browser.newPage({ viewport: { width: 1280, height: 800 } });
      await signInToAdmin(admin, world.baseUrl, 'olga@example.com', TEST_PASSWORD);
      await adminNav(admin, 'Device changes').click();
      const row = admin.locator('main tbody tr').filter({ hasText: `Replaced ${JUST_ADDED_MAC}` });
      await expect(row.textContent()).resolves.toContain(
        `Replaced ${JUST_ADDED_MAC} with ${LOGIN_MAC}: ${LOGIN_MAC} logged in with the voucher code and the voucher allows 1 device, so an offline device made room`,
      );
      await admin.close();
    },
  );

  it(
    'a form sent after the admin session expired says so, and opens again filled in after the sign-in',
    { timeout: E2E_TIMEOUT_MS },
    async () => {
      const { world, browser } = setup;
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const problems = watchProblems(page);
      await signInToAdmin(page, world.baseUrl, 'olga@example.com', TEST_PASSWORD);
      await page.goto(`${world.baseUrl}${editUrl}`);
      await page.getByLabel('Name (optional)').fill('Front desk laptop');
      // The session ends while the form is open (idle timeout, signed out elsewhere).
      await world.app.store.db.deleteFrom('web_sessions').where('kind', '=', 'admin').execute();
      await page.getByRole('button', { name: 'Save device' }).click();
      await page.waitForURL(/\/admin\/sign-in\?expired=kept$/);
      await expect(page.locator('.notice[role="status"]').textContent()).resolves.toBe(
        'Your session expired, so that was not saved. Sign in again: the form opens again with what you typed.',
      );
      await saveScreenshot(page, 'admin-session-expired');
      await page.getByLabel('Email').fill('olga@example.com');
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${world.baseUrl}${editUrl}`);
      await expect(page.getByLabel('Name (optional)').inputValue()).resolves.toBe('Front desk laptop');
      await expect(page.locator('[data-resumed]').textContent()).resolves.toContain(
        'Your session had expired, so this was not saved. Here is what you typed',
      );
      await page.getByRole('button', { name: 'Save device' }).click();
      await expect(page.locator('main .notice[role="status"]').first().textContent()).resolves.toBe(
        'Device saved.',
      );
      // Handed out once: the edit page opens with the stored name now.
      await page.goto(`${world.baseUrl}${editUrl}`);
      expect(await page.locator('[data-resumed]').count()).toBe(0);
      expect(problems).toEqual([]);
      await page.close();
    },
  );
});
