/**
 * Hanson's logarithmic market scoring rule (LMSR).
 *
 * State is the outstanding-shares vector `q` and the liquidity `b` (in shares). All amounts are
 * in credits (1 winning share pays 1 credit); conversion to cents lives in `money.ts`.
 * Every function is pure and allocation-light: quotes run on the hot path of trading and
 * of the simulator.
 */

/** log(sum_i exp(q_i / b)) computed with the max subtracted, so |q| of 1e6 with b = 1 is finite. */
export function logSumExp(q: readonly number[], b: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < q.length; i++) {
    const x = q[i]! / b;
    if (x > max) max = x;
  }
  let sum = 0;
  for (let i = 0; i < q.length; i++) sum += Math.exp(q[i]! / b - max);
  return max + Math.log(sum);
}

/** Cost function C(q) = b * ln(sum_i exp(q_i / b)), in credits. */
export function cost(q: readonly number[], b: number): number {
  return b * logSumExp(q, b);
}

/** All prices: the softmax of q / b. They sum to 1 (up to float rounding). */
export function prices(q: readonly number[], b: number): number[] {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < q.length; i++) {
    const x = q[i]! / b;
    if (x > max) max = x;
  }
  const out = new Array<number>(q.length);
  let sum = 0;
  for (let i = 0; i < q.length; i++) {
    const e = Math.exp(q[i]! / b - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < q.length; i++) out[i] = out[i]! / sum;
  return out;
}

/** Price (probability) of outcome i. */
export function priceOf(q: readonly number[], b: number, i: number): number {
  const qi = q[i];
  if (qi === undefined) throw new RangeError(`no outcome ${i}`);
  // Binary fast path: the softmax of two is a logistic of the difference (one exp, no max pass).
  // exp overflowing to Infinity gives a price of exactly 0, never NaN.
  if (q.length === 2) return 1 / (1 + Math.exp((q[1 - i]! - qi) / b));
  return Math.exp(qi / b - logSumExp(q, b));
}

/**
 * ln p_i / (1 - p_i) from q directly: q_i / b - ln(sum_{j != i} exp(q_j / b)). Finite even where
 * p_i itself underflows to 0 or rounds to 1 (deep markets, |q / b| in the hundreds or more).
 */
export function logitOf(q: readonly number[], b: number, i: number): number {
  const qi = q[i];
  if (qi === undefined) throw new RangeError(`no outcome ${i}`);
  if (q.length === 2) return (qi - q[1 - i]!) / b;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < q.length; j++) {
    const x = q[j]! / b;
    if (j !== i && x > max) max = x;
  }
  let sum = 0;
  for (let j = 0; j < q.length; j++) if (j !== i) sum += Math.exp(q[j]! / b - max);
  return qi / b - (max + Math.log(sum));
}

/** Prices below this (the smallest normal double) carry fewer than 53 bits: use ln p instead. */
const MIN_PRECISE_PRICE = 2.2250738585072014e-308;

/** ln p_i from q, finite however deep the market: -softplus(-logit p_i). */
export function logPriceOf(q: readonly number[], b: number, i: number): number {
  return -softplus(-logitOf(q, b, i));
}

/** ln(e^x - 1) for x > 0, without overflow for large x or cancellation for small x. */
function logExpm1(x: number): number {
  return x > 1 ? x + Math.log1p(-Math.exp(-x)) : Math.log(Math.expm1(x));
}

/** ln(e^a + e^c) without overflow; -Infinity stands for a zero term. */
function logAddExp(a: number, c: number): number {
  const m = Math.max(a, c);
  if (m === Number.NEGATIVE_INFINITY) return m;
  return m + Math.log1p(Math.exp(-Math.abs(a - c)));
}

/**
 * Cost in credits of buying `delta` shares of outcome i (delta < 0 sells; the result is then
 * negative, the proceeds). Uses the price form b * log1p(p_i * expm1(delta / b)), which keeps
 * full precision for tiny trades in deep markets where C(q') - C(q) would cancel digits.
 */
