import { DomainError } from './errors.ts';
import { costToBuy, logitOf, prices, sharesForAmount } from './lmsr.ts';
import { tradeCostCents } from './money.ts';
import type { TradeRequest } from './schemas/http.ts';

/** What the trade planner needs to know about a market and the trader. */
export interface TradeContext {
  type: 'binary' | 'multiple';
  outcomeIds: readonly string[];
  /** Outstanding shares by outcome. */
  q: readonly number[];
  liquidity: number;
  /** Shares of each outcome the trader holds (by index); all zero for anonymous quotes. */
  held: readonly number[];
  /** The trader's balance; null skips the funds check (anonymous quotes). */
  balanceCents: number | null;
}

/** A priced trade, ready to apply. */
export interface TradePlan {
  outcomeIndex: number;
  outcomeId: string;
  /** < 0 sells. */
  shares: number;
  /** What the trader's balance loses (< 0: proceeds), rounded in the market's favour. */
  costCents: number;
  /** Probabilities after the trade. */
  probabilities: number[];
  /** q after the trade. */
  q: number[];
}

/** Shares below this are float noise: a sell of everything held may overshoot by this much. */
const SHARE_EPSILON = 1e-9;

/**
 * Prices a trade request against a market: resolves the three request forms to a number of
 * shares, checks shares held and funds, applies the slippage guard. Throws a DomainError for
 * anything the trader must change; never touches state.
 */
export function planTrade(ctx: TradeContext, req: TradeRequest): TradePlan {
  let index = ctx.outcomeIds.indexOf(req.outcomeId);
  if (index < 0) {
    throw new DomainError('validation_failed', `no outcome ${req.outcomeId} in this market`, {
      outcomeId: req.outcomeId,
    });
  }
  const b = ctx.liquidity;
  let shares: number;
  if (req.shares !== undefined) {
    shares = req.shares;
  } else if (req.amountCents !== undefined) {
    shares = sharesForBudget(ctx.q, b, index, req.amountCents);
  } else {
    const target = req.toProbability!;
    // Log-odds from q, not from the rounded price, so lopsided markets stay exact.
    shares = b * (Math.log(target / (1 - target)) - logitOf(ctx.q, b, index));
    // A binary forecaster without enough shares to sell lowers P(i) by buying the other side.
    if (shares < 0 && ctx.type === 'binary' && ctx.held[index]! < -shares - SHARE_EPSILON) {
      index = 1 - index;
      shares = b * (Math.log((1 - target) / target) - logitOf(ctx.q, b, index));
    }
  }
  if (!Number.isFinite(shares) || Math.abs(shares) < SHARE_EPSILON) {
    throw new DomainError('validation_failed', 'the trade is empty: the market is already there');
  }
  if (shares < 0) {
    const held = ctx.held[index]!;
    if (-shares > held + SHARE_EPSILON) {
      throw new DomainError(
        'insufficient_shares',
        `you hold ${held} shares of ${ctx.outcomeIds[index]}`,
        {
          held,
        },
      );
    }
    if (-shares > held) shares = -held;
  }
  const costCents = tradeCostCents(costToBuy(ctx.q, b, index, shares));
  if (req.maxCostCents !== undefined && costCents > req.maxCostCents) {
    throw new DomainError('slippage', `the trade costs ${costCents} cents, above your limit`, {
      costCents,
      maxCostCents: req.maxCostCents,
    });
  }
  if (ctx.balanceCents !== null && costCents > 0 && costCents > ctx.balanceCents) {
    throw new DomainError('insufficient_funds', `the trade costs ${costCents} cents`, {
      costCents,
      balanceCents: ctx.balanceCents,
    });
  }
  const q = ctx.q.slice();
  q[index] = q[index]! + shares;
  return {
    outcomeIndex: index,
    outcomeId: ctx.outcomeIds[index]!,
    shares,
    costCents,
    probabilities: prices(q, b),
    q,
  };
}

/**
 * Shares that `amountCents` buys at price p, shrunk until the rounded-up cost fits the budget
 * (the closed form can land a hair above it, which ceil would turn into one cent too many).
 */
function sharesForBudget(q: readonly number[], b: number, i0: number, amountCents: number): number {
  let shares = sharesForAmount(q, b, i0, amountCents / 100);
  for (let i = 0; i < 60 && tradeCostCents(costToBuy(q, b, i0, shares)) > amountCents; i++) {
    shares *= 1 - 1e-9 * 2 ** i;
  }
  return shares;
}
