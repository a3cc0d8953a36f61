/**
 * Proper scoring rules for forecasts of a resolved question, and their time averages.
 *
 * A forecast is a probability vector by outcome order; for a binary question index 0 is `yes`.
 * Probabilities are clamped to LOG_CLAMP before any logarithm, so a confident miss costs a
 * large but finite score.
 */
import { mean } from 'simple-statistics';

/** The range probabilities are clamped to before a logarithm. */
export const LOG_CLAMP = { min: 0.001, max: 0.999 } as const;

/** p clamped to LOG_CLAMP, as every logarithm of a probability here takes it. */
export function clampProbability(p: number): number {
  return Math.min(LOG_CLAMP.max, Math.max(LOG_CLAMP.min, p));
}

const clamp = clampProbability;

function probabilityOf(probabilities: readonly number[], outcomeIndex: number): number {
  const p = probabilities[outcomeIndex];
  if (p === undefined) throw new RangeError(`no outcome ${outcomeIndex}`);
  return p;
}

/**
 * Brier score, 0 best. Binary (2 outcomes): (p_yes - o)^2 with o = 1 when outcome 0 (yes)
 * happened, in [0, 1]. Multiple choice (n > 2): sum_i (p_i - o_i)^2, in [0, 2].
 */
export function brierScore(probabilities: readonly number[], outcomeIndex: number): number {
  probabilityOf(probabilities, outcomeIndex);
  if (probabilities.length === 2) {
    const d = probabilities[0]! - (outcomeIndex === 0 ? 1 : 0);
    return d * d;
  }
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const d = probabilities[i]! - (i === outcomeIndex ? 1 : 0);
    sum += d * d;
  }
  return sum;
}

/** Log score ln p_outcome, 0 best, with p clamped to [0.001, 0.999] (so at least ln 0.001). */
export function logScore(probabilities: readonly number[], outcomeIndex: number): number {
  return Math.log(clamp(probabilityOf(probabilities, outcomeIndex)));
}

/**
 * Metaculus baseline score: 0 for the uniform forecast, 100 for certainty on the outcome.
 * Binary 100 * (log2 p + 1); n outcomes 100 * ln(n p) / ln n (p clamped).
 */
export function baselineScore(probabilities: readonly number[], outcomeIndex: number): number {
  const p = clamp(probabilityOf(probabilities, outcomeIndex));
  const n = probabilities.length;
  if (n === 2) return 100 * (Math.log2(p) + 1);
  return (100 * Math.log(n * p)) / Math.log(n);
}

/**
 * Metaculus peer score: 100 * N/(N-1) * ln(p / GM), GM the geometric mean of all N standing
 * probabilities of the outcome, `own` included in `all`; 0 when N <= 1. Equals the mean of
 * 100 * ln(p / p_j) over the other forecasters j, so peer scores of one moment sum to 0.
 */
export function peerScore(own: number, all: readonly number[]): number {
  const n = all.length;
  if (n <= 1) return 0;
  const meanLog = mean(all.map((p) => Math.log(clamp(p))));
  return ((100 * n) / (n - 1)) * (Math.log(clamp(own)) - meanLog);
}

export interface TimelinePoint {
  /** ms since the epoch. */
  t: number;
  probabilities: readonly number[];
}

export interface Timeline {
  id: string;
  /** Sorted by t (an unsorted list is sorted first). */
  points: readonly TimelinePoint[];
}

export interface ScoringWindow {
  /** ms; the question opened. */
  openAt: number;
  /** ms; the scheduled close. */
  closeAt: number;
  /** ms; min(actual close, knownAt): nothing counts after it, and points at or after it are ignored. */
  cutoffAt?: number;
}

export interface ScoreSet {
  brier: number | null;
  log: number | null;
  baseline: number | null;
  peer: number | null;
}

interface Stretch {
  start: number;
  end: number;
  probabilities: readonly number[];
}

/** Where each point of a timeline stands within [openAt, end): from its time to the next point. */
function stretchesOf(points: readonly TimelinePoint[], openAt: number, end: number): Stretch[] {
  const sorted = isSorted(points) ? points : [...points].sort((a, b) => a.t - b.t);
  const out: Stretch[] = [];
  let current: readonly number[] | null = null;
  let start = openAt;
  for (const point of sorted) {
    if (point.t >= end) break;
    // Points before the open stand from the open; of several, the latest wins.
    const from = Math.max(point.t, openAt);
    if (current !== null && from > start) out.push({ start, end: from, probabilities: current });
    current = point.probabilities;
    start = from;
  }
  if (current !== null && end > start) out.push({ start, end, probabilities: current });
  return out;
}

function isSorted(points: readonly TimelinePoint[]): boolean {
  for (let k = 1; k < points.length; k++) if (points[k]!.t < points[k - 1]!.t) return false;
  return true;
}

/**
 * Running integrals, from openAt, of the functions of the standing peer set that a peer score
 * needs. With S = sum of ln p over the N standing peers:
 * - inside (the scored timeline is one of the N): 100 * (ln p * N/(N-1) - S/(N-1)), 0 when N = 1;
 * - outside (it joins them as N+1-th): 100 * N'/(N'-1) * (ln p - (S + ln p)/N') with N' = N + 1,
 *   which simplifies to 100 * (ln p - S/N), 0 when N = 0.
 * Each is linear in ln p, so one sweep over the peers' change times serves every timeline.
 */
