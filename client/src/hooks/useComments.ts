import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Comment, CommentDeleted } from '../../../shared/schemas/index.ts';
import { api } from '../api.ts';
import { withComment, withDeleted } from '../lib/commentThread.ts';
import { socket } from '../live/socket.ts';

/** The query key of a market's comments. */
export const commentsKey = (marketId: string) => ['comments', marketId] as const;

/**
 * A market's comments, kept live: the server sends `comment` and `comment:deleted` to the
 * market's subscribers (the page subscribes through useLiveMarket), and after a reconnect the
 * list is fetched again, since events sent while disconnected are lost.
 */
export function useComments(marketId: string) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: commentsKey(marketId), queryFn: () => api.comments(marketId) });
  useEffect(() => {
    const key = commentsKey(marketId);
    // Socket payloads are server data like any answer: parsed before they are trusted.
    const onComment = (raw: Comment) => {
      const parsed = Comment.safeParse(raw);
      if (!parsed.success || parsed.data.marketId !== marketId) return;
      qc.setQueryData<Comment[]>(key, (old) => (old ? withComment(old, parsed.data) : old));
    };
    const onDeleted = (raw: CommentDeleted) => {
      const parsed = CommentDeleted.safeParse(raw);
      if (!parsed.success || parsed.data.marketId !== marketId) return;
      qc.setQueryData<Comment[]>(key, (old) => (old ? withDeleted(old, parsed.data.id) : old));
    };
    const onConnect = () => void qc.invalidateQueries({ queryKey: key });
    socket.on('comment', onComment);
    socket.on('comment:deleted', onDeleted);
    socket.on('connect', onConnect);
    return () => {
      socket.off('comment', onComment);
      socket.off('comment:deleted', onDeleted);
      socket.off('connect', onConnect);
    };
  }, [marketId, qc]);
  return q;
}
