import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { Comment, Market } from '../../../../shared/schemas/index.ts';
import { api, describeError } from '../../api.ts';
import { dateTime, relative, shares } from '../../format.ts';
import { commentsKey } from '../../hooks/useComments.ts';
import type { ThreadNode } from '../../lib/commentThread.ts';
import { withDeleted } from '../../lib/commentThread.ts';
import { describe } from '../ForecastPanel.tsx';
import { LinkifiedText } from '../LinkifiedText.tsx';
import { CommentBox } from './CommentBox.tsx';

/** Replies deeper than this are not indented further, so a long thread fits a phone. */
const MAX_INDENT = 4;

export interface Viewing {
  market: Market;
  /** The signed-in user's name; null when signed out (no reply or delete). */
  username: string | null;
  /** Admins and the space's moderators and owners may delete anyone's (the server decides). */
  moderates: boolean;
}

/** One comment with its author's stake, and its replies under it. */
export function CommentItem({
  node,
  depth,
  viewing,
}: {
  node: ThreadNode;
  depth: number;
  viewing: Viewing;
}) {
  const { comment: c, replies } = node;
  const [replying, setReplying] = useState(false);
  const canDelete =
    !c.deleted &&
    viewing.username !== null &&
    (c.username === viewing.username || viewing.moderates);
  return (
    <li
      className={`comment-item${depth > 0 ? ' reply' : ''}${depth >= MAX_INDENT ? ' flat' : ''}`}
      data-testid="comment"
      data-comment-id={c.id}
      data-depth={depth}
    >
      <article className="comment-body" aria-labelledby={`c-${c.id}-by`}>
        <header className="comment-head">
          {c.deleted ? (
            <span id={`c-${c.id}-by`} className="muted">
              Deleted
            </span>
          ) : (
            <Link id={`c-${c.id}-by`} to={`/users/${c.username}`} className="comment-author">
              {c.username}
            </Link>
          )}
          <Stake comment={c} market={viewing.market} />
          <time className="muted small" dateTime={c.createdAt} title={dateTime(c.createdAt)}>
            {relative(c.createdAt)}
          </time>
        </header>
        {c.deleted ? (
          <p className="comment-text muted" data-testid="comment-deleted">
            This message was deleted.
          </p>
        ) : (
          <p className="comment-text" data-testid="comment-text">
            <LinkifiedText text={c.text} />
          </p>
        )}
        {viewing.username && !c.deleted && (
          <div className="row comment-actions">
            <button
              type="button"
              className="link-button small"
              aria-expanded={replying}
              onClick={() => setReplying(!replying)}
              data-testid="comment-reply"
            >
              Reply
            </button>
            {canDelete && <DeleteButton comment={c} />}
          </div>
        )}
        {replying && (
          <CommentBox
            marketId={c.marketId}
            replyTo={c.id}
            label={`Reply to ${c.username}`}
            onDone={() => setReplying(false)}
            onCancel={() => setReplying(false)}
          />
        )}
      </article>
      {replies.length > 0 && (
        <ul className="comment-list">
          {replies.map((r) => (
            <CommentItem key={r.comment.id} node={r} depth={depth + 1} viewing={viewing} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** The author's largest holding and latest forecast, so a reader can weigh what they say. */
function Stake({ comment: c, market }: { comment: Comment; market: Market }) {
  if (c.deleted || (!c.position && !c.forecast)) return null;
  const label = (id: string) => market.outcomes.find((o) => o.id === id)?.label ?? id;
  return (
    <span className="comment-stake small" data-testid="comment-stake">
      {c.position && (
        <span
          className={`stake-position${market.type === 'binary' ? (c.position.outcomeId === 'yes' ? ' up' : ' down') : ''}`}
          data-testid="comment-position"
        >
          holds {shares(c.position.shares)} {label(c.position.outcomeId)}
        </span>
      )}
      {c.forecast && (
        <span className="stake-forecast" data-testid="comment-forecast">
          forecasts {describe(market, c.forecast)}
        </span>
      )}
    </span>
  );
}

function DeleteButton({ comment: c }: { comment: Comment }) {
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => api.deleteComment(c.id),
    onSuccess: () =>
      qc.setQueryData<Comment[]>(commentsKey(c.marketId), (old) =>
        old ? withDeleted(old, c.id) : old,
      ),
  });
  if (!confirming) {
    return (
      <button
        type="button"
        className="link-button small danger-link"
        onClick={() => setConfirming(true)}
        data-testid="comment-delete"
      >
        Delete
      </button>
    );
  }
  return (
    <span className="row nowrap small">
      <span>Delete this?</span>
      <button
        type="button"
        className="danger small-btn"
        disabled={remove.isPending}
        onClick={() => remove.mutate()}
        data-testid="comment-delete-confirm"
      >
        {remove.isPending ? 'Deleting…' : 'Delete'}
      </button>
      <button type="button" className="ghost small-btn" onClick={() => setConfirming(false)}>
        Keep
      </button>
      {remove.error && (
        <span className="error small" role="alert">
          {describeError(remove.error)}
        </span>
      )}
    </span>
  );
}
