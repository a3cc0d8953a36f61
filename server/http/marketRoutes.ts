import { Router } from 'express';
import {
  CreateMarketRequest,
  ForecastRequest,
  MarketId,
  MarketListQuery,
  NoteRequest,
  ResolveRequest,
  TradeRequest,
  TradesQuery,
} from '../../shared/schemas/index.ts';
import type { Ctx } from '../services/context.ts';
import { addForecast, listForecasts } from '../services/forecasts.ts';
import {
  closeMarket,
  createMarket,
  listMarkets,
  marketFromRequest,
  requireMarket,
} from '../services/markets.ts';
import { resolveMarket, unresolveMarket } from '../services/resolution.ts';
import { marketScores } from '../services/scores.ts';
import { quote, trade } from '../services/trading.ts';
import { marketView, tradeView } from '../services/views.ts';
import { currentUser, requireAdmin, requireUser } from './auth.ts';
import { jsonBody, parse } from './errors.ts';

/** Markets, trading, forecasts and the lifecycle. */
export function marketRoutes(ctx: Ctx): Router {
  const r = Router();
  const id = (p: unknown) => parse(MarketId, p);

  r.get('/markets', async (req, res) => {
    const { status } = parse(MarketListQuery, req.query);
    res.json({ markets: await listMarkets(ctx, status) });
  });

  r.post('/markets', async (req, res) => {
    const admin = requireAdmin(res);
    const body = parse(CreateMarketRequest, jsonBody(req));
    const def = await marketFromRequest(ctx, body);
    res.status(201).json({ market: await createMarket(ctx, admin.username, def) });
  });

  r.get('/markets/:id', async (req, res) => {
    res.json({ market: marketView(await requireMarket(ctx.store, id(req.params.id))) });
  });

  r.get('/markets/:id/history', async (req, res) => {
    const m = await requireMarket(ctx.store, id(req.params.id));
    res.json({ points: await ctx.store.history(m.id) });
  });

  r.get('/markets/:id/trades', async (req, res) => {
    const m = await requireMarket(ctx.store, id(req.params.id));
    const { limit } = parse(TradesQuery, req.query);
    res.json({ trades: (await ctx.store.trades(m.id, limit)).map(tradeView) });
  });

  r.post('/markets/:id/quote', async (req, res) => {
    const marketId = id(req.params.id);
    const body = parse(TradeRequest, jsonBody(req));
    res.json(await quote(ctx, marketId, body, currentUser(res) ?? null));
  });

  r.post('/markets/:id/trades', async (req, res) => {
    const user = requireUser(res);
    const marketId = id(req.params.id);
    const body = parse(TradeRequest, jsonBody(req));
    // SQLite group-commits the trades of one event-loop turn (one fsync); each answers after it.
    res.json(await trade(ctx, marketId, body, user));
  });

  r.post('/markets/:id/forecasts', async (req, res) => {
    const user = requireUser(res);
    const marketId = id(req.params.id);
    const body = parse(ForecastRequest, jsonBody(req));
    res.status(201).json({ forecast: await addForecast(ctx, marketId, body, user) });
  });

  r.get('/markets/:id/forecasts', async (req, res) => {
    res.json(await listForecasts(ctx, id(req.params.id)));
  });

  r.post('/markets/:id/close', async (req, res) => {
    const admin = requireAdmin(res);
    const marketId = id(req.params.id);
    const body = parse(NoteRequest, jsonBody(req));
    res.json({ market: await closeMarket(ctx, admin.username, marketId, body.note) });
  });

  r.post('/markets/:id/resolve', async (req, res) => {
    const admin = requireAdmin(res);
    const marketId = id(req.params.id);
    const body = parse(ResolveRequest, jsonBody(req));
    res.json(await resolveMarket(ctx, admin.username, marketId, body));
  });

  r.post('/markets/:id/unresolve', async (req, res) => {
    const admin = requireAdmin(res);
    const marketId = id(req.params.id);
    const body = parse(NoteRequest, jsonBody(req));
    res.json({ market: await unresolveMarket(ctx, admin.username, marketId, body.note) });
  });

  r.get('/markets/:id/scores', async (req, res) => {
    res.json(await marketScores(ctx, id(req.params.id)));
  });

  return r;
}
