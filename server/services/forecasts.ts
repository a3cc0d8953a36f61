import { communityMedian, extremizedMean } from '../../shared/community.ts';
import { DomainError } from '../../shared/errors.ts';
import type {
  Community,
  Forecast,
  ForecastRequest,
  ForecastsResponse,
  UserForecastsResponse,
} from '../../shared/schemas/index.ts';
import type { ForecastRow, MarketRow, UserRow } from '../store/store.ts';
import { canSeeMarket, type Gate, type Viewer } from './access.ts';
import { type Ctx, inTransaction, isoNow } from './context.ts';
import { requireMarket, requireOpen } from './markets.ts';
import { idBefore, idCursor, pageOf } from './paging.ts';
import { forecastView } from './views.ts';

/** A forecast request as a probability vector in outcome order, summing to exactly 1. */
export function forecastVector(m: MarketRow, req: ForecastRequest): number[] {
  let v: number[];
  if (req.probability !== undefined) {
    if (m.type !== 'binary') {
      throw new DomainError('validation_failed', 'a multiple-choice forecast needs probabilities', {
        field: 'probabilities',
      });
    }
    v = [req.probability, 1 - req.probability];
  } else {
    v = req.probabilities!;
    if (v.length !== m.outcomes.length) {
      throw new DomainError(
        'validation_failed',
        `probabilities must have ${m.outcomes.length} entries, one per outcome`,
        { field: 'probabilities' },
      );
    }
  }
  const sum = v.reduce((a, b) => a + b, 0);
  return v.map((p) => p / sum);
}

export function addForecast(
  ctx: Ctx,
  marketId: string,
  req: ForecastRequest,
  user: UserRow,
  see?: Gate,
): Promise<Forecast> {
  return inTransaction(ctx, async (tx, events) => {
    const m = await requireMarket(tx, marketId);
    await see?.(m);
    requireOpen(ctx, m);
    const id = await tx.insertForecast({
      marketId,
      userId: user.id,
      probabilities: forecastVector(m, req),
      comment: req.comment ? req.comment : null,
      createdAt: isoNow(ctx),
    });
    const forecast = forecastView((await tx.forecast(id))!);
    events.push({ type: 'forecast', forecast, spaceId: m.spaceId });
    return forecast;
  });
}

/** Each user's latest forecast, oldest to newest (the community aggregate's input). */
export function latestPerUser(rows: readonly ForecastRow[]): ForecastRow[] {
  const latest = new Map<string, ForecastRow>();
  for (const f of rows) {
    latest.delete(f.userId);
    latest.set(f.userId, f);
  }
  return [...latest.values()];
}

export function community(rows: readonly ForecastRow[]): Community {
  const latest = latestPerUser(rows).map((f) => ({
    t: Date.parse(f.createdAt),
    probabilities: f.probabilities,
  }));
  return {
    probabilities: communityMedian(latest),
    count: latest.length,
    extremized: extremizedMean(latest),
  };
}

/** A page of a user's forecasts over the markets the viewer may see, newest first. */
export async function userForecasts(
  ctx: Ctx,
  v: Viewer,
  username: string,
  q: { limit: number; before?: string },
): Promise<UserForecastsResponse> {
  const u = await ctx.store.userByUsername(username);
  if (!u) throw new DomainError('not_found', `no user ${username}`);
  const markets = new Map<string, boolean>();
  const seen = async (id: string) => {
    let ok = markets.get(id);
    if (ok === undefined) {
      const m = await ctx.store.market(id);
      ok = m !== undefined && (await canSeeMarket(ctx.store, v, m));
      markets.set(id, ok);
    }
    return ok;
  };
  // One more than a page of visible ones, reading on past forecasts the viewer may not see.
  const shown: ForecastRow[] = [];
  let before = idBefore(q.before);
  for (;;) {
    const rows = await ctx.store.recentForecastsOfUser(u.id, q.limit + 1, before);
    for (const f of rows) {
      if (shown.length > q.limit) break;
      if (await seen(f.marketId)) shown.push(f);
    }
    if (shown.length > q.limit || rows.length <= q.limit) break;
    before = rows[rows.length - 1]!.id;
  }
  const page = pageOf(shown, q.limit, (f) => idCursor(f.id));
  return { forecasts: page.items.map(forecastView), nextCursor: page.nextCursor };
}

/** A page of a market's forecasts, newest first, and the community forecast of them all. */
export async function listForecasts(
  ctx: Ctx,
  marketId: string,
  q: { limit: number; before?: string } = { limit: 1000 },
): Promise<ForecastsResponse> {
  await requireMarket(ctx.store, marketId);
  const rows = await ctx.store.forecastsOfMarket(marketId);
  const before = idBefore(q.before);
  const newest = [...rows].reverse().filter((f) => before === undefined || f.id < before);
  const page = pageOf(newest.slice(0, q.limit + 1), q.limit, (f) => idCursor(f.id));
  return {
    forecasts: page.items.map(forecastView),
    community: community(rows),
    nextCursor: page.nextCursor,
  };
}
