/** One price of one outcome at a time (ms since the epoch). */
export interface PricePoint {
  t: number;
  p: number;
}

/** A move of at least this much (5 percentage points) within `BIG_MOVE_WINDOW_MS` is big. */
export const BIG_MOVE = 0.05;
/** "Within a few minutes". */
export const BIG_MOVE_WINDOW_MS = 5 * 60_000;
// Probabilities arrive as floats: 0.55 - 0.5 is 0.050000000000000044 but 0.5 - 0.45 is
// 0.04999999999999999, and both are five points.
const EPS = 1e-9;

/**
 * The price standing at `t`: the last point at or before it, or the first point when the series
 * starts later (a market younger than the look-back is measured from its opening price).
 * Null for an empty series. `series` is oldest first.
 */
export function priceAt(series: readonly PricePoint[], t: number): number | null {
  let v: number | null = series[0]?.p ?? null;
  for (const s of series) {
    if (s.t > t) break;
    v = s.p;
  }
  return v;
}

/**
 * The largest swing between the latest price and any price that stood within the last
 * `windowMs` before `now` (the one standing at the window's start included), signed: positive
 * when the latest price is above it. 0 for fewer than two points.
 */
export function recentMove(
  series: readonly PricePoint[],
  now: number,
  windowMs = BIG_MOVE_WINDOW_MS,
): number {
  const last = series.at(-1);
  if (!last || series.length < 2) return 0;
  const from = now - windowMs;
  let best = 0;
  let start = series[0]!.p;
  for (const s of series) {
    if (s.t <= from) {
      start = s.p;
      continue;
    }
    const d = last.p - s.p;
    if (Math.abs(d) > Math.abs(best)) best = d;
  }
  const d = last.p - start;
  return Math.abs(d) > Math.abs(best) ? d : best;
}

/** Whether a move (a difference of probabilities) counts as big. */
export function isBigMove(move: number, threshold = BIG_MOVE): boolean {
  return Math.abs(move) >= threshold - EPS;
}

/** A probability difference in whole percentage points, rounded: 0.203 → 20. */
export function points(move: number): number {
  // `|| 0` turns -0 into 0, so a rounding to nothing never prints as "-0".
  return Math.round(move * 100) || 0;
}
