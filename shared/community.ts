/**
 * The community forecast: an aggregate of each forecaster's latest standing forecast.
 *
 * The main view is Metaculus's recency-weighted median; the second is the extremised mean of
 * log-odds, which corrects the median's pull towards 1/2 when forecasters share information.
 */
import { mean } from 'simple-statistics';
import { logit, sigmoid } from './lmsr.ts';
import { clampProbability as clamp, type TimelinePoint } from './scoring.ts';

/** A forecaster's latest forecast. */
export interface StandingForecast {
  /** ms since the epoch. */
  t: number;
  probabilities: readonly number[];
}

/** Weight of the n-th oldest (n from 1) of `count` standing forecasts. */
function recencyWeight(n: number, count: number): number {
  return count <= 2 ? 1 : Math.exp(Math.sqrt(n));
}

/** Sum of the weights of `count` forecasts, added oldest first (the same order everywhere). */
function totalWeight(count: number): number {
  let total = 0;
  for (let n = 1; n <= count; n++) total += recencyWeight(n, count);
  return total;
}

/**
 * Weighted median of `count` values given in ascending order: the midpoint of the first value
 * whose cumulative weight reaches half the total and the first one that passes it, so with equal
 * weights it is the ordinary median (two forecasters give their midpoint). simple-statistics'
 * weightedQuantile returns only the first of the two, i.e. the lower median.
 */
function weightedMedianSorted(
  count: number,
  valueAt: (k: number) => number,
  weightAt: (k: number) => number,
  total: number,
): number {
  const half = total / 2;
  let cumulative = 0;
  let k = 0;
  for (; k < count - 1; k++) {
    cumulative += weightAt(k);
    if (cumulative >= half) break;
  }
  const low = valueAt(k);
  return cumulative === half && k < count - 1 ? (low + valueAt(k + 1)) / 2 : low;
}

/**
 * Per-outcome medians to a forecast: binary keeps p_no = 1 - p_yes; multiple choice renormalises
 * to sum 1 (uniform in the degenerate case where every median is 0).
 */
function toForecast(medians: number[], outcomes: number): number[] {
  if (outcomes === 2) return [medians[0]!, 1 - medians[0]!];
  const sum = medians.reduce((a, b) => a + b, 0);
  return sum > 0 ? medians.map((m) => m / sum) : medians.map(() => 1 / outcomes);
}

/**
 * Recency-weighted median of the forecasters' latest forecasts, given oldest to newest:
 * n = 1..N weighted exp(sqrt(n)) (unweighted when N <= 2), a weighted median per outcome, then
 * renormalised to sum 1 for multiple choice. null when there are none.
 */
export function communityMedian(latest: readonly StandingForecast[]): number[] | null {
  const count = latest.length;
  if (count === 0) return null;
  const outcomes = latest[0]!.probabilities.length;
  const total = totalWeight(count);
  const medians: number[] = [];
  for (let i = 0; i < (outcomes === 2 ? 1 : outcomes); i++) {
    const order = latest.map((_, k) => k);
    const value = (k: number) => latest[k]!.probabilities[i]!;
    order.sort((a, b) => value(a) - value(b));
    medians.push(
      weightedMedianSorted(
        count,
        (k) => value(order[k]!),
        (k) => recencyWeight(order[k]! + 1, count),
        total,
      ),
    );
  }
  return toForecast(medians, outcomes);
}

/**
 * Extremised mean of log-odds, with p clamped to [0.001, 0.999]: binary sigmoid(a * mean(logit
 * p_yes)); multiple choice exp(a * mean(ln p_i)) normalised to sum 1 (for two outcomes the two
 * forms agree). a > 1 pushes the aggregate away from 1/2; default 1.5. null when there are none.
 */
