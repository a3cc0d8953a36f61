/**
 * Client benchmark: how long the market page takes to show its odds chart in headless Chromium
 * with 10,000 history points, beside the same page with 10 points measured in the same run.
 *
 * A small local server serves the built client (client/dist) and answers the API routes and
 * socket events the market page uses from generated data (a seeded random walk of P(yes),
 * forecasts for the community line, claims for the markers, recent trades), so the figure is the
 * browser's work: download, parse, fetch, build the columns and draw, not the database's.
 *
 * The time is from navigation start to the chart's first draw with every point on it (the page
 * marks it with performance.mark('odds-chart-drawn')). Each size is loaded `--rounds` times
 * (default 5) in a fresh page, alternating sizes; the median is reported.
 *
 * Usage: npm run bench:client [-- --rounds 5 --points 10000]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import express from 'express';
import { chromium } from 'playwright-core';
import seedrandom from 'seedrandom';
import { Server } from 'socket.io';
import { buildClientIfStale } from '../scripts/buildClient.ts';
import type { Forecast, HistoryPoint, Market, Trade } from '../shared/schemas/index.ts';

const BUDGET_MS = 1000;
const BASELINE_POINTS = 10;

function argNumber(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const v = at >= 0 ? Number(process.argv[at + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const ROUNDS = Math.max(1, Math.round(argNumber('rounds', 5)));
const POINTS = Math.round(argNumber('points', 10_000));

interface Dataset {
  market: Market;
  points: HistoryPoint[];
  trades: Trade[];
  forecasts: Forecast[];
}

/** A binary market whose P(yes) took `n` steps of a random walk, one a minute, ending now. */
function dataset(id: string, n: number, seed: string): Dataset {
  const rng = seedrandom(seed);
  const now = Date.now();
  const start = now - n * 60_000;
  let x = 0;
  const points: HistoryPoint[] = [];
  for (let i = 0; i < n; i++) {
    x += (rng() - 0.5) * 0.08;
    const p = 1 / (1 + Math.exp(-x));
    points.push({ t: new Date(start + i * 60_000).toISOString(), probabilities: [p, 1 - p] });
  }
  const last = points.at(-1)!.probabilities[0]!;
  const forecasts: Forecast[] = [];
  for (let i = 0; i < Math.min(200, n); i++) {
    const p = Math.min(0.99, Math.max(0.01, last + (rng() - 0.5) * 0.4));
    forecasts.push({
      id: String(i + 1),
      marketId: id,
      userId: `u${i % 60}`,
      username: `forecaster_${i % 60}`,
      probabilities: [p, 1 - p],
      createdAt: new Date(start + ((i + 1) / 201) * (now - start)).toISOString(),
      ...(i % 7 === 0 ? { comment: 'A steady trend, I think.' } : {}),
    });
  }
  forecasts.reverse();
  const trades: Trade[] = points
    .slice(-50)
    .reverse()
    .map((h, i) => ({
      id: String(n - i),
      marketId: id,
      userId: `u${i % 9}`,
      username: `trader_${i % 9}`,
      outcomeId: i % 2 ? 'yes' : 'no',
      shares: 5 + (i % 11),
      costCents: 300 + i,
      probabilities: h.probabilities,
      createdAt: h.t,
    }));
  const claimDay = (daysAgo: number) =>
    new Date(now - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const market: Market = {
    id,
    question: `Benchmark question with ${n} history points?`,
    description: 'Generated data for the client benchmark.',
    criteria: 'Never resolves.',
    tags: ['bench'],
    type: 'binary',
    outcomes: [
      { id: 'yes', label: 'Yes', probability: last, shares: 0 },
      { id: 'no', label: 'No', probability: 1 - last, shares: 0 },
    ],
    liquidity: 100,
    status: 'open',
    createdAt: points[0]!.t,
    closesAt: new Date(now + 30 * 86_400_000).toISOString(),
    volumeCents: n * 500,
    seq: n,
    resolution: null,
    claims: [2, 5, 9].map((d, i) => ({
      who: `Pundit ${i + 1}`,
      said: 'It will happen soon.',
      source: 'Interview',
      date: claimDay(d),
      outcomeId: 'yes',
      probability: 0.3 + 0.2 * i,
    })),
  };
  return { market, points, trades, forecasts };
}

/** Serves client/dist and the market page's API from `data`, on 127.0.0.1:<ephemeral>. */
async function serve(data: Map<string, Dataset>): Promise<{ url: string; close(): Promise<void> }> {
  const dist = resolve('client/dist');
  const app = express();
  const find = (id: string | undefined) => (id ? data.get(id) : undefined);
  const notFound = { error: { code: 'not_found', message: 'no such market' } };
  app.get('/api/me', (_req, res) => {
    res.status(401).json({ error: { code: 'unauthenticated', message: 'sign in first' } });
  });
  app.get('/api/markets/:id', (req, res) => {
    const d = find(req.params.id);
    d ? res.json({ market: d.market }) : res.status(404).json(notFound);
  });
  app.get('/api/markets/:id/history', (req, res) => {
    const d = find(req.params.id);
    d ? res.json({ points: d.points }) : res.status(404).json(notFound);
  });
  app.get('/api/markets/:id/trades', (req, res) => {
    const d = find(req.params.id);
    d ? res.json({ trades: d.trades }) : res.status(404).json(notFound);
  });
  app.get('/api/markets/:id/forecasts', (req, res) => {
    const d = find(req.params.id);
    if (!d) {
      res.status(404).json(notFound);
      return;
    }
    const p = d.market.outcomes[0]!.probability;
    res.json({
      forecasts: d.forecasts,
      community: { probabilities: [p, 1 - p], count: 60, extremized: null },
    });
  });
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'not in the benchmark' } });
  });
  app.use(express.static(dist, { index: false }));
  app.get(/.*/, (_req, res) => {
    res.sendFile(join(dist, 'index.html'));
  });
  const http = createServer(app);
  const io = new Server(http);
  io.on('connection', (socket) => {
    socket.on('subscribe', (id: unknown, ack?: (a: unknown) => void) => {
      const d = typeof id === 'string' ? find(id) : undefined;
      ack?.(
        d
          ? { ok: true, market: d.market }
          : { ok: false, error: { code: 'not_found', message: 'no such market' } },
      );
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      io.close();
      await new Promise((r) => http.close(r));
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  if (await buildClientIfStale()) console.log('Built the client into client/dist');
  const big = dataset('bench-big', POINTS, 'client-bench-big');
  const small = dataset('bench-small', BASELINE_POINTS, 'client-bench-small');
  const server = await serve(
    new Map([
      [big.market.id, big],
      [small.market.id, small],
    ]),
  );
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  /** ms from navigation start to the chart's first draw with every point of `d`. */
  const measure = async (d: Dataset): Promise<number> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/markets/${d.market.id}`);
    // History points, plus one for the claims (one each) and the community forecasts, and now.
    await page.waitForFunction(
      (n) =>
        Number(document.querySelector('[data-testid="odds-chart"]')?.getAttribute('data-points')) >=
        n,
      d.points.length,
      { timeout: 30_000, polling: 'raf' },
    );
    const ms = await page.evaluate(
      () => performance.getEntriesByName('odds-chart-drawn', 'mark')[0]?.startTime ?? Number.NaN,
    );
    await context.close();
    return ms;
  };
  try {
    // One of each first, unmeasured: the first Chromium page pays for starting up.
    await measure(small);
    await measure(big);
    const times = { big: [] as number[], small: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      times.small.push(await measure(small));
      times.big.push(await measure(big));
    }
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    const b = median(times.big);
    const s = median(times.small);
    console.log(`Market page, navigation start to the odds chart drawn (median of ${ROUNDS}):`);
    console.log(`  ${String(POINTS).padStart(6)} points: ${b.toFixed(0)} ms   [${fmt(times.big)}]`);
    console.log(
      `  ${String(BASELINE_POINTS).padStart(6)} points: ${s.toFixed(0)} ms   [${fmt(times.small)}]  (baseline)`,
    );
    console.log(
      `  cost of the extra points: ${(b - s).toFixed(0)} ms; budget ${BUDGET_MS} ms: ${b <= BUDGET_MS ? 'within' : 'OVER'}`,
    );
    if (b > BUDGET_MS) process.exitCode = 1;
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
