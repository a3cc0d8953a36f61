import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, Client, startServer, type TestServer } from '../helpers/server.ts';
import { type Browser, openBrowser, screenshot } from './browser.ts';

const MARKET = 'paging-e2e-market';
const TRADES = 130;
/** The market page's page of trades (the API's default). */
const PAGE = 50;

/** The trade ids the page lists, top to bottom. */
const shownIds = (page: Page) =>
  page.$$eval('[data-testid="trades"] [data-trade-id]', (els) =>
    els.map((e) => e.getAttribute('data-trade-id') ?? ''),
  );

/**
 * Waits until the page lists `n` trades, and checks it stays there a moment (no page loads
 * unasked); returns their ids.
 */
async function waitForRows(page: Page, n: number): Promise<string[]> {
  await expect.poll(async () => (await shownIds(page)).length, { timeout: 10_000 }).toBe(n);
  await page.waitForTimeout(250);
  const ids = await shownIds(page);
  expect(ids).toHaveLength(n);
  return ids;
}

describe('paged lists in the browser', () => {
  let server: TestServer;
  let trader: Client;
  let scroller: Browser;
  let keyboard: Browser;

  /** Every trade id of the market, newest first, walking the API's cursors to the end. */
  async function allIds(): Promise<string[]> {
    const ids: string[] = [];
    let before: string | null = null;
    do {
      const q: string = before ? `&before=${encodeURIComponent(before)}` : '';
      const r = await trader.get(`/api/markets/${MARKET}/trades?limit=1000${q}`);
      ids.push(...r.body.trades.map((t: { id: string }) => t.id));
      before = r.body.nextCursor;
    } while (before);
    return ids;
  }

  beforeAll(async () => {
    server = await startServer();
    const admin = await adminClient(server.url);
    const created = await admin.post('/api/markets', {
      id: MARKET,
      question: 'Will the trade list load every page when scrolled?',
      closesAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    expect(created.status).toBe(201);
    trader = new Client(server.url);
    await trader.register('pager');
    // Ten at a time: the order is the server's, read back from it below.
    for (let i = 0; i < TRADES; i += 10) {
      const batch = Array.from({ length: 10 }, (_, j) =>
        trader.post(`/api/markets/${MARKET}/trades`, {
          outcomeId: (i + j) % 2 ? 'no' : 'yes',
          amountCents: 100,
        }),
      );
      for (const r of await Promise.all(batch)) expect(r.status).toBe(200);
    }
    [scroller, keyboard] = await Promise.all([openBrowser(), openBrowser()]);
    // The second browser has no IntersectionObserver: its only way on is the button.
    await keyboard.context.addInitScript(() => {
      delete (window as { IntersectionObserver?: unknown }).IntersectionObserver;
    });
  });
  afterAll(async () => {
    await Promise.all([scroller?.close(), keyboard?.close()]);
    await server?.close();
  });

  it('shows the newest 50 trades and the next 50 each time the end scrolls into view, each once, with a live trade on top', async () => {
    const page = scroller.page;
    const before = await allIds();
    expect(before).toHaveLength(TRADES);
    await page.goto(`${server.url}/markets/${MARKET}`);
    expect(await waitForRows(page, PAGE)).toEqual(before.slice(0, PAGE));
    expect(await page.getByRole('tab', { name: /Trades/ }).textContent()).toMatch(
      /^Trades\s*50\+$/,
    );

    // A trade made now arrives over the socket and goes on top of the first page.
    const live = await trader.post(`/api/markets/${MARKET}/trades`, {
      outcomeId: 'yes',
      amountCents: 100,
    });
    expect(live.status).toBe(200);
    const first = await waitForRows(page, PAGE + 1);
    expect(first[0]).toBe(live.body.trade.id);

    // The second page starts after the first page's last trade, so nothing comes twice.
    const end = page.getByTestId('trades-more').locator('.list-end');
    await end.scrollIntoViewIfNeeded();
    const second = await waitForRows(page, 2 * PAGE + 1);
    expect(second).toEqual([live.body.trade.id, ...before.slice(0, 2 * PAGE)]);

    await end.scrollIntoViewIfNeeded();
    const all = await waitForRows(page, TRADES + 1);
    expect(all).toEqual(await allIds());
    expect(new Set(all).size).toBe(TRADES + 1);
    await page.getByTestId('trades-more').getByText("That's all.").waitFor();
    expect(await page.getByRole('button', { name: /Load more/ }).count()).toBe(0);
    expect(await page.getByRole('tab', { name: /Trades/ }).textContent()).toMatch(/^Trades\s*131$/);
    await screenshot(page, 'paging');
    expect(scroller.errors).toEqual([]);
  });

  it('loads the next page from the "Load more" button by keyboard, without IntersectionObserver', async () => {
    const page = keyboard.page;
    const ids = await allIds();
    await page.goto(`${server.url}/markets/${MARKET}`);
    expect(await page.evaluate(() => typeof IntersectionObserver)).toBe('undefined');
    expect(await waitForRows(page, PAGE)).toEqual(ids.slice(0, PAGE));

    // From the last trade's link, Tab reaches the button.
    await page.locator('[data-testid="trades"] li:last-child a').focus();
    await page.keyboard.press('Tab');
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? '');
    expect(await focused()).toBe('Load more trades');
    await page.keyboard.press('Enter');
    expect(await waitForRows(page, 2 * PAGE)).toEqual(ids.slice(0, 2 * PAGE));
    // The focus stays on the button while the page loads and after.
    expect(await focused()).toBe('Load more trades');

    await page.keyboard.press('Space');
    expect(await waitForRows(page, ids.length)).toEqual(ids);
    // The button is gone with the last page; the focus is on the note that took its place.
    await expect.poll(focused).toBe("That's all.");
    expect(keyboard.errors).toEqual([]);
  });

  it("loads a profile's older forecasts as the history's end scrolls into view", async () => {
    // One more than the first page of a user's forecasts (200), each a forecast of its own.
    const n = 201;
    for (let i = 0; i < n; i += 20) {
      const batch = Array.from({ length: Math.min(20, n - i) }, (_, j) =>
        trader.post(`/api/markets/${MARKET}/forecasts`, {
          probability: (1 + ((i + j) % 98)) / 100,
        }),
      );
      for (const r of await Promise.all(batch)) expect(r.status).toBe(201);
    }
    const page = scroller.page;
    await page.goto(`${server.url}/users/pager`);
    const rows = () =>
      page.$$eval('[data-testid="forecast-history"] [data-forecast-id]', (els) =>
        els.map((e) => e.getAttribute('data-forecast-id') ?? ''),
      );
    await expect.poll(async () => (await rows()).length, { timeout: 10_000 }).toBe(200);
    await page.getByTestId('forecast-history-more').locator('.list-end').scrollIntoViewIfNeeded();
    await expect.poll(async () => (await rows()).length, { timeout: 10_000 }).toBe(n);
    expect(new Set(await rows()).size).toBe(n);
    await page.getByTestId('forecast-history-more').getByText("That's all.").waitFor();
    expect(scroller.errors).toEqual([]);
  });
});
