import { Router } from 'express';
import {
  AuditQuery,
  type AuditResponse,
  LeaderboardQuery,
  UserForecastsQuery,
  Username,
} from '../../shared/schemas/index.ts';
import { requireVisibleSpace } from '../services/access.ts';
import type { Ctx } from '../services/context.ts';
import { userForecasts } from '../services/forecasts.ts';
import { idBefore, idCursor, pageOf } from '../services/paging.ts';
import { leaderboard, userProfile } from '../services/scores.ts';
import { requireAdmin } from './auth.ts';
import { parse } from './errors.ts';
import { viewer } from './viewer.ts';

/** Leaderboards, public profiles, and the admins' audit log. */
export function userRoutes(ctx: Ctx): Router {
  const r = Router();

  r.get('/leaderboard', async (req, res) => {
    const { metric, spaceId } = parse(LeaderboardQuery, req.query);
    const v = await viewer(ctx, req, res);
    if (spaceId) await requireVisibleSpace(ctx.store, v, spaceId);
    res.json(await leaderboard(ctx, v, metric, spaceId));
  });

  r.get('/users/:username', async (req, res) => {
    const v = await viewer(ctx, req, res);
    res.json(await userProfile(ctx, v, parse(Username, req.params.username)));
  });

  r.get('/users/:username/forecasts', async (req, res) => {
    const username = parse(Username, req.params.username);
    const q = parse(UserForecastsQuery, req.query);
    res.json(await userForecasts(ctx, await viewer(ctx, req, res), username, q));
  });

  r.get('/audit', async (req, res) => {
    requireAdmin(res);
    const { limit, before } = parse(AuditQuery, req.query);
    const rows = await ctx.store.audit(limit + 1, idBefore(before));
    const page = pageOf(rows, limit, (e) => idCursor(e.id!));
    const body: AuditResponse = {
      entries: page.items.map(({ id: _, ...entry }) => entry),
      nextCursor: page.nextCursor,
    };
    res.json(body);
  });

  return r;
}
