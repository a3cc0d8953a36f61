import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, Client, startServer, type TestServer } from '../helpers/server.ts';
import { type Browser, openBrowser, screenshot, waitForText } from './browser.ts';

const MARKET = 'china-matches-us-frontier-q1-2027';
const MULTIPLE = 'top-chinese-lab-q1-2027';

/** A wiki page on another origin that frames whatever `?src=` names, at `?w=`×`?h=`. */
async function hostSite(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://host');
    const frames = u.searchParams
      .getAll('src')
      .map(
        (src, i) =>
          `<iframe name="f${i}" title="odds ${i}" src="${src}" width="${u.searchParams.get('w') ?? 320}" height="${u.searchParams.get('h') ?? 180}" style="border:0"></iframe>`,
      )
      .join('\n');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      `<!doctype html><html><body style="background:#fdf6e3;font-family:sans-serif;margin:16px"><h1>Team wiki</h1>${frames}</body></html>`,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // "localhost" is another origin than the app's 127.0.0.1, as a wiki would be.
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((r) => server.close(() => r())) };
}

describe('the embeddable market card', () => {
  let server: TestServer;
  let host: Awaited<ReturnType<typeof hostSite>>;
  let viewer: Browser;
  let trader: Client;

  beforeAll(async () => {
    server = await startServer();
    host = await hostSite();
    viewer = await openBrowser({ width: 760, height: 480 });
    trader = new Client(server.url);
    await trader.register('embed_trader');
  });
  afterAll(async () => {
    await viewer?.close();
    await host?.close();
    await server?.close();
  });

  it('lets any site frame the embed route and no other route', async () => {
    const embed = await fetch(`${server.url}/embed/${MARKET}`);
    expect(embed.status).toBe(200);
    expect(embed.headers.get('x-frame-options')).toBeNull();
    expect(embed.headers.get('content-security-policy')).toMatch(/frame-ancestors \*(;|$)/);
    for (const path of ['/', '/channel', `/markets/${MARKET}`, '/login', '/admin', '/api/health']) {
      const res = await fetch(server.url + path);
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
    }
  });

  it('renders live inside another site’s iframe at 320×180, while the board refuses to be framed', async () => {
    const page = viewer.page;
    const src = (p: string) => encodeURIComponent(server.url + p);
    await page.goto(`${host.url}/?src=${src(`/embed/${MARKET}`)}&src=${src('/channel')}`);
    const embed = await frameNamed(page, 'f0');
    await embed.getByTestId('embed-probability').waitFor();
    // Seeded binary markets open at 50%.
    expect(await embed.getByTestId('embed-probability').textContent()).toBe('50%');
    expect(await embed.locator('header, nav').count()).toBe(0);
    expect(await embed.locator('.embed-card-q').textContent()).toMatch(/^Will a Chinese model/);
    // Everything fits the frame: nothing scrolls or spills over its edges.
    const fit = await embed.evaluate(() => {
      const card = document.querySelector('[data-testid="embed-card"]')!.getBoundingClientRect();
      const root = document.documentElement;
      return {
        scroll: [root.scrollWidth, root.scrollHeight],
        card: [card.left, card.top, card.right, card.bottom],
        background: getComputedStyle(document.body).backgroundColor,
      };
    });
    expect(fit.scroll).toEqual([320, 180]);
    expect(fit.card[0]).toBeGreaterThanOrEqual(0);
    expect(fit.card[1]).toBeGreaterThanOrEqual(0);
    expect(fit.card[2]).toBeLessThanOrEqual(320);
    expect(fit.card[3]).toBeLessThanOrEqual(180);
    // The page itself is see-through, so the card sits on the wiki's background.
    expect(fit.background).toBe('rgba(0, 0, 0, 0)');

    // The board's frame is blocked by frame-ancestors 'none': it never renders the app.
    const board = await frameNamed(page, 'f1');
    await page.waitForTimeout(300);
    expect(await board.locator('[data-testid="channel-board"]').count()).toBe(0);

    const res = await trader.post(`/api/markets/${MARKET}/trades`, {
      outcomeId: 'no',
      amountCents: 5_000,
    });
    // 50 credits on No at b = 200: Δ = 200 ln(1 + (e^0.25 - 1)/0.5) ≈ 90.0, P(yes) = 1/(1 + e^0.45) ≈ 38.9%.
    const p: number = res.body.market.outcomes[0].probability;
    expect(p).toBeCloseTo(0.389, 3);
    await embed.getByTestId('embed-probability').getByText('39%').waitFor();
    await screenshot(page, 'embed-in-iframe');
    expect(viewer.errors.filter((e) => !/frame-ancestors|Refused to frame/.test(e))).toEqual([]);
  });

  it('scales up with a larger frame and links to the market in a new tab', async () => {
    const page = viewer.page;
    const sizeAt = async (w: number, h: number) => {
      await page.goto(
        `${host.url}/?src=${encodeURIComponent(`${server.url}/embed/${MULTIPLE}`)}&w=${w}&h=${h}`,
      );
      const frame = await frameNamed(page, 'f0');
      await frame.getByTestId('embed-probability').waitFor();
      return {
        frame,
        px: await frame
          .getByTestId('embed-probability')
          .evaluate((e) => Number.parseFloat(getComputedStyle(e).fontSize)),
      };
    };
    const small = await sizeAt(320, 180);
    const { frame, px } = await sizeAt(640, 360);
    expect(px).toBeGreaterThan(small.px * 1.5);
    // A multiple-choice market headlines its leading outcome.
    expect(await frame.locator('.embed-card-label').textContent()).toBe('Zhipu AI (GLM)');
    const link = frame.getByTestId('embed-link');
    expect(await link.textContent()).toBe('Open in Parity ↗');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toContain('noopener');
    expect(await link.getAttribute('href')).toBe(`${server.url}/markets/${MULTIPLE}`);
    await screenshot(page, 'embed-in-iframe-640');
  });

  it('says so when the market does not exist', async () => {
    const page = viewer.page;
    await page.setViewportSize({ width: 320, height: 180 });
    await page.goto(`${server.url}/embed/no-such-market`);
    await page.locator('[data-testid="embed-card"][data-state="error"]').waitFor();
    expect(await page.getByTestId('embed-card').textContent()).toContain(
      'This market does not exist.',
    );
  });

  it('shows how a resolved market ended', async () => {
    const page = viewer.page;
    const admin = await adminClient(server.url);
    expect((await admin.post(`/api/markets/${MARKET}/resolve`, { outcomeId: 'no' })).status).toBe(
      200,
    );
    await page.setViewportSize({ width: 320, height: 180 });
    await page.goto(`${server.url}/embed/${MARKET}`);
    const card = await waitForText(page, 'embed-card', (t) => t.includes('Resolved'));
    expect(card).toContain('Resolved: No');
    // P(no) after the trade above, the market's last word: 1 - 0.389 ≈ 61%.
    expect(card).toContain('final price of No');
    expect(await page.getByTestId('embed-probability').textContent()).toBe('61%');
    await screenshot(page, 'embed');
    expect(viewer.errors.filter((e) => !/frame-ancestors|Refused to frame|404/.test(e))).toEqual(
      [],
    );
  });
});

/** The frame with `name`, once the host page has created it. */
async function frameNamed(page: Page, name: string): Promise<Frame> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const f = page.frame({ name });
    if (f) return f;
    await page.waitForTimeout(50);
  }
  throw new Error(`no frame named ${name}`);
}
