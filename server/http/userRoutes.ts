import { Router } from 'express';
import {
  AuditQuery,
  LeaderboardQuery,
  UserForecastsQuery,
  Username,
} from '../../shared/schemas/index.ts';
import { requireVisibleSpace } from '../services/access.ts';
import type { Ctx } from '../services/context.ts';
import { userForecasts } from '../services/forecasts.ts';
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
    const { limit } = parse(UserForecastsQuery, req.query);
    res.json(await userForecasts(ctx, await viewer(ctx, req, res), username, limit));
  });

  r.get('/audit', async (req, res) => {
    requireAdmin(res);
    const { limit } = parse(AuditQuery, req.query);
    res.json({ entries: await ctx.store.audit(limit) });
  });

  return r;
}
