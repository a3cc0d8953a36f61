import { describe, expect, it } from 'vitest';
import { threadsOf, withComment, withDeleted } from '../../client/src/lib/commentThread.ts';
import type { Comment } from '../../shared/schemas/index.ts';

function comment(id: number, replyTo?: number, extra: Partial<Comment> = {}): Comment {
  return {
    id: String(id),
    marketId: 'm',
    username: `user_${id}`,
    text: `message ${id}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, id)).toISOString(),
    ...(replyTo === undefined ? {} : { replyTo: String(replyTo) }),
    ...extra,
  };
}

/** A thread as nested ids, for readable expectations. */
type Shape = [string, Shape[]];
const shape = (nodes: ReturnType<typeof threadsOf>): Shape[] =>
  nodes.map((n) => [n.comment.id, shape(n.replies)]);

describe('threadsOf', () => {
  it('puts the newest conversation first and replies under their parent, oldest first', () => {
    const list = [comment(1), comment(2), comment(3, 1), comment(4, 3), comment(5, 1)];
    expect(shape(threadsOf(list))).toEqual([
      ['2', []],
      [
        '1',
        [
          ['3', [['4', []]]],
          ['5', []],
        ],
      ],
    ]);
  });

  it('orders by id whatever order the list comes in', () => {
    const list = [comment(5, 1), comment(1), comment(3, 1)];
    expect(shape(threadsOf(list))).toEqual([
      [
        '1',
        [
          ['3', []],
          ['5', []],
        ],
      ],
    ]);
  });

  it('shows a reply whose parent is missing as a conversation of its own', () => {
    expect(shape(threadsOf([comment(2), comment(7, 6)]))).toEqual([
      ['7', []],
      ['2', []],
    ]);
  });

  it('keeps a deleted comment in place so its replies stay under it', () => {
    const list = withDeleted([comment(1), comment(2, 1)], '1');
    const [root] = threadsOf(list);
    expect(root!.comment).toMatchObject({ id: '1', deleted: true, text: '' });
    expect(root!.replies.map((r) => r.comment.id)).toEqual(['2']);
  });
});

describe('withComment and withDeleted', () => {
  it('adds a comment once, however many times it arrives', () => {
    const c = comment(1);
    expect(withComment(withComment([], c), c)).toEqual([c]);
  });

  it('does not bring back the text of a comment already deleted', () => {
    const deleted = withDeleted([comment(1)], '1');
    expect(withComment(deleted, comment(1))).toEqual(deleted);
  });

  it('drops the position and forecast of a deleted comment', () => {
    const c = comment(1, undefined, {
      position: { outcomeId: 'yes', shares: 10 },
      forecast: [0.7, 0.3],
    });
    expect(withDeleted([c], '1')[0]).toEqual({
      id: '1',
      marketId: 'm',
      username: 'user_1',
      text: '',
      createdAt: c.createdAt,
      deleted: true,
    });
  });
});
