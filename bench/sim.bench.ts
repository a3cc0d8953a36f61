/**
 * Simulator benchmark: agent trades per second in the simulation core (`simulate`: every agent's
 * turn — belief update, Kelly sizing, the fill through costToBuy and tradeCostCents — without
 * the scoring that runSimulation adds afterwards), on one core.
 *
 * Beside it, measured in the same process and interleaved round by round, a baseline: a bare
 * loop of LMSR quotes, costToBuy(q, b, i, Δ) on a fixed market state. The ratio says how many
 * quotes one simulated trade costs, which stays meaningful on a faster or busier machine.
 *
 * Usage: npm run bench:sim [-- --seconds 1 --rounds 5]
 */
import { readFileSync } from 'node:fs';
import { costToBuy } from '../shared/lmsr.ts';
import { PersonaFile, SeedFile, type SeedMarket } from '../shared/schemas/seeds.ts';
import { createRng } from '../shared/sim/random.ts';
import { simulate } from '../shared/sim/run.ts';

const TARGET_TRADES_PER_SECOND = 200_000;

function argNumber(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const v = at >= 0 ? Number(process.argv[at + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const SECONDS = argNumber('seconds', 1);
const ROUNDS = Math.max(1, Math.round(argNumber('rounds', 5)));

const markets = SeedFile.parse(JSON.parse(readFileSync('seeds/markets.json', 'utf8'))).markets;
const personas = PersonaFile.parse(
  JSON.parse(readFileSync('seeds/personas.json', 'utf8')),
).personas;

/** Keeps results observable so the optimiser cannot drop the loops. */
let sink = 0;

interface Rate {
  trades: number;
  turns: number;
}

/** Trades and agent turns per second of default runs of `market`, for about SECONDS. */
function simRate(market: SeedMarket, firstSeed: number): Rate {
  const start = performance.now();
  let trades = 0;
  let turns = 0;
  let seed = firstSeed;
  let elapsed = 0;
  do {
    const trace = simulate({ market, personas, seed: seed++ });
    trades += trace.market.fills;
    turns += trace.agents.length * trace.steps;
    sink += trace.market.q[0]!;
    elapsed = performance.now() - start;
  } while (elapsed < SECONDS * 1000);
  return { trades: trades / (elapsed / 1000), turns: turns / (elapsed / 1000) };
}

const BATCH = 1 << 16;

/** costToBuy quotes per second on a traded-looking state of n outcomes, for about SECONDS. */
function quoteRate(n: number): number {
  const rng = createRng('bench-quotes', String(n));
  const b = 150;
  const q = Array.from({ length: n }, () => (rng() - 0.5) * 4 * b);
  const outcomes = Int32Array.from({ length: BATCH }, () => Math.floor(rng() * n));
  const deltas = Float64Array.from({ length: BATCH }, () => (rng() - 0.3) * 50);
  const start = performance.now();
  let batches = 0;
  let elapsed = 0;
  do {
    let sum = 0;
    for (let k = 0; k < BATCH; k++) sum += costToBuy(q, b, outcomes[k]!, deltas[k]!);
    sink += sum;
    batches++;
    elapsed = performance.now() - start;
  } while (elapsed < SECONDS * 1000);
  return (batches * BATCH) / (elapsed / 1000);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const fmt = (perSecond: number) => `${Math.round(perSecond).toLocaleString('en-US')}/s`;

const cases = [
  markets.find((m) => m.id === 'zhipu-hk-1t-end-2026')!,
  markets.find((m) => m.id === 'top-chinese-lab-q1-2027')!,
];

console.log(
  `Simulation core, default parameters (100 agents, 200 steps), ${ROUNDS} rounds × ~${SECONDS}s, ` +
    `median; node ${process.version}`,
);
let worst = Number.POSITIVE_INFINITY;
for (const market of cases) {
  const n = market.outcomes?.length ?? 2;
  // Warm-up: every function reaches its optimised tier before anything is timed.
  simRate(market, 1_000_000);
  quoteRate(n);
  const trades: number[] = [];
  const turns: number[] = [];
  const quotes: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const s = simRate(market, r * 1000);
    trades.push(s.trades);
    turns.push(s.turns);
    quotes.push(quoteRate(n));
  }
  const t = median(trades);
  const q = median(quotes);
  worst = Math.min(worst, t);
  console.log(
    `${market.id} (${n} outcomes)\n` +
      `  trades ${fmt(t).padStart(12)}   agent turns ${fmt(median(turns)).padStart(12)}\n` +
      `  baseline: bare costToBuy quotes ${fmt(q).padStart(14)}   quotes per trade ${(q / t).toFixed(1)}`,
  );
}
console.log(
  `target ${fmt(TARGET_TRADES_PER_SECOND)}: ${worst >= TARGET_TRADES_PER_SECOND ? 'meets' : 'misses'} ` +
    `(slowest ${fmt(worst)})${Number.isFinite(sink) ? '' : ' [non-finite checksum]'}`,
);
