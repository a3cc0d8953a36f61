import { DomainError } from '../../shared/errors.ts';
import type { Comment, CreateCommentRequest } from '../../shared/schemas/index.ts';
import type { CommentRow } from '../store/spacesStore.ts';
import type { UserRow } from '../store/store.ts';
import { hasRole, requireVisibleMarket, type Viewer } from './access.ts';
import { type Ctx, inTransaction, isoNow } from './context.ts';
import { idBefore, idCursor, pageOf } from './paging.ts';

/**
 * Threaded comments on a market, each shown with its author's position and latest forecast as
 * they were when the comment was written (as the discussions on Metaculus and Manifold are). Text is stored as typed and sent as plain
 * text; the client renders it as text, turning only http(s) links into links.
 */

/** A comment as the API shows it, with its author's stake as it was when they wrote it. */
export function commentView(c: CommentRow): Comment {
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
  if (c.position) out.position = c.position;
  if (c.forecast) out.forecast = c.forecast;
  return out;
}

/** A page of a market's comments, newest first (clients thread them). */
export async function listComments(
  ctx: Ctx,
  v: Viewer,
  marketId: string,
  q: { limit: number; before?: string },
): Promise<{ comments: Comment[]; nextCursor: string | null }> {
  const m = await requireVisibleMarket(ctx.store, v, marketId);
  const before = idBefore(q.before);
  const newest = (await ctx.store.commentsOfMarket(m.id))
    .reverse()
    .filter((c) => before === undefined || c.id < before);
  const page = pageOf(newest.slice(0, q.limit + 1), q.limit, (c) => idCursor(c.id));
  return { comments: page.items.map(commentView), nextCursor: page.nextCursor };
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
    // The author's stake as they write: their largest holding and their latest forecast.
    const own = await tx.positionsOfUserInMarket(user.id, m.id);
    const best = own.filter((p) => p.shares > 1e-9).sort((a, b) => b.shares - a.shares)[0];
    const latest = (await tx.forecastsOfMarket(m.id)).filter((f) => f.userId === user.id).at(-1);
    const id = await tx.insertComment({
      marketId: m.id,
      userId: user.id,
      text: req.text,
      replyTo,
      createdAt: isoNow(ctx),
      position: best ? { outcomeId: best.outcomeId, shares: best.shares } : null,
      forecast: latest?.probabilities ?? null,
    });
    const c = (await tx.comment(id))!;
    const comment = commentView(c);
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
