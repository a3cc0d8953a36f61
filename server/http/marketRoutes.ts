import { type Request, type Response, Router } from 'express';
import {
  CreateMarketRequest,
  ForecastRequest,
  ForecastsQuery,
  MarketId,
  MarketListQuery,
  type MarketsResponse,
  NoteRequest,
  ResolveRequest,
  TradeRequest,
  TradesQuery,
  type TradesResponse,
} from '../../shared/schemas/index.ts';
import {
  canSeeMarket,
  gate,
  noMarket,
  requireRole,
  requireVisibleMarket,
  requireVisibleSpace,
} from '../services/access.ts';
import type { Ctx } from '../services/context.ts';
import { addForecast, listForecasts } from '../services/forecasts.ts';
import { closeMarket, createMarket, listMarkets, marketFromRequest } from '../services/markets.ts';
import { idBefore, idCursor, pageByTime, pageOf } from '../services/paging.ts';
import { resolveMarket, unresolveMarket } from '../services/resolution.ts';
import { marketScores } from '../services/scores.ts';
import { quote, trade } from '../services/trading.ts';
import { marketView, tradeView } from '../services/views.ts';
import type { UserRow } from '../store/store.ts';
import { currentUser, requireAdmin, requireUser } from './auth.ts';
import { jsonBody, parse } from './errors.ts';
import { embedViewer, viewer } from './viewer.ts';

/** Markets, trading, forecasts and the lifecycle. */
export function marketRoutes(ctx: Ctx): Router {
  const r = Router();
  const id = (p: unknown) => parse(MarketId, p);

  /** The market, if the caller may see it; otherwise 404 as for one that does not exist. */
  const visible = async (req: Request, res: Response) =>
    requireVisibleMarket(ctx.store, await viewer(ctx, req, res), id(req.params.id));

  /**
   * Who may close, resolve and undo a market: admins, and a space's moderators and owners for
   * its markets. Anyone else gets what they would get for a market that does not exist.
   */
  const manager = async (req: Request, res: Response): Promise<UserRow> => {
    const marketId = id(req.params.id);
    const user = requireUser(res);
    const m = await ctx.store.market(marketId);
    const v = await viewer(ctx, req, res);
    // A market the caller may not see is one that does not exist.
    if (!m || !(await canSeeMarket(ctx.store, v, m))) throw noMarket(marketId);
    if (m.spaceId) await requireRole(ctx.store, v, m.spaceId, 'moderator');
    else requireAdmin(res);
    return user;
  };

  r.get('/markets', async (req, res) => {
    const { status, spaceId, limit, before } = parse(MarketListQuery, req.query);
    const v = await viewer(ctx, req, res);
    if (spaceId && spaceId !== 'public') await requireVisibleSpace(ctx.store, v, spaceId);
    // Newest first as the store lists them (ties by id), paged in memory: a list of markets
    // is short next to trades and forecasts.
    const page = pageByTime(
      await listMarkets(ctx, v, status, spaceId),
      { limit, before },
      (m) => ({ at: m.createdAt, id: m.id }),
      'asc',
    );
    const body: MarketsResponse = { markets: page.items, nextCursor: page.nextCursor };
    res.json(body);
  });

  r.post('/markets', async (req, res) => {
    const user = requireUser(res);
    const body = parse(CreateMarketRequest, jsonBody(req));
    // The public site's markets are the admins'; a space's, its moderators' and owners'.
    if (body.spaceId)
      await requireRole(ctx.store, await viewer(ctx, req, res), body.spaceId, 'moderator');
    else requireAdmin(res);
    const def = await marketFromRequest(ctx, body);
    res.status(201).json({ market: await createMarket(ctx, user.username, def) });
  });

  /** The card and history a signed embed of a private market may read. */
  const card = async (req: Request, res: Response) =>
    requireVisibleMarket(ctx.store, await embedViewer(ctx, req, res), id(req.params.id));

  r.get('/markets/:id', async (req, res) => {
    res.json({ market: marketView(await card(req, res)) });
  });

  r.get('/markets/:id/history', async (req, res) => {
    const m = await card(req, res);
    res.json({ points: await ctx.store.history(m.id) });
  });

  r.get('/markets/:id/trades', async (req, res) => {
    const m = await visible(req, res);
    const { limit, before } = parse(TradesQuery, req.query);
    const page = pageOf(await ctx.store.trades(m.id, limit + 1, idBefore(before)), limit, (t) =>
      idCursor(t.id),
    );
    const body: TradesResponse = { trades: page.items.map(tradeView), nextCursor: page.nextCursor };
    res.json(body);
  });

  /** The visibility check the trade, quote and forecast services run on the market they load. */
  const see = (req: Request, res: Response) => gate(ctx.store, () => viewer(ctx, req, res));

  r.post('/markets/:id/quote', async (req, res) => {
    const marketId = id(req.params.id);
    const body = parse(TradeRequest, jsonBody(req));
    res.json(await quote(ctx, marketId, body, currentUser(res) ?? null, see(req, res)));
  });

  r.post('/markets/:id/trades', async (req, res) => {
    const user = requireUser(res);
    const marketId = id(req.params.id);
    const body = parse(TradeRequest, jsonBody(req));
    // SQLite group-commits the trades of one event-loop turn (one fsync); each answers after it.
    res.json(await trade(ctx, marketId, body, user, see(req, res)));
  });

  r.post('/markets/:id/forecasts', async (req, res) => {
    const user = requireUser(res);
    const marketId = id(req.params.id);
    const body = parse(ForecastRequest, jsonBody(req));
    res.status(201).json({ forecast: await addForecast(ctx, marketId, body, user, see(req, res)) });
  });

  r.get('/markets/:id/forecasts', async (req, res) => {
    const q = parse(ForecastsQuery, req.query);
    res.json(await listForecasts(ctx, (await visible(req, res)).id, q));
  });

  r.post('/markets/:id/close', async (req, res) => {
    const admin = await manager(req, res);
    const marketId = id(req.params.id);
    const body = parse(NoteRequest, jsonBody(req));
    res.json({ market: await closeMarket(ctx, admin.username, marketId, body.note) });
  });

  r.post('/markets/:id/resolve', async (req, res) => {
    const admin = await manager(req, res);
    const marketId = id(req.params.id);
    const body = parse(ResolveRequest, jsonBody(req));
    res.json(await resolveMarket(ctx, admin.username, marketId, body));
  });

  r.post('/markets/:id/unresolve', async (req, res) => {
    const admin = await manager(req, res);
    const marketId = id(req.params.id);
    const body = parse(NoteRequest, jsonBody(req));
    res.json({ market: await unresolveMarket(ctx, admin.username, marketId, body.note) });
  });

  r.get('/markets/:id/scores', async (req, res) => {
    res.json(await marketScores(ctx, (await visible(req, res)).id));
  });

  return r;
}
