import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from './tools.js';

/** Debian's Chromium, headless, with the flags this closed network needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/** Every run's screenshots (git-ignored). */
const RESULTS_DIR = path.resolve('test-results/screenshots');
/** The screenshots the docs show, rewritten only on request: each run's differ (times, ids). */
const DOCS_DIR = path.resolve('docs/screenshots');

/**
 * Saves `<name>.png` of the page to test-results/screenshots, and to docs/screenshots too when
 * PORTICO_SCREENSHOTS=1 — so an ordinary test run leaves the checkout clean.
 */
export async function saveScreenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<void> {
  // A click that navigates can return before the new page has loaded, and Chromium refuses to
  // capture a page mid-navigation ("Unable to capture screenshot", seen once in CI).
  await page.waitForLoadState('load');
  const png = await page.screenshot({ fullPage: options.fullPage ?? true });
  const dirs = process.env.PORTICO_SCREENSHOTS === '1' ? [RESULTS_DIR, DOCS_DIR] : [RESULTS_DIR];
  for (const dir of dirs) {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, `${name}.png`), png);
  }
}

/**
 * Collects script errors and console errors of a page (CSP violations show up there). Refused
 * forms answer 4xx on purpose, so "Failed to load resource: … status of 4xx" is not one.
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) problems.push(message.text());
  });
  return problems;
}

/** Signs in to the admin area through its form, as a person would; ends on the dashboard. */
export async function signInToAdmin(
  page: Page,
  baseUrl: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/admin/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}/admin`);
}

/** The admin area's side navigation link with exactly this text. */
export function adminNav(page: Page, label: string) {
  return page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: label, exact: true });
}

/** The notice a page shows after an action ("Saved.", "Created. Next: …"). */
export function adminNotice(page: Page): Promise<string | null> {
  return page.locator('main .notice[role="status"]').textContent();
}
