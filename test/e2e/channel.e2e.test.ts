import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, Client, startServer, type TestServer } from '../helpers/server.ts';
import { type Browser, openBrowser, probabilityOf, screenshot, waitForText } from './browser.ts';

const MARKET = 'china-matches-us-frontier-q1-2027';

describe('the channel board and the embed card', () => {
  let server: TestServer;
  let board: Browser;
  let trader: Client;
  let openMarkets: { id: string; tags?: string[] }[];

  beforeAll(async () => {
    server = await startServer();
    board = await openBrowser({ width: 1600, height: 1000 });
    trader = new Client(server.url);
    await trader.register('board_trader');
    openMarkets = (await trader.get('/api/markets?status=open')).body.markets;
  });
  afterAll(async () => {
    await board?.close();
    await server?.close();
  });

  const tile = (id: string) => `[data-testid="board-tile"][data-market-id="${id}"]`;

  it('shows every open market and moves a tile live, highlighting a big move, with the trade in the ticker', async () => {
    const page = board.page;
    await page.goto(`${server.url}/channel`);
    await page.locator(tile(MARKET)).waitFor();
    expect(await page.getByTestId('board-tile').count()).toBe(openMarkets.length);
    const before = probabilityOf(
      (await page.locator(`${tile(MARKET)} [data-testid="tile-probability"]`).textContent()) ?? '',
    );
    expect(before).toBe(0.5);

    const res = await trader.post(`/api/markets/${MARKET}/trades`, {
      outcomeId: 'yes',
      amountCents: 10_000,
    });
    expect(res.status).toBe(200);
    const after = res.body.market.outcomes[0].probability;
    await page.waitForFunction(
      ([sel, want]) => document.querySelector(sel as string)?.textContent === want,
      [`${tile(MARKET)} [data-testid="tile-probability"]`, `${Math.round(after * 100)}%`],
    );
    // 50% → about 70% within the hour: a big move, drawn as such.
    await page.locator(`${tile(MARKET)}.big-up`).waitFor();
    await waitForText(page, 'ticker', (t) => t.includes('board_trader') && t.includes('bought'));

    await trader.post(`/api/markets/${MARKET}/forecasts`, {
      probability: 0.66,
      comment: 'Closer than it looks',
    });
    await waitForText(page, 'ticker', (t) => t.includes('forecast 66% Yes'));
    await screenshot(page, 'channel-board');
    expect(board.errors).toEqual([]);
  });

  it('announces a resolution in the ticker and drops the market from the open grid', async () => {
    const page = board.page;
    const admin = await adminClient(server.url);
    const target = 'minimax-gross-margin-2026';
    expect((await admin.post(`/api/markets/${target}/resolve`, { outcomeId: 'no' })).status).toBe(
      200,
    );
    await waitForText(page, 'ticker', (t) => t.includes('Resolved No'));
    await page.locator(tile(target)).waitFor({ state: 'detached' });
  });

  it('filters by tag and by a list of markets from the address', async () => {
    const page = board.page;
    const open = (await trader.get('/api/markets?status=open')).body.markets as typeof openMarkets;
    const tagged = open.filter((m) => (m.tags ?? []).includes('zhipu')).map((m) => m.id);
    expect(tagged.length).toBeGreaterThan(1);
    await page.goto(`${server.url}/channel?tag=zhipu`);
    await page.locator(tile(tagged[0]!)).waitFor();
    const shown = await page
      .getByTestId('board-tile')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-market-id')));
    expect(shown.sort()).toEqual([...tagged].sort());

    const two = [MARKET, 'anthropic-valuation-1-5t-mid-2027'];
    await page.goto(`${server.url}/channel?markets=${two.join(',')}`);
    await page.locator(tile(two[1]!)).waitFor();
    expect(await page.getByTestId('board-tile').count()).toBe(2);
  });

  it('renders the embed card inside an iframe on another page and updates it live', async () => {
    const page = board.page;
    const res = await fetch(`${server.url}/embed/${MARKET}`);
    // Framing is allowed for embeds only.
    expect(res.headers.get('content-security-policy')).toContain('frame-ancestors *');
    expect(res.headers.get('x-frame-options')).toBeNull();
    const home = await fetch(`${server.url}/`);
    expect(home.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    await page.setViewportSize({ width: 700, height: 400 });
    await page.goto(`${server.url}/embed/${MARKET}`);
    await page.getByTestId('embed').waitFor();
    expect(await page.locator('header, nav').count()).toBe(0);
    const start = await waitForText(page, 'embed-probability', (t) => t.includes('%'));
    await screenshot(page, 'embed-card');

    // A host page on another origin frames it.
    await page.setContent(
      `<h1>Team wiki</h1><iframe title="odds" src="${server.url}/embed/${MARKET}" width="600" height="220"></iframe>`,
    );
    const frame = page.frameLocator('iframe');
    await frame.getByTestId('embed-probability').waitFor();
    expect(await frame.getByTestId('embed-probability').textContent()).toBe(start);
    const res2 = await trader.post(`/api/markets/${MARKET}/trades`, {
      outcomeId: 'no',
      amountCents: 20_000,
    });
    const want = `${Math.round(res2.body.market.outcomes[0].probability * 100)}%`;
    expect(want).not.toBe(start);
    await expectFrameText(() => frame.getByTestId('embed-probability').textContent(), want);
    await screenshot(page, 'embed-in-iframe');
  });
});

async function expectFrameText(read: () => Promise<string | null>, want: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await read();
    if (last === want) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`frame text ${JSON.stringify(last)}, wanted ${want}`);
}
