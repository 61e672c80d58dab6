/**
 * What a newcomer trips over (issue 15), checked where a person sees it, in Chromium: pages keep
 * their shape with the longest names the forms allow, and the words say what is true.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { createAdmin, TEST_PASSWORD } from '../helpers/admin.js';
import { adminNav, launchBrowser, saveScreenshot, signInToAdmin, watchProblems } from '../helpers/browser.js';
import {
  createCustomer,
  createHotspot,
  createPlan,
  createSession,
  createVoucher,
} from '../helpers/factories.js';
import { E2E_TIMEOUT_MS } from '../helpers/hotspot-world.js';
import { CHROMIUM_PATH, describeWithTool } from '../helpers/tools.js';

const LONG_NAME = 'W'.repeat(200);
const LONG_PHONE = '+12025550177';
const EMPTY_PHONE = '+12025550178';
const ENDED_PHONE = '+12025550179';

describeWithTool(CHROMIUM_PATH, 'apt-get install chromium')('newcomer papercuts in Chromium', () => {
  let app: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let tenantId: number;
  let problems: string[] = [];
  let endedVoucherId: number;

  beforeAll(async () => {
    app = await buildTestApp('sqlite');
    tenantId = app.bootstrapped.tenant.id;
    const db = app.store.db;
    await createAdmin(app, tenantId, { email: 'olga@example.com', role: 'admin' });
    const plan = await createPlan(db, tenantId, { title: LONG_NAME });
    const customer = await createCustomer(db, tenantId, {
      phone: LONG_PHONE,
      name: LONG_NAME,
      email: 'long.name@example.com',
    });
    await createVoucher(db, plan, {
      customer_id: customer.id,
      status: 'active',
      activated_at: app.clock.nowMs() - 60_000,
    });
    await createCustomer(db, tenantId, { phone: EMPTY_PHONE, name: 'Nova' });
    const ended = await createCustomer(db, tenantId, { phone: ENDED_PHONE, name: 'Ed' });
    const dayPlan = await createPlan(db, tenantId, {
      title: '1 day, 2 GB',
      data_limit_bytes: 2_000_000_000,
      time_limit_seconds: null,
      validity_seconds: 86_400,
    });
    // Coherent with what accounting would leave (the page is a docs screenshot): created before
    // its first use, and its totals are its one session's.
    const activatedAtMs = app.clock.nowMs() - 2 * 86_400_000;
    const endedVoucher = await createVoucher(db, dayPlan, {
      customer_id: ended.id,
      status: 'used',
      used_reason: 'expired',
      activated_at: activatedAtMs,
      expires_at: activatedAtMs + 86_400_000,
      used_at: activatedAtMs + 86_400_000,
      created_at: activatedAtMs - 3_600_000,
      downloaded_bytes: 1_380_000_000,
      uploaded_bytes: 120_000_000,
      online_seconds: 2460,
    });
    endedVoucherId = endedVoucher.id;
    const hotspot = await createHotspot(db, tenantId);
    await createSession(db, {
      tenant_id: tenantId,
      hotspot_id: hotspot.id,
      voucher_id: endedVoucherId,
      user_name: endedVoucher.code,
      mac: 'F0:99:B6:12:34:56',
      started_at: activatedAtMs,
      updated_at: activatedAtMs + 2_460_000,
      stopped_at: activatedAtMs + 2_460_000,
      downloaded_bytes: 1_380_000_000,
      uploaded_bytes: 120_000_000,
      session_seconds: 2460,
      terminate_cause: 'User-Request',
    });
    baseUrl = (await app.listen()).httpUrl;
    browser = await launchBrowser();
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  }, E2E_TIMEOUT_MS);

  async function phonePage(): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale: 'en-US',
    });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    problems = watchProblems(page);
    return page;
  }

  async function portalSignIn(page: Page, phone: string): Promise<void> {
    await page.goto(`${baseUrl}/portal`);
    await page.getByLabel('Phone number').fill(phone);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${baseUrl}/portal`);
  }

  /** How far the page reaches past the viewport's right edge, in CSS pixels (0: it fits). */
  const sidewaysOverflow = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  it('a 200-character unbroken name wraps on the phone portal', { timeout: E2E_TIMEOUT_MS }, async () => {
    const page = await phonePage();
    await portalSignIn(page, LONG_PHONE);
    await expect(page.getByText(`Hello, ${LONG_NAME}`).count()).resolves.toBe(1);
    expect(await sidewaysOverflow(page)).toBe(0);
    await page.locator('.voucher a', { hasText: 'Details' }).first().click();
    await page.waitForURL(/\/portal\/vouchers\/\d+/);
    expect(await sidewaysOverflow(page)).toBe(0);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it(
    'a 200-character unbroken name keeps Email, Status and Joined on screen in the admin list',
    { timeout: E2E_TIMEOUT_MS },
    async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      problems = watchProblems(page);
      await signInToAdmin(page, baseUrl, 'olga@example.com', TEST_PASSWORD);
      await adminNav(page, 'Customers').click();
      for (const header of ['Email', 'Status', 'Joined']) {
        const box = await page.getByRole('columnheader', { name: header }).boundingBox();
        expect(box, header).not.toBeNull();
        expect(box!.x + box!.width, header).toBeLessThanOrEqual(1280);
      }
      expect(await sidewaysOverflow(page)).toBe(0);
      await saveScreenshot(page, 'admin-long-name');
      // The series filter is a labelled field, not a bare box showing "1".
      await page.goto(`${baseUrl}/admin/vouchers?seriesId=1`);
      const series = page.getByLabel('Series number');
      await expect(series.inputValue()).resolves.toBe('1');
      expect(await page.locator('label', { hasText: 'Series number' }).isVisible()).toBe(true);
      await page.close();
    },
  );

  it(
    'a customer with no vouchers sees what to do, not "0 B of 0 B"',
    { timeout: E2E_TIMEOUT_MS },
    async () => {
      const page = await phonePage();
      await portalSignIn(page, EMPTY_PHONE);
      await expect(page.locator('[data-empty="usage"]').textContent()).resolves.toContain(
        'You have no vouchers yet. Get one from the staff',
      );
      expect(await page.locator('.stats').isVisible()).toBe(false);
      expect(await page.locator('figure.chart').isVisible()).toBe(false);
      // innerText is what is rendered: hidden blocks are not part of it.
      expect(await page.evaluate(() => document.body.innerText)).not.toContain('0 B of 0 B');
      await saveScreenshot(page, 'portal-no-vouchers');
      expect(problems).toEqual([]);
      await page.context().close();
    },
  );

  it(
    'an expired voucher says it is over and what was used; its page can sign out',
    { timeout: E2E_TIMEOUT_MS },
    async () => {
      const page = await phonePage();
      await portalSignIn(page, ENDED_PHONE);
      await page.goto(`${baseUrl}/portal/vouchers/${endedVoucherId}`);
      const main = page.locator('main');
      await expect(main.textContent()).resolves.toContain(
        'This voucher is over: its code no longer connects.',
      );
      await expect(main.textContent()).resolves.not.toContain('Type this code on the hotspot page');
      await expect(page.locator('#usage-title').textContent()).resolves.toBe('Final usage');
      expect(await page.locator('.meter-left').count()).toBe(0);
      await expect(page.locator('.badge').first().textContent()).resolves.toBe('Expired');
      // What it was used for is its session: the totals above and the one row agree.
      expect(await page.locator('table.sessions tbody tr').count()).toBe(1);
      await expect(main.textContent()).resolves.toContain('1.5 GB of 2 GB');
      await saveScreenshot(page, 'portal-voucher-expired');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/portal\?signed-out/);
      await expect(page.locator('.notice[role="status"]').textContent()).resolves.toContain(
        'You have signed out.',
      );
      expect(problems).toEqual([]);
      await page.context().close();
    },
  );
});
