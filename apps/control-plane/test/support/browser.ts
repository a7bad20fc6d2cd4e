/**
 * A real browser for the console's tests: Debian's Chromium driven by playwright-core against a control plane on
 * 127.0.0.1. A page records every script error, console error (a CSP violation, say) and failed
 * request the test did not expect, for the test to assert there are none; screenshots go to
 * test-artifacts/console/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium } from '#portico/testing';

export const SCREENSHOT_DIR = path.resolve('test-artifacts', 'console');

/** Debian's Chromium, headless (#portico/testing launchChromium). */
export const launchBrowser = launchChromium;

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /**
   * script errors, console errors, unexpected failed requests (`409 POST /path`) and the
   * accessibility violations of every screen a screenshot was taken of, seen so far
   */
  problems: string[];
  /** A screenshot of the page as `<name>.png`, and the page's accessibility checked (into `problems`). */
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fresh context (no storage) at 1280×800, watching for problems. `expectedFailures` match the
 * failed requests a test provokes on purpose (`409 POST /apimanager/…`).
 */
export async function openConsole(browser: Browser, baseUrl: string, expectedFailures: RegExp[] = []): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: baseUrl });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // Chromium also logs each failed request, without its URL; those are judged below.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      problems.push(`console error: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() < 400) return;
    const failure = `${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`;
    if (!expectedFailures.some((re) => re.test(failure))) problems.push(`failed request: ${failure}`);
  });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    page,
    context,
    problems,
    screenshot: async (name) => {
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
      for (const violation of await accessibilityViolations(page)) problems.push(`accessibility of ${name}: ${violation}`);
    },
    close: () => context.close(),
  };
}

/**
 * Waits until `control` has the keyboard focus (is `document.activeElement`); fails when it does
 * not get it within a few seconds.
 */
export async function focusIsOn(control: Locator): Promise<void> {
  await control.and(control.page().locator(':focus')).waitFor({ timeout: 5_000 });
}

/** Signs in on the login page the console opens with. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'API Administration' }).waitFor();
}

/** axe-core's engine, evaluated in the page (evaluation is not subject to the page's CSP). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The accessibility problems axe-core finds on the page as it is now, against WCAG 2.1 A and AA:
 * `<rule>: <target>` for every serious or critical violation (none is the expectation).
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const { axe, document } = globalThis as any;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    // a run that checked nothing would find nothing
    if (result.passes.length === 0) throw new Error('axe-core checked no rule on this page');
    return result.violations as { id: string; impact: string; nodes: { target: string[] }[] }[];
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((node) => `${v.id}: ${node.target.join(' ')}`));
}
