/**
 * OTP sign-in in a real browser (Debian's Chromium through playwright-core): the portal asks
 * for the code, the `log` gateway writes the SMS to the server log, the test reads the code
 * from there like an operator testing the demo would, and signs in.
 */
import fs from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser, saveScreenshot } from '../helpers/browser.js';
import { createCustomer } from '../helpers/factories.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PHONE = '+12025550143';
const SECOND_PHONE = '+12025550144';

describe.skipIf(!fs.existsSync(CHROMIUM))('portal sign-in with an SMS code in Chromium', () => {
  let app: TestApp;
  let baseUrl: string;
  let browser: Browser;
  const logLines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    app = await buildTestApp('sqlite', { overrides: { logger: pino({ level: 'info' }, sink) } });
    const tenantId = app.bootstrapped.tenant.id;
    await createCustomer(app.store.db, tenantId, { phone: PHONE, name: 'Alex' });
    await createCustomer(app.store.db, tenantId, { phone: SECOND_PHONE, name: 'Bea' });
    await app.sms.service.createGateway(tenantId, { name: 'Server log', type: 'log', settings: {} });
    await app.portalSettings.update(tenantId, { otpEnabled: true });
    baseUrl = (await app.listen()).httpUrl;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.destroy();
  });

  /** The code the log gateway wrote for `phone` (waits for the outbox worker). */
  async function codeFromServerLog(phone: string): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      for (const line of logLines) {
        const entry = JSON.parse(line) as { sms?: { to: string; text: string } };
        if (entry.sms?.to === phone) return /(\d{6})/.exec(entry.sms.text)![1]!;
      }
      if (Date.now() > deadline) throw new Error('no SMS in the server log');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('sends a code to the registered number and signs in with it', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(m.text());
    });

    await page.goto(`${baseUrl}/portal`);
    await page.getByLabel('Phone number').fill('(202) 555-0143');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${baseUrl}/portal/sign-in/code`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Enter your code');
    await expect(page.locator('.lead').textContent()).resolves.toContain(
      'If (202) 555-0143 is registered here',
    );

    const code = await codeFromServerLog(PHONE);
    const input = page.getByLabel('Code from the text message');
    await expect(input.getAttribute('autocomplete')).resolves.toBe('one-time-code');

    // A wrong code first: the message says how many tries are left.
    await input.fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('#code-error').textContent()).resolves.toBe(
      'That code is not right. 4 tries left.',
    );

    await page.getByLabel('Code from the text message').fill(code);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${baseUrl}/portal`);
    await expect(page.locator('body').textContent()).resolves.toContain('Hello, Alex');
    await saveScreenshot(page, 'portal-otp-signed-in');

    // The SMS log keeps the message, with the code masked now that it is sent.
    const logged = await app.store.db
      .selectFrom('sms_messages')
      .select(['status', 'text'])
      .where('recipient', '=', PHONE)
      .executeTakeFirstOrThrow();
    expect(logged.status).toBe('sent');
    expect(logged.text).not.toContain(code);
    expect(logged.text).toContain('••••••');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a second browser within the resend wait can type the code already sent (issue 15, 6d)', async () => {
    const phoneContext = () => browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const askForCode = async (page: Page) => {
      await page.goto(`${baseUrl}/portal`);
      await page.getByLabel('Phone number').fill('(202) 555-0144');
      await page.getByRole('button', { name: 'Continue' }).click();
    };
    const first = await phoneContext();
    await askForCode(await first.newPage());
    const code = await codeFromServerLog(SECOND_PHONE);

    // Another browser (the guest switched from the captive window to their browser app).
    const second = await phoneContext();
    const page = await second.newPage();
    await askForCode(page);
    await page.waitForURL(`${baseUrl}/portal/sign-in/code?already-sent`);
    await expect(page.locator('.notice[role="status"]').textContent()).resolves.toBe(
      'A code was sent to (202) 555-0144 a moment ago. Enter it below; it works in this browser too.',
    );
    await expect(page.locator('main').textContent()).resolves.toContain(
      'You can ask for a new code in 1 min.',
    );
    await saveScreenshot(page, 'portal-otp-code-already-sent');
    await page.getByLabel('Code from the text message').fill(code);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${baseUrl}/portal`);
    await expect(page.locator('body').textContent()).resolves.toContain('Hello, Bea');
    await first.close();
    await second.close();
  });
});
