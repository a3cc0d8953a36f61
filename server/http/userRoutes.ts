import { Router } from 'express';
import {
  AuditQuery,
  LeaderboardQuery,
  UserForecastsQuery,
  Username,
} from '../../shared/schemas/index.ts';
import type { Ctx } from '../services/context.ts';
import { userForecasts } from '../services/forecasts.ts';
import { leaderboard, userProfile } from '../services/scores.ts';
import { requireAdmin } from './auth.ts';
import { parse } from './errors.ts';

/** Leaderboards, public profiles, and the admins' audit log. */
export function userRoutes(ctx: Ctx): Router {
  const r = Router();

  r.get('/leaderboard', (req, res) => {
    const { metric } = parse(LeaderboardQuery, req.query);
    res.json(leaderboard(ctx, metric));
  });

  r.get('/users/:username', (req, res) => {
    res.json(userProfile(ctx, parse(Username, req.params.username)));
  });

  r.get('/users/:username/forecasts', (req, res) => {
    const username = parse(Username, req.params.username);
    const { limit } = parse(UserForecastsQuery, req.query);
    res.json(userForecasts(ctx, username, limit));
  });

  r.get('/audit', (req, res) => {
    requireAdmin(res);
    const { limit } = parse(AuditQuery, req.query);
    res.json({ entries: ctx.store.audit(limit) });
  });

  return r;
}
