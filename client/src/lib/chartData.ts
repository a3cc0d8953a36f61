import type { Claim, HistoryPoint, Market } from '../../../shared/schemas/index.ts';
import type { TimelinePoint } from '../../../shared/scoring.ts';

/** Columns for uPlot: x in seconds, then one array per series (null where a series has no value). */
export type Columns = [number[], ...(number | null)[][]];

export interface ChartSeriesSpec {
  /** Which outcome indices get a market line (all for binary: just P(yes)). */
  outcomes: number[];
  /** Index of the outcome the community line and the claim markers are drawn for. */
  focus: number;
}

export interface ChartInput {
  market: Pick<Market, 'type' | 'outcomes' | 'createdAt' | 'status' | 'resolution'>;
  history: readonly HistoryPoint[];
  /** The community median after each forecast, t in ms. */
  community: readonly TimelinePoint[];
  claims: readonly Claim[];
  /** Extends the market line to this time (ms), so a quiet market still reaches "now". */
  now: number;
}

/**
 * Probability of outcome `index` that a claim implies: the claim's own probability when it names
 * that outcome; for a binary market, one minus it when it names the other side; else null.
 */
export function claimProbabilityOf(
  claim: Claim,
  market: Pick<Market, 'type' | 'outcomes'>,
  index: number,
): number | null {
  const target = market.outcomes[index]?.id;
  if (claim.outcomeId === target) return claim.probability;
  if (market.type === 'binary') return 1 - claim.probability;
  return null;
}

/** Seconds from an ISO time or a YYYY-MM-DD day (taken at noon UTC, so it sits mid-day). */
export function secondsOf(iso: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? Date.parse(`${iso}T12:00:00Z`) : Date.parse(iso);
  return ms / 1000;
}

/**
 * Aligned columns for the odds chart: x = the union of history, community and claim times;
 * market and community lines hold their last value between points (a forecast or a price stands
 * until replaced); claim columns have a value only at the claim's own time. The layout is
 * [x, ...market lines (one per `spec.outcomes`), community, claims].
 */
export function chartColumns(input: ChartInput, spec: ChartSeriesSpec): Columns {
  const { history, community, claims } = input;
  const times: number[] = [];
  for (const p of history) times.push(secondsOf(p.t));
  for (const c of community) times.push(c.t / 1000);
  const claimAt = new Map<number, number>();
  for (const c of claims) {
    const p = claimProbabilityOf(c, input.market, spec.focus);
    if (p === null) continue;
    const t = secondsOf(c.date);
    // Two claims on one day: the later one in the list nudges a second on, so both show.
    let at = t;
    while (claimAt.has(at)) at += 1;
    claimAt.set(at, p);
    times.push(at);
  }
  const end = endOf(input);
  if (history.length) times.push(end);
  times.sort((a, b) => a - b);
  const xs: number[] = [];
  for (const t of times) if (xs.at(-1) !== t) xs.push(t);

  const lines = spec.outcomes.map(() => new Array<number | null>(xs.length).fill(null));
  const crowd = new Array<number | null>(xs.length).fill(null);
  const claimCol = new Array<number | null>(xs.length).fill(null);
  let h = 0;
  let c = 0;
  let last: readonly number[] | null = null;
  let lastCrowd: number | null = null;
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k]!;
    while (h < history.length && secondsOf(history[h]!.t) <= x) last = history[h++]!.probabilities;
    while (c < community.length && community[c]!.t / 1000 <= x) {
      lastCrowd = community[c++]!.probabilities[spec.focus] ?? null;
    }
    if (last && x <= end) {
      for (let s = 0; s < spec.outcomes.length; s++) lines[s]![k] = last[spec.outcomes[s]!] ?? null;
    }
    if (lastCrowd !== null && x <= end) crowd[k] = lastCrowd;
    const cp = claimAt.get(x);
    if (cp !== undefined) claimCol[k] = cp;
  }
  return [xs, ...lines, crowd, claimCol];
}

/** Where the lines stop: the resolution for settled markets, otherwise now. */
function endOf(input: ChartInput): number {
  const lastT = input.history.length ? secondsOf(input.history.at(-1)!.t) : 0;
  const resolvedAt = input.market.resolution?.resolvedAt;
  const end = resolvedAt ? secondsOf(resolvedAt) : input.now / 1000;
  return Math.max(end, lastT);
}

/** The claims drawn on the chart, with the x (seconds) each sits at, for tooltips. */
export function claimMarkers(
  claims: readonly Claim[],
  market: Pick<Market, 'type' | 'outcomes'>,
  focus: number,
): { x: number; claim: Claim; probability: number }[] {
  const out: { x: number; claim: Claim; probability: number }[] = [];
  const used = new Set<number>();
  for (const claim of claims) {
    const p = claimProbabilityOf(claim, market, focus);
    if (p === null) continue;
    let x = secondsOf(claim.date);
    while (used.has(x)) x += 1;
    used.add(x);
    out.push({ x, claim, probability: p });
  }
  return out;
}

/** A claim as drawn on the chart: its x (seconds), the probability and the line it belongs to. */
export interface ClaimPoint {
  x: number;
  claim: Claim;
  probability: number;
  /** Index of the outcome whose line the claim is drawn against. */
  outcomeIndex: number;
}

/**
 * Every claim the chart can draw, oldest first: for a binary market each claim read as P(yes)
 * on the one line; for multiple choice each claim on its own outcome's line (when that line is
 * among `outcomes`). Claims on one day are a second apart so each keeps its own point.
 */
export function claimPoints(
  claims: readonly Claim[],
  market: Pick<Market, 'type' | 'outcomes'>,
  outcomes: readonly number[],
): ClaimPoint[] {
  const out: ClaimPoint[] = [];
  for (const claim of claims) {
    const index =
      market.type === 'binary' ? 0 : market.outcomes.findIndex((o) => o.id === claim.outcomeId);
    if (index < 0 || !outcomes.includes(index)) continue;
    const p = claimProbabilityOf(claim, market, index);
    if (p === null) continue;
    out.push({ x: secondsOf(claim.date), claim, probability: p, outcomeIndex: index });
  }
  out.sort((a, b) => a.x - b.x);
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.x <= out[i - 1]!.x) out[i]!.x = out[i - 1]!.x + 1;
  }
  return out;
}
