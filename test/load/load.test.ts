import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import seedrandom from 'seedrandom';
import { afterAll, describe, expect, it } from 'vitest';
import {
  apiCall,
  apiToken,
  type ChildServer,
  percentile,
  spawnServer,
} from '../helpers/childServer.ts';
import { auditLedger } from '../helpers/ledgerAudit.ts';
import { MemorySampler } from './memory.ts';
import { type Subscriber, subscribeAll } from './subscribers.ts';
import { type LoadMarket, TradeTally, traderLoop } from './traders.ts';

/**
 * The load suite: the real server in a child process with the seeded markets, 50 traders in
 * closed loops across them and 1,000 socket.io subscribers spread over them. It reports
 * throughput, latency, errors, lost updates by seq, the ledger and the server's memory (RSS
 * from /proc, judged after a full collection less SQLite's page cache: see MemorySampler),
 * writes the report to test/artifacts/, and fails when a target is missed. LOAD_DURATION_S sets the
 * trading time (default 60; `npm run test:load -- --duration 600` for the long run).
 */

const DURATION_S = Number(process.env.LOAD_DURATION_S ?? 60);
const TRADERS = Number(process.env.LOAD_TRADERS ?? 50);
const SUBSCRIBERS = Number(process.env.LOAD_SUBSCRIBERS ?? 1000);
const SEED = process.env.LOAD_SEED ?? 'parity-load-1';
/** Floors that catch a collapse without failing on a busy shared machine. */
const MIN_TRADES_PER_S = Number(process.env.LOAD_MIN_TPS ?? 25);
const MAX_P99_MS = Number(process.env.LOAD_MAX_P99_MS ?? 4000);
const WARMUP_SHARE = 0.2;
const MAX_RSS_GROWTH = 0.1;
const SAMPLE_MS = Math.max(3000, Math.round((DURATION_S * 1000) / 40));
const GRANT = 10_000_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round1 = (x: number) => Math.round(x * 10) / 10;
const signed = (x: number) => (x >= 0 ? `+${x}` : String(x));

let server: ChildServer | undefined;
let subs: Subscriber[] = [];
afterAll(async () => {
  for (const s of subs) s.socket.disconnect();
  await server?.stop();
});

