/**
 * One simulated run of a seed market in virtual time: every agent takes one turn per step, in an
 * order shuffled each step, then the market resolves to the truth and every forecast is scored.
 * Deterministic: the same config gives the same result, number for number.
 */
import { median } from 'simple-statistics';
import { prices } from '../lmsr.ts';
import { brierScore, scoreTimelines, type Timeline } from '../scoring.ts';
import { type Agent, agentCounts, createAgents, speakersOf } from './agents.ts';
import { type AgentKind, outcomeIdsOf, resolveParams, type SimConfig } from './config.ts';
import { decide } from './decide.ts';
import { type Fill, fillOrder, openMarket, payoutOf, type SimMarket } from './market.ts';
import { createRng, drawIndex, shuffleInPlace } from './random.ts';

/** Timeline id of the market's price among the agents' (no agent id starts with a NUL). */
const MARKET_TIMELINE = '\u0000market';

/** The market's P(truth) must reach this and stay for the run to count as settled. */
export const SETTLED_PROBABILITY = 0.9;

export interface SimHooks {
  /** Called after every fill with the agent as it is after the fill. */
  onFill?: (fill: Fill, agent: Agent) => void;
}

/** Everything a run produced, before scoring: the raw material of `runSimulation`. */
export interface SimTrace {
  truthIndex: number;
  agents: Agent[];
  market: SimMarket;
  /** Prices at the open (index 0) and after each step's trades (index s + 1). */
  path: number[][];
  /** Agent a's belief at step s, outcome k, is beliefs[a][s · n + k] (flat, so recording is cheap). */
  beliefs: Float64Array[];
  steps: number;
  /** Fills per agent, by agent index. */
  fillsByAgent: number[];
}

export interface AgentResult {
  id: string;
  kind: AgentKind;
  label: string;
  budgetCents: number;
  /** Cash at the close, before payouts. */
  cashCents: number;
  payoutCents: number;
  /** cash + payout − budget. */
  profitCents: number;
  /** Time-averaged Brier score of its belief over the run (binary: on P(yes)). */
  brier: number;
  /** Time-averaged log score of its belief. */
  log: number;
  /** Time-averaged peer score against the market: > 0 beat the price, in log terms. */
  peer: number;
  fills: number;
  /** Personas only: the belief its claims set, and that belief's Brier score. */
  claimBelief?: number[];
  claimBrier?: number;
}

export interface SimResult {
  marketId: string;
  seed: number;
  truth: string;
  truthIndex: number;
  outcomeIds: string[];
  steps: number;
  counts: Record<AgentKind, number>;
  /** Prices at the open and after each step (steps + 1 entries). */
  path: number[][];
  finalProbabilities: number[];
  /** First step count after which P(truth) ≥ SETTLED_PROBABILITY for good; null if never. */
  settledAtStep: number | null;
  /** The market's time-averaged scores, its price after each step standing for that step. */
  market: { brier: number; log: number };
  bestAgent: { id: string; brier: number };
  medianAgentBrier: number;
  fills: number;
  volumeCents: number;
  /** The market's account at the close: subsidy plus net trading cash. */
  accountCents: number;
  payoutsCents: number;
  agents: AgentResult[];
}

/** The index of the true outcome: the given id, or a draw from the open's (uniform) prices. */
export function truthIndexOf(config: SimConfig): number {
  const outcomeIds = outcomeIdsOf(config.market);
  if (config.truth !== undefined) {
    const i = outcomeIds.indexOf(config.truth);
    if (i < 0) throw new RangeError(`${config.market.id} has no outcome ${config.truth}`);
    return i;
  }
  const open = prices(new Array<number>(outcomeIds.length).fill(0), config.market.liquidity);
  return drawIndex(open, createRng(config.seed, 'truth'));
}

