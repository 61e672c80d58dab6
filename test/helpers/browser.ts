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
  const png = await page.screenshot({ fullPage: options.fullPage ?? true });
  const dirs = process.env.PORTICO_SCREENSHOTS === '1' ? [RESULTS_DIR, DOCS_DIR] : [RESULTS_DIR];
  for (const dir of dirs) {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, `${name}.png`), png);
  }
}
