import type { Comment } from '../../../shared/schemas/index.ts';

/** A comment with its replies, oldest reply first. */
export interface ThreadNode {
  comment: Comment;
  replies: ThreadNode[];
}

/** Comment ids rise with time, so they order comments without parsing dates. */
const byId = (a: Comment, b: Comment) => Number(a.id) - Number(b.id);

/**
 * The comments of a market as threads: newest conversation first, each reply under its parent
 * in the order written. A reply whose parent is not in the list is shown as a conversation of
 * its own rather than lost.
 */
export function threadsOf(comments: readonly Comment[]): ThreadNode[] {
  const nodes = new Map<string, ThreadNode>();
  for (const c of [...comments].sort(byId)) nodes.set(c.id, { comment: c, replies: [] });
  const roots: ThreadNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.comment.replyTo ? nodes.get(node.comment.replyTo) : undefined;
    // A parent always has a smaller id, so a cycle cannot form.
    if (parent && Number(parent.comment.id) < Number(node.comment.id)) parent.replies.push(node);
    else roots.push(node);
  }
  return roots.reverse();
}

/**
 * Adds or replaces a comment (the live event and the poster's own answer both bring it); a
 * comment already deleted stays deleted.
 */
export function withComment(list: readonly Comment[], c: Comment): Comment[] {
  const i = list.findIndex((x) => x.id === c.id);
  if (i < 0) return [...list, c];
  if (list[i]!.deleted) return [...list];
  const next = [...list];
  next[i] = c;
  return next;
}

/** Marks a comment deleted in place: it keeps its spot in the thread, without its text. */
export function withDeleted(list: readonly Comment[], id: string): Comment[] {
  return list.map((c) => {
    if (c.id !== id) return c;
    const { position: _p, forecast: _f, ...rest } = c;
    return { ...rest, text: '', deleted: true };
  });
}
