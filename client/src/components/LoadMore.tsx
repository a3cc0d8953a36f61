import { useEffect, useRef } from 'react';
import { type PagedList, useLoadOnVisible } from '../hooks/useLoadOnVisible.ts';

/**
 * The end of a paged list: an invisible mark that loads the next page when scrolled into view,
 * a "Load more" button for keyboards and browsers without IntersectionObserver, a loading
 * line while a page is on its way, and "That's all" once every page has come.
 */
export function LoadMore({
  list,
  what,
  testId,
}: {
  list: PagedList;
  what: string;
  testId: string;
}) {
  const sentinel = useLoadOnVisible(list);
  const end = useRef<HTMLParagraphElement>(null);
  const pressed = useRef(false);
  const more = list.hasNextPage;
  const loading = list.isFetchingNextPage;
  const pages = list.data?.pages.length ?? 0;
  // The button goes away with the last page: focus moves to the note that took its place
  // rather than falling back to the top of the document.
  useEffect(() => {
    if (!more && pressed.current && document.activeElement === document.body) end.current?.focus();
  }, [more]);
  if (pages === 0) return null;
  return (
    <div className="load-more" data-testid={testId}>
      {more && <div ref={sentinel} className="list-end" aria-hidden="true" />}
      {more ? (
        <button
          type="button"
          className="ghost small-btn"
          // Not `disabled`: that would drop the keyboard focus while the page loads.
          aria-disabled={loading || undefined}
          onClick={() => {
            pressed.current = true;
            if (!loading) void list.fetchNextPage({ cancelRefetch: false });
          }}
        >
          {loading ? `Loading more ${what}…` : `Load more ${what}`}
        </button>
      ) : pages > 1 ? (
        <p ref={end} tabIndex={-1} className="muted small">
          That's all.
        </p>
      ) : null}
      <span className="sr-label" role="status">
        {loading ? `Loading more ${what}…` : ''}
      </span>
      {list.isFetchNextPageError && !loading && (
        <p className="error small" role="alert">
          More {what} could not be loaded. Try again.
        </p>
      )}
    </div>
  );
}
