import type { Request, Response } from 'express';
import { type Viewer, viewerOf } from '../services/access.ts';
import type { Ctx } from '../services/context.ts';
import { verifyEmbedToken } from '../services/embeds.ts';
import { currentUser } from './auth.ts';

/** The header a signed embed sends its token in. */
export const EMBED_HEADER = 'x-parity-embed';

/**
 * Who is asking, with their spaces, read once per request (so a removal applies from the next
 * request on). A signed embed token adds read access to its one market.
 */
export async function viewer(ctx: Ctx, req: Request, res: Response): Promise<Viewer> {
  const locals = res.locals as { viewer?: Promise<Viewer> };
  if (!locals.viewer) {
    locals.viewer = (async () => {
      // An embed only reads: its token counts on GET and nowhere else.
      const header = req.method === 'GET' ? req.headers[EMBED_HEADER] : undefined;
      const embed = await verifyEmbedToken(ctx, typeof header === 'string' ? header : undefined);
      return viewerOf(ctx.store, currentUser(res), embed);
    })();
  }
  return locals.viewer;
}

/** Where links to this server point: PUBLIC_URL, else the host the request came to. */
export function baseUrlOf(ctx: Ctx, req: Request): string {
  return (ctx.config.PUBLIC_URL ?? `${req.protocol}://${req.headers.host}`).replace(/\/$/, '');
}
