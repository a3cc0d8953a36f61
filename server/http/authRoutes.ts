import { Router } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { DomainError } from '../../shared/errors.ts';
import { Credentials, type MeResponse, NoteRequest, SpaceId } from '../../shared/schemas/index.ts';
import { requireRole } from '../services/access.ts';
import {
  createApiToken,
  createSession,
  endSession,
  login,
  register,
} from '../services/accounts.ts';
import type { Ctx } from '../services/context.ts';
import { userView } from '../services/views.ts';
import { clearSessionCookie, requireUser, sessionCookie, sessionToken } from './auth.ts';
import { jsonBody, parse } from './errors.ts';
import { RateLimiter } from './rateLimit.ts';
import { viewer } from './viewer.ts';

/** A token may be scoped to one space the user belongs to: it then sees only that space. */
const TokenRequest = z.object({ spaceId: SpaceId.optional() }).strict();

/** Accounts: register, login (rate-limited per IP and per username), logout, me, tokens. */
export function authRoutes(ctx: Ctx, redis?: Redis): Router {
  const r = Router();
  const logins = ctx.config.LOGINS_PER_15_MIN;
  const perIp = new RateLimiter(logins, 15 * 60_000, {
    redis,
    prefix: `${ctx.config.REDIS_PREFIX}:rl:login-ip`,
  });
  const perUsername = new RateLimiter(Math.ceil(logins / 3), 15 * 60_000, {
    redis,
    prefix: `${ctx.config.REDIS_PREFIX}:rl:login-user`,
  });
  const registrations = new RateLimiter(ctx.config.REGISTRATIONS_PER_HOUR, 60 * 60_000, {
    redis,
    prefix: `${ctx.config.REDIS_PREFIX}:rl:register-ip`,
  });

  r.post('/auth/register', async (req, res) => {
    const creds = parse(Credentials, jsonBody(req));
    const hit = await registrations.hit(`ip:${req.ip}`);
    if (!hit.ok) {
      throw new DomainError(
        'rate_limited',
        'too many registrations from this address',
        { retryAfter: hit.retryAfterSeconds },
        hit.retryAfterSeconds,
      );
    }
    const user = await register(ctx, creds);
    const s = await createSession(ctx, user.id);
    res.setHeader('Set-Cookie', sessionCookie(s.token, s.expiresAt, req.secure));
    res.status(201).json({ user });
  });

  r.post('/auth/login', async (req, res) => {
    const creds = parse(Credentials, jsonBody(req));
    const ipKey = `ip:${req.ip}`;
    const userKey = `user:${creds.username}`;
    const byIp = await perIp.hit(ipKey);
    // An address already over its limit does not count against the username: otherwise one
    // address could lock anyone out, and fill the limiter with a key per name it tries.
    const byUser = byIp.ok ? await perUsername.hit(userKey) : undefined;
    if (!byIp.ok || !byUser?.ok) {
      const wait = Math.max(
        byIp.ok ? 0 : byIp.retryAfterSeconds,
        byUser && !byUser.ok ? byUser.retryAfterSeconds : await perUsername.retryAfter(userKey),
      );
      res.setHeader('Retry-After', String(Math.max(1, wait)));
      throw new DomainError('rate_limited', 'too many login attempts; try again later');
    }
    const user = await login(ctx, creds);
    await perUsername.reset(userKey);
    const s = await createSession(ctx, user.id);
    res.setHeader('Set-Cookie', sessionCookie(s.token, s.expiresAt, req.secure));
    res.json({ user });
  });

  r.post('/auth/logout', async (req, res) => {
    requireUser(res);
    parse(NoteRequest.partial(), jsonBody(req));
    const token = sessionToken(res);
    if (token) await endSession(ctx, token);
    res.setHeader('Set-Cookie', clearSessionCookie());
    res.status(204).end();
  });

  r.get('/me', async (_req, res) => {
    const u = requireUser(res);
    const positions = (await ctx.store.positionsOfUser(u.id))
      .filter((p) => p.shares > 1e-9)
      .map((p) => ({
        marketId: p.marketId,
        outcomeId: p.outcomeId,
        shares: p.shares,
        costCents: p.costCents,
      }));
    const body: MeResponse = { user: await userView(ctx.store, u), positions };
    res.json(body);
  });

  r.post('/me/tokens', async (req, res) => {
    const u = requireUser(res);
    const { spaceId } = parse(TokenRequest, jsonBody(req));
    // A scoped token makes tokens of its own scope only: it cannot widen itself.
    if (u.scopeSpaceId && spaceId !== u.scopeSpaceId) {
      throw new DomainError(
        'forbidden',
        'a token scoped to a space makes only tokens of that space',
      );
    }
    if (spaceId) await requireRole(ctx.store, await viewer(ctx, req, res), spaceId, 'member');
    const { token, id } = await createApiToken(ctx, u.id, spaceId ?? null);
    res.status(201).json({ token, id });
  });

  r.delete('/me/tokens/:id', async (req, res) => {
    const u = requireUser(res);
    const id = String(req.params.id);
    // Ids are made by randomId('tok_', 6); anything else names no token.
    if (!/^tok_[A-Za-z0-9_-]{1,32}$/.test(id)) throw new DomainError('not_found', 'no such token');
    if (!(await ctx.store.revokeApiToken(id, u.id, ctx.now().toISOString()))) {
      throw new DomainError('not_found', 'no such token');
    }
    res.status(204).end();
  });

  return r;
}