/** Runs the agents on the market for `steps` steps; the core loop, without scoring. */
export function simulate(config: SimConfig, hooks: SimHooks = {}): SimTrace {
  const params = resolveParams(config);
  const truthIndex = truthIndexOf(config);
  const seeds = { market: config.market, personas: config.personas };
  const agents = createAgents({ params, truthIndex }, seeds, createRng(config.seed, 'agents'));
  const market = openMarket(outcomeIdsOf(config.market), config.market.liquidity);
  const rng = createRng(config.seed, 'run');
  const order = Int32Array.from(agents.keys());
  const path: number[][] = [prices(market.q, market.liquidity)];
  const n = market.outcomeIds.length;
  const beliefs = agents.map(() => new Float64Array(params.steps * n));
  const fillsByAgent = agents.map(() => 0);
  for (let step = 0; step < params.steps; step++) {
    const ctx = { rng, step };
    shuffleInPlace(order, rng);
    for (let k = 0; k < order.length; k++) {
      const a = order[k]!;
      const agent = agents[a]!;
      const o = decide(agent, market, ctx);
      if (o === null) continue;
      const fill = fillOrder(market, agent, o);
      fillsByAgent[a]! += 1;
      hooks.onFill?.(fill, agent);
    }
    for (let a = 0; a < agents.length; a++) beliefs[a]!.set(agents[a]!.belief, step * n);
    path.push(prices(market.q, market.liquidity));
  }
  return { truthIndex, agents, market, path, beliefs, steps: params.steps, fillsByAgent };
}

/** First k with P(truth) ≥ level at every point of path from k on; null if the last is below. */
export function settledAt(
  path: readonly number[][],
  truthIndex: number,
  level: number,
): number | null {
  let k = path.length;
  while (k > 0 && path[k - 1]![truthIndex]! >= level) k--;
  return k === path.length ? null : k;
}

/** Runs, resolves and scores one seeded simulation of a seed market. */
export function runSimulation(config: SimConfig, hooks: SimHooks = {}): SimResult {
  const params = resolveParams(config);
  const trace = simulate(config, hooks);
  const { truthIndex, agents, market, path, beliefs, fillsByAgent, steps } = trace;
  const n = market.outcomeIds.length;
  const timelines: Timeline[] = agents.map((a, k) => ({
    id: a.id,
    points: Array.from({ length: steps }, (_, t) => ({
      t,
      probabilities: Array.from(beliefs[k]!.subarray(t * n, (t + 1) * n)),
    })),
  }));
  // The market's price after step s stands for step s, as the agents' beliefs at step s do.
  const marketTimeline: Timeline = {
    id: MARKET_TIMELINE,
    points: path.slice(1).map((probabilities, t) => ({ t, probabilities })),
  };
  timelines.push(marketTimeline);
  // Peer scores against the market alone: above 0 means a forecast beat the price in log terms.
  const scores = scoreTimelines(timelines, truthIndex, { openAt: 0, closeAt: steps }, [
    marketTimeline,
  ]);
  const agentResults: AgentResult[] = agents.map((a, k) => {
    const s = scores.get(a.id)!;
    const payout = payoutOf(a, truthIndex);
    const result: AgentResult = {
      id: a.id,
      kind: a.kind,
      label: a.label,
      budgetCents: a.budgetCents,
      cashCents: a.cashCents,
      payoutCents: payout,
      profitCents: a.cashCents + payout - a.budgetCents,
      brier: s.brier!,
      log: s.log!,
      peer: s.peer!,
      fills: fillsByAgent[k]!,
    };
    if (a.kind === 'persona') {
      result.claimBelief = a.claimBelief;
      result.claimBrier = brierScore(a.claimBelief, truthIndex);
    }
    return result;
  });
  let best = agentResults[0]!;
  for (const r of agentResults) if (r.brier < best.brier) best = r;
  const marketScore = scores.get(MARKET_TIMELINE)!;
  return {
    marketId: config.market.id,
    seed: config.seed,
    truth: market.outcomeIds[truthIndex]!,
    truthIndex,
    outcomeIds: [...market.outcomeIds],
    steps,
    counts: agentCounts(params, speakersOf(config.market).length),
    path,
    finalProbabilities: path[path.length - 1]!,
    settledAtStep: settledAt(path, truthIndex, SETTLED_PROBABILITY),
    market: { brier: marketScore.brier!, log: marketScore.log! },
    bestAgent: { id: best.id, brier: best.brier },
    medianAgentBrier: median(agentResults.map((r) => r.brier)),
    fills: market.fills,
    volumeCents: market.volumeCents,
    accountCents: market.accountCents,
    payoutsCents: agentResults.reduce((s, r) => s + r.payoutCents, 0),
    agents: agentResults,
  };
}
