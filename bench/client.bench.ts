/**
 * Client benchmark: how long the market page takes to draw its odds chart in headless Chromium
 * with 10,000 history points, beside the same page with 10 points measured in the same run.
 *
 * The real server runs in-process on a temp data directory. Two binary markets are created and
 * filled through the server's own trade service (one transaction, a seeded random walk of trades
 * a minute apart ending now, by 40 traders), so the page fetches real history, trades and
 * forecasts over HTTP and subscribes over the socket as it would in production.
 *
 * The time is from navigation start to the chart's first draw with every history point on it:
 * the chart marks it with performance.mark('odds-chart-drawn', {detail: {points}}) and sets
 * data-points on [data-testid="odds-chart"]. Each size is loaded `--rounds` times (default 5)
 * in a fresh browser context, alternating sizes; the median is reported.
 *
 * Usage: npm run bench:client [-- --rounds 5 --points 10000]
 */
import { chromium } from 'playwright-core';
import seedrandom from 'seedrandom';
import { buildClientIfStale } from '../scripts/buildClient.ts';
import { trade } from '../server/services/trading.ts';
import type { UserRow } from '../server/store/store.ts';
import { adminClient, Client, startServer } from '../test/helpers/server.ts';

const BUDGET_MS = 1000;
const BASELINE_POINTS = 10;
const TRADERS = 40;
const MINUTE = 60_000;

function argNumber(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const v = at >= 0 ? Number(process.argv[at + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const ROUNDS = Math.max(1, Math.round(argNumber('rounds', 5)));
const POINTS = Math.max(2, Math.round(argNumber('points', 10_000)));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  if (await buildClientIfStale()) console.log('Built the client into client/dist');
  // The server's clock: real time, except while the history is written a minute a point.
  let fakeNow: number | null = null;
  const server = await startServer({ now: () => new Date(fakeNow ?? Date.now()) });
  const setupStarted = performance.now();
  try {
    const start = Date.now() - POINTS * MINUTE;
    fakeNow = start;
    const admin = await adminClient(server.url);
    const closesAt = new Date(Date.now() + 60 * 86_400_000).toISOString();
    const create = async (id: string, n: number) => {
      const res = await admin.post('/api/markets', {
        id,
        question: `Benchmark: a market with ${n.toLocaleString('en')} history points?`,
        description: 'Filled by the client benchmark.',
        closesAt,
        liquidity: 200,
      });
      if (res.status !== 201) throw new Error(`create ${id}: ${res.status}`);
      return id;
    };
    const big = await create('bench-big', POINTS);
    const small = await create('bench-small', BASELINE_POINTS);
    const users: UserRow[] = [];
    for (let i = 0; i < TRADERS; i++) {
      const c = new Client(server.url);
      await c.register(`bench_trader_${i}`);
      users.push((await server.parity.ctx.store.userByUsername(`bench_trader_${i}`))!);
    }
    /** n - 1 trades a minute apart, so with the opening price the history has n points. */
    const fill = async (marketId: string, n: number, seed: string) => {
      const rng = seedrandom(seed);
      const held = users.map(() => ({ yes: 0, no: 0 }));
      const step = (POINTS * MINUTE) / n;
      // Issued together, the trades are group-committed in order, each at its own time.
      const pending: Promise<unknown>[] = [];
      for (let i = 1; i < n; i++) {
        const at = new Date(start + i * step);
        const u = i % users.length;
        const h = held[u]!;
        const k = Math.round((1 + rng() * 9) * 100) / 100;
        const up = rng() < 0.5;
        // Sell what pushes the same way when held, else buy: the traders' cash stays put.
        const [outcomeId, shares] = up
          ? h.no >= k
            ? (['no', -k] as const)
            : (['yes', k] as const)
          : h.yes >= k
            ? (['yes', -k] as const)
            : (['no', k] as const);
        const ctxAt = { ...server.parity.ctx, now: () => at };
        pending.push(trade(ctxAt, marketId, { outcomeId, shares }, users[u]!));
        h[outcomeId] += shares;
      }
      await Promise.all(pending);
    };
    await fill(big, POINTS, 'client-bench-big');
    await fill(small, BASELINE_POINTS, 'client-bench-small');
    fakeNow = null;
    const reader = new Client(server.url);
    const count = async (id: string) =>
      ((await reader.get(`/api/markets/${id}/history`)).body.points as unknown[]).length;
    const bigPoints = await count(big);
    const smallPoints = await count(small);
    console.log(
      `Setup: ${bigPoints.toLocaleString('en')} and ${smallPoints} history points through the trade service in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`,
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
    /** ms from navigation start to the chart's first draw with all `n` history points. */
    const measure = async (id: string, n: number): Promise<number> => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${server.url}/markets/${id}`);
      await page.waitForFunction(
        (want) =>
          Number(
            document.querySelector('[data-testid="odds-chart"]')?.getAttribute('data-points'),
          ) >= want,
        n,
        { timeout: 30_000, polling: 'raf' },
      );
      const ms = await page.evaluate(
        (want) =>
          performance
            .getEntriesByName('odds-chart-drawn', 'mark')
            .find((m) => ((m as PerformanceMark).detail?.points ?? 0) >= want)?.startTime ??
          Number.NaN,
        n,
      );
      await context.close();
      return ms;
    };
    try {
      // One of each first, unmeasured: the first page pays for starting the browser's caches.
      await measure(small, smallPoints);
      await measure(big, bigPoints);
      const times = { big: [] as number[], small: [] as number[] };
      for (let r = 0; r < ROUNDS; r++) {
        times.small.push(await measure(small, smallPoints));
        times.big.push(await measure(big, bigPoints));
      }
      const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
      const b = median(times.big);
      const s = median(times.small);
      console.log(`Market page, navigation start to the odds chart drawn (median of ${ROUNDS}):`);
      console.log(
        `  ${bigPoints.toLocaleString('en').padStart(6)} points: ${b.toFixed(0).padStart(5)} ms   [${fmt(times.big)}]`,
      );
      console.log(
        `  ${String(smallPoints).padStart(6)} points: ${s.toFixed(0).padStart(5)} ms   [${fmt(times.small)}]  (baseline)`,
      );
      console.log(
        `  ratio ${(b / s).toFixed(2)}×, the extra points cost ${(b - s).toFixed(0)} ms; budget ${BUDGET_MS} ms: ${b <= BUDGET_MS ? 'within' : 'OVER'}`,
      );
      if (!(b <= BUDGET_MS)) process.exitCode = 1;
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
  }
}

await main();
