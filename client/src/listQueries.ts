import { infiniteQueryOptions } from '@tanstack/react-query';
import type { DeliveryStatus } from '../../shared/schemas/index.ts';
import { api } from './api.ts';

/**
 * The paged lists the client scrolls through, as TanStack Query infinite queries: one key and
 * page size per list, shared by the pages, the prefetch and the live updates that write into
 * them (a key used by useQuery and useInfiniteQuery both would hold two shapes of data).
 */

/** Items per page; the server's defaults, spelled out so a change there is not a surprise here. */
export const PAGE_SIZE = {
  trades: 50,
  forecasts: 1000,
  userForecasts: 200,
  audit: 200,
  deliveries: 100,
} as const;

// The first page has no cursor; a page's `nextCursor` is where the next starts, null at the end.
const cursors = {
  initialPageParam: undefined as string | undefined,
  getNextPageParam: (last: { nextCursor: string | null }) => last.nextCursor ?? undefined,
};

/** A market's trades, newest first. */
export const tradesQuery = (marketId: string) =>
  infiniteQueryOptions({
    queryKey: ['trades', marketId],
    queryFn: ({ pageParam }) =>
      api.tradesPage(marketId, { limit: PAGE_SIZE.trades, before: pageParam }),
    ...cursors,
  });

/** A market's forecasts, newest first; every page carries the community forecast of them all. */
export const forecastsQuery = (marketId: string) =>
  infiniteQueryOptions({
    queryKey: ['forecasts', marketId],
    queryFn: ({ pageParam }) =>
      api.forecasts(marketId, { limit: PAGE_SIZE.forecasts, before: pageParam }),
    ...cursors,
  });

/** Every forecast one user made, newest first. */
export const userForecastsQuery = (username: string) =>
  infiniteQueryOptions({
    queryKey: ['user-forecasts', username],
    queryFn: ({ pageParam }) =>
      api.userForecastsPage(username, { limit: PAGE_SIZE.userForecasts, before: pageParam }),
    ...cursors,
  });

/** The admin audit log, newest first. */
export const auditQuery = () =>
  infiniteQueryOptions({
    queryKey: ['audit'],
    queryFn: ({ pageParam }) => api.auditPage({ limit: PAGE_SIZE.audit, before: pageParam }),
    ...cursors,
  });

/** The team-channel outbox, newest first, optionally one status or one webhook only. */
export const deliveriesQuery = (filter: { status?: DeliveryStatus; webhookId?: string }) =>
  infiniteQueryOptions({
    queryKey: ['deliveries', filter.status ?? '', filter.webhookId ?? ''],
    queryFn: ({ pageParam }) =>
      api.deliveriesPage(filter, { limit: PAGE_SIZE.deliveries, before: pageParam }),
    ...cursors,
  });
