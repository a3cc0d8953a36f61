import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type TestServer } from '../helpers/server.ts';
import { type Browser, openBrowser, screenshot } from './browser.ts';

/**
 * The API reference page in real Chromium: it renders every operation of /api/openapi.json from
 * files of our own origin, under the server's CSP, with no console error and no request
 * anywhere else.
 */

interface Doc {
  paths: Record<string, Record<string, { operationId: string; summary: string }>>;
  components: { schemas: Record<string, unknown> };
}

describe('the API reference page', () => {
  let server: TestServer;
  let doc: Doc;
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ method, path, ...op })),
    );

  beforeAll(async () => {
    server = await startServer({ env: { SEED: 'off' } });
    doc = (await new Client(server.url).get<Doc>('/api/openapi.json')).body;
  });
  afterAll(() => server?.close());

  /** Opens /api/docs, recording every request the page makes. */
  async function open(browser: Browser): Promise<string[]> {
    const requested: string[] = [];
    browser.page.on('request', (r) => requested.push(r.url()));
    await browser.page.goto(`${server.url}/api/docs`);
    await browser.page.locator('main[aria-busy="false"]').waitFor();
    return requested;
  }

  it('lists every operation with its method, path and summary, from our origin alone', async () => {
    const browser = await openBrowser({ width: 1280, height: 900 });
    try {
      const requested = await open(browser);
      const { page } = browser;
      const ops = operations();
      expect(await page.locator('details.op').count()).toBe(ops.length);
      for (const op of ops) {
        const summary = page.locator(`[id="${op.operationId}"] > summary`);
        await expect.poll(() => summary.textContent()).toContain(op.method.toUpperCase());
        const text = (await summary.textContent()) ?? '';
        expect(text).toContain(op.path);
        expect(text).toContain(op.summary);
      }
      expect(await page.getByRole('status').textContent()).toBe(`${ops.length} operations`);
      // Its script and styles were our files, and the document our JSON; nothing else.
      const origins = new Set(requested.map((u) => new URL(u).origin));
      expect([...origins].filter((o) => o !== server.url && o !== 'data:' && o !== 'null')).toEqual(
        [],
      );
      expect(requested.some((u) => u.endsWith('/api/docs/viewer.js'))).toBe(true);
      expect(requested.some((u) => u.endsWith('/api/openapi.json'))).toBe(true);
      expect(browser.errors).toEqual([]);
      await screenshot(page, 'api-docs-desktop-light');
    } finally {
      await browser.close();
    }
  });

  it('opens an operation to show its parameters, body and responses, and links its schemas', async () => {
    const browser = await openBrowser({ width: 1280, height: 900 });
    try {
      await open(browser);
      const { page } = browser;
      const trade = page.locator('[id="postMarketsByIdTrades"]');
      await trade.locator('summary').click();
      const body = trade.locator('.op-body');
      await expect.poll(() => body.isVisible()).toBe(true);
      const text = (await body.textContent()) ?? '';
      for (const part of ['Parameters', 'Request body', 'application/json', 'outcomeId']) {
        expect(text).toContain(part);
      }
      for (const status of ['200', '400', '401', '409', '503']) {
        expect(await trade.locator('.status', { hasText: status }).count(), status).toBe(1);
      }
      expect(text).toContain('insufficient_funds');
      // The answer's Market is a link to its schema, which opens there.
      await trade.getByRole('link', { name: 'Market', exact: true }).first().click();
      await expect.poll(() => page.locator('[id="schema-Market"]').getAttribute('open')).toBe('');
      expect(await page.locator('[id="schema-Market"]').textContent()).toContain('closesAt');
      expect(await page.locator('details.schema').count()).toBe(
        Object.keys(doc.components.schemas).length,
      );
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('filters the operations as one types, and reads in the dark on a phone', async () => {
    const browser = await openBrowser({ width: 390, height: 844, colorScheme: 'dark' });
    try {
      await open(browser);
      const { page } = browser;
      await page.getByLabel('Filter operations').fill('proposals post');
      const shown = operations().filter(
        (op) => op.method === 'post' && op.path.includes('proposals'),
      ).length;
      await expect.poll(() => page.locator('details.op:visible').count()).toBe(shown);
      expect(await page.getByRole('status').textContent()).toBe(
        `${shown} of ${operations().length} operations`,
      );
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).toBe('rgb(15, 18, 22)');
      await page.getByLabel('Filter operations').fill('');
      expect(browser.errors).toEqual([]);
      await screenshot(page, 'api-docs-phone-dark');
    } finally {
      await browser.close();
    }
  });
});