export function extremizedMean(latest: readonly StandingForecast[], a = 1.5): number[] | null {
  if (latest.length === 0) return null;
  const outcomes = latest[0]!.probabilities.length;
  if (outcomes === 2) {
    const p = sigmoid(a * mean(latest.map((f) => logit(clamp(f.probabilities[0]!)))));
    return [p, 1 - p];
  }
  const logits: number[] = [];
  for (let i = 0; i < outcomes; i++) {
    logits.push(a * mean(latest.map((f) => Math.log(clamp(f.probabilities[i]!)))));
  }
  // Softmax with the max subtracted, so a large `a` cannot overflow.
  const max = Math.max(...logits);
  const weights = logits.map((x) => Math.exp(x - max));
  const sum = weights.reduce((s, w) => s + w, 0);
  return weights.map((w) => w / sum);
}

/** Index of the first entry of `slots` (ascending by `value`) whose value is >= (or > when `after`) v. */
function searchSorted(
  slots: readonly number[],
  value: (slot: number) => number,
  v: number,
  after: boolean,
): number {
  let lo = 0;
  let hi = slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const x = value(slots[mid]!);
    if (x < v || (after && x === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The community median after each forecast, given all forecasts of a question sorted by t: one
 * point per forecast, over each user's latest standing forecast (a user's new forecast replaces
 * their old one and makes them the newest). Equal to calling `communityMedian` after every
 * forecast, but incremental: per-outcome orders are kept sorted, so a step costs O(N), not
 * O(N log N) with allocation.
 */
export function communityTimeline(
  forecasts: readonly { userId: string; t: number; probabilities: readonly number[] }[],
): TimelinePoint[] {
  const points: TimelinePoint[] = [];
  const first = forecasts[0];
  if (!first) return points;
  const outcomes = first.probabilities.length;
  const dims = outcomes === 2 ? 1 : outcomes;
  const slotOf = new Map<string, number>();
  /** By slot (one per user): the standing forecast. */
  const standing: (readonly number[])[] = [];
  /** By slot: 1-based position from oldest to newest standing forecast. */
  const rank: number[] = [];
  /** Slots from oldest to newest standing forecast. */
  const recency: number[] = [];
  /** Per outcome: slots in ascending order of their standing probability of it. */
  const sorted: number[][] = Array.from({ length: dims }, () => []);
  /** exp(sqrt(n)) by n, and their running totals (added in n order, as totalWeight does). */
  const weight: number[] = [0];
  const totals: number[] = [0];

  for (const f of forecasts) {
    if (f.probabilities.length !== outcomes) {
      throw new RangeError(`forecast of ${f.probabilities.length} outcomes among ${outcomes}`);
    }
    let slot = slotOf.get(f.userId);
    if (slot === undefined) {
      slot = standing.length;
      slotOf.set(f.userId, slot);
      standing.push(f.probabilities);
      const w = Math.exp(Math.sqrt(standing.length));
      weight.push(w);
      totals.push(totals[totals.length - 1]! + w);
    } else {
      for (let i = 0; i < dims; i++) {
        const value = (s: number) => standing[s]![i]!;
        const list = sorted[i]!;
        let at = searchSorted(list, value, standing[slot]![i]!, false);
        while (at < list.length && list[at] !== slot) at++;
        list.splice(at < list.length ? at : list.indexOf(slot), 1);
      }
      recency.splice(recency.indexOf(slot), 1);
      standing[slot] = f.probabilities;
    }
    recency.push(slot);
    for (let i = 0; i < dims; i++) {
      const value = (s: number) => standing[s]![i]!;
      const list = sorted[i]!;
      list.splice(searchSorted(list, value, f.probabilities[i]!, true), 0, slot);
    }
    const count = recency.length;
    for (let k = 0; k < count; k++) rank[recency[k]!] = k + 1;
    const total = count <= 2 ? count : totals[count]!;
    const medians: number[] = [];
    for (let i = 0; i < dims; i++) {
      const list = sorted[i]!;
      medians.push(
        weightedMedianSorted(
          count,
          (k) => standing[list[k]!]![i]!,
          (k) => (count <= 2 ? 1 : weight[rank[list[k]!]!]!),
          total,
        ),
      );
    }
    points.push({ t: f.t, probabilities: toForecast(medians, outcomes) });
  }
  return points;
}
