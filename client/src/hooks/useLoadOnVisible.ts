import { useEffect, useState } from 'react';

/** What a paged list shows of its infinite query (TanStack Query's result has all of it). */
export interface PagedList {
  data: { pages: readonly unknown[] } | undefined;
  hasNextPage: boolean;
  isFetching: boolean;
  isFetchingNextPage: boolean;
  isFetchNextPageError: boolean;
  fetchNextPage: (options?: { cancelRefetch?: boolean }) => Promise<unknown>;
}

/**
 * A ref for an element at the end of a list: while it is in view, the next page loads. Watched
 * only while there is more and nothing is loading; a fresh observer reports at once, so an end
 * still in view after a short page loads the next too. Not after a failed page, or it would
 * retry without end: the list's button retries. Without IntersectionObserver it does nothing
 * and the button is the way.
 */
export function useLoadOnVisible(list: PagedList): (el: HTMLElement | null) => void {
  const [el, setEl] = useState<HTMLElement | null>(null);
  const ready = list.hasNextPage && !list.isFetching && !list.isFetchNextPageError;
  const { fetchNextPage } = list;
  useEffect(() => {
    if (!el || !ready || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver(
      (entries) => {
        // cancelRefetch false: a page already on its way is not asked for twice.
        if (entries.some((e) => e.isIntersecting)) void fetchNextPage({ cancelRefetch: false });
      },
      // A little early, so the next page is often there before the end shows.
      { rootMargin: '0px 0px 240px 0px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [el, ready, fetchNextPage]);
  return setEl;
}
