import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Ctx } from './context.ts';

/**
 * Signed embed URLs. A private market's embed (an iframe on a team's wiki, where no session
 * cookie reaches) reads the market with a token a member made: HMAC-SHA256 of the market id
 * under a secret every node shares (kept in the database, made once). The token grants reading
 * that one market's card (`GET /api/markets/:id`), its price history and its price updates over
 * the socket; not its trades, forecasts, comments or scores, and no write.
 */

const KEY = 'embed_secret';
const secrets = new WeakMap<Ctx, Promise<Buffer>>();

function secretOf(ctx: Ctx): Promise<Buffer> {
  let s = secrets.get(ctx);
  if (!s) {
    s = (async () => {
      await ctx.store.claimMeta(KEY, randomBytes(32).toString('base64url'));
      return Buffer.from((await ctx.store.getMeta(KEY))!, 'base64url');
    })();
    s.catch(() => secrets.delete(ctx));
    secrets.set(ctx, s);
  }
  return s;
}

function mac(secret: Buffer, marketId: string): Buffer {
  return createHmac('sha256', secret).update(`embed:${marketId}`).digest();
}

/** A token `<market id in base64url>.<mac>` for one market. */
export async function embedToken(ctx: Ctx, marketId: string): Promise<string> {
  const secret = await secretOf(ctx);
  return `${Buffer.from(marketId).toString('base64url')}.${mac(secret, marketId).toString('base64url')}`;
}

/** The market a token is for, if it is genuine. */
export async function verifyEmbedToken(
  ctx: Ctx,
  token: string | undefined,
): Promise<string | undefined> {
  if (!token || token.length > 300) return undefined;
  const m = /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return undefined;
  const marketId = Buffer.from(m[1]!, 'base64url').toString();
  const given = Buffer.from(m[2]!, 'base64url');
  const want = mac(await secretOf(ctx), marketId);
  return given.length === want.length && timingSafeEqual(given, want) ? marketId : undefined;
}
