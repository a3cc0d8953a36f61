import { DomainError, isDomainError } from '../../shared/errors.ts';
import type {
  QuoteResponse,
  TradeRequest,
  TradeResponse,
  User,
} from '../../shared/schemas/index.ts';
import type { TradeContext, TradePlan } from '../../shared/trading.ts';
import { planTrade } from '../../shared/trading.ts';
import type { MarketRow, PositionRow, Queries, TradeRow, UserRow } from '../store/store.ts';
import type { Gate } from './access.ts';
import { type Ctx, inTransaction, isoNow } from './context.ts';
import { closeOverdue, lockMarket, requireMarket, requireOpen, saveChange } from './markets.ts';
import { marketAccount, marketView, tradeView, userAccount, userView } from './views.ts';

/** A user's holdings in a market and their balance: read (and, in a trade, locked) together. */
async function holdingsOf(
  q: Queries,
  userId: string,
  marketId: string,
  lockBalance: boolean,
): Promise<{ held: PositionRow[]; balanceCents: number }> {
  const account = userAccount(userId);
  const [held, balanceCents] = await Promise.all([
    q.positionsOfUserInMarket(userId, marketId),
    lockBalance ? q.balanceForUpdate(account) : q.balanceOf(account),
  ]);
  return { held, balanceCents };
}

/** What pricing a trade needs: the market's q and the user's holdings and balance. */
function tradeContext(
  m: MarketRow,
  h: { held: PositionRow[]; balanceCents: number } | null,
): TradeContext & { positions: (PositionRow | undefined)[] } {
  const positions = m.outcomes.map((o) => h?.held.find((p) => p.outcomeId === o.id));
  return {
    type: m.type,
    outcomeIds: m.outcomes.map((o) => o.id),
    q: m.q,
    liquidity: m.liquidity,
    held: positions.map((p) => p?.shares ?? 0),
    balanceCents: h ? h.balanceCents : null,
    positions,
  };
}

/** Closes the market first if its close time has passed, so the answer matches the state. */
export async function closeIfOverdue(ctx: Ctx, m: MarketRow): Promise<MarketRow> {
  if (m.status === 'open' && Date.parse(m.closesAt) <= ctx.now().getTime()) {
    await closeOverdue(ctx);
    return requireMarket(ctx.store, m.id);
  }
  return m;
}

/** Prices a trade without making it. Anonymous quotes skip the funds and holdings checks. */
export async function quote(
  ctx: Ctx,
  marketId: string,
  req: TradeRequest,
  user: UserRow | null,
  see?: Gate,
): Promise<QuoteResponse> {
  const found = await requireMarket(ctx.store, marketId);
  await see?.(found);
  const m = await closeIfOverdue(ctx, found);
  requireOpen(ctx, m);
  const h = user ? await holdingsOf(ctx.store, user.id, m.id, false) : null;
  const plan = planTrade(tradeContext(m, h), req);
  return { shares: plan.shares, costCents: plan.costCents, probabilities: plan.probabilities };
}

/**
 * Makes a trade: one transaction locks the market (ordering its trades on every node), moves
 * the cash between the trader and the market account, updates the position and the market's
 * q, and records the trade. A retry with the same idempotency key returns the first result and
 * never trades twice.
 */
export async function trade(
  ctx: Ctx,
  marketId: string,
  req: TradeRequest,
  user: UserRow,
  see?: Gate,
): Promise<TradeResponse> {
  try {
    return await tradeOnce(ctx, marketId, req, user, see);
  } catch (err) {
    // A market past its close time is closed on its own, not inside the trade that fails,
    // so the answer and the state agree.
    if (isDomainError(err) && err.code === 'market_not_open' && 'closesAt' in Object(err.details)) {
      await closeOverdue(ctx);
      throw err;
    }
    // Two requests with one key on two markets lock different rows; the second to commit hits
    // the unique key. Run it again: now it finds the first and answers as a retry does.
    if (
      !(err instanceof DomainError) &&
      req.idempotencyKey &&
      (await ctx.store.tradeByIdempotencyKey(user.id, req.idempotencyKey))
    ) {
      return tradeOnce(ctx, marketId, req, user, see);
    }
    throw err;
  }
}

function tradeOnce(
  ctx: Ctx,
  marketId: string,
  req: TradeRequest,
  user: UserRow,
  see?: Gate,
): Promise<TradeResponse> {
  return inTransaction(ctx, async (tx, events) => {
    // Issued together, in this order: one round trip on PostgreSQL, the market locked first
    // (the one lock that orders its trades), then the trader's balance.
    const [m, first, h] = await Promise.all([
      lockMarket(tx, marketId),
      req.idempotencyKey ? tx.tradeByIdempotencyKey(user.id, req.idempotencyKey) : undefined,
      holdingsOf(tx, user.id, marketId, true),
    ]);
    await see?.(m);
    const tc = tradeContext(m, h);
    if (req.idempotencyKey) {
      if (first) {
        if (first.marketId !== marketId) {
          throw new DomainError('conflict', 'that idempotency key was used for another market');
        }
        return {
          trade: tradeView(first),
          market: marketView(m),
          user: await userView(tx, user),
        };
      }
    }
    requireOpen(ctx, m);
    const plan: TradePlan = planTrade(tc, req);
    const at = isoNow(ctx);
    const pos = tc.positions[plan.outcomeIndex];
    let shares = (pos?.shares ?? 0) + plan.shares;
    // Selling everything can leave float dust; a position is never negative.
    if (Math.abs(shares) < 1e-9) shares = 0;
    await tx.savePosition({
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
    // The state change's writes go first, without waiting: they leave with the trade's row.
    const market = await saveChange(tx, m, at, events);
    const { tradeId } = await tx.postTrade(
      { kind: 'trade', marketId, ref: user.id, at },
      [
        { account: userAccount(user.id), amountCents: -plan.costCents },
        { account: marketAccount(marketId), amountCents: plan.costCents },
      ],
      row,
    );
    const t = tradeView({ ...row, id: tradeId, username: user.username });
    const u: User = await userView(tx, user, tc.balanceCents! - plan.costCents);
    events.push({ type: 'trade', trade: t, market, user: u });
    events.push({ type: 'balance', user: u });
    return { trade: t, market, user: u };
  });
}
