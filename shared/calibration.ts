/**
 * Calibration: how often events a forecaster called at p actually happened.
 */
import { mean } from 'simple-statistics';
import type { CalibrationBin } from './schemas/objects.ts';

/** A stated probability of an event and whether it happened. */
export interface Outcome01 {
  p: number;
  outcome: 0 | 1;
}

/**
 * Wilson score interval for k successes in n trials at z (default 1.96, 95%):
 * (p̂ + z²/2n ± z·sqrt(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n). Unlike p̂ ± z·SE it stays inside
 * [0, 1] and is not degenerate at k = 0 or k = n. n = 0 gives [0, 1]: nothing is known.
 */
export function wilsonInterval(k: number, n: number, z = 1.96): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Buckets [0, 1/bins), [1/bins, 2/bins), ..., [(bins-1)/bins, 1] (default 10 buckets of 0.1; 1 falls
 * in the last). Only non-empty buckets are returned, in order; each has the mean stated
 * probability (`predicted`), the observed frequency with its Wilson interval, and the count.
 */
export function calibrationBins(points: readonly Outcome01[], bins = 10): CalibrationBin[] {
  const groups: Outcome01[][] = Array.from({ length: bins }, () => []);
  for (const point of points) {
    // The nudge keeps 0.7 * 10 = 6.999… from falling a bucket short; p = 1 joins the last bucket.
    const index = Math.min(bins - 1, Math.max(0, Math.floor(point.p * bins + 1e-9)));
    groups[index]!.push(point);
  }
  const out: CalibrationBin[] = [];
  groups.forEach((group, index) => {
    if (group.length === 0) return;
    const hits = group.reduce((s, x) => s + x.outcome, 0);
    const { low, high } = wilsonInterval(hits, group.length);
    out.push({
      from: index / bins,
      to: (index + 1) / bins,
      predicted: mean(group.map((x) => x.p)),
      observed: hits / group.length,
      count: group.length,
      low,
      high,
    });
  });
  return out;
}

/**
 * Murphy's decomposition of the mean Brier score over the distinct forecast values k, with n_k
 * points of value p_k and observed frequency ō_k, N points in all and base rate ō:
 * reliability = Σ n_k (p_k - ō_k)² / N (0 is perfectly calibrated),
 * resolution = Σ n_k (ō_k - ō)² / N (higher separates outcomes better),
 * uncertainty = ō (1 - ō) (the question mix alone).
 * With bins at the distinct values, brier = reliability - resolution + uncertainty exactly
 * (up to float). All four are 0 for no points.
 */
export function murphyDecomposition(points: readonly Outcome01[]): {
  brier: number;
  reliability: number;
  resolution: number;
  uncertainty: number;
} {
  const total = points.length;
  if (total === 0) return { brier: 0, reliability: 0, resolution: 0, uncertainty: 0 };
  const byValue = new Map<number, { count: number; hits: number }>();
  let brier = 0;
  let hits = 0;
  for (const { p, outcome } of points) {
    brier += (p - outcome) ** 2;
    hits += outcome;
    const g = byValue.get(p) ?? { count: 0, hits: 0 };
    g.count += 1;
    g.hits += outcome;
    byValue.set(p, g);
  }
  const base = hits / total;
  let reliability = 0;
  let resolution = 0;
  for (const [p, g] of byValue) {
    const observed = g.hits / g.count;
    reliability += g.count * (p - observed) ** 2;
    resolution += g.count * (observed - base) ** 2;
  }
  return {
    brier: brier / total,
    reliability: reliability / total,
    resolution: resolution / total,
    uncertainty: base * (1 - base),
  };
}

/**
 * A forecast of one resolved question as calibration points, one per outcome: p_i with
 * outcome 1 for the outcome that happened and 0 for the others.
 */
export function toBinaryPoints(
  probabilities: readonly number[],
  outcomeIndex: number,
): Outcome01[] {
  if (outcomeIndex < 0 || outcomeIndex >= probabilities.length) {
    throw new RangeError(`no outcome ${outcomeIndex}`);
  }
  return probabilities.map((p, i) => ({ p, outcome: i === outcomeIndex ? 1 : 0 }));
}
