import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, adminClient, Client, startServer, type TestServer } from '../helpers/server.ts';
import { type Browser, loginInUi, openBrowser, screenshot } from './browser.ts';

const BINARY = 'china-matches-us-frontier-q1-2027';
const MULTIPLE = 'top-chinese-lab-q1-2027';
const RESOLVED = 'zhipu-hk-1t-end-2026';

/** Every page a person can bookmark, with some activity so nothing is empty. */
const PAGES = [
  { name: 'markets', path: '/', ready: 'market-card' },
  { name: 'market-binary', path: `/markets/${BINARY}`, ready: 'odds-chart' },
  { name: 'market-multiple', path: `/markets/${MULTIPLE}`, ready: 'odds-chart' },
  { name: 'market-resolved', path: `/markets/${RESOLVED}`, ready: 'scores' },
  { name: 'leaderboard', path: '/leaderboard', ready: 'leaderboard' },
  { name: 'profile', path: '/users/alice_fc', ready: 'calibration-chart' },
  { name: 'me', path: '/me', ready: 'positions' },
  { name: 'admin', path: '/admin', ready: 'admin-markets' },
  { name: 'channel', path: '/channel', ready: 'channel-card' },
  { name: 'embed', path: `/embed/${BINARY}`, ready: 'embed-probability' },
] as const;

describe('every page at desktop and phone widths, light and dark', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
    // Activity: two forecasters trade and forecast; one question resolves so scores and
    // calibration have something to show.
    const alice = new Client(server.url);
    const bob = new Client(server.url);
    await alice.register('alice_fc');
    await bob.register('bob_fc');
    for (const [c, p, side] of [
      [alice, 0.7, 'yes'],
      [bob, 0.35, 'no'],
    ] as const) {
      for (const id of [BINARY, RESOLVED]) {
        await c.post(`/api/markets/${id}/trades`, { outcomeId: side, amountCents: 4_000 });
        await c.post(`/api/markets/${id}/forecasts`, { probability: p, comment: `p = ${p}` });
      }
      await c.post(`/api/markets/${MULTIPLE}/trades`, {
        outcomeId: 'deepseek',
        amountCents: 3_000,
      });
    }
    const admin = await adminClient(server.url);
    expect(
      (await admin.post(`/api/markets/${RESOLVED}/resolve`, { outcomeId: 'yes' })).status,
    ).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
  });

  for (const viewport of [
    { label: 'desktop', width: 1280, height: 900, colorScheme: 'light' as const },
    { label: 'phone', width: 390, height: 844, colorScheme: 'dark' as const },
  ]) {
    it(`renders each page without errors or sideways scrolling (${viewport.label}, ${viewport.colorScheme})`, async () => {
      const b: Browser = await openBrowser(viewport);
      try {
        // Signed out first: the sign-in page.
        await b.page.goto(`${server.url}/login`);
        await b.page.getByTestId('login-username').waitFor();
        await screenshot(b.page, `login-${viewport.label}-${viewport.colorScheme}`);
        await loginInUi(b.page, server.url, ADMIN.username, ADMIN.password);
        // The admin trades too, so /me has a position.
        await b.page.evaluate(async (id) => {
          await fetch(`/api/markets/${id}/trades`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ outcomeId: 'yes', amountCents: 1_000 }),
          });
        }, BINARY);
        for (const p of PAGES) {
          await b.page.goto(`${server.url}${p.path}`);
          await b.page.getByTestId(p.ready).first().waitFor();
          await b.page.waitForTimeout(150);
          const overflow = await b.page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          expect(overflow, `${p.name} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(1);
          await screenshot(b.page, `${p.name}-${viewport.label}-${viewport.colorScheme}`);
        }
        expect(b.errors).toEqual([]);
      } finally {
        await b.close();
      }
    });
  }

  it('switches theme with the toggle and remembers it', async () => {
    const b = await openBrowser({ colorScheme: 'light' });
    try {
      await b.page.goto(server.url);
      await b.page.getByTestId('market-card').first().waitFor();
      expect(await b.page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
      await b.page.getByRole('button', { name: 'Switch to dark theme' }).click();
      expect(await b.page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      await b.page.reload();
      await b.page.getByTestId('market-card').first().waitFor();
      expect(await b.page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    } finally {
      await b.close();
    }
  });

  it('reaches the trade ticket and confirms a trade with the keyboard alone', async () => {
    const b = await openBrowser();
    try {
      const page = b.page;
      await page.goto(`${server.url}/login?mode=register`);
      await page.getByTestId('login-username').focus();
      await page.keyboard.type('keys_only');
      await page.keyboard.press('Tab');
      await page.keyboard.type('password-123');
      await page.keyboard.press('Enter');
      await page.getByTestId('balance').waitFor();
      await page.goto(`${server.url}/markets/${BINARY}`);
      await page.getByTestId('trade-input').focus();
      await page.keyboard.type('12');
      await page.getByTestId('quote-cost').waitFor();
      await page.waitForFunction(
        () =>
          !(document.querySelector('[data-testid="trade-submit"]') as HTMLButtonElement).disabled,
      );
      await page.keyboard.press('Enter');
      await page.getByText(/^Bought .* for 12\.00 cr\.$/).waitFor();
    } finally {
      await b.close();
    }
  });
});
