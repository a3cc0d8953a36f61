import { useMemo } from 'react';
import { Link } from 'react-router-dom';
import type { Market } from '../../../../shared/schemas/index.ts';
import { describeError } from '../../api.ts';
import { useComments } from '../../hooks/useComments.ts';
import { threadsOf } from '../../lib/commentThread.ts';
import { CommentBox } from './CommentBox.tsx';
import { CommentItem, type Viewing } from './CommentItem.tsx';
import './comments.css';

/**
 * A market's threaded discussion, live: each message with its author's position and latest
 * forecast, replies indented under what they answer.
 */
export function Discussion({
  market,
  username,
  moderates,
}: {
  market: Market;
  username: string | null;
  moderates: boolean;
}) {
  const q = useComments(market.id);
  const threads = useMemo(() => threadsOf(q.data ?? []), [q.data]);
  const live = (q.data ?? []).filter((c) => !c.deleted).length;
  const viewing: Viewing = { market, username, moderates };
  return (
    <section className="panel discussion" aria-labelledby="discussion-h" data-testid="discussion">
      <h2 id="discussion-h">
        Discussion <span className="count">{live}</span>
      </h2>
      {username ? (
        <CommentBox marketId={market.id} label="Add to the discussion" />
      ) : (
        <p className="muted small">
          <Link to={`/login?next=${encodeURIComponent(`/markets/${market.id}`)}`}>Sign in</Link> to
          join the discussion.
        </p>
      )}
      {q.error ? (
        <p className="error" role="alert">
          The discussion could not be loaded: {describeError(q.error)}
        </p>
      ) : q.isLoading ? (
        <p className="muted" aria-live="polite">
          Loading the discussion…
        </p>
      ) : threads.length === 0 ? (
        <p className="muted" data-testid="discussion-empty">
          Nothing said yet. Why do you think the odds are right or wrong?
        </p>
      ) : (
        <ul className="comment-list top" data-testid="comment-list">
          {threads.map((t) => (
            <CommentItem key={t.comment.id} node={t} depth={0} viewing={viewing} />
          ))}
        </ul>
      )}
    </section>
  );
}
