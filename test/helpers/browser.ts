import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Debian's chromium driven by playwright-core (no browser download): the
 * console's tests open real pages in a real browser. Every page records what
 * the browser console and the page's own errors said, so a test can assert
 * there were none; screenshots go to test-artifacts/console/ (kept by CI).
 */
export const CHROMIUM = process.env.SME_CHROMIUM ?? '/usr/bin/chromium';

/** test-artifacts/console/ at the repository root, from dist/test/helpers/. */
export const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/console/', import.meta.url));

export interface ConsoleBrowser {
  browser: Browser;
  context: BrowserContext;
  /** A new page; its console errors and page errors are collected in `problems`. */
  open(url: string): Promise<Page>;
  /** Every console error and uncaught page error so far, across pages. */
  problems: string[];
  /** Saves a full-page screenshot as test-artifacts/console/NAME.png; returns the path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<ConsoleBrowser> {
  // --no-sandbox: the tests run as root in CI, where chromium's sandbox refuses to start.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 30_000 });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  const problems: string[] = [];
  return {
    browser,
    context,
    problems,
    async open(url) {
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') {
          problems.push(`console error on ${page.url()}: ${m.text()}`);
        }
      });
      page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
      await page.goto(url);
      return page;
    },
    async screenshot(page, name) {
      mkdirSync(ARTIFACTS, { recursive: true });
      const file = path.join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close();
      await browser.close();
    },
  };
}
