import { DomainError } from '../../shared/errors.ts';
import type { Comment, CreateCommentRequest } from '../../shared/schemas/index.ts';
import type { CommentRow } from '../store/spacesStore.ts';
import type { ForecastRow, PositionRow, UserRow } from '../store/store.ts';
import { hasRole, requireVisibleMarket, type Viewer } from './access.ts';
import { type Ctx, inTransaction, isoNow } from './context.ts';
import { latestPerUser } from './forecasts.ts';

/**
 * Threaded comments on a market, each shown with its author's position and latest forecast
 * (as the discussion on Metaculus and Manifold is). Text is stored as typed and sent as plain
 * text; the client renders it as text, turning only http(s) links into links.
 */

interface Context {
  positions: Map<string, PositionRow>;
  forecasts: Map<string, ForecastRow>;
}

async function contextOf(ctx: Ctx, marketId: string): Promise<Context> {
  const positions = new Map<string, PositionRow>();
  for (const p of await ctx.store.positionsOfMarket(marketId)) {
    if (p.shares <= 1e-9) continue;
    const best = positions.get(p.userId);
    if (!best || p.shares > best.shares) positions.set(p.userId, p);
  }
  const forecasts = new Map(
    latestPerUser(await ctx.store.forecastsOfMarket(marketId)).map((f) => [f.userId, f]),
  );
  return { positions, forecasts };
}

export function commentView(c: CommentRow, context?: Context): Comment {
  const out: Comment = {
    id: String(c.id),
    marketId: c.marketId,
    username: c.username,
    text: c.deletedAt ? '' : c.text,
    createdAt: c.createdAt,
  };
  if (c.replyTo !== null) out.replyTo = String(c.replyTo);
  if (c.deletedAt) {
    out.deleted = true;
    return out;
  }
  const p = context?.positions.get(c.userId);
  if (p) out.position = { outcomeId: p.outcomeId, shares: p.shares };
  const f = context?.forecasts.get(c.userId);
  if (f) out.forecast = f.probabilities;
  return out;
}

export async function listComments(ctx: Ctx, v: Viewer, marketId: string): Promise<Comment[]> {
  const m = await requireVisibleMarket(ctx.store, v, marketId);
  const context = await contextOf(ctx, m.id);
  return (await ctx.store.commentsOfMarket(m.id)).map((c) => commentView(c, context));
}

export async function addComment(
  ctx: Ctx,
  v: Viewer,
  user: UserRow,
  marketId: string,
  req: CreateCommentRequest,
): Promise<Comment> {
  const m = await requireVisibleMarket(ctx.store, v, marketId);
  const row = await inTransaction(ctx, async (tx, events) => {
    let replyTo: number | null = null;
    if (req.replyTo) {
      const parent = await tx.comment(Number(req.replyTo));
      if (!parent || parent.marketId !== m.id) {
        throw new DomainError('validation_failed', 'replyTo names no comment of this market', {
          field: 'replyTo',
        });
      }
      replyTo = parent.id;
    }
    const id = await tx.insertComment({
      marketId: m.id,
      userId: user.id,
      text: req.text,
      replyTo,
      createdAt: isoNow(ctx),
    });
    const c = (await tx.comment(id))!;
    // Position and forecast as of now, read in the same transaction.
    const own = await tx.positionsOfUserInMarket(user.id, m.id);
    const best = own.filter((p) => p.shares > 1e-9).sort((a, b) => b.shares - a.shares)[0];
    const f = (await tx.recentForecastsOfUser(user.id, 200)).find((x) => x.marketId === m.id);
    const context: Context = {
      positions: new Map(best ? [[user.id, best]] : []),
      forecasts: new Map(f ? [[user.id, f]] : []),
    };
    const comment = commentView(c, context);
    events.push({ type: 'comment', comment, spaceId: m.spaceId });
    return comment;
  });
  return row;
}

/** Deletes a comment: its author, the space's moderators and owners, or an admin. */
export async function deleteComment(ctx: Ctx, v: Viewer, id: number): Promise<void> {
  const c = await ctx.store.comment(id);
  const gone = () => new DomainError('not_found', `no comment ${id}`);
  if (!c) throw gone();
  const m = await requireVisibleMarket(ctx.store, v, c.marketId).catch(() => {
    throw gone();
  });
  const own = c.userId === v.user?.id;
  const moderates = v.admin || (m.spaceId !== null && hasRole(v, m.spaceId, 'moderator'));
  if (!own && !moderates) {
    throw new DomainError('forbidden', 'only its author or a moderator may delete a comment');
  }
  await inTransaction(ctx, async (tx, events) => {
    if (!(await tx.deleteComment(id, isoNow(ctx)))) throw gone();
    await tx.insertAudit({
      at: isoNow(ctx),
      actor: v.user?.username ?? 'system',
      action: 'comment.delete',
      marketId: m.id,
      detail: { commentId: String(id), author: c.username, own },
    });
    events.push({
      type: 'comment.deleted',
      deleted: { id: String(id), marketId: m.id },
      spaceId: m.spaceId,
    });
  });
}
