/**
 * LMSR engine benchmark: quotes per second for binary and 20-outcome markets.
 *
 * A quote is `costToBuy(q, b, i, Δ)` for a random outcome i and a random Δ (buys and sells) on a
 * fixed market state, the price computation included. The engine runs against, in the same
 * process and interleaved round by round:
 * - a naive reference: C(q + Δe_i) − C(q), each cost recomputed from scratch with plain exp/log
 *   (no log-sum-exp, no price form);
 * - a bare loop of the closed form b·log1p(p_i·expm1(Δ/b)) with the softmax inlined: the floor
 *   that any function-call engine can approach.
 *
 * Each measurement warms up, then runs batches for about `--seconds` (default 1); `--rounds`
 * (default 5) rounds are taken and the median reported.
 *
 * Usage: npm run bench:engine [-- --seconds 1 --rounds 5]
 */
import seedrandom from 'seedrandom';
import { costToBuy } from '../shared/lmsr.ts';

const TARGET_BINARY_QUOTES_PER_SECOND = 5_000_000;
/** Quotes per batch; a power of two so the index wraps with a mask. */
const BATCH = 1 << 16;
const MASK = BATCH - 1;

function argNumber(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const v = at >= 0 ? Number(process.argv[at + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const SECONDS = argNumber('seconds', 1);
const ROUNDS = Math.max(1, Math.round(argNumber('rounds', 5)));

interface Workload {
  name: string;
  q: number[];
  b: number;
  outcomes: Int32Array;
  deltas: Float64Array;
}

/** A market state that has traded a while, and BATCH random (outcome, Δ) pairs on it. */
function workload(name: string, n: number, seed: string): Workload {
  const rng = seedrandom(seed);
  const b = 100;
  const q = Array.from({ length: n }, () => (rng() - 0.5) * 4 * b);
  const outcomes = new Int32Array(BATCH);
  const deltas = new Float64Array(BATCH);
  for (let k = 0; k < BATCH; k++) {
    outcomes[k] = Math.floor(rng() * n);
    // Trades from a hundredth of a share to 2b, buys and sells alike.
    const size = 10 ** (rng() * 4.3 - 2);
    deltas[k] = rng() < 0.7 ? size : -size;
  }
  return { name, q, b, outcomes, deltas };
}

// ---- the three implementations, each in its own monomorphic loop

function engineBatch(w: Workload): number {
  const { q, b, outcomes, deltas } = w;
  let sum = 0;
  for (let k = 0; k < BATCH; k++) sum += costToBuy(q, b, outcomes[k]!, deltas[k]!);
  return sum;
}

function naiveCost(q: readonly number[], b: number, i: number, delta: number): number {
  let s = 0;
  for (let j = 0; j < q.length; j++) s += Math.exp((j === i ? q[j]! + delta : q[j]!) / b);
  return b * Math.log(s);
}

function naiveBatch(w: Workload): number {
  const { q, b, outcomes, deltas } = w;
  let sum = 0;
  for (let k = 0; k < BATCH; k++) {
    const i = outcomes[k]!;
    const d = deltas[k]!;
    sum += naiveCost(q, b, i, d) - naiveCost(q, b, i, 0);
  }
  return sum;
}

function bareBinaryBatch(w: Workload): number {
  const { q, b, outcomes, deltas } = w;
  const q0 = q[0]!;
  const q1 = q[1]!;
  let sum = 0;
  for (let k = 0; k < BATCH; k++) {
    const i = outcomes[k]!;
    const p = 1 / (1 + Math.exp((i === 0 ? q1 - q0 : q0 - q1) / b));
    sum += b * Math.log1p(p * Math.expm1(deltas[k]! / b));
  }
  return sum;
}

function bareManyBatch(w: Workload): number {
  const { q, b, outcomes, deltas } = w;
  const n = q.length;
  let sum = 0;
  for (let k = 0; k < BATCH; k++) {
    const i = outcomes[k]!;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) if (q[j]! / b > max) max = q[j]! / b;
    let z = 0;
    for (let j = 0; j < n; j++) z += Math.exp(q[j]! / b - max);
    const p = Math.exp(q[i]! / b - max) / z;
    sum += b * Math.log1p(p * Math.expm1(deltas[k]! / b));
  }
  return sum;
}

// ---- measurement

/** Keeps results observable so the optimiser cannot drop the loops. */
let sink = 0;

/** Quotes per second of `batch`, run for about SECONDS. */
function measure(batch: () => number): number {
  const start = performance.now();
  const budget = SECONDS * 1000;
  let batches = 0;
  let elapsed = 0;
  do {
    sink += batch();
    batches++;
    elapsed = performance.now() - start;
  } while (elapsed < budget);
  return (batches * BATCH) / (elapsed / 1000);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface Row {
  engine: number;
  naive: number;
  bare: number;
}

function run(w: Workload, bare: (w: Workload) => number): Row {
  const impls = {
    engine: () => engineBatch(w),
    naive: () => naiveBatch(w),
    bare: () => bare(w),
  };
  // Warm-up: let every loop reach its optimised tier before anything is timed.
  for (const f of Object.values(impls)) for (let k = 0; k < 30; k++) sink += f();
  const rounds: Record<keyof Row, number[]> = { engine: [], naive: [], bare: [] };
  for (let r = 0; r < ROUNDS; r++) {
    // Interleaved, so drift in machine load hits every implementation alike.
    for (const key of ['engine', 'naive', 'bare'] as const) rounds[key].push(measure(impls[key]));
  }
  return { engine: median(rounds.engine), naive: median(rounds.naive), bare: median(rounds.bare) };
}

/** The engine and the naive reference must agree before their speeds mean anything. */
function checkAgreement(w: Workload): void {
  let worst = 0;
  for (let k = 0; k < 1000; k++) {
    const i = w.outcomes[k & MASK]!;
    const d = w.deltas[k & MASK]!;
    const a = costToBuy(w.q, w.b, i, d);
    const ref = naiveCost(w.q, w.b, i, d) - naiveCost(w.q, w.b, i, 0);
    worst = Math.max(worst, Math.abs(a - ref) / Math.max(1, Math.abs(ref)));
  }
  if (worst > 1e-9) throw new Error(`${w.name}: engine and reference disagree by ${worst}`);
}

function fmt(perSecond: number): string {
  return `${(perSecond / 1e6).toFixed(2)} M/s`;
}

const cases = [
  { w: workload('binary', 2, 'bench-binary'), bare: bareBinaryBatch },
  { w: workload('20 outcomes', 20, 'bench-20'), bare: bareManyBatch },
];

console.log(
  `LMSR quotes (costToBuy incl. price), ${ROUNDS} rounds × ~${SECONDS}s each, median; node ${process.version}`,
);
let binaryEngine = 0;
for (const { w, bare } of cases) {
  checkAgreement(w);
  const r = run(w, bare);
  if (w.q.length === 2) binaryEngine = r.engine;
  console.log(
    `${w.name.padEnd(12)} engine ${fmt(r.engine).padStart(11)}  naive ${fmt(r.naive).padStart(11)}` +
      `  bare loop ${fmt(r.bare).padStart(11)}  engine/naive ${(r.engine / r.naive).toFixed(2)}×` +
      `  engine/bare ${(r.engine / r.bare).toFixed(2)}×`,
  );
}
const verdict = binaryEngine >= TARGET_BINARY_QUOTES_PER_SECOND ? 'meets' : 'misses';
console.log(
  `binary target ${fmt(TARGET_BINARY_QUOTES_PER_SECOND)}: ${verdict} (${fmt(binaryEngine)})` +
    (Number.isFinite(sink) ? '' : ' [non-finite checksum]'),
);
