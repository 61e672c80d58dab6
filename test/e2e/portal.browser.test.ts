/**
 * The customer portal in a real browser (Debian's Chromium through playwright-core): sign in
 * with the demo customer, see the dashboard (numbers, chart, sessions, vouchers, history), watch
 * a number follow the database, open a voucher, sign out. Screenshots: see saveScreenshot.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO } from '../../src/demo/index.js';
import { MB } from '../../src/shared/index.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { accessibilityViolations } from '../helpers/axe.js';
import { launchBrowser, saveScreenshot } from '../helpers/browser.js';
import { CHROMIUM_PATH, describeWithTool } from '../helpers/tools.js';

/** Chromium on a shared 2-core machine, next to other suites: generous, not a performance assert. */
const BROWSER_TEST_TIMEOUT_MS = 120_000;
const screenshot = (page: Page, name: string) => saveScreenshot(page, `portal-${name}`);

describeWithTool(CHROMIUM_PATH, 'apt-get install chromium')('customer portal in Chromium', () => {
  let app: TestApp;
  let baseUrl: string;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    app = await buildTestApp('sqlite', { env: { PORTICO_DEMO: '1' } });
    baseUrl = (await app.listen()).httpUrl;
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  function watch(page: Page): void {
    page.on('console', (message) => {
      // 4xx answers to our own form posts are expected; CSP violations and script errors are not.
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text()))
        problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
  }

  it(
    'signs in on a phone, shows the dashboard, follows the database and signs out',
    async () => {
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        locale: 'en-US',
      });
      const page = await context.newPage();
      watch(page);

      await page.goto(`${baseUrl}/portal`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Check your Wi-Fi usage',
      );
      await screenshot(page, 'sign-in');

      // A wrong number first: the message is next to the field.
      await page.getByLabel('Phone number').fill('202 555 0199');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.locator('#phone-error').textContent()).resolves.toContain(
        'We could not find an account',
      );

      await page.getByLabel('Phone number').fill('(202) 555-0143');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(`${baseUrl}/portal`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Your Wi-Fi usage');
      const header = await page.locator('.account').textContent();
      expect(header).toContain('(202) 555-0143');

      // Totals, chart, vouchers, sessions, history.
      const dataUsed = page.locator('[data-live="total.data.used"]');
      expect(await dataUsed.textContent()).toMatch(/\d(\.\d)? (MB|GB)/);
      const chart = page.getByRole('img', { name: 'Data per day, last 30 days' });
      await expect(chart.count()).resolves.toBe(1);
      expect(await page.locator('.chart-day').count()).toBe(30);
      expect(await page.locator('.chart-down').count()).toBeGreaterThanOrEqual(7);
      const vouchers = page.locator('.vouchers .voucher');
      expect(await vouchers.count()).toBe(2);
      expect(await vouchers.first().locator('.badge').textContent()).toBe('Online now');
      // On a phone: what is left and the online status first, then vouchers, then 5 sessions.
      const order = await page.evaluate(() =>
        ['#now-title', '#vouchers-title', '#sessions-title', '#usage-title'].map(
          (selector) => document.querySelector(selector)?.getBoundingClientRect().top ?? -1,
        ),
      );
      expect(order.every((top, i) => top > 0 && (i === 0 || top > order[i - 1]!))).toBe(true);
      expect(await page.locator('.now-status').textContent()).toBe('You are online now.');
      expect(await page.locator('table.sessions tbody tr').count()).toBe(5);
      expect(await page.locator('.history-item').count()).toBe(2);
      expect(await page.locator('.history').textContent()).toContain('Data used up');
      await screenshot(page, 'dashboard');

      // The live script rewrites numbers from the database without a reload.
      const activeId = Number(
        (await vouchers.first().locator('h3 a').getAttribute('href'))?.split('/').pop() ?? 'NaN',
      );
      const before = await page.locator(`[data-live="v${activeId}.data"]`).textContent();
      await app.store.db
        .updateTable('vouchers')
        .set((eb) => ({ downloaded_bytes: eb('downloaded_bytes', '+', 900 * MB) }))
        .where('id', '=', activeId)
        .execute();
      await page.evaluate(() => (window as unknown as { porticoRefresh(): void }).porticoRefresh());
      await page.waitForFunction(
        ([id, old]) => document.querySelector(`[data-live="v${id}.data"]`)?.textContent !== old,
        [activeId, before] as const,
      );
      const after = await page.locator(`[data-live="v${activeId}.data"]`).textContent();
      expect(after).not.toBe(before);
      expect(await page.locator('.dashboard[data-refreshed]').count()).toBe(1);

      // The voucher's detail page: a phone number alone (codes off) shows the code masked.
      await vouchers.first().locator('h3 a').click();
      await expect(page.locator('.full-code').textContent()).resolves.toBe('•••• yT');
      await screenshot(page, 'voucher');
      await page.getByRole('link', { name: 'Back to your overview' }).click();

      // In Spanish.
      await page.getByRole('link', { name: 'Español' }).click();
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Tu uso de Wi-Fi');
      await page.getByRole('link', { name: 'English' }).click();

      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect(page.getByRole('status').textContent()).resolves.toBe('You have signed out.');
      await page.goto(`${baseUrl}/portal`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Check your Wi-Fi usage',
      );
      expect(problems).toEqual([]);
      await context.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'has no WCAG 2.1 AA violations axe-core can find (every page light, the dashboard dark too)',
    async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      await page.goto(`${baseUrl}/portal`);
      expect(await accessibilityViolations(page), 'sign-in').toEqual([]);
      // The checker itself works: an unlabelled field is caught.
      await page.evaluate(() => document.querySelector('form')?.append(document.createElement('input')));
      expect((await accessibilityViolations(page)).join()).toContain('label');
      await page.reload();
      await page.getByLabel('Phone number').fill('12');
      await page.getByRole('button', { name: 'Continue' }).click();
      expect(await accessibilityViolations(page), 'sign-in error').toEqual([]);
      await page.getByLabel('Phone number').fill(DEMO.customerPhone);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForSelector('.dashboard');
      expect(await accessibilityViolations(page), 'dashboard').toEqual([]);
      // Without motion: the buttons' colour transition would otherwise be measured half-way (flaky).
      await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
      expect(await accessibilityViolations(page), 'dashboard (dark)').toEqual([]);
      await screenshot(page, 'dashboard-dark');
      await page.emulateMedia({ colorScheme: 'light' });
      await page.locator('.voucher h3 a').first().click();
      await page.waitForSelector('.full-code');
      expect(await accessibilityViolations(page), 'voucher').toEqual([]);
      // The paged sessions page, reached by its link from the dashboard.
      await page.goto(`${baseUrl}/portal`);
      await page.getByRole('link', { name: 'All your sessions' }).click();
      await page.waitForURL(`${baseUrl}/portal/sessions`);
      // The demo customer's week of sessions fits one page (20 a page).
      expect(await page.locator('table.sessions tbody tr').count()).toBeGreaterThan(5);
      expect(await accessibilityViolations(page), 'sessions').toEqual([]);
      await screenshot(page, 'sessions');
      await page.goto(`${baseUrl}/portal/nowhere`);
      expect(await accessibilityViolations(page), '404').toEqual([]);
      await context.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'lays the dashboard out on a wide screen',
    async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
      const page = await context.newPage();
      watch(page);
      await page.goto(`${baseUrl}/portal`);
      await page.getByLabel('Phone number').fill(DEMO.customerPhone);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForSelector('.dashboard');
      // On a wide screen the sessions are a real table with visible column headers.
      expect(await page.locator('table.sessions thead th').first().isVisible()).toBe(true);
      await screenshot(page, 'dashboard-desktop');
      expect(problems).toEqual([]);
      await context.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );
});
