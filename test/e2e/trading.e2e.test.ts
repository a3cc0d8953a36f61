import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type TestServer } from '../helpers/server.ts';
import {
  type Browser,
  centsOf,
  openBrowser,
  probabilityOf,
  registerInUi,
  screenshot,
  waitForText,
} from './browser.ts';

const MARKET = 'china-matches-us-frontier-q1-2027';

describe('trading in the browser', () => {
  let server: TestServer;
  let trader: Browser;
  let watcher: Browser;

  beforeAll(async () => {
    server = await startServer();
    [trader, watcher] = await Promise.all([openBrowser(), openBrowser()]);
  });
  afterAll(async () => {
    await Promise.all([trader?.close(), watcher?.close()]);
    await server?.close();
  });

  it('registers, buys on a seeded market, and sees the odds and balance move, live in a second browser', async () => {
    const before = (await new Client(server.url).get(`/api/markets/${MARKET}`)).body.market;
    const b: number = before.liquidity;
    const p0: number = before.outcomes[0].probability;

    await registerInUi(trader.page, server.url, 'e2e_trader');
    const startCents = centsOf(await waitForText(trader.page, 'balance', (t) => t.includes('cr')));
    // The starting grant is 1,000 credits.
    expect(startCents).toBe(100_000);

    // From the list to the market.
    await trader.page.goto(server.url);
    await trader.page.locator(`[data-market-id="${MARKET}"] a`).first().click();
    await trader.page.getByTestId('market-page').waitFor();
    expect(await trader.page.getByTestId('market-question').textContent()).toBe(before.question);

    await watcher.page.goto(`${server.url}/markets/${MARKET}`);
    const watcherBefore = probabilityOf(
      await waitForText(watcher.page, 'market-probability', (t) => t.includes('%')),
    );
    expect(watcherBefore).toBeCloseTo(p0, 2);

    // Spend 100 credits on Yes. By hand (DESIGN.md): Δ = b ln(1 + (e^(A/b) - 1) / p), and the
    // new P(yes) = 1 / (1 + (1/p - 1) e^(-Δ/b)); for b = 200 and p = 0.5 that is Δ ≈ 166.4
    // shares and P(yes) ≈ 69.7%.
    const A = 100;
    const delta = b * Math.log(1 + (Math.exp(A / b) - 1) / p0);
    const expected = 1 / (1 + (1 / p0 - 1) * Math.exp(-delta / b));
    await trader.page.getByTestId('trade-amount').fill(String(A));
    const quoted = centsOf(await waitForText(trader.page, 'quote-cost', (t) => t.includes('cr')));
    // The preview names the shares and the new probability before anything is bought.
    const preview = await waitForText(trader.page, 'quote-preview', (t) => t.includes('Yes'));
    expect(preview).toContain(`${Math.round(expected * 100)}%`);
    // The quote spends at most the amount, to the cent.
    expect(quoted).toBeLessThanOrEqual(10_000);
    expect(quoted).toBeGreaterThan(9_990);
    await trader.page.getByTestId('trade-submit').click();
    await waitForText(trader.page, 'trade-result', (t) => t.startsWith('Bought'));

    const shown = probabilityOf(
      await waitForText(trader.page, 'market-probability', (t) => t !== `${Math.round(p0 * 100)}%`),
    );
    expect(shown).toBeCloseTo(Math.round(expected * 100) / 100, 5);
    const balance = centsOf(
      await waitForText(trader.page, 'balance', (t) => centsOf(t) !== startCents),
    );
    expect(balance).toBe(startCents - quoted);

    // The watcher never reloads: the socket brings the new odds.
    const live = probabilityOf(
      await waitForText(
        watcher.page,
        'market-probability',
        (t) => probabilityOf(t) !== watcherBefore,
      ),
    );
    expect(live).toBeCloseTo(shown, 5);
    await waitForText(watcher.page, 'trades', (t) => t.includes('e2e_trader'));

    // The position shows at once.
    await waitForText(trader.page, 'position', (t) => t.includes('Yes'));
    await screenshot(trader.page, 'market');
    expect(trader.errors).toEqual([]);
    expect(watcher.errors).toEqual([]);
  });

  it('refuses a trade the user cannot afford with a clear message and no trade', async () => {
    const page = trader.page;
    await page.getByTestId('trade-amount').fill('5000');
    const text = await waitForText(page, 'trade-error', (t) => t.length > 0);
    expect(text).toBe('Not enough credits for this trade.');
    expect(await page.getByTestId('trade-submit').isDisabled()).toBe(true);
    await page.getByTestId('trade-amount').fill('');
  });

  it('sells shares back by the shares form and shows the proceeds', async () => {
    const page = trader.page;
    const before = centsOf((await page.getByTestId('balance').textContent()) ?? '');
    await page.getByRole('tab', { name: 'Sell' }).click();
    await page.getByTestId('trade-amount').fill('10');
    const proceeds = centsOf(await waitForText(page, 'quote-cost', (t) => t.includes('cr')));
    await page.getByTestId('trade-submit').click();
    await waitForText(page, 'trade-result', (t) => t.startsWith('Sold 10.00 Yes'));
    await waitForText(page, 'balance', (t) => centsOf(t) === before + proceeds);
  });

  it('saves a forecast with a comment and lists it', async () => {
    const page = trader.page;
    await page.getByTestId('forecast-slider').fill('72');
    await page.getByLabel('Comment').fill('Benchmarks are converging fast.');
    await page.getByTestId('forecast-submit').click();
    await page.getByRole('tab', { name: /Forecasts/ }).click();
    await waitForText(page, 'forecasts', (t) => t.includes('72% Yes') && t.includes('converging'));
    // The watcher's list updates live too.
    await watcher.page.getByRole('tab', { name: /Forecasts/ }).click();
    await waitForText(watcher.page, 'forecasts', (t) => t.includes('e2e_trader'));
  });

  it('shows the portfolio with the position valued at the current price', async () => {
    const page = trader.page;
    await page.goto(`${server.url}/me`);
    const table = await waitForText(page, 'positions-table', (t) => t.includes('Yes'));
    expect(table).toContain('Will a Chinese model match');
    // The portfolio's cash is the header's balance.
    const header = centsOf((await page.getByTestId('balance').textContent()) ?? '');
    expect(centsOf(await waitForText(page, 'me-balance', (t) => t.includes('cr')))).toBe(header);
    await waitForText(page, 'forecast-history', (t) => t.includes('72% Yes'));
    await screenshot(page, 'me');
  });
});
