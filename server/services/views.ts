import { prices } from '../../shared/lmsr.ts';
import type { Forecast, Market, Trade, User } from '../../shared/schemas/index.ts';
import type { ForecastRow, MarketRow, Queries, TradeRow, UserRow } from '../store/store.ts';

/** Storage rows to the API objects of API.md. */

export function userAccount(userId: string): string {
  return `user:${userId}`;
}
export function marketAccount(marketId: string): string {
  return `market:${marketId}`;
}
export const HOUSE = 'house';

export function marketView(m: MarketRow): Market {
  const p = prices(m.q, m.liquidity);
  const out: Market = {
    id: m.id,
    question: m.question,
    description: m.description,
    criteria: m.criteria,
    tags: m.tags,
    type: m.type,
    outcomes: m.outcomes.map((o, i) => ({
      id: o.id,
      label: o.label,
      probability: p[i]!,
      shares: m.q[i]!,
    })),
    liquidity: m.liquidity,
    status: m.status,
    createdAt: m.createdAt,
    closesAt: m.closesAt,
    volumeCents: m.volumeCents,
    seq: m.seq,
    resolution: m.resolution,
    claims: m.claims,
  };
  if (m.spaceId) out.spaceId = m.spaceId;
  if (m.proposedBy) out.proposedBy = m.proposedBy;
  return out;
}

/** `balanceCents`, when the caller has just computed it, saves reading it back. */
export async function userView(q: Queries, u: UserRow, balanceCents?: number): Promise<User> {
  const user: User = {
    id: u.id,
    username: u.username,
    role: u.role,
    balanceCents: balanceCents ?? (await q.balanceOf(userAccount(u.id))),
    createdAt: u.createdAt,
  };
  if (u.bot) user.bot = true;
  return user;
}

export function tradeView(t: TradeRow): Trade {
  return {
    id: String(t.id),
    marketId: t.marketId,
    userId: t.userId,
    username: t.username,
    outcomeId: t.outcomeId,
    shares: t.shares,
    costCents: t.costCents,
    probabilities: t.probabilities,
    createdAt: t.createdAt,
  };
}

export function forecastView(f: ForecastRow): Forecast {
  const out: Forecast = {
    id: String(f.id),
    marketId: f.marketId,
    userId: f.userId,
    username: f.username,
    probabilities: f.probabilities,
    createdAt: f.createdAt,
  };
  if (f.comment) out.comment = f.comment;
  return out;
}
