/**
 * The simulator's only source of randomness: seeded Alea generators from `seedrandom`, passed
 * explicitly to whoever draws. Nothing here reads a clock, the environment or Math.random, so a
 * seed fixes every draw of a run.
 */
import seedrandom from 'seedrandom';

/** A uniform draw in [0, 1). */
export type Rng = () => number;

/**
 * A generator for `seed` on one named stream. Streams of one seed are independent, so a run can
 * draw its truth apart from its trading: fixing the truth by hand leaves the trading draws alone.
 */
export function createRng(seed: number | string, stream = 'run'): Rng {
  // Alea: fast, BigCrush-clean, and (unlike the default ARC4) allocation-free per draw.
  return seedrandom.alea(`${seed}:${stream}`);
}

/** A standard normal draw (Box–Muller; 1 - u keeps the logarithm finite). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** An index drawn with the given probabilities (which should sum to 1; the last absorbs rounding). */
export function drawIndex(probabilities: readonly number[], rng: Rng): number {
  let u = rng();
  for (let i = 0; i < probabilities.length - 1; i++) {
    u -= probabilities[i]!;
    if (u < 0) return i;
  }
  return probabilities.length - 1;
}

/** Shuffles `order` in place (Fisher–Yates), each permutation equally likely. */
export function shuffleInPlace(order: Int32Array | number[], rng: Rng): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
}