describe('the server under load', () => {
  it(
    'trades without 5xx, loses no update, keeps the ledger exact and holds its memory flat',
    async () => {
      server = await spawnServer(
        'server/main.ts',
        { SEED: 'on', STARTING_GRANT_CENTS: String(GRANT), LOG_LEVEL: 'warn' },
        { nodeArgs: ['--expose-gc', '--import', pathToFileURL('test/load/gcProbe.ts').href] },
      );
      const url = server.url;
      const listed = await apiCall(url, 'GET', '/api/markets');
      const markets: LoadMarket[] = listed.body.markets.map(
        (m: { id: string; outcomes: { id: string }[] }) => ({
          id: m.id,
          outcomes: m.outcomes.map((o) => o.id),
        }),
      );
      expect(markets.length).toBeGreaterThanOrEqual(5);

      const tokens: string[] = [];
      for (let i = 0; i < TRADERS; i += 5) {
        const names = Array.from({ length: Math.min(5, TRADERS - i) }, (_, j) => `load_${i + j}`);
        tokens.push(
          ...(await Promise.all(
            names.map((n) => apiToken(url, n, 'password-123', { register: true })),
          )),
        );
      }
      subs = await subscribeAll(
        url,
        SUBSCRIBERS,
        markets.map((m) => m.id),
      );

      // Memory every few seconds from the moment trading starts (see MemorySampler).
      const memory = new MemorySampler(server, join(server.dataDir, 'parity.db'), SAMPLE_MS);
      const t0 = performance.now();
      memory.start(t0);

      const tally = new TradeTally();
      const deadline = t0 + DURATION_S * 1000;
      await Promise.all(
        tokens.map((token, i) =>
          traderLoop(url, token, markets, seedrandom(`${SEED}|${i}`), deadline, tally),
        ),
      );
      const elapsedS = (performance.now() - t0) / 1000;
      await memory.stop();

      // Every subscriber ends on its market's final seq (coalesced updates flush within 50 ms).
      const finalSeq = new Map<string, number>();
      for (const m of markets)
        finalSeq.set(m.id, (await apiCall(url, 'GET', `/api/markets/${m.id}`)).body.market.seq);
      const behind = () => subs.filter((s) => s.lastSeq !== finalSeq.get(s.marketId));
      for (let i = 0; i < 50 && behind().length; i++) await sleep(100);
      const lagging = behind();

      const db = new Database(join(server.dataDir, 'parity.db'), {
        readonly: true,
        fileMustExist: true,
      });
      const audit = auditLedger(db);
      db.close();

      const sorted = tally.latenciesMs.slice().sort((a, b) => a - b);
      const warmEnd = DURATION_S * WARMUP_SHARE;
      const mem = memory.summary(warmEnd);
      const report = {
        at: new Date().toISOString(),
        durationS: round1(elapsedS),
        traders: TRADERS,
        subscribers: SUBSCRIBERS,
        markets: markets.length,
        trades: {
          ok: tally.ok,
          perSecond: round1(tally.ok / elapsedS),
          requests: tally.latenciesMs.length,
          refusedByRule: Object.fromEntries(tally.refused),
          serverErrors: tally.serverErrors,
          networkErrors: tally.networkErrors,
          unexpected: tally.unexpectedCount,
          unexpectedExamples: tally.unexpected,
        },
        latencyMs: {
          p50: round1(percentile(sorted, 50)),
          p99: round1(percentile(sorted, 99)),
          max: round1(sorted.at(-1) ?? Number.NaN),
        },
        updates: {
          received: subs.reduce((a, s) => a + s.updates, 0),
          tradeEvents: subs.reduce((a, s) => a + s.trades, 0),
          gaps: subs.reduce((a, s) => a + s.gaps, 0),
          stale: subs.reduce((a, s) => a + s.stale, 0),
          disconnects: subs.reduce((a, s) => a + s.disconnects, 0),
          subscribersOnFinalSeq: SUBSCRIBERS - lagging.length,
        },
        ledger: {
          problems: audit.problems,
          totalCents: audit.totalCents,
          trades: audit.trades,
          integrity: audit.integrity,
        },
        memory: {
          judged: "RSS right after a full GC, less what SQLite's page cache can hold, median of 5",
          sampleEveryS: SAMPLE_MS / 1000,
          warmupS: warmEnd,
          baselineMb: round1(mem.judged.baseline.mb),
          peakAfterWarmupMb: round1(mem.judged.peak.mb),
          growthPct: mem.growthPct,
          asFoundGrowthPct: mem.asFoundGrowthPct,
          afterGcGrowthPct: mem.afterGcGrowthPct,
          heapUsedGrowthPct: mem.heapUsedGrowthPct,
          forcedGcPauseMs: mem.gcPauseMs,
          series: memory.points.map((p) => ({
            t: round1(p.t),
            rssMb: round1(p.rssMb),
            afterGcMb: round1(p.afterGcMb),
            heapUsedMb: p.heapUsedMb,
            externalMb: p.externalMb,
            pageCacheMb: round1(p.pageCacheMb),
          })),
        },
      };
      mkdirSync('test/artifacts', { recursive: true });
      const file = `test/artifacts/load-${DURATION_S}s.json`;
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
      console.log(
        [
          `load suite: ${report.durationS} s, ${TRADERS} traders, ${SUBSCRIBERS} subscribers over ${markets.length} seeded markets (report: ${file})`,
          `trades: ${tally.ok} ok = ${report.trades.perSecond}/s; refused by rule ${JSON.stringify(report.trades.refusedByRule)}; 5xx ${tally.serverErrors}; network errors ${tally.networkErrors}; other ${tally.unexpectedCount}`,
          `latency ms: p50 ${report.latencyMs.p50}, p99 ${report.latencyMs.p99}, max ${report.latencyMs.max}`,
          `updates: ${report.updates.received} market:update and ${report.updates.tradeEvents} trade events received; gaps ${report.updates.gaps}; stale ${report.updates.stale}; on final seq ${report.updates.subscribersOnFinalSeq}/${SUBSCRIBERS}; disconnects ${report.updates.disconnects}`,
          `ledger: ${audit.problems.length ? `${audit.problems.length} problems` : 'exact'}; ${audit.trades} trades in the database; total ${audit.totalCents}`,
          `memory (judged: RSS after a full GC less SQLite's page cache, running median of 5): ${report.memory.baselineMb} MB by the end of warm-up, ${report.memory.peakAfterWarmupMb} MB at most after (${signed(mem.growthPct)}%); RSS as found ${signed(mem.asFoundGrowthPct)}%, after GC ${signed(mem.afterGcGrowthPct)}%, JS heap in use ${signed(mem.heapUsedGrowthPct)}%; forced GC pauses median ${mem.gcPauseMs.median} ms, max ${mem.gcPauseMs.max} ms`,
          `RSS series (t: as found / after GC / page cache at most, MB): ${report.memory.series.map((p) => `${p.t}s ${p.rssMb}/${p.afterGcMb}/${p.pageCacheMb}`).join(', ')}`,
        ].join('\n'),
      );

      expect(tally.serverErrors).toBe(0);
      expect(tally.networkErrors).toBe(0);
      expect(tally.unexpected).toEqual([]);
      expect(report.updates.gaps).toBe(0);
      expect(report.updates.disconnects).toBe(0);
      expect(lagging.map((s) => `${s.marketId}: ${s.lastSeq}`)).toEqual([]);
      expect(audit.problems).toEqual([]);
      // Every acknowledged trade is in the database, and nothing else.
      expect(audit.trades).toBe(tally.ok);
      expect(report.trades.perSecond).toBeGreaterThanOrEqual(MIN_TRADES_PER_S);
      expect(report.latencyMs.p99).toBeLessThanOrEqual(MAX_P99_MS);
      expect(mem.judged.samplesAfterWarmup).toBeGreaterThanOrEqual(3);
      expect(mem.judged.growth).toBeLessThanOrEqual(MAX_RSS_GROWTH);
    },
    DURATION_S * 1000 + 180_000,
  );
});
