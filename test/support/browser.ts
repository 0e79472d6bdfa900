/// <reference lib="dom" />
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs the package when it is missing). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the browser tests write their screenshots (git-ignored). */
export const SCREENSHOTS = join(__dirname, '..', '..', 'test-artifacts', 'console');

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Messages the page logged as errors, and uncaught exceptions. */
  problems: string[];
  close(): Promise<void>;
}

/** A fresh headless chromium with a new empty profile. */
export async function openBrowser(locale = 'en-US'): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (message) => {
    // The browser reports each 4xx answer as "Failed to load resource"; the tests provoke some on purpose.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  return {
    context,
    page,
    problems,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const WIDTHS = { desktop: 1280, phone: 390 } as const;

/**
 * Screenshots of the current screen at both widths, and an axe-core scan at each: returns the
 * serious and critical violations (rule id and the first offending element).
 */
export async function captureScreen(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const violations: string[] = [];
  for (const [label, width] of Object.entries(WIDTHS)) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true });
    // Wide tables scroll inside their own box; the page itself never scrolls sideways.
    const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    if (pageWidth > width) violations.push(`${name}@${label}: the page is ${pageWidth} px wide`);
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
    for (const violation of result.violations)
      if (violation.impact === 'serious' || violation.impact === 'critical')
        violations.push(`${name}@${label}: ${violation.id} ${violation.nodes[0]?.target.join(' ') ?? ''}`);
  }
  await page.setViewportSize({ width: WIDTHS.desktop, height: 900 });
  return violations;
}