export function costToBuy(q: readonly number[], b: number, i: number, delta: number): number {
  const p = priceOf(q, b, i);
  const x = delta / b;
  // A price below the normal floats has lost digits (or underflowed to 0), yet a big enough buy
  // still moves it to a real price: take ln p from q and stay in the log domain, where
  // ln(1 + p (e^x - 1)) = softplus(ln p + ln(e^x - 1)). Sells of such an outcome are worth
  // under an ulp of a cent, and the price form's 0 is what floor would pay anyway.
  if (p < MIN_PRECISE_PRICE && x > 0) return b * softplus(logPriceOf(q, b, i) + logExpm1(x));
  const y = p * Math.expm1(x);
  // The price form is exact-to-the-ulp whenever 1 + y neither overflows nor cancels. Otherwise
  // (huge buys overflow expm1, an underflowed price gives 0 * Infinity, big sells send 1 + y
  // towards 0) the result is at least ln 2 in size, so the plain difference of costs is precise.
  if (y > -0.5 && y < Number.POSITIVE_INFINITY) return b * Math.log1p(y);
  const qi = q[i]!;
  const after = q.slice();
  after[i] = qi + delta;
  return b * (logSumExp(after, b) - logSumExp(q, b));
}

/** `costToBuy` given the current price p of the outcome (saves the softmax when it is known). */
export function costToBuyAt(p: number, b: number, delta: number): number {
  const x = delta / b;
  const y = p * Math.expm1(x);
  if (y > -0.5 && y < Number.POSITIVE_INFINITY) return b * Math.log1p(y);
  // ln(1 - p + p e^x) in the log domain: no overflow for large x, no cancellation near -1.
  if (x > 0) return b * logAddExp(Math.log1p(-p), Math.log(p) + x);
  // A big sell: 1 + y is mostly 1 - p, which a rounded p knows only to an ulp or so (p = 1 in
  // float knows nothing of it). Take the upper end, so a seller is never paid more than the
  // trade is worth; costToBuy, which has q, is exact here and should be preferred.
  return b * logAddExp(Math.log(1 - p + p * Number.EPSILON), Math.log(p) + x);
}

/**
 * Shares of outcome i that `amount` credits buy: delta = b * ln(1 + (exp(A / b) - 1) / p_i).
 * Inverse of `costToBuy` for amount > 0.
 */
export function sharesForAmount(
  q: readonly number[],
  b: number,
  i: number,
  amount: number,
): number {
  const p = priceOf(q, b, i);
  const r = Math.expm1(amount / b) / p;
  if (p >= MIN_PRECISE_PRICE && r < Number.POSITIVE_INFINITY) return b * Math.log1p(r);
  // Overflow (a budget of hundreds of b) or a price too small to carry its digits: ln p_i from q.
  return b * largeBudgetShares(logPriceOf(q, b, i), amount / b);
}

/** `sharesForAmount` given the current price p of the outcome. */
export function sharesForAmountAt(p: number, b: number, amount: number): number {
  const r = Math.expm1(amount / b) / p;
  if (r < Number.POSITIVE_INFINITY) return b * Math.log1p(r);
  return b * largeBudgetShares(Math.log(p), amount / b);
}

/** ln(1 + (e^a - 1) / p) = a - ln p + ln(1 - (1 - p) e^-a), for a large enough to overflow e^a / p. */
function largeBudgetShares(logP: number, a: number): number {
  return a - logP + Math.log1p(-(1 - Math.exp(logP)) * Math.exp(-a));
}

/** ln(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** ln(p / (1 - p)). */
export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/** 1 / (1 + exp(-x)). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Shares of outcome i to trade (only i) so that its price becomes `target` (0 < target < 1):
 * delta = b * (logit(target) - logit(p_i)). Negative means selling i.
 */
export function sharesToReach(q: readonly number[], b: number, i: number, target: number): number {
  // logit from q rather than from the price, so a price that rounds to 0 or 1 still has a finite distance.
  return b * (logit(target) - logitOf(q, b, i));
}

/** The market maker's worst-case loss, b * ln n credits: the subsidy a market needs. */
export function worstCaseLoss(b: number, n: number): number {
  return b * Math.log(n);
}

/** q after trading `delta` shares of outcome i (a new array; q is not modified). */
export function withTrade(q: readonly number[], i: number, delta: number): number[] {
  const next = q.slice();
  next[i] = (next[i] ?? 0) + delta;
  return next;
}
