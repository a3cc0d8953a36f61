import { parse as parseCookie, serialize } from 'cookie';
import type { RequestHandler, Response } from 'express';
import { DomainError } from '../../shared/errors.ts';
import { userByApiToken, userBySession } from '../services/accounts.ts';
import type { Ctx } from '../services/context.ts';
import type { UserRow } from '../store/store.ts';

export const SESSION_COOKIE = 'parity_session';

interface AuthLocals {
  user?: UserRow;
  authVia?: 'cookie' | 'token';
  sessionToken?: string;
}

function locals(res: Response): AuthLocals {
  return res.locals as AuthLocals;
}

export function currentUser(res: Response): UserRow | undefined {
  return locals(res).user;
}

export function sessionToken(res: Response): string | undefined {
  return locals(res).sessionToken;
}

/** The signed-in user, or 401. */
export function requireUser(res: Response): UserRow {
  const u = locals(res).user;
  if (!u) throw new DomainError('unauthenticated', 'sign in first');
  return u;
}

/** An admin, or 401/403. */
export function requireAdmin(res: Response): UserRow {
  const u = requireUser(res);
  if (u.role !== 'admin') throw new DomainError('forbidden', 'admins only');
  return u;
}

/** Session cookie or Bearer token → the user. A bad Bearer token is a 401, not anonymity. */
export function authenticate(ctx: Ctx): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer ([A-Za-z0-9_\-.~+/=]{10,200})$/.exec(header);
      const user = m ? await userByApiToken(ctx, m[1]!) : undefined;
      if (!user) throw new DomainError('unauthenticated', 'invalid or revoked API token');
      locals(res).user = user;
      locals(res).authVia = 'token';
      next();
      return;
    }
    const token = sessionFromCookieHeader(req.headers.cookie);
    if (token) {
      const user = await userBySession(ctx, token);
      if (user) {
        locals(res).user = user;
        locals(res).authVia = 'cookie';
        locals(res).sessionToken = token;
      }
    }
    next();
  };
}

export function sessionFromCookieHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const token = parseCookie(header)[SESSION_COOKIE];
  return token && token.length <= 100 ? token : undefined;
}

/** The hosts this server answers as, for the same-origin checks: the Host it was reached at, and PUBLIC_URL's. */
export function ownHosts(host: string | undefined, publicUrl: string | undefined): Set<string> {
  const hosts = new Set<string>();
  if (host) hosts.add(host.toLowerCase());
  if (publicUrl) hosts.add(new URL(publicUrl).host.toLowerCase());
  return hosts;
}

/** The host an Origin or Referer names: undefined when absent, null when it names none ("null"). */
export function originHost(value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  try {
    return new URL(value).host.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * CSRF: a state-changing request that carries a session cookie is accepted only from our own
 * origin (Origin, else Referer, must name this host). Bearer-token requests carry no ambient
 * credential and are exempt. A cross-site Origin is refused on any unsafe request.
 */
export function sameOrigin(ctx: Ctx): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') {
      next();
      return;
    }
    const hosts = ownHosts(req.headers.host, ctx.config.PUBLIC_URL);
    const origin = originHost(req.headers.origin ?? req.headers.referer);
    const viaCookie = locals(res).authVia === 'cookie';
    if (origin === undefined && !viaCookie) {
      next();
      return;
    }
    if (!origin || !hosts.has(origin)) {
      throw new DomainError('forbidden', 'cross-site request refused');
    }
    next();
  };
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  return serialize(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(): string {
  return serialize(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 0 });
}
