import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium; CI installs it with apt-get (no browser download is possible). */
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = 'test/artifacts';

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Messages the page logged as errors, and uncaught exceptions. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * A fresh headless Chromium with its own profile directory (so its cookies are its own): one
 * per person in a test.
 */
export async function openBrowser(
  opts: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {},
): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'parity-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 860 },
    colorScheme: opts.colorScheme ?? 'light',
  });
  // Fail a step within the test's time with Playwright's own message of what it waited for.
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A signed-out visitor's GET /api/me answers 401 by design; the browser logs it.
    if (m.type() === 'error' && !/status of 401/.test(m.text())) errors.push(m.text());
  });
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot under test/artifacts/ for people to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  // From the top, so the sticky header is captured where it sits.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Registers through the sign-in page's "Create account" tab; waits for the header balance. */
export async function registerInUi(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByTestId('register-tab').click();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill('password-123');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('balance').waitFor();
}

/** Signs in through the UI; waits for the header balance. */
export async function loginInUi(
  page: Page,
  baseUrl: string,
  username: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('balance').waitFor();
}

/** "1,234.56 cr" → 123456 cents. */
export function centsOf(text: string): number {
  const m = /(-?[\d,]+)\.(\d{2})/.exec(text);
  if (!m) throw new Error(`no credits in ${JSON.stringify(text)}`);
  const negative = m[1]!.startsWith('-');
  const cents = Number(m[1]!.replace(/[-,]/g, '')) * 100 + Number(m[2]);
  return negative ? -cents : cents;
}

/** "47%" → 0.47. */
export function probabilityOf(text: string): number {
  const m = /([\d.]+)%/.exec(text);
  if (!m) throw new Error(`no percentage in ${JSON.stringify(text)}`);
  return Number(m[1]) / 100;
}

/** Waits until the element's text satisfies `ok` (live updates arrive without a reload). */
export async function waitForText(
  page: Page,
  testId: string,
  ok: (text: string) => boolean,
  timeoutMs = 10_000,
): Promise<string> {
  const locator = page.getByTestId(testId).first();
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.textContent({ timeout: timeoutMs }).catch(() => null)) ?? '';
    if (ok(last)) return last;
    await page.waitForTimeout(50);
  }
  throw new Error(`${testId} never matched; last text ${JSON.stringify(last)}`);
}
