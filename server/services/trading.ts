import { DomainError } from '../../shared/errors.ts';
import type {
  QuoteResponse,
  TradeRequest,
  TradeResponse,
  User,
} from '../../shared/schemas/index.ts';
import type { TradeContext, TradePlan } from '../../shared/trading.ts';
import { planTrade } from '../../shared/trading.ts';
import type { MarketRow, PositionRow, TradeRow, UserRow } from '../store/store.ts';
import { type Ctx, inTransaction, isoNow } from './context.ts';
import { closeOverdue, requireMarket, requireOpen, saveChange } from './markets.ts';
import { marketAccount, marketView, tradeView, userAccount, userView } from './views.ts';

function tradeContext(
  ctx: Ctx,
  m: MarketRow,
  user: UserRow | null,
): TradeContext & { positions: (PositionRow | undefined)[] } {
  const positions = m.outcomes.map((o) =>
    user ? ctx.store.position(user.id, m.id, o.id) : undefined,
  );
  return {
    type: m.type,
    outcomeIds: m.outcomes.map((o) => o.id),
    q: m.q,
    liquidity: m.liquidity,
    held: positions.map((p) => p?.shares ?? 0),
    balanceCents: user ? ctx.store.balanceOf(userAccount(user.id)) : null,
    positions,
  };
}

/** Closes the market first if its close time has passed, so the answer matches the state. */
export function closeIfOverdue(ctx: Ctx, m: MarketRow): MarketRow {
  if (m.status === 'open' && Date.parse(m.closesAt) <= ctx.now().getTime()) {
    closeOverdue(ctx);
    return requireMarket(ctx, m.id);
  }
  return m;
}

/** Prices a trade without making it. Anonymous quotes skip the funds and holdings checks. */
export function quote(
  ctx: Ctx,
  marketId: string,
  req: TradeRequest,
  user: UserRow | null,
): QuoteResponse {
  const m = closeIfOverdue(ctx, requireMarket(ctx, marketId));
  requireOpen(ctx, m);
  const plan = planTrade(tradeContext(ctx, m, user), req);
  return { shares: plan.shares, costCents: plan.costCents, probabilities: plan.probabilities };
}

/**
 * Makes a trade: one transaction moves the cash between the trader and the market account,
 * updates the position and the market's q, and records the trade. A retry with the same
 * idempotency key returns the first result and never trades twice.
 */
export function trade(ctx: Ctx, marketId: string, req: TradeRequest, user: UserRow): TradeResponse {
  const m = closeIfOverdue(ctx, requireMarket(ctx, marketId));
  return inTransaction(ctx, (events) => {
    if (req.idempotencyKey) {
      const first = ctx.store.tradeByIdempotencyKey(user.id, req.idempotencyKey);
      if (first) {
        if (first.marketId !== marketId) {
          throw new DomainError('conflict', 'that idempotency key was used for another market');
        }
        return {
          trade: tradeView(first),
          market: marketView(m),
          user: userView(ctx.store, user),
        };
      }
    }
    requireOpen(ctx, m);
    const tc = tradeContext(ctx, m, user);
    const plan: TradePlan = planTrade(tc, req);
    const at = isoNow(ctx);
    const txId = ctx.store.post({ kind: 'trade', marketId, ref: user.id, at }, [
      { account: userAccount(user.id), amountCents: -plan.costCents },
      { account: marketAccount(marketId), amountCents: plan.costCents },
    ]);
    const pos = tc.positions[plan.outcomeIndex];
    let shares = (pos?.shares ?? 0) + plan.shares;
    // Selling everything can leave float dust; a position is never negative.
    if (Math.abs(shares) < 1e-9) shares = 0;
    ctx.store.savePosition({
      userId: user.id,
      marketId,
      outcomeId: plan.outcomeId,
      shares,
      costCents: (pos?.costCents ?? 0) + plan.costCents,
    });
    m.q = plan.q;
    m.volumeCents += Math.abs(plan.costCents);
    const row: Omit<TradeRow, 'id' | 'username'> = {
      marketId,
      userId: user.id,
      outcomeId: plan.outcomeId,
      shares: plan.shares,
      costCents: plan.costCents,
      probabilities: plan.probabilities,
      createdAt: at,
      idempotencyKey: req.idempotencyKey ?? null,
    };
    const tradeId = ctx.store.insertTrade(row, txId);
    const market = saveChange(ctx, m, at, events);
    const t = tradeView({ ...row, id: tradeId, username: user.username });
    const u: User = userView(ctx.store, user, tc.balanceCents! - plan.costCents);
    events.push({ type: 'trade', trade: t, market, user: u });
    events.push({ type: 'balance', user: u });
    return { trade: t, market, user: u };
  });
}
