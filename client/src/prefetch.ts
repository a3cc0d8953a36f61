import type { QueryClient } from '@tanstack/react-query';
import { api } from './api.ts';
import { forecastsQuery, tradesQuery } from './listQueries.ts';

/**
 * Starts the requests a deep-linked page needs before React renders it, under the same query
 * keys the page uses, so they run beside the page's chunk download instead of after it. An
 * embed's `?token=` goes with its reads, as the page sends it.
 */
export function prefetchFor(qc: QueryClient, pathname: string, search = ''): void {
  const m = /^\/(?:markets|embed)\/([a-z0-9-]+)\/?$/.exec(pathname);
  if (!m) return;
  const id = m[1]!;
  const token = pathname.startsWith('/embed/')
    ? new URLSearchParams(search).get('token') || undefined
    : undefined;
  void qc.prefetchQuery({ queryKey: ['market', id], queryFn: () => api.market(id, token) });
  void qc.prefetchQuery({ queryKey: ['history', id], queryFn: () => api.history(id, token) });
  if (pathname.startsWith('/markets/')) {
    void qc.prefetchInfiniteQuery(forecastsQuery(id));
    void qc.prefetchInfiniteQuery(tradesQuery(id));
  }
}
