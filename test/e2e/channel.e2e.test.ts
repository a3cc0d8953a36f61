import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, Client, startServer, type TestServer } from '../helpers/server.ts';
import { type Browser, openBrowser, probabilityOf, screenshot, waitForText } from './browser.ts';

const MARKET = 'china-matches-us-frontier-q1-2027';
const RESOLVED = 'minimax-gross-margin-2026';

describe('the channel board', () => {
  let server: TestServer;
  let board: Browser;
  let trader: Client;
  let admin: Client;
  let openMarkets: { id: string; tags?: string[] }[];

  beforeAll(async () => {
    server = await startServer();
    board = await openBrowser({ width: 1600, height: 1000 });
    trader = new Client(server.url);
    await trader.register('board_trader');
    admin = await adminClient(server.url);
    openMarkets = (await trader.get('/api/markets?status=open')).body.markets;
  });
  afterAll(async () => {
    await board?.close();
    await server?.close();
  });

  const card = (id: string) => `[data-testid="channel-card"][data-market-id="${id}"]`;
  const probabilityIn = (id: string) => `${card(id)} [data-testid="channel-probability"]`;

  it('shows every open market without signing in, dark by default, live over the socket', async () => {
    const page = board.page;
    await page.goto(`${server.url}/channel`);
    await page.getByTestId('channel-board').waitFor();
    await page.locator(card(MARKET)).waitFor();
    expect(await page.getByTestId('channel-card').count()).toBe(openMarkets.length);
    // A wall screen is dark unless someone chose otherwise (this browser prefers light).
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.locator('[data-testid="channel-connection"][data-connected="true"]').waitFor();
    expect(await page.getByTestId('channel-connection').textContent()).toBe('Live');
    // Seeded binary markets open at 50%.
    expect(probabilityOf((await page.locator(probabilityIn(MARKET)).textContent()) ?? '')).toBe(
      0.5,
    );
  });

  it('moves a card live on a trade, marks the big move and puts the trade in the ticker', async () => {
    const page = board.page;
    const res = await trader.post(`/api/markets/${MARKET}/trades`, {
      outcomeId: 'yes',
      amountCents: 10_000,
    });
    expect(res.status).toBe(200);
    // 100 credits on Yes at b = 200 from 50%: Δ = 200 ln(1 + (e^0.5 - 1)/0.5) ≈ 166.4 shares,
    // P(yes) = 1/(1 + e^(-Δ/200)) ≈ 69.7%, shown as 70%.
    const after: number = res.body.market.outcomes[0].probability;
    expect(after).toBeCloseTo(0.697, 3);
    await page.waitForFunction(
      ([sel, want]) => document.querySelector(sel as string)?.textContent === want,
      [probabilityIn(MARKET), '70%'],
    );
    // 50% → 70% within a minute is at least 5 points within 5 minutes: a big move, upwards.
    await page.locator(`${card(MARKET)}[data-big-move="up"]`).waitFor();
    expect(await page.locator(`${card(MARKET)} [data-testid="big-move"]`).textContent()).toBe(
      '▲ Big move',
    );
    // Its change over 24 hours and since the board opened: +20 points each.
    const changes = await page
      .locator(`${card(MARKET)} .channel-change`)
      .evaluateAll((els) => els.map((e) => e.getAttribute('title')));
    expect(changes[0]).toBe('up 20 points 24 h');
    expect(changes[1]).toMatch(/^up 20 points since \d\d:\d\d/);
    // Other markets did not move.
    expect(await page.locator('[data-big-move]').count()).toBe(1);

    const trade = page.getByTestId('ticker-item').filter({ hasText: 'board_trader' }).first();
    await trade.waitFor();
    expect(await trade.getAttribute('data-kind')).toBe('trade');
    expect(await trade.textContent()).toMatch(/board_trader bought 166 Yes .*→ 70% Yes/);

    await trader.post(`/api/markets/${MARKET}/forecasts`, {
      probability: 0.66,
      comment: 'Closer than it looks',
    });
    await waitForText(page, 'channel-ticker', (t) => t.includes('forecast 66% Yes'));
    await screenshot(page, 'channel');
    expect(board.errors).toEqual([]);
  });

  it('shows a resolved market with its outcome and announces it in the ticker', async () => {
    const page = board.page;
    expect((await admin.post(`/api/markets/${RESOLVED}/resolve`, { outcomeId: 'no' })).status).toBe(
      200,
    );
    await waitForText(page, 'channel-ticker', (t) => t.includes('Resolved No'));
    await page.locator(`${card(RESOLVED)}[data-status="resolved"]`).waitFor();
    expect(
      await page.locator(`${card(RESOLVED)} [data-testid="channel-outcome"]`).textContent(),
    ).toBe('Resolved No');
  });

  it('adds a market created while the board is open', async () => {
    const page = board.page;
    const res = await admin.post('/api/markets', {
      id: 'board-new-market',
      question: 'Will the channel board show a brand-new market?',
      closesAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      tags: ['board'],
    });
    expect(res.status).toBe(201);
    await page.locator(card('board-new-market')).waitFor();
    expect(await page.locator(`${card('board-new-market')} .channel-flag`).textContent()).toBe(
      'New',
    );
    await waitForText(page, 'channel-ticker', (t) => t.includes('New market'));
  });

  it('filters by tag and by a list of markets from the address', async () => {
    const page = board.page;
    const open = (await trader.get('/api/markets?status=open')).body.markets as typeof openMarkets;
    const tagged = open.filter((m) => (m.tags ?? []).includes('zhipu')).map((m) => m.id);
    expect(tagged.length).toBeGreaterThan(1);
    await page.goto(`${server.url}/channel?tag=zhipu`);
    await page.locator(card(tagged[0]!)).waitFor();
    const shown = await page
      .getByTestId('channel-card')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-market-id')));
    expect(shown.sort()).toEqual([...tagged].sort());

    const two = [MARKET, 'anthropic-valuation-1-5t-mid-2027'];
    await page.goto(`${server.url}/channel?markets=${two.join(',')}`);
    await page.locator(card(two[1]!)).waitFor();
    expect(await page.getByTestId('channel-card').count()).toBe(2);
    // The ticker keeps to the chosen markets: a trade elsewhere stays off it.
    await trader.post('/api/markets/zhipu-arr-5b-2026/trades', {
      outcomeId: 'no',
      amountCents: 1_000,
    });
    const sold = await trader.post(`/api/markets/${two[1]}/trades`, {
      outcomeId: 'no',
      amountCents: 1_000,
    });
    const want = `${Math.round(sold.body.market.outcomes[0].probability * 100)}%`;
    // 10 credits on No at b = 120 from 50%: P(yes) = 1/(1 + e^(Δ/120)), Δ ≈ 19.2, about 46.0%.
    expect(want).toBe('46%');
    await page
      .locator(`${card(two[1]!)} [data-testid="channel-probability"]`)
      .getByText(want)
      .waitFor();
    await waitForText(page, 'channel-ticker', (t) => t.includes('Anthropic'));
    expect(await page.getByTestId('channel-ticker').textContent()).not.toContain('Zhipu');

    await page.goto(`${server.url}/channel?markets=no-such-market`);
    await page.getByText('None of the markets in this address').waitFor();
  });

  it('follows the theme toggle and the address over its dark default', async () => {
    const page = board.page;
    await page.goto(`${server.url}/channel?theme=light`);
    await page.getByTestId('channel-card').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.goto(`${server.url}/channel`);
    await page.getByTestId('channel-card').first().waitFor();
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.reload();
    await page.getByTestId('channel-card').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await screenshot(page, 'channel-light');
    await page.evaluate(() => localStorage.removeItem('parity-theme'));
  });
});
