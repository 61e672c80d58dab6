/**
 * The admin area's accessibility and phone-width layout, in Chromium (SQLite: the markup does not
 * depend on the database). With a plan, hotspot, customer, voucher (a device and a session on it),
 * a series, an SMS message and device changes in place, every admin page is checked with axe-core
 * (WCAG 2.1 A/AA; serious and critical findings fail), and every page is checked for horizontal
 * page overflow at 390×844: wide tables scroll inside their own box, the side navigation becomes
 * a bar that scrolls sideways.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { createAdmin, TEST_PASSWORD } from '../helpers/admin.js';
import { accessibilityViolations } from '../helpers/axe.js';
import { launchBrowser, saveScreenshot, signInToAdmin, watchProblems } from '../helpers/browser.js';
import { TEST_DIALECTS } from '../helpers/databases.js';
import {
  createCustomer,
  createHotspot,
  createPlan,
  createSession,
  createSmsMessage,
  createVoucher,
} from '../helpers/factories.js';
import { E2E_TIMEOUT_MS } from '../helpers/hotspot-world.js';
import { CHROMIUM_PATH, describeWithTool } from '../helpers/tools.js';

const EMAIL = 'sam@example.com';
const PHONE_VIEWPORT = { width: 390, height: 844 };
const SERIOUS = ['serious', 'critical'] as const;

describeWithTool(CHROMIUM_PATH, 'apt-get install chromium')('admin: accessibility and phone width', () => {
  let app: TestApp;
  let browser: Browser;
  let baseUrl: string;
  /** Every admin page a GET shows, by name. */
  let pages: Record<string, string>;
  /** The voucher page with its devices block, for the phone-width check. */
  let voucherPath: string;

  beforeAll(async () => {
    app = await buildTestApp(TEST_DIALECTS[0]!);
    const tenantId = app.bootstrapped.tenant.id;
    const db = app.store.db;
    // A super admin (owner) sees every page, Tenants and API tokens included.
    const admin = await createAdmin(app, tenantId, {
      email: EMAIL,
      name: 'Sam Super',
      role: 'owner',
      isSuper: true,
    });
    const plan = await createPlan(db, tenantId, { title: 'Day pass', devices_limit: 3 });
    const hotspot = await createHotspot(db, tenantId, { title: 'Lobby' });
    const customer = await createCustomer(db, tenantId, {
      phone: '+12025550101',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
    });
    const nowMs = app.clock.nowMs();
    const voucher = await createVoucher(db, plan, {
      status: 'active',
      activated_at: nowMs - 3_600_000,
      customer_id: customer.id,
    });
    // Through the service, as the admin page does: the device change log gets its rows.
    const operator = { kind: 'operator', adminId: admin.id, clientIp: '127.0.0.1' } as const;
    const device = await app.devices.add(tenantId, operator, voucher.id, {
      mac: 'F0:99:B6:65:43:21',
      title: 'Front desk laptop',
    });
    await app.devices.add(tenantId, operator, voucher.id, { mac: 'F0:99:B6:65:43:22' });
    await createSession(db, {
      tenant_id: tenantId,
      hotspot_id: hotspot.id,
      voucher_id: voucher.id,
      device_id: device.id,
      user_name: voucher.code,
      mac: device.mac,
      framed_ip: '10.5.50.8',
      started_at: nowMs - 600_000,
      updated_at: nowMs - 60_000,
    });
    await createSession(db, {
      tenant_id: tenantId,
      hotspot_id: hotspot.id,
      voucher_id: voucher.id,
      user_name: voucher.code,
      mac: 'F0:99:B6:65:43:22',
      framed_ip: '10.5.50.9',
      started_at: nowMs - 7_200_000,
      updated_at: nowMs - 3_600_000,
      stopped_at: nowMs - 3_600_000,
      terminate_cause: 'User-Request',
    });
    const series = await app.vouchers.createSeries(
      tenantId,
      { planId: plan.id, quantity: 5, expiryMode: 'after_activation' },
      admin.id,
    );
    await app.vouchers.generator.idle();
    const gateway = await app.sms.service.createGateway(tenantId, {
      name: 'Server log',
      type: 'log',
      settings: {},
    });
    const sms = await createSmsMessage(db, {
      tenant_id: tenantId,
      customer_id: customer.id,
      type: 'voucher',
      recipient: customer.phone,
      text: `Your Wi-Fi code: ${voucher.code}`,
      created_at: nowMs,
      sent_at: nowMs,
    });

    voucherPath = `/admin/vouchers/${voucher.id}`;
    pages = {
      dashboard: '/admin',
      customers: '/admin/customers',
      'customer detail': `/admin/customers/${customer.id}`,
      'new customer': '/admin/customers/new',
      vouchers: '/admin/vouchers',
      'voucher detail': voucherPath,
      'generate vouchers': '/admin/vouchers/generate',
      series: '/admin/vouchers/series',
      'series detail': `/admin/vouchers/series/${series.id}`,
      'series print': `/admin/vouchers/series/${series.id}/print`,
      'device edit': `${voucherPath}/devices/${device.id}/edit`,
      'device remove': `${voucherPath}/devices/${device.id}/remove`,
      plans: '/admin/plans',
      'new plan': '/admin/plans/new',
      'plan edit': `/admin/plans/${plan.id}`,
      hotspots: '/admin/hotspots',
      'new hotspot': '/admin/hotspots/new',
      'hotspot detail': `/admin/hotspots/${hotspot.id}`,
      sessions: '/admin/sessions',
      'config business': '/admin/config/business',
      'config portal': '/admin/config/portal',
      'config notifications': '/admin/config/notifications',
      'SMS gateways': '/admin/config/sms-gateways',
      'SMS gateway': `/admin/config/sms-gateways/${gateway.id}`,
      'voucher codes': '/admin/config/vouchers',
      'SMS log': '/admin/logs/sms',
      'SMS log entry': `/admin/logs/sms/${sms.id}`,
      'device changes': '/admin/logs/devices',
      admins: '/admin/admins',
      'API tokens': '/admin/api-tokens',
      tenants: '/admin/tenants',
      account: '/admin/account',
    };
    baseUrl = (await app.listen()).httpUrl;
    browser = await launchBrowser();
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  }, E2E_TIMEOUT_MS);

  async function signedInPage(viewport: { width: number; height: number }) {
    const context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const problems = watchProblems(page);
    await signInToAdmin(page, baseUrl, EMAIL, TEST_PASSWORD);
    return { context, page, problems };
  }

  async function visit(page: Page, path: string): Promise<void> {
    const response = await page.goto(`${baseUrl}${path}`);
    expect(response?.status(), path).toBe(200);
  }

  it(
    'has no serious or critical axe findings on any admin page (sign-in included)',
    async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const signIn = await context.newPage();
      await signIn.goto(`${baseUrl}/admin/sign-in`);
      expect(await accessibilityViolations(signIn, { impacts: SERIOUS }), 'sign-in').toEqual([]);
      await context.close();

      const { page, problems, context: signedIn } = await signedInPage({ width: 1280, height: 900 });
      const findings: Record<string, string[]> = {};
      for (const [name, path] of Object.entries(pages)) {
        await visit(page, path);
        const violations = await accessibilityViolations(page, { impacts: SERIOUS });
        if (violations.length > 0) findings[name] = violations;
      }
      expect(findings).toEqual({});
      // A refused form too: the message next to the field it is about.
      await visit(page, voucherPath);
      await page.getByLabel('MAC address').fill('F0:99:B6:65:43');
      await page.getByRole('button', { name: 'Add device' }).click();
      await expect(page.locator('.field-message').textContent()).resolves.toContain('Enter a MAC address');
      expect(await accessibilityViolations(page, { impacts: SERIOUS }), 'refused device').toEqual([]);
      // The checker itself works here: an unlabelled field is caught.
      await visit(page, pages.customers!);
      await page.evaluate(() => document.querySelector('main form')?.append(document.createElement('input')));
      expect((await accessibilityViolations(page, { impacts: SERIOUS })).join()).toContain('label');
      expect(problems).toEqual([]);
      await signedIn.close();
    },
    E2E_TIMEOUT_MS,
  );

  it(
    'fits a phone: no admin page scrolls sideways, tables scroll in their own box, the navigation stays reachable',
    async () => {
      const overflowing: Record<string, string> = {};
      const checkWidth = async (page: Page, name: string) => {
        const widths = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
        }));
        if (widths.scroll > widths.client)
          overflowing[name] = `${widths.scroll}px wide in a ${widths.client}px window`;
      };
      const signedOut = await browser.newContext({ viewport: PHONE_VIEWPORT });
      const signIn = await signedOut.newPage();
      await visit(signIn, '/admin/sign-in');
      await checkWidth(signIn, 'sign-in');
      await signedOut.close();

      const { page, problems, context } = await signedInPage(PHONE_VIEWPORT);
      for (const [name, path] of Object.entries(pages)) {
        await visit(page, path);
        await checkWidth(page, name);
      }
      expect(overflowing).toEqual({});
      // Representative pages pass axe at this width too (the navigation bar, the scrolling tables).
      for (const path of ['/admin', voucherPath, '/admin/sessions', '/admin/logs/sms']) {
        await visit(page, path);
        expect(await accessibilityViolations(page, { impacts: SERIOUS }), path).toEqual([]);
      }

      // The sessions table is wider than the phone: it scrolls inside its box, not the page.
      await visit(page, '/admin/sessions');
      const box = page.locator('main .table-scroll').first();
      const overflow = await box.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      expect(overflow.scroll).toBeGreaterThan(overflow.client);

      // Every navigation link is still there and reachable; following one works.
      const nav = page.getByRole('navigation', { name: 'Admin' });
      await nav.getByRole('link', { name: 'Device changes', exact: true }).click();
      await page.waitForURL(`${baseUrl}/admin/logs/devices`);

      await visit(page, voucherPath);
      await saveScreenshot(page, 'admin-mobile');
      expect(problems).toEqual([]);
      await context.close();
    },
    E2E_TIMEOUT_MS,
  );
});
