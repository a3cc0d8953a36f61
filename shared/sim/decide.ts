/**
 * How an agent sees a market and what it does: `observe` moves its belief to the current step,
 * `chooseOrder` turns belief, price, cash and holdings into an order, and `decide` does both.
 * The server's live bots call `decide` with the market as stored; the simulator does the same.
 */
import { assertNever } from '../errors.ts';
import { costToBuy, sharesForAmount } from '../lmsr.ts';
import { tradeCostCents } from '../money.ts';
import type { Agent } from './agents.ts';
import { kellyTrade, maxBuyShares } from './kelly.ts';
import { gaussian, type Rng } from './random.ts';

/** What an agent may know of a market: its liquidity b and outstanding shares q. */
export interface MarketView {
  liquidity: number;
  q: readonly number[];
}

export interface DecideContext {
  rng: Rng;
  /** Virtual time; beliefs advance once per step, by as many steps as have passed. */
  step: number;
}

/** Trade `shares` of outcome `outcomeIndex`; shares < 0 sells. */
export interface Order {
  outcomeIndex: number;
  shares: number;
}

/** Shares below this are float noise (as in shared/trading.ts). */
const SHARE_EPSILON = 1e-9;
/** Orders smaller than this are not worth placing: every buy costs at least a cent. */
const MIN_ORDER_SHARES = 0.01;

/**
 * Advances the agent's belief to `ctx.step` from the market's prices `p` and, for informed and
 * noise traders, fresh draws from `ctx.rng`. A second call on the same step does nothing.
 */
export function observe(agent: Agent, p: readonly number[], ctx: DecideContext): void {
  if (ctx.step <= agent.lastStep) return;
  const elapsed = agent.lastStep < 0 ? 1 : ctx.step - agent.lastStep;
  agent.lastStep = ctx.step;
  const n = p.length;
  switch (agent.kind) {
    case 'persona': {
      // Partial adjustment towards the price: after all the run's steps, stubbornness of the gap
      // between claim and market is left.
      const w = 1 - (1 - agent.pull) ** elapsed;
      for (let i = 0; i < n; i++) agent.belief[i] = (1 - w) * agent.belief[i]! + w * p[i]!;
      return;
    }
    case 'informed': {
      if (agent.logPrior.length === 0) agent.logPrior = p.map(safeLog);
      // Each step brings a Gaussian signal x_k = s·[k = truth] + z_k per outcome; Bayes' rule adds
      // s·x_k to log P(k). Over `elapsed` steps the sum is one draw with mean and variance scaled.
      const s = agent.signalToNoise;
      const sd = s * Math.sqrt(elapsed);
      for (let k = 0; k < n; k++) agent.evidence[k] = agent.evidence[k]! + sd * gaussian(ctx.rng);
      agent.evidence[agent.truthIndex] = agent.evidence[agent.truthIndex]! + s * s * elapsed;
      const w = agent.priceWeight;
      for (let k = 0; k < n; k++) {
        agent.logBelief[k] = (1 - w) * agent.logPrior[k]! + w * safeLog(p[k]!) + agent.evidence[k]!;
      }
      softmaxInto(agent.logBelief, agent.belief);
      return;
    }
    case 'noise': {
      // A fresh view around the price each step, uninformed and unbiased: belief_k =
      // p_k (1 + σ (z_k − Σ_j p_j z_j)) averages to p_k and sums to 1, so noise traders as a group
      // pull the price nowhere (noise in log-odds would, towards 1/n, by Jensen's inequality).
      const z = agent.draws;
      let mean = 0;
      for (let k = 0; k < n; k++) {
        z[k] = gaussian(ctx.rng);
        mean += p[k]! * z[k]!;
      }
      let sum = 0;
      for (let k = 0; k < n; k++) {
        // Rare draws below −1/σ would make a negative belief: floor at a tenth of the price.
        const v = p[k]! * Math.max(0.1, 1 + agent.scale * (z[k]! - mean));
        agent.belief[k] = v;
        sum += v;
      }
      for (let k = 0; k < n; k++) agent.belief[k] = agent.belief[k]! / sum;
      return;
    }
    case 'momentum': {
      // A ring of window + 1 log-price rows: the oldest row is reused for the newest.
      const now =
        agent.history.length > agent.window ? agent.history.shift()! : new Array<number>(n);
      for (let k = 0; k < n; k++) now[k] = safeLog(p[k]!);
      agent.history.push(now);
      const then = agent.history[0]!;
      const extrapolated = scratch(n, 0);
      for (let k = 0; k < n; k++) extrapolated[k] = now[k]! + agent.gain * (now[k]! - then[k]!);
      softmaxInto(extrapolated, agent.belief);
      return;
    }
    default:
      assertNever(agent);
  }
}

