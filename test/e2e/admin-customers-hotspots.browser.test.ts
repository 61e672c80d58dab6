/**
 * Customers and hotspots in the admin area, in Chromium, on every database in TEST_DIALECTS:
 * search customers by name, phone and email; create one (a taken number is refused with the
 * form kept); edit; block — which signs the customer out of the portal at once — and unblock.
 * Create a hotspot and get its RouterOS configuration, edit it (an empty secret keeps the old
 * one, a new secret and interval show up in the configuration), and see a bad address refused.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { createAdmin, TEST_PASSWORD } from '../helpers/admin.js';
import { adminNav, adminNotice, launchBrowser, signInToAdmin, watchProblems } from '../helpers/browser.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import { createCustomer } from '../helpers/factories.js';
import { E2E_TIMEOUT_MS } from '../helpers/hotspot-world.js';
import { CHROMIUM_PATH, describeWithTool } from '../helpers/tools.js';

describeWithTool(CHROMIUM_PATH, 'apt-get install chromium').each(TEST_DIALECTS)(
  'admin: customers and hotspots in Chromium (%s)',
  (dialect) => {
    let app: TestApp;
    let browser: Browser;
    let page: Page;
    let problems: string[];
    let baseUrl: string;
    let tenantId: number;

    beforeAll(async () => {
      app = await buildTestApp(dialect);
      tenantId = app.bootstrapped.tenant.id;
      await createAdmin(app, tenantId, { email: 'olga@example.com', role: 'admin' });
      const db = app.store.db;
      await createCustomer(db, tenantId, {
        phone: '+12025550101',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
      });
      await createCustomer(db, tenantId, { phone: '+12025550102', name: 'Bob Builder' });
      await createCustomer(db, tenantId, { phone: '+12025550303', email: 'night.owl@example.org' });
      baseUrl = (await app.listen()).httpUrl;
      browser = await launchBrowser();
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.setDefaultTimeout(20_000);
      problems = watchProblems(page);
      await signInToAdmin(page, baseUrl, 'olga@example.com', TEST_PASSWORD);
    }, E2E_TIMEOUT_MS);
    afterAll(async () => {
      await browser?.close();
      await app?.destroy();
    }, E2E_TIMEOUT_MS);

    const listedPhones = async () =>
      (await page.locator('main tbody tr td:first-child').allTextContents()).map((t) => t.trim()).sort();

    async function search(text: string, status = '') {
      await page.getByLabel('Search').fill(text);
      await page.getByLabel('Status').selectOption(status);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/\/admin\/customers\?/);
      return listedPhones();
    }

    it('searches customers by name, phone and email', { timeout: E2E_TIMEOUT_MS }, async () => {
      await adminNav(page, 'Customers').click();
      expect(await listedPhones()).toEqual(['+12025550101', '+12025550102', '+12025550303']);
      expect(await search('lovelace')).toEqual(['+12025550101']);
      expect(await search('(202) 555-0102')).toEqual(['+12025550102']);
      expect(await search('night.owl@')).toEqual(['+12025550303']);
      expect(await search('nobody-like-this')).toEqual([]);
      await expect(page.locator('main .empty').textContent()).resolves.toBe('No customers match.');
    });

    it('creates a customer, refusing a number that is taken', { timeout: E2E_TIMEOUT_MS }, async () => {
      await adminNav(page, 'Customers').click();
      await page.getByRole('link', { name: 'New customer' }).click();
      await page.getByLabel('Phone number').fill('(202) 555-0150');
      await page.getByLabel('Name').fill('Carol');
      await page.getByLabel('Email').fill('carol@example.com');
      await page.getByRole('button', { name: 'Save customer' }).click();
      await expect(adminNotice(page)).resolves.toContain('Customer created.');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Carol (+12025550150)',
      );

      await adminNav(page, 'Customers').click();
      await page.getByRole('link', { name: 'New customer' }).click();
      await page.getByLabel('Phone number').fill('+1 202 555 0150');
      await page.getByLabel('Name').fill('Carol again');
      await page.getByRole('button', { name: 'Save customer' }).click();
      await expect(page.locator('main .error[role="alert"]').textContent()).resolves.toMatch(/already/i);
      await expect(page.getByLabel('Name').inputValue()).resolves.toBe('Carol again');
      const rows = await app.store.db
        .selectFrom('customers')
        .select(['name', 'email'])
        .where('tenant_id', '=', tenantId)
        .where('phone', '=', '+12025550150')
        .execute();
      expect(rows).toEqual([{ name: 'Carol', email: 'carol@example.com' }]);
    });

    it('edits a customer found by search', { timeout: E2E_TIMEOUT_MS }, async () => {
      await adminNav(page, 'Customers').click();
      await search('carol');
      await page.getByRole('link', { name: '+12025550150' }).click();
      await page.getByLabel('Name').fill('Carol Danvers');
      await page.getByLabel('Email').fill('captain@example.com');
      await page.getByRole('button', { name: 'Save customer' }).click();
      await expect(adminNotice(page)).resolves.toBe('Saved.');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Carol Danvers (+12025550150)',
      );
      // A malformed email is refused with the reason, and nothing is saved.
      await page.getByLabel('Email').fill('not-an-email');
      await page.locator('main form.stack').evaluate((form) => form.setAttribute('novalidate', ''));
      await page.getByRole('button', { name: 'Save customer' }).click();
      await expect(page.locator('main .error[role="alert"]').textContent()).resolves.toMatch(/email/i);
      const row = await app.store.db
        .selectFrom('customers')
        .select(['name', 'email'])
        .where('tenant_id', '=', tenantId)
        .where('phone', '=', '+12025550150')
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ name: 'Carol Danvers', email: 'captain@example.com' });
    });

    it(
      'blocks a customer, who is signed out of the portal at once, and unblocks',
      { timeout: E2E_TIMEOUT_MS },
      async () => {
        // Carol signs in to the portal in her own browser (OTP is off: the number opens it).
        const guest = await browser.newContext({ viewport: { width: 420, height: 800 } });
        const portal = await guest.newPage();
        await portal.goto(`${baseUrl}/portal`);
        await portal.getByLabel('Phone number').fill('(202) 555-0150');
        await portal.getByRole('button', { name: 'Continue' }).click();
        await portal.waitForURL(`${baseUrl}/portal`);

        await adminNav(page, 'Customers').click();
        await search('+12025550150');
        await page.getByRole('link', { name: '+12025550150' }).click();
        await page.getByRole('button', { name: 'Block' }).click();
        await expect(adminNotice(page)).resolves.toBe('The customer is blocked.');
        await expect(page.locator('main .badge').first().textContent()).resolves.toBe('blocked');
        await adminNav(page, 'Customers').click();
        expect(await search('', 'blocked')).toEqual(['+12025550150']);

        // Her portal session ended with the block.
        await portal.reload();
        await portal.getByLabel('Phone number').waitFor();
        await expect(portal.getByText(/sign out/i).count()).resolves.toBe(0);
        // Signing in again is refused while blocked.
        await portal.getByLabel('Phone number').fill('(202) 555-0150');
        await portal.getByRole('button', { name: 'Continue' }).click();
        await portal.getByText('This account is blocked. Please ask the staff for help.').waitFor();

        await page.getByRole('link', { name: '+12025550150' }).click();
        await page.getByRole('button', { name: 'Unblock' }).click();
        await expect(adminNotice(page)).resolves.toBe('The customer is active again.');
        const row = await app.store.db
          .selectFrom('customers')
          .select('status')
          .where('tenant_id', '=', tenantId)
          .where('phone', '=', '+12025550150')
          .executeTakeFirstOrThrow();
        expect(row.status).toBe('active');
        await guest.close();
      },
    );

    it('creates a hotspot and shows its RouterOS configuration', { timeout: E2E_TIMEOUT_MS }, async () => {
      await adminNav(page, 'Hotspots').click();
      await page.getByRole('link', { name: 'New hotspot' }).click();
      // A bad address first: refused with the reason, the typed values kept.
      await page.getByLabel('Title').fill('Terrace');
      await page.getByLabel('Source IP address').fill('300.1.2.3');
      await page.getByLabel('Location').fill('Roof terrace');
      await page.getByRole('button', { name: 'Save hotspot' }).click();
      await expect(page.locator('main .error[role="alert"]').textContent()).resolves.toBe(
        'Please correct the hotspot fields: Enter an IPv4 or IPv6 address.',
      );
      await expect(page.getByLabel('Location').inputValue()).resolves.toBe('Roof terrace');
      await page.getByLabel('Source IP address').fill('192.0.2.20');
      await page.getByRole('button', { name: 'Save hotspot' }).click();
      await expect(adminNotice(page)).resolves.toContain('Hotspot created.');
      const hotspot = await app.store.db
        .selectFrom('hotspots')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      expect(hotspot).toMatchObject({ title: 'Terrace', ip_address: '192.0.2.20', location: 'Roof terrace' });
      const snippet = (await page.locator('main pre').first().textContent()) ?? '';
      expect(snippet).toContain(`secret="${hotspot.secret}"`);
      expect(snippet).toContain('radius-interim-update=5m');
      expect(snippet).toContain('/radius incoming set accept=yes port=3799');
    });

    it(
      'edits a hotspot: an empty secret keeps it, a new one replaces it',
      { timeout: E2E_TIMEOUT_MS },
      async () => {
        await adminNav(page, 'Hotspots').click();
        await page.getByRole('link', { name: 'Terrace' }).click();
        const before = await app.store.db
          .selectFrom('hotspots')
          .select('secret')
          .where('tenant_id', '=', tenantId)
          .executeTakeFirstOrThrow();
        await expect(page.getByText('(leave empty to keep the current one)').isVisible()).resolves.toBe(true);
        await page.getByLabel('Title').fill('Terrace bar');
        await page.getByLabel('CoA/Disconnect port').fill('1700');
        await page.getByLabel('Interim update interval, seconds').fill('120');
        await page.getByRole('button', { name: 'Save hotspot' }).click();
        await expect(adminNotice(page)).resolves.toBe('Saved.');
        await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Terrace bar');
        let snippet = (await page.locator('main pre').first().textContent()) ?? '';
        expect(snippet).toContain(`secret="${before.secret}"`);
        expect(snippet).toContain('radius-interim-update=2m');
        expect(snippet).toContain('/radius incoming set accept=yes port=1700');

        await page.getByLabel(/^RADIUS secret/).fill('a-new-shared-secret-4711');
        await page.getByRole('button', { name: 'Save hotspot' }).click();
        await expect(adminNotice(page)).resolves.toBe('Saved.');
        snippet = (await page.locator('main pre').first().textContent()) ?? '';
        expect(snippet).toContain('secret="a-new-shared-secret-4711"');
        const after = await app.store.db
          .selectFrom('hotspots')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .executeTakeFirstOrThrow();
        expect(after).toMatchObject({
          title: 'Terrace bar',
          coa_port: 1700,
          interim_interval_seconds: 120,
          secret: 'a-new-shared-secret-4711',
        });
      },
    );

    it('showed no script error or CSP violation', () => {
      expect(problems).toEqual([]);
    });
  },
);
