/**
 * Kelly sizing against an LMSR market maker. An agent with belief π, cash c and holdings h, who
 * trades Δ shares of one outcome i, ends with wealth W_k(Δ) = c − C(Δ) + h_k + Δ·[k = i] if
 * outcome k happens, C(Δ) the LMSR cost. It picks Δ to maximise expected log wealth
 * U(Δ) = Σ_k π_k ln W_k(Δ) (Kelly's criterion), price impact included: the marginal price is
 * p_i(Δ) = sigmoid(logit p_i + Δ / b), since trading only i shifts its log-odds by Δ / b.
 * U is concave in Δ (ln is concave and increasing, each W_k concave), so its maximum is the one
 * root of U′ in the feasible range, found by safeguarded Newton steps.
 */
import { costToBuyAt, logitOf, sharesForAmount, sigmoid } from '../lmsr.ts';

/** The wealth and belief an agent sizes a trade with; money in credits. */
export interface KellyInput {
  q: readonly number[];
  b: number;
  /** Beliefs by outcome (a fractional-Kelly agent passes its belief shrunk towards the price). */
  belief: ArrayLike<number>;
  cash: number;
  held: readonly number[];
}

export interface KellyTrade {
  /** Shares of outcome i to trade; < 0 sells. */
  shares: number;
  /** U(shares) − U(0), the gain in expected log wealth. */
  gain: number;
}

const NONE: KellyTrade = { shares: 0, gain: 0 };

/** U′, U″ and feasibility at one Δ; a reused record, so the solver's loop does not allocate. */
interface Slope {
  d1: number;
  d2: number;
  /** Some W_k with π_k > 0 is not positive: U is −∞ there. */
  infeasible: boolean;
}

/**
 * U′ and U″ at delta, with W_k′ = [k = i] − p and W_k″ = −p(1 − p)/b for every k:
 * U′ = π_i / W_i − p Σ π_k / W_k,  U″ = −Σ π_k ([k = i] − p)² / W_k² − p(1 − p)/b · Σ π_k / W_k.
 */
function slopeAt(x: KellyInput, i: number, logit0: number, p0: number, delta: number, out: Slope) {
  const p = sigmoid(logit0 + delta / x.b);
  const cost = costToBuyAt(p0, x.b, delta);
  let s = 0;
  let s2 = 0;
  let own = 0;
  out.infeasible = false;
  for (let k = 0; k < x.belief.length; k++) {
    const pk = x.belief[k]!;
    if (pk === 0) continue;
    const w = x.cash - cost + x.held[k]! + (k === i ? delta : 0);
    if (!(w > 0)) out.infeasible = true;
    const r = pk / w;
    s += r;
    const g = (k === i ? 1 : 0) - p;
    s2 += (r * g * g) / w;
    if (k === i) own = r;
  }
  out.d1 = own - p * s;
  out.d2 = -s2 - ((p * (1 - p)) / x.b) * s;
}

/** Expected log wealth after trading `delta` of i at cost `cost`. */
function utility(x: KellyInput, i: number, delta: number, cost: number): number {
  let u = 0;
  for (let k = 0; k < x.belief.length; k++) {
    const pk = x.belief[k]!;
    if (pk !== 0) u += pk * Math.log(x.cash - cost + x.held[k]! + (k === i ? delta : 0));
  }
  return u;
}

const slope: Slope = { d1: 0, d2: 0, infeasible: false };

/**
 * The Kelly trade of outcome i, between `lo` and `hi` shares (lo ≤ 0 ≤ hi): a buy when U′(0) > 0,
 * a sell when U′(0) < 0. Returns shares 0 and gain 0 when no trade improves U.
 */
export function kellyTrade(x: KellyInput, i: number, lo: number, hi: number): KellyTrade {
  const logit0 = logitOf(x.q, x.b, i);
  const p0 = sigmoid(logit0);
  slopeAt(x, i, logit0, p0, 0, slope);
  const buying = slope.d1 > 0;
  // 0 or NaN: no direction improves U.
  if (!(buying || slope.d1 < 0)) return NONE;
  let a = buying ? 0 : lo;
  let z = buying ? hi : 0;
  if (!(a < z)) return NONE;
  let t = -slope.d1 / slope.d2;
  if (!(t > a && t < z)) {
    // The first Newton step leaves the range: if U still rises (a buy) or falls (a sell) at its
    // far end, the end is the answer.
    const end = buying ? z : a;
    slopeAt(x, i, logit0, p0, end, slope);
    if (!slope.infeasible && (buying ? slope.d1 >= 0 : slope.d1 <= 0)) {
      return withGain(x, i, p0, end);
    }
    t = (a + z) / 2;
  }
  // Safeguarded Newton: U′ is decreasing, so its sign at t says which side the root is on.
  for (let iter = 0; iter < 100; iter++) {
    slopeAt(x, i, logit0, p0, t, slope);
    if (slope.infeasible ? !buying : slope.d1 > 0) a = t;
    else z = t;
    const step = slope.infeasible ? Number.NaN : -slope.d1 / slope.d2;
    // Converged: a Newton step this small lands within float noise of the root.
    if (Math.abs(step) <= 1e-9 * (1 + Math.abs(t)) || z - a <= 1e-9 * (1 + Math.abs(t))) break;
    const next = t + step;
    t = next > a && next < z ? next : (a + z) / 2;
  }
  // t, unless it is infeasible: then the bracket's end nearer zero, which never is.
  return withGain(x, i, p0, slope.infeasible ? (buying ? a : z) : t);
}

function withGain(x: KellyInput, i: number, p0: number, delta: number): KellyTrade {
  const gain = utility(x, i, delta, costToBuyAt(p0, x.b, delta)) - utility(x, i, 0, 0);
  return gain > 0 ? { shares: delta, gain } : NONE;
}

/** The most shares of i that `cash` credits buy. */
export function maxBuyShares(q: readonly number[], b: number, i: number, cash: number): number {
  return cash > 0 ? sharesForAmount(q, b, i, cash) : 0;
}