/**
 * The order the agent's belief asks for at prices `p`, or null. It considers buying the outcome
 * its belief rates above the price by more than `minEdge`, and selling a held one it rates below
 * the price by more than that (of several, the best per credit), sizes each by fractional Kelly —
 * the Kelly trade for its belief shrunk `kellyFraction` of the way from the price — and places the
 * one that gains more expected log wealth. A buy never costs more than its cash (rounded cost
 * included) and a sell never exceeds its holding.
 */
export function chooseOrder(agent: Agent, market: MarketView, p: readonly number[]): Order | null {
  const { belief, held, style } = agent;
  const n = p.length;
  const cash = agent.cashCents / 100;
  const shrunk = scratch(n, 1);
  let buyAt = -1;
  let buyScore = Number.NEGATIVE_INFINITY;
  let sellAt = -1;
  let sellScore = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const edge = belief[i]! - p[i]!;
    shrunk[i] = p[i]! + style.kellyFraction * edge;
    // Marginal expected log wealth per credit, less a term common to all outcomes.
    const perCredit = shrunk[i]! / (p[i]! * (cash + held[i]!));
    if (edge > style.minEdge && perCredit > buyScore) {
      buyScore = perCredit;
      buyAt = i;
    }
    if (-edge > style.minEdge && held[i]! > SHARE_EPSILON && perCredit < sellScore) {
      sellScore = perCredit;
      sellAt = i;
    }
  }
  if (buyAt < 0 && sellAt < 0) return null;
  const x = { q: market.q, b: market.liquidity, belief: shrunk, cash, held };
  const buy =
    buyAt >= 0 && agent.cashCents >= 1
      ? kellyTrade(x, buyAt, 0, maxBuyShares(market.q, market.liquidity, buyAt, cash))
      : NO_TRADE;
  const sell = sellAt >= 0 ? kellyTrade(x, sellAt, -held[sellAt]!, 0) : NO_TRADE;
  if (sell.gain > 0 && sell.gain >= buy.gain) {
    return -sell.shares >= MIN_ORDER_SHARES ? { outcomeIndex: sellAt, shares: sell.shares } : null;
  }
  if (!(buy.gain > 0)) return null;
  let shares = buy.shares;
  if (tradeCostCents(costToBuy(market.q, market.liquidity, buyAt, shares)) > agent.cashCents) {
    shares = sharesForBudget(market.q, market.liquidity, buyAt, agent.cashCents);
  }
  return shares >= MIN_ORDER_SHARES ? { outcomeIndex: buyAt, shares } : null;
}

const NO_TRADE = { shares: 0, gain: 0 } as const;

/**
 * One turn of an agent: advances its belief to `ctx.step`, then, with chance `style.activity`,
 * returns the order its belief asks for. Null means no trade this turn. Mutates only the agent's
 * belief state; cash and holdings change when the order is filled.
 */
export function decide(agent: Agent, market: MarketView, ctx: DecideContext): Order | null {
  const p = pricesInto(market.q, market.liquidity, scratch(market.q.length, 2));
  observe(agent, p, ctx);
  if (ctx.rng() >= agent.style.activity) return null;
  return chooseOrder(agent, market, p);
}

/** Shares that `amountCents` buys, shrunk until the rounded-up cost fits (as shared/trading.ts). */
function sharesForBudget(q: readonly number[], b: number, i: number, amountCents: number): number {
  let shares = sharesForAmount(q, b, i, amountCents / 100);
  for (let k = 0; k < 60 && tradeCostCents(costToBuy(q, b, i, shares)) > amountCents; k++) {
    shares *= 1 - 1e-9 * 2 ** k;
  }
  return shares;
}

/** ln p, with an underflowed price read as the smallest positive double. */
function safeLog(p: number): number {
  return Math.log(Math.max(p, Number.MIN_VALUE));
}

/** out = softmax(logs); logs is re-centred on its max so it never drifts towards overflow. */
function softmaxInto(logs: number[], out: number[]): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logs.length; i++) if (logs[i]! > max) max = logs[i]!;
  let sum = 0;
  for (let i = 0; i < logs.length; i++) {
    logs[i] = logs[i]! - max;
    const e = Math.exp(logs[i]!);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < logs.length; i++) out[i] = out[i]! / sum;
}

/**
 * Reusable work arrays, one per purpose, so a turn allocates nothing on the hot path. Each is
 * only read within the call that filled it (decide's prices, chooseOrder's shrunk belief, a
 * momentum trader's extrapolation), so sharing them between agents is safe.
 */
const scratchRows: number[][] = [[], [], []];
function scratch(n: number, purpose: 0 | 1 | 2): number[] {
  const row = scratchRows[purpose]!;
  if (row.length !== n) row.length = n;
  return row;
}

/** The softmax of q / b into out (as lmsr.ts prices, without allocating). */
function pricesInto(q: readonly number[], b: number, out: number[]): number[] {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < q.length; i++) if (q[i]! / b > max) max = q[i]! / b;
  let sum = 0;
  for (let i = 0; i < q.length; i++) {
    const e = Math.exp(q[i]! / b - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < q.length; i++) out[i] = out[i]! / sum;
  return out;
}
