import type { Request, Response } from 'express';
import { type Viewer, viewerOf } from '../services/access.ts';
import type { Ctx } from '../services/context.ts';
import { verifyEmbedToken } from '../services/embeds.ts';
import { currentUser } from './auth.ts';

/** The header a signed embed sends its token in. */
export const EMBED_HEADER = 'x-parity-embed';

/**
 * Who is asking, with their spaces, read once per request (so a removal applies from the next
 * request on).
 */
export async function viewer(ctx: Ctx, _req: Request, res: Response): Promise<Viewer> {
  const locals = res.locals as { viewer?: Promise<Viewer> };
  locals.viewer ??= viewerOf(ctx.store, currentUser(res));
  return locals.viewer;
}

/**
 * The viewer of what an embed card shows (the market and its price history): as `viewer`, plus
 * the one market a genuine signed embed token names. Only those two reads take the token.
 */
export async function embedViewer(ctx: Ctx, req: Request, res: Response): Promise<Viewer> {
  const header = req.headers[EMBED_HEADER];
  const embed = await verifyEmbedToken(ctx, typeof header === 'string' ? header : undefined);
  if (!embed) return viewer(ctx, req, res);
  return viewerOf(ctx.store, currentUser(res), embed);
}

/** Where links to this server point: PUBLIC_URL, else the host the request came to. */
export function baseUrlOf(ctx: Ctx, req: Request): string {
  return (ctx.config.PUBLIC_URL ?? `${req.protocol}://${req.headers.host}`).replace(/\/$/, '');
}
