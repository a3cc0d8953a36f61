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
import { GroupCommit } from '../services/groupCommit.ts';
import {
  closeMarket,
  createMarket,
  listMarkets,
  marketFromRequest,
  requireMarket,
} from '../services/markets.ts';
import { resolveMarket, unresolveMarket } from '../services/resolution.ts';
import { marketScores } from '../services/scores.ts';
import { closeIfOverdue, quote, trade } from '../services/trading.ts';
import { marketView, tradeView } from '../services/views.ts';
import { currentUser, requireAdmin, requireUser } from './auth.ts';
import { jsonBody, parse } from './errors.ts';

/** Markets, trading, forecasts and the lifecycle. */
export function marketRoutes(ctx: Ctx): Router {
  const r = Router();
  const commits = new GroupCommit(ctx);
  const id = (p: unknown) => parse(MarketId, p);

  r.get('/markets', (req, res) => {
    const { status } = parse(MarketListQuery, req.query);
    res.json({ markets: listMarkets(ctx, status) });
  });

  r.post('/markets', (req, res) => {
    const admin = requireAdmin(res);
    const body = parse(CreateMarketRequest, jsonBody(req));
    res
      .status(201)
      .json({ market: createMarket(ctx, admin.username, marketFromRequest(ctx, body)) });
  });

  r.get('/markets/:id', (req, res) => {
    res.json({ market: marketView(requireMarket(ctx, id(req.params.id))) });
  });

  r.get('/markets/:id/history', (req, res) => {
    const m = requireMarket(ctx, id(req.params.id));
    res.json({ points: ctx.store.history(m.id) });
  });

  r.get('/markets/:id/trades', (req, res) => {
    const m = requireMarket(ctx, id(req.params.id));
    const { limit } = parse(TradesQuery, req.query);
    res.json({ trades: ctx.store.trades(m.id, limit).map(tradeView) });
  });

  r.post('/markets/:id/quote', (req, res) => {
    const marketId = id(req.params.id);
    const body = parse(TradeRequest, jsonBody(req));
    res.json(quote(ctx, marketId, body, currentUser(res) ?? null));
  });

  r.post('/markets/:id/trades', async (req, res) => {
    const user = requireUser(res);
    const marketId = id(req.params.id);
    const body = parse(TradeRequest, jsonBody(req));
    // A market past its close time is closed on its own, not inside the trade that fails.
    closeIfOverdue(ctx, requireMarket(ctx, marketId));
    // Trades of one event-loop turn share one commit (one fsync); each answers after it.
    res.json(await commits.run(() => trade(ctx, marketId, body, user)));
  });

  r.post('/markets/:id/forecasts', (req, res) => {
    const user = requireUser(res);
    const marketId = id(req.params.id);
    const body = parse(ForecastRequest, jsonBody(req));
    res.status(201).json({ forecast: addForecast(ctx, marketId, body, user) });
  });

  r.get('/markets/:id/forecasts', (req, res) => {
    res.json(listForecasts(ctx, id(req.params.id)));
  });

  r.post('/markets/:id/close', (req, res) => {
    const admin = requireAdmin(res);
    const marketId = id(req.params.id);
    const body = parse(NoteRequest, jsonBody(req));
    res.json({ market: closeMarket(ctx, admin.username, marketId, body.note) });
  });

  r.post('/markets/:id/resolve', (req, res) => {
    const admin = requireAdmin(res);
    const marketId = id(req.params.id);
    const body = parse(ResolveRequest, jsonBody(req));
    res.json(resolveMarket(ctx, admin.username, marketId, body));
  });

  r.post('/markets/:id/unresolve', (req, res) => {
    const admin = requireAdmin(res);
    const marketId = id(req.params.id);
    const body = parse(NoteRequest, jsonBody(req));
    res.json({ market: unresolveMarket(ctx, admin.username, marketId, body.note) });
  });

  r.get('/markets/:id/scores', (req, res) => {
    res.json(marketScores(ctx, id(req.params.id)));
  });

  return r;
}
