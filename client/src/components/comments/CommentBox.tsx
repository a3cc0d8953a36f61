import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { type Comment, CreateCommentRequest } from '../../../../shared/schemas/index.ts';
import { ApiError, api, describeError } from '../../api.ts';
import { commentsKey } from '../../hooks/useComments.ts';
import { withComment } from '../../lib/commentThread.ts';

const MAX = 4000;

/** The box to write in a market's discussion: a new conversation, or a reply to `replyTo`. */
export function CommentBox({
  marketId,
  replyTo,
  label,
  onDone,
  onCancel,
}: {
  marketId: string;
  replyTo?: string;
  label: string;
  onDone?: (c: Comment) => void;
  onCancel?: () => void;
}) {
  const qc = useQueryClient();
  const id = useId();
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const post = useMutation({
    mutationFn: (body: CreateCommentRequest) => api.postComment(marketId, body),
    onSuccess: (c) => {
      // The socket brings the same comment to every subscriber; whichever lands first shows it.
      qc.setQueryData<Comment[]>(commentsKey(marketId), (old) => withComment(old ?? [], c));
      setText('');
      onDone?.(c);
    },
  });
  const submit = () => {
    setInvalid(null);
    const parsed = CreateCommentRequest.safeParse({ text, ...(replyTo ? { replyTo } : {}) });
    if (!parsed.success) {
      setInvalid(text.trim() ? `Up to ${MAX} characters.` : 'Write something first.');
      return;
    }
    post.mutate(parsed.data);
  };
  const error = invalid ?? (post.error ? errorText(post.error) : null);
  return (
    <form
      className="comment-box"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      data-testid={replyTo ? 'reply-box' : 'comment-box'}
    >
      <label htmlFor={`${id}-text`} className={replyTo ? 'sr-label' : undefined}>
        {label}
      </label>
      <textarea
        id={`${id}-text`}
        rows={replyTo ? 2 : 3}
        maxLength={MAX}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint`}
        data-testid={replyTo ? 'reply-text' : 'comment-text'}
        // A reply box opens on request, so it takes the focus.
        // biome-ignore lint/a11y/noAutofocus: opened by the reader's own click on Reply
        autoFocus={!!replyTo}
      />
      <div className="spread comment-box-foot">
        <span id={`${id}-hint`} className="muted small">
          {text.length > MAX - 500 ? `${MAX - text.length} characters left. ` : ''}
          Plain text; http(s) links become links.
        </span>
        <span className="row nowrap">
          {onCancel && (
            <button type="button" className="ghost small-btn" onClick={onCancel}>
              Cancel
            </button>
          )}
          <button
            type="submit"
            className="small-btn"
            disabled={post.isPending}
            data-testid={replyTo ? 'reply-submit' : 'comment-submit'}
          >
            {post.isPending ? 'Posting…' : replyTo ? 'Post reply' : 'Post'}
          </button>
        </span>
      </div>
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function errorText(e: unknown): string {
  if (e instanceof ApiError && e.code === 'rate_limited') {
    return 'You are posting quickly: wait a minute and try again.';
  }
  if (
    e instanceof ApiError &&
    (e.details as { field?: unknown } | undefined)?.field === 'replyTo'
  ) {
    return 'That reply names a message that is not in this discussion any more.';
  }
  return describeError(e);
}
