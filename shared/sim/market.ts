/**
 * The simulator's market: the LMSR state and its money account, filled through the same quote
 * (`costToBuy`) and rounding (`tradeCostCents`, `payoutCents`) as people's trades on the server.
 */
import { costToBuy } from '../lmsr.ts';
import { payoutCents, subsidyCents, tradeCostCents } from '../money.ts';
import type { Agent } from './agents.ts';
import type { Order } from './decide.ts';

export interface SimMarket {
  outcomeIds: readonly string[];
  /** b, in shares. */
  liquidity: number;
  /** Outstanding shares by outcome; changed in place by fills. */
  q: number[];
  /** The market's account: the house subsidy plus net trading cash, in cents. */
  accountCents: number;
  /** Sum of |cost| of all fills, in cents. */
  volumeCents: number;
  fills: number;
}

/** A filled order: what changed hands. */
export interface Fill {
  agentId: string;
  outcomeIndex: number;
  /** < 0 sold. */
  shares: number;
  /** What the agent's cash lost (< 0: proceeds), rounded in the market's favour. */
  costCents: number;
}

/** A market as seed markets open: q = 0 (uniform prices), funded with ceil(100 · b · ln n) cents. */
export function openMarket(outcomeIds: readonly string[], liquidity: number): SimMarket {
  return {
    outcomeIds,
    liquidity,
    q: new Array<number>(outcomeIds.length).fill(0),
    accountCents: subsidyCents(liquidity, outcomeIds.length),
    volumeCents: 0,
    fills: 0,
  };
}

/**
 * Fills an order from `decide`: moves cash and shares between the agent and the market. An order
 * that would sell shares the agent does not hold or cost more than its cash is a bug in the
 * decision code, so it throws rather than returning an error value.
 */
export function fillOrder(market: SimMarket, agent: Agent, order: Order): Fill {
  const { outcomeIndex: i } = order;
  let { shares } = order;
  const held = agent.held[i];
  if (held === undefined || !Number.isFinite(shares))
    throw new Error(`bad order ${JSON.stringify(order)}`);
  if (shares < 0 && -shares > held) {
    // A sell of everything held may overshoot by float noise; beyond that it is a bug.
    if (-shares > held + 1e-9) throw new Error(`${agent.id} sells ${-shares} of ${held} held`);
    shares = -held;
  }
  const costCents = tradeCostCents(costToBuy(market.q, market.liquidity, i, shares));
  if (costCents > agent.cashCents) {
    throw new Error(`${agent.id} spends ${costCents} cents of ${agent.cashCents}`);
  }
  agent.cashCents -= costCents;
  agent.held[i] = shares < 0 && -shares === held ? 0 : held + shares;
  market.q[i] = market.q[i]! + shares;
  market.accountCents += costCents;
  market.volumeCents += Math.abs(costCents);
  market.fills += 1;
  return { agentId: agent.id, outcomeIndex: i, shares, costCents };
}

/** What each agent is paid at resolution: floor(100 · shares of the true outcome) cents. */
export function payoutOf(agent: Agent, truthIndex: number): number {
  return payoutCents(agent.held[truthIndex] ?? 0);
}
