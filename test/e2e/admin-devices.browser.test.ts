/**
 * The admin voucher page's Associated devices block end to end, on every database in
 * TEST_DIALECTS: in Chromium an operator finds a voucher, adds a MAC (a mistyped one first: the
 * form says why and keeps the text), radclient MAC authentication for it is then accepted, the
 * device starts a session (accounting Start), the operator finds it by its MAC (typed another
 * way) in the voucher list and its session in the session list, removes it through the confirmation
 * page, the NAS simulator receives a Disconnect-Request with the session's identifiers, the page
 * says the hotspot confirmed it, and MAC authentication is rejected afterwards.
 */
import { expect, it } from 'vitest';
import { createAdmin, TEST_PASSWORD } from '../helpers/admin.js';
import { adminNav, saveScreenshot } from '../helpers/browser.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import { createPlan, createVoucher } from '../helpers/factories.js';
import {
  E2E_TIMEOUT_MS,
  describeWithBrowserAndRadclient,
  useHotspotWorldInBrowser,
} from '../helpers/hotspot-world.js';

const MAC = 'F0:99:B6:65:43:21';

describeWithBrowserAndRadclient.each(TEST_DIALECTS)(
  'admin: associated devices in Chromium against the RADIUS server (%s)',
  (dialect) => {
    let voucher: { id: number; code: string };
    let operatorId: number;
    const setup = useHotspotWorldInBrowser(dialect, async (app, tenantId) => {
      const plan = await createPlan(app.store.db, tenantId, { title: 'Day pass', devices_limit: 2 });
      voucher = await createVoucher(app.store.db, plan, {
        status: 'active',
        activated_at: app.clock.nowMs() - 60_000,
      });
      operatorId = (
        await createAdmin(app, tenantId, { email: 'olga@example.com', name: 'Olga Operator', role: 'admin' })
      ).id;
    });

    it(
      'adds a MAC that then connects; removing it disconnects its session at the hotspot',
      async () => {
        const { world, browser } = setup;
        const { baseUrl } = world;
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const problems: string[] = [];
        page.on('pageerror', (error) => problems.push(error.message));
        page.on('console', (message) => {
          // Refused forms answer 4xx on purpose; anything else in the console is a problem.
          if (message.type() === 'error' && !/status of 4\d\d/.test(message.text()))
            problems.push(message.text());
        });

        await page.goto(`${baseUrl}/admin/sign-in`);
        await page.getByLabel('Email').fill('olga@example.com');
        await page.getByLabel('Password').fill(TEST_PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(`${baseUrl}/admin`);

        // Find the voucher and open it.
        await adminNav(page, 'Vouchers').click();
        await page.getByLabel('Code').fill(voucher.code);
        await page.getByRole('button', { name: 'Find' }).click();
        await page.getByRole('link', { name: voucher.code }).click();
        await page.waitForURL(`${baseUrl}/admin/vouchers/${voucher.id}`);
        await expect(page.locator('#devices').textContent()).resolves.toContain(
          'This voucher can be used by up to 2 devices; 0 on it.',
        );
        expect((await world.macAuth(MAC)).code).toBe('Access-Reject');

        // A mistyped MAC: the form comes back saying why, with the typed text kept.
        await page.getByLabel('MAC address').fill('F0:99:B6:65:43');
        await page.getByLabel('Name (optional)').fill('Front desk laptop');
        await page.getByRole('button', { name: 'Add device' }).click();
        await expect(page.locator('.field-message').textContent()).resolves.toContain(
          'Enter a MAC address such as AA:BB:CC:DD:EE:FF',
        );
        await expect(page.getByLabel('MAC address').inputValue()).resolves.toBe('F0:99:B6:65:43');
        await expect(page.getByLabel('Name (optional)').inputValue()).resolves.toBe('Front desk laptop');
        await page.getByLabel('MAC address').fill('f099.b665.4321');
        await page.getByRole('button', { name: 'Add device' }).click();
        await page.waitForURL(/device=added/);
        await expect(page.locator('#devices .notice[role="status"]').textContent()).resolves.toContain(
          `Device ${MAC} added: it can connect by MAC authentication now.`,
        );

        // The hotspot now lets the device in by its MAC, and it starts a session.
        const accepted = await world.macAuth(MAC);
        expect(accepted.code, accepted.stdout + accepted.stderr).toBe('Access-Accept');
        const start = await world.accountingStart({
          mac: MAC,
          acctSessionId: 'admin-devices-e2e-1',
          framedIp: '10.5.50.8',
        });
        expect(start.code, start.stdout + start.stderr).toBe('Accounting-Response');
        await page.goto(`${baseUrl}/admin/vouchers/${voucher.id}#devices`);
        const row = page.locator('.devices-table tbody tr').first();
        await expect(row.textContent()).resolves.toContain('online');
        await expect(row.textContent()).resolves.toContain('Lobby');
        await expect(page.locator('.device-history').textContent()).resolves.toContain(
          'Operator Olga Operator',
        );
        await saveScreenshot(page, 'admin-devices');

        // "Which voucher is this phone on, is it online?": found by its MAC, typed another way.
        await adminNav(page, 'Vouchers').click();
        await page.getByLabel('Device MAC address').fill('f0-99-b6-65-43-21');
        await page.getByRole('button', { name: 'Find' }).click();
        const found = page.locator('main tbody tr');
        await expect(found.count()).resolves.toBe(1);
        await expect(found.textContent()).resolves.toContain(voucher.code);
        await expect(found.textContent()).resolves.toContain('online');
        await page.getByRole('link', { name: `Sessions of ${MAC}` }).click();
        await expect(page.locator('main tbody tr').textContent()).resolves.toContain('10.5.50.8');
        await page.goto(`${baseUrl}/admin/vouchers/${voucher.id}`);

        // Remove, through the confirmation page.
        await page.getByRole('link', { name: `Remove Front desk laptop ${MAC}` }).click();
        await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
          'Remove this device?',
        );
        await expect(page.locator('main').textContent()).resolves.toContain(
          'It is online now: its sessions are disconnected at the hotspot.',
        );
        await page.getByRole('button', { name: 'Yes, remove it' }).click();
        await page.waitForURL(/device=removed/);
        const notice = await page.locator('#devices .notice[role="status"]').textContent();
        expect(notice).toContain(`Device ${MAC} removed: it no longer has access.`);
        expect(notice).toContain('The hotspot confirmed the disconnect.');
        await expect(page.locator('.device-history').textContent()).resolves.toContain(
          `Removed ${MAC} (“Front desk laptop”)`,
        );

        // The simulated NAS got a Disconnect-Request naming the session, and the MAC is out.
        expect(world.disconnectRequests()).toEqual([
          { userName: MAC, acctSessionId: 'admin-devices-e2e-1', framedIp: '10.5.50.8', nasIp: '127.0.0.1' },
        ]);
        expect((await world.macAuth(MAC)).code).toBe('Access-Reject');
        const events = await world.app.store.db
          .selectFrom('device_events')
          .select(['action', 'actor', 'actor_id', 'client_ip'])
          .where('voucher_id', '=', voucher.id)
          .orderBy('id')
          .execute();
        expect(events).toEqual([
          { action: 'added', actor: 'operator', actor_id: operatorId, client_ip: '127.0.0.1' },
          { action: 'removed', actor: 'operator', actor_id: operatorId, client_ip: '127.0.0.1' },
        ]);
        expect(problems).toEqual([]);
        await page.close();
      },
      E2E_TIMEOUT_MS,
    );
  },
);
