/**
 * The operator admin area in a real browser (Debian's Chromium through playwright-core): sign in,
 * edit a plan, generate a series and watch its progress, find a voucher, assign it to a customer,
 * create an API token and use it. No CSP violation or script error may appear on the way.
 */
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { adminNav, saveScreenshot } from '../helpers/browser.js';
import { createAdmin, TEST_PASSWORD } from '../helpers/admin.js';
import { createCustomer, createPlan } from '../helpers/factories.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const screenshot = (page: Page, name: string) => saveScreenshot(page, `admin-${name}`);

describe.skipIf(!fs.existsSync(CHROMIUM))('operator admin in Chromium', () => {
  let app: TestApp;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  let customerPhone: string;
  const problems: string[] = [];

  beforeAll(async () => {
    app = await buildTestApp('sqlite');
    baseUrl = (await app.listen()).httpUrl;
    const tenantId = app.bootstrapped.tenant.id;
    const admin = await createAdmin(app, tenantId, { email: 'operator@example.com', name: 'Olga Operator' });
    expect(admin.role).toBe('owner');
    await createPlan(app.store.db, tenantId, { title: 'Hour pass', voucher_prefix: 'hour' });
    customerPhone = (await createCustomer(app.store.db, tenantId, { phone: '+12025550111', name: 'Walter' }))
      .phone;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text()))
        problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  it('signs in', async () => {
    await page.goto(`${baseUrl}/admin`);
    expect(page.url()).toContain('/admin/sign-in');
    await page.getByLabel('Email').fill('operator@example.com');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${baseUrl}/admin`);
    await expect(page.getByRole('heading', { name: 'Dashboard' }).isVisible()).resolves.toBe(true);
    await screenshot(page, 'dashboard');
  });

  it('edits a plan', async () => {
    await adminNav(page, 'Plans').click();
    await page.getByRole('link', { name: 'Hour pass' }).click();
    await page.getByLabel('Title').fill('Hour pass (fast)');
    await page.getByLabel('Download, kbps').fill('20000');
    await page.getByRole('button', { name: 'Save plan' }).click();
    await page.getByText('Saved.').waitFor();
    await expect(page.getByRole('heading', { name: 'Hour pass (fast)' }).isVisible()).resolves.toBe(true);
    const row = await app.store.db
      .selectFrom('plans')
      .selectAll()
      .where('voucher_prefix', '=', 'hour')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ title: 'Hour pass (fast)', speed_down_kbps: 20000 });
    await screenshot(page, 'plan');
  });

  it('generates a series and shows its progress until it is ready', async () => {
    await adminNav(page, 'Vouchers').click();
    await page.getByRole('link', { name: 'Generate a series' }).click();
    await page.getByLabel('Quantity').fill('20000');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.waitForURL(/\/admin\/vouchers\/series\/\d+$/);
    // A large series is still being made when its page opens: the progress is visible.
    await expect(page.locator('[data-status]').textContent()).resolves.toBe('generating');
    const seen: number[] = [];
    // The page updates itself (small script polling the progress); no reload here.
    await page.waitForFunction(
      () => document.querySelector('[data-status]')?.textContent === 'ready',
      undefined,
      { timeout: 60_000, polling: 100 },
    );
    const value = await page.locator('progress').evaluate((el) => (el as HTMLProgressElement).value);
    seen.push(value);
    expect(seen.at(-1)).toBe(20000);
    await expect(page.locator('[data-created]').textContent()).resolves.toBe('20000');
    await screenshot(page, 'series');
  });

  it('finds a voucher by part of its code and assigns it to a customer', async () => {
    const voucher = await app.store.db
      .selectFrom('vouchers')
      .select(['code', 'short_code'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    await adminNav(page, 'Vouchers').click();
    await page.getByLabel('Code').fill(voucher.short_code.slice(0, 6));
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('link', { name: voucher.code }).click();
    await page.getByLabel('Customer phone').fill('(202) 555-0111');
    await page.getByRole('button', { name: 'Assign to customer' }).click();
    await page.getByText('Assigned to the customer.').waitFor();
    await expect(page.getByRole('link', { name: customerPhone }).isVisible()).resolves.toBe(true);
    await screenshot(page, 'voucher');
  });

  it('creates an API token, shown once, that opens the API', async () => {
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByLabel('Name').fill('Billing system');
    await page.getByLabel('Role').selectOption('readonly');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.locator('[data-token]').textContent())?.trim() ?? '';
    expect(token).toMatch(/^pt_/);
    await screenshot(page, 'token');
    const response = await fetch(`${baseUrl}/api/v1/vouchers?perPage=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { total: number };
    expect(body.total).toBe(20000);
    await page.goto(`${baseUrl}/admin/api-tokens`);
    await expect(page.content()).resolves.not.toContain(token);
  });

  it('showed no CSP violation or script error', () => {
    expect(problems).toEqual([]);
  });
});
