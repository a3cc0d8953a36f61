import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, adminClient, Client, startServer, type TestServer } from '../helpers/server.ts';
import {
  type Browser,
  centsOf,
  loginInUi,
  openBrowser,
  registerInUi,
  screenshot,
  waitForText,
} from './browser.ts';

const MARKET = 'zhipu-arr-5b-2026';

describe('the admin console in the browser', () => {
  let server: TestServer;
  let trader: Browser;
  let admin: Browser;

  beforeAll(async () => {
    server = await startServer();
    [trader, admin] = await Promise.all([openBrowser(), openBrowser({ height: 1000 })]);
  });
  afterAll(async () => {
    await Promise.all([trader?.close(), admin?.close()]);
    await server?.close();
  });

  it('resolves a market after a payout preview, and the trader sees the payout in their balance', async () => {
    await registerInUi(trader.page, server.url, 'payout_trader');
    await trader.page.goto(`${server.url}/markets/${MARKET}`);
    await trader.page.getByTestId('trade-amount').fill('50');
    await waitForText(trader.page, 'quote-cost', (t) => t.includes('cr'));
    await trader.page.getByTestId('trade-submit').click();
    await waitForText(trader.page, 'trade-result', (t) => t.startsWith('Bought'));
    await trader.page.getByTestId('forecast-slider').fill('80');
    await trader.page.getByTestId('forecast-submit').click();
    await trader.page.getByText('Forecast saved').waitFor();

    // The winning shares, from the server's own record: each pays 1 credit, rounded down.
    const reader = new Client(server.url);
    const trades = (await reader.get(`/api/markets/${MARKET}/trades`)).body.trades;
    const shares = trades
      .filter((t: any) => t.username === 'payout_trader' && t.outcomeId === 'yes')
      .reduce((a: number, t: any) => a + t.shares, 0);
    const payout = Math.floor(shares * 100);
    expect(payout).toBeGreaterThan(5_000);
    const before = centsOf((await trader.page.getByTestId('balance').textContent()) ?? '');

    await loginInUi(admin.page, server.url, ADMIN.username, ADMIN.password);
    await admin.page.goto(`${server.url}/admin`);
    await admin.page.getByTestId('admin-markets').waitFor();
    await screenshot(admin.page, 'admin');
    await admin.page.getByTestId(`admin-resolve-${MARKET}`).click();
    await admin.page.getByTestId('resolve-dialog').waitFor();
    await admin.page.getByTestId('resolve-outcome').getByRole('radio', { name: /^Yes/ }).check();
    // The confirmation shows who gets what before anything is paid.
    await waitForText(admin.page, 'payout-preview', (t) => t.includes('payout_trader'));
    const preview = await admin.page.getByTestId('payout-preview').textContent();
    expect(centsOf(preview ?? '')).toBe(payout);
    await screenshot(admin.page, 'admin-resolve-preview');
    await admin.page.getByTestId('resolve-confirm').click();
    const done = await waitForText(admin.page, 'payouts-list', (t) => t.includes('payout_trader'));
    expect(centsOf(done)).toBe(payout);

    // No reload: the trader's balance arrives over the socket.
    await waitForText(trader.page, 'balance', (t) => centsOf(t) === before + payout);
    await waitForText(trader.page, 'resolution', (t) => t.includes('Resolved Yes'));
    const scores = await waitForText(trader.page, 'scores', (t) => t.includes('payout_trader'));
    expect(scores).toContain('The market');
    expect(scores).toContain('Community forecast');
    await trader.page.getByText('Brier is the binary form').waitFor();
    await screenshot(trader.page, 'market-page-resolved');
    expect(trader.errors).toEqual([]);
    expect(admin.errors).toEqual([]);
  });

  it('creates a multiple-choice market with a claim that the market page shows', async () => {
    const page = admin.page;
    await page.keyboard.press('Escape');
    await page.goto(`${server.url}/admin?s=create`);
    await page.getByLabel('Question').fill('Which lab ships the next frontier model first?');
    await page.getByLabel('Resolution criteria').fill('The first public release wins.');
    await page.getByRole('button', { name: 'Multiple choice' }).click();
    await page.getByLabel('Outcome 1', { exact: true }).fill('Zhipu');
    await page.getByLabel('Outcome 2', { exact: true }).fill('DeepSeek');
    await page.getByLabel('Outcome 3', { exact: true }).fill('Moonshot');
    await page.getByRole('button', { name: 'Add claim' }).click();
    await page.getByLabel('Who').fill('Tang Jie');
    await page.getByLabel('Source').fill('Interview');
    await page.getByLabel('Outcome', { exact: true }).selectOption('zhipu');
    await page.getByLabel('Read as (%)').fill('60');
    await page.getByLabel('What they said').fill('We will be first.');
    await screenshot(page, 'admin-create-market');
    await page.getByTestId('admin-create-market').click();
    await page
      .getByRole('link', { name: 'Which lab ships the next frontier model first?' })
      .click();
    await page.getByTestId('market-page').waitFor();
    await waitForText(page, 'claims', (t) => t.includes('Tang Jie') && t.includes('60% Zhipu'));
    expect(await page.getByTestId('outcome-row').count()).toBe(3);
    await screenshot(page, 'market-page-multiple');
  });

  it('shows the audit log of what the admin did', async () => {
    await admin.page.goto(`${server.url}/admin?s=audit`);
    const log = await waitForText(admin.page, 'audit', (t) => t.includes(MARKET));
    expect(log).toMatch(/resolve/);
    await screenshot(admin.page, 'admin-audit');
  });

  it('starts and stops the live simulation from the console', async () => {
    const page = admin.page;
    const reader = await adminClient(server.url);
    await page.goto(`${server.url}/admin?s=simulation`);
    await waitForText(page, 'sim-status', (t) => t === 'stopped');
    await page.getByTestId('sim-toggle').click();
    await waitForText(page, 'sim-status', (t) => t === 'running');
    expect((await reader.get('/api/admin/simulation')).body.running).toBe(true);
    await screenshot(page, 'admin-simulation');
    await page.getByTestId('sim-toggle').click();
    await waitForText(page, 'sim-status', (t) => t === 'stopped');
    expect((await reader.get('/api/admin/simulation')).body.running).toBe(false);
  });

  it('keeps the console from traders', async () => {
    await trader.page.goto(`${server.url}/admin`);
    await trader.page.getByTestId('admin-denied').waitFor();
    expect(await trader.page.getByTestId('admin-markets').count()).toBe(0);
  });
});
