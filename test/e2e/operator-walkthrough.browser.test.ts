/**
 * The "done when", as a new operator would try it: a fresh install (no demo), the first
 * admin signs in and — opening only the sign-in URL, then following links and buttons by their
 * text — sets the business details, creates a plan, a hotspot (and sees its RouterOS
 * configuration), an HTTP SMS gateway (a local stand-in provider) with a test SMS, the portal
 * settings, a series of vouchers; assigns one voucher to a new customer by phone, texts them its
 * details and reads that SMS in the SMS log. The dashboard's "Getting started" checklist follows along and disappears at the end.
 * Screenshots: see saveScreenshot.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STAND_IN_ALLOWED_HOSTS, startHttpStandIn, type StandIn } from '../../src/sms/test-servers.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { adminNav, adminNotice, launchBrowser, saveScreenshot, watchProblems } from '../helpers/browser.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import { CHROMIUM_PATH, describeWithTool } from '../helpers/tools.js';

const EMAIL = 'owner@cafe.example';
const PASSWORD = 'a first-run password that is long';
const GUEST_PHONE = '+12025550199';

describeWithTool(CHROMIUM_PATH, 'apt-get install chromium').each(TEST_DIALECTS)(
  'a new operator sets Portico up from the admin area (%s)',
  (dialect) => {
    let app: TestApp;
    let provider: StandIn;
    let browser: Browser;
    let page: Page;
    let baseUrl: string;
    let problems: string[] = [];

    beforeAll(async () => {
      // Answers like Kannel, whose "Accepted" the HTTP gateway looks for by default.
      provider = await startHttpStandIn(() => ({ status: 202, body: '0: Accepted for delivery' }));
      app = await buildTestApp(dialect, {
        env: {
          PORTICO_ADMIN_EMAIL: EMAIL,
          PORTICO_ADMIN_PASSWORD: PASSWORD,
          // The stand-in provider listens on 127.0.0.1, like a Kannel beside Portico.
          PORTICO_SMS_ALLOWED_HOSTS: STAND_IN_ALLOWED_HOSTS,
        },
      });
      baseUrl = (await app.listen()).httpUrl;
      browser = await launchBrowser();
      page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
      page.setDefaultTimeout(20_000);
      problems = watchProblems(page);
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await app?.destroy();
      await provider?.close();
    });

    /** A viewport-sized PNG (small enough to keep in the repository). */
    const screenshot = (name: string) =>
      saveScreenshot(page, `admin-walkthrough-${name}`, { fullPage: false });
    const nav = (label: string) => adminNav(page, label);
    const notice = () => adminNotice(page);
    const checklistStep = (step: string) => page.locator(`.checklist li[data-step="${step}"]`);

    it('signs in as the first admin and is shown where to start', { timeout: 120_000 }, async () => {
      await page.goto(`${baseUrl}/admin`);
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      await expect(page.locator('.checklist').textContent()).resolves.toContain('0 of 8 done');
      await expect(page.locator('.checklist li.todo').count()).resolves.toBe(8);
      await screenshot('1-dashboard');
    });

    it('sets the business details the checklist points to first', { timeout: 120_000 }, async () => {
      await page
        .locator('[data-hint="business"]')
        .getByRole('link', { name: 'your business details' })
        .click();
      await page.getByLabel(/^Business name/).fill('Harbour Café');
      await page.getByLabel('Time zone').selectOption('America/Chicago');
      // Where guests' phones reach the portal (the SMS links use it).
      await page.getByLabel(/^Public address/).fill(baseUrl);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(notice()).resolves.toBe('Saved.');
      await expect(page.locator('.admin-top .tenant').textContent()).resolves.toBe('Harbour Café');
      const tenant = await app.store.db
        .selectFrom('tenants')
        .select(['name', 'time_zone', 'public_url'])
        .where('id', '=', app.bootstrapped.tenant.id)
        .executeTakeFirstOrThrow();
      expect(tenant).toEqual({ name: 'Harbour Café', time_zone: 'America/Chicago', public_url: baseUrl });
    });

    it('creates a plan, told what comes next', { timeout: 120_000 }, async () => {
      await nav('Plans').click();
      await expect(page.locator('main .empty').textContent()).resolves.toContain('A plan is what you sell');
      await page.getByRole('link', { name: 'New plan' }).click();
      await page.getByLabel('Title').fill('Day pass');
      await page.getByLabel('Voucher prefix').fill('day');
      await page.getByLabel('Price', { exact: true }).fill('4.50');
      await page.getByLabel('Total, MB').fill('2000');
      await page.getByLabel('Validity after activation, hours').fill('24');
      await page.getByLabel('Simultaneous devices').fill('2');
      await page.getByRole('button', { name: 'Save plan' }).click();
      await expect(notice()).resolves.toContain('Next: generate vouchers');
      await expect(page.getByRole('heading', { name: 'Day pass' }).isVisible()).resolves.toBe(true);
      const plan = await app.store.db.selectFrom('plans').selectAll().executeTakeFirstOrThrow();
      expect(plan).toMatchObject({
        title: 'Day pass',
        voucher_prefix: 'day',
        price_minor: 450,
        data_limit_bytes: 2_000_000_000,
        validity_seconds: 86_400,
        devices_limit: 2,
      });
    });

    it('adds a hotspot and gets its RouterOS configuration', { timeout: 120_000 }, async () => {
      await nav('Hotspots').click();
      await expect(page.locator('main .empty').textContent()).resolves.toContain('A hotspot is a router');
      await page.getByRole('link', { name: 'New hotspot' }).click();
      await page.getByLabel('Title').fill('Lobby router');
      await page.getByLabel('Source IP address').fill('192.0.2.10');
      await page.getByLabel('Location').fill('Lobby');
      await page.getByRole('button', { name: 'Save hotspot' }).click();
      await expect(notice()).resolves.toContain('paste the RouterOS configuration');
      const hotspot = await app.store.db.selectFrom('hotspots').selectAll().executeTakeFirstOrThrow();
      expect(hotspot.secret.length).toBeGreaterThanOrEqual(16);
      const snippet = (await page.locator('main pre').first().textContent()) ?? '';
      expect(snippet).toContain('/radius add service=hotspot');
      expect(snippet).toContain(`secret="${hotspot.secret}"`);
      await page.getByRole('heading', { name: 'RouterOS configuration' }).scrollIntoViewIfNeeded();
      await screenshot('2-hotspot');
      // The router runs the login page commands: it downloads login.html from the link shown.
      const loginHtml = await page
        .getByRole('link', { name: 'login.html', exact: true })
        .getAttribute('href');
      expect((await fetch(loginHtml!)).status).toBe(200);
    });

    it('configures an HTTP SMS gateway and sends a test SMS through it', { timeout: 120_000 }, async () => {
      await nav('SMS gateways').click();
      await page.getByLabel('Add a gateway of type').selectOption({ label: 'HTTP (generic, Kannel)' });
      await page.getByRole('button', { name: 'Add gateway' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Local SMS provider');
      await page.getByLabel(/^URL/).fill(`${provider.url}/send?to={to}&text={text}`);
      await page.getByLabel('Method').selectOption('GET');
      await page.getByRole('button', { name: 'Save gateway' }).click();
      await expect(notice()).resolves.toContain('Send a test SMS below');
      await page.getByLabel('Phone number').fill('+12025550100');
      await page.getByRole('button', { name: 'Send test SMS' }).click();
      await expect(notice()).resolves.toContain('The test SMS was sent.');
      expect(provider.requests).toHaveLength(1);
      expect(new URL(provider.requests[0]!.url, provider.url).searchParams.get('to')).toBe('+12025550100');
      await screenshot('3-sms-gateway');
    });

    it('configures the customer portal', { timeout: 120_000 }, async () => {
      await nav('Portal').click();
      await expect(page.locator('[data-portal-url]').textContent()).resolves.toBe(`${baseUrl}/portal`);
      await page.getByLabel('Use OTP for accessing the portal').check();
      await page.getByLabel('Show Associated Devices block').check();
      await page.getByLabel('Code length, digits').fill('8');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await expect(notice()).resolves.toBe('Saved.');
      const settings = await app.portalSettings.get(app.bootstrapped.tenant.id);
      expect(settings).toMatchObject({ otpEnabled: true, showDevices: true, otpLength: 8 });
    });

    it('generates a series from the checklist', { timeout: 120_000 }, async () => {
      await nav('Dashboard').click();
      await expect(page.locator('.checklist').textContent()).resolves.toContain('5 of 8 done');
      for (const step of ['plan', 'hotspot', 'loginPage', 'smsGateway', 'portal'])
        await expect(checklistStep(step).getAttribute('class')).resolves.toBe('done');
      await checklistStep('series').getByRole('link', { name: 'Generate a series' }).click();
      await page.getByLabel(/^Plan/).selectOption({ label: 'Day pass' });
      await page.getByLabel('Quantity').fill('25');
      await page.getByRole('button', { name: 'Generate' }).click();
      await page.waitForFunction(
        () => document.querySelector('[data-status]')?.textContent === 'ready',
        undefined,
        {
          timeout: 60_000,
          polling: 100,
        },
      );
      await expect(page.locator('[data-created]').textContent()).resolves.toBe('25');
      await screenshot('4-series');
      await page.getByRole('link', { name: 'List the vouchers' }).click();
      await expect(page.locator('main tbody tr').count()).resolves.toBe(25);
    });

    it('assigns a voucher to a guest who is not a customer yet', { timeout: 120_000 }, async () => {
      const code = ((await page.locator('main tbody tr a').first().textContent()) ?? '').trim();
      expect(code).toMatch(/-day-/);
      await page.getByRole('link', { name: code }).click();
      await page.getByLabel('Customer phone').fill('(202) 555-0199');
      await page.getByRole('button', { name: 'Assign to customer' }).click();
      // No customer has the number: Portico offers to create one, then assigns the voucher.
      await expect(page.locator('[data-hint="assign-new-customer"]').textContent()).resolves.toContain(
        `No customer has the number ${GUEST_PHONE} yet.`,
      );
      await expect(page.getByLabel('Phone number').inputValue()).resolves.toBe(GUEST_PHONE);
      await page.getByLabel('Name').fill('Gina Guest');
      await page.getByRole('button', { name: 'Save customer' }).click();
      await expect(notice()).resolves.toContain('Customer created and the voucher assigned to them.');
      await expect(page.getByRole('heading', { name: `Voucher ${code}` }).isVisible()).resolves.toBe(true);
      await expect(page.getByRole('link', { name: GUEST_PHONE }).isVisible()).resolves.toBe(true);
      const voucher = await app.store.db
        .selectFrom('vouchers')
        .innerJoin('customers', 'customers.id', 'vouchers.customer_id')
        .select(['customers.phone', 'customers.name'])
        .where('vouchers.code', '=', code)
        .executeTakeFirstOrThrow();
      expect(voucher).toEqual({ phone: GUEST_PHONE, name: 'Gina Guest' });
      await screenshot('5-voucher');

      // Send its details by SMS, then read that SMS in the log (from the voucher's own link).
      await page.getByRole('button', { name: 'Send details by SMS' }).click();
      await expect(notice()).resolves.toContain('The SMS is queued for sending');
      await page.getByRole('link', { name: 'SMS log for this number' }).click();
      await expect(page.getByRole('heading', { name: 'SMS Logs' }).isVisible()).resolves.toBe(true);
      const row = page.locator('main tbody tr').filter({ hasText: 'Voucher details' });
      for (let tries = 0; (await row.textContent())?.includes('sent') !== true; tries++) {
        expect(tries, 'the voucher SMS was not sent').toBeLessThan(100);
        await page.waitForTimeout(100);
        await page.getByRole('button', { name: 'Filter' }).click();
      }
      await expect(page.locator('main tbody tr').count()).resolves.toBe(1); // only this customer's
      await screenshot('6-sms-log');
      await row.getByRole('link', { name: new RegExp(`voucher code is ${code}`) }).click();
      const details = (await page.locator('main').textContent()) ?? '';
      expect(details).toContain(GUEST_PHONE);
      expect(details).toContain(`Harbour Café: your Wi-Fi voucher code is ${code}`);
      expect(details).toContain(`Your usage: ${baseUrl}/portal`);
      expect(details).toContain('Local SMS provider');
      // And the provider really received it.
      const delivered = provider.requests.map((r) => new URL(r.url, provider.url).searchParams);
      expect(delivered.some((p) => p.get('to') === GUEST_PHONE && p.get('text')?.includes(code))).toBe(true);
    });

    it('finishes the checklist, and the dashboard counts the day', { timeout: 120_000 }, async () => {
      await nav('Dashboard').click();
      await expect(page.locator('.checklist').count()).resolves.toBe(0);
      await expect(page.locator('[data-figure="sms"]').textContent()).resolves.toBe('2 / 0');
      await nav('SMS Logs').click();
      await expect(page.locator('main tbody tr').count()).resolves.toBe(2);
    });

    it('showed no script error or CSP violation on the way', () => {
      expect(problems).toEqual([]);
    });
  },
);
