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
  return Math.exp(qi / b - logSumExp(q, b));
}

/**
 * Cost in credits of buying `delta` shares of outcome i (delta < 0 sells; the result is then
 * negative, the proceeds). Uses the price form b * log1p(p_i * expm1(delta / b)), which keeps
 * full precision for tiny trades in deep markets where C(q') - C(q) would cancel digits.
 */
export function costToBuy(q: readonly number[], b: number, i: number, delta: number): number {
  return costToBuyAt(priceOf(q, b, i), b, delta);
}

/** `costToBuy` given the current price p of the outcome (saves the softmax when it is known). */
export function costToBuyAt(p: number, b: number, delta: number): number {
  return b * Math.log1p(p * Math.expm1(delta / b));
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
  return sharesForAmountAt(priceOf(q, b, i), b, amount);
}

/** `sharesForAmount` given the current price p of the outcome. */
export function sharesForAmountAt(p: number, b: number, amount: number): number {
  return b * Math.log1p(Math.expm1(amount / b) / p);
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
  return b * (logit(target) - logit(priceOf(q, b, i)));
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