class PeerIntegrals {
  /** Breakpoints: openAt, then each distinct time the peer set changes. */
  private readonly at: number[] = [];
  /** Per breakpoint: the integral up to it of [N/(N-1), S/(N-1), 1[N>=1], S/N]. */
  private readonly integral: number[][] = [];
  /** Per breakpoint: the value of those four functions from it to the next breakpoint. */
  private readonly rate: number[][] = [];

  constructor(peers: readonly Stretch[][], outcomeIndex: number, openAt: number) {
    const events: { t: number; peer: number; lnP: number }[] = [];
    peers.forEach((stretches, peer) => {
      for (const s of stretches) {
        events.push({
          t: s.start,
          peer,
          lnP: Math.log(clamp(probabilityOf(s.probabilities, outcomeIndex))),
        });
      }
    });
    events.sort((a, b) => a.t - b.t);
    const current = new Array<number | undefined>(peers.length);
    let n = 0;
    let sum = 0;
    let total = [0, 0, 0, 0];
    let t = openAt;
    let k = 0;
    for (;;) {
      while (k < events.length && events[k]!.t <= t) {
        const e = events[k++]!;
        const old = current[e.peer];
        if (old === undefined) n++;
        else sum -= old;
        sum += e.lnP;
        current[e.peer] = e.lnP;
      }
      const rate = [
        n >= 2 ? n / (n - 1) : 0,
        n >= 2 ? sum / (n - 1) : 0,
        n >= 1 ? 1 : 0,
        n >= 1 ? sum / n : 0,
      ];
      this.at.push(t);
      this.integral.push(total);
      this.rate.push(rate);
      if (k >= events.length) break;
      const next = events[k]!.t;
      const dt = next - t;
      total = total.map((v, j) => v + rate[j]! * dt);
      t = next;
    }
  }

  /** The four integrals from openAt to t. */
  private upTo(t: number): number[] {
    // Last breakpoint at or before t.
    let lo = 0;
    let hi = this.at.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.at[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    const dt = t - this.at[lo]!;
    const base = this.integral[lo]!;
    const rate = this.rate[lo]!;
    return base.map((v, j) => v + rate[j]! * dt);
  }

  /** Integral over [start, end) of the peer score of a forecast with ln p = lnP (see class doc). */
  scoreIntegral(start: number, end: number, lnP: number, inside: boolean): number {
    const a = this.upTo(start);
    const b = this.upTo(end);
    const d = (j: number) => b[j]! - a[j]!;
    return 100 * (inside ? lnP * d(0) - d(1) : lnP * d(2) - d(3));
  }
}

/**
 * Time-averaged scores of each timeline over the window. A point stands from its time until the
 * next point; points before openAt stand from openAt (the latest such point); points at or after
 * the cutoff (cutoffAt, else closeAt) are ignored.
 * - baseline and peer: the integral of the standing score over [openAt, min(cutoffAt, closeAt)]
 *   divided by (closeAt - openAt); time without a standing forecast counts 0 (Metaculus).
 * - brier and log: the time-weighted mean over the part of the window where the timeline had a
 *   standing forecast.
 * - peer: at each moment, against the geometric mean of the standing forecasts of `peers`
 *   (default: the timelines themselves) plus the timeline itself when it is not among them (by id).
 * A timeline with no standing forecast inside the window gets all four null: it did not take part.
 * Runs in O((P + E) log E) for P points scored and E peer points.
 */
export function scoreTimelines(
  timelines: readonly Timeline[],
  outcomeIndex: number,
  window: ScoringWindow,
  peers?: readonly Timeline[],
): Map<string, ScoreSet> {
  const { openAt, closeAt } = window;
  const end = Math.min(window.cutoffAt ?? closeAt, closeAt);
  const length = closeAt - openAt;
  const own = timelines.map((tl) => stretchesOf(tl.points, openAt, end));
  const peerLines = peers ?? timelines;
  const peerStretches = peers ? peers.map((tl) => stretchesOf(tl.points, openAt, end)) : own;
  const peerIds = new Set(peerLines.map((tl) => tl.id));
  const integrals = new PeerIntegrals(peerStretches, outcomeIndex, openAt);

  const out = new Map<string, ScoreSet>();
  timelines.forEach((tl, k) => {
    const inside = peerIds.has(tl.id);
    let time = 0;
    let brier = 0;
    let log = 0;
    let baseline = 0;
    let peer = 0;
    for (const s of own[k]!) {
      const dt = s.end - s.start;
      const lnP = logScore(s.probabilities, outcomeIndex);
      time += dt;
      brier += brierScore(s.probabilities, outcomeIndex) * dt;
      log += lnP * dt;
      baseline += baselineScore(s.probabilities, outcomeIndex) * dt;
      peer += integrals.scoreIntegral(s.start, s.end, lnP, inside);
    }
    out.set(
      tl.id,
      time > 0
        ? { brier: brier / time, log: log / time, baseline: baseline / length, peer: peer / length }
        : { brier: null, log: null, baseline: null, peer: null },
    );
  });
  return out;
}
