import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Forecast, Market, MarketResolved, Trade } from '../../../shared/schemas/index.ts';
import { api } from '../api.ts';
import { withFirstPage, withNewest } from '../lib/pages.ts';
import { forecastsQuery, tradesQuery } from '../listQueries.ts';
import { liveMarkets, socket } from '../live/socket.ts';

/**
 * A market kept live over the socket; starts from the cached HTTP copy. `embedToken` (a signed
 * embed URL's) reads and follows a private market for someone outside its space.
 */
export function useLiveMarket(
  id: string | undefined,
  embedToken?: string,
): {
  market: Market | undefined;
  error: unknown;
  isLoading: boolean;
} {
  const q = useQuery({
    queryKey: ['market', id],
    queryFn: () => api.market(id!, embedToken),
    enabled: !!id,
  });
  const [live, setLive] = useState<Market | null>(null);
  useEffect(() => {
    if (!id) return;
    setLive(null);
    return liveMarkets.subscribe(id, setLive, embedToken);
  }, [id, embedToken]);
  const market = live && (!q.data || live.seq >= q.data.seq) ? live : q.data;
  return { market, error: q.error, isLoading: q.isLoading && !live };
}

/** Several markets kept live at once (lists, the channel board). */
export function useLiveMarkets(initial: readonly Market[] | undefined): Market[] {
  const [byId, setById] = useState<Record<string, Market>>({});
  const ids = (initial ?? []).map((m) => m.id).join(',');
  useEffect(() => {
    if (!ids) return;
    const offs = ids
      .split(',')
      .map((id) => liveMarkets.subscribe(id, (m) => setById((prev) => ({ ...prev, [m.id]: m }))));
    return () => {
      for (const off of offs) off();
    };
  }, [ids]);
  return (initial ?? []).map((m) => {
    const l = byId[m.id];
    return l && l.seq >= m.seq ? l : m;
  });
}

export type FeedItem =
  | { kind: 'trade'; at: string; trade: Trade }
  | { kind: 'forecast'; at: string; forecast: Forecast }
  | { kind: 'resolved'; at: string; resolved: MarketResolved }
  | { kind: 'created'; at: string; market: Market };

/** Joins the public feed; calls `onItem` for each trade, forecast, resolution and new market. */
export function useFeed(onItem: (item: FeedItem) => void, onMarkets?: (m: Market[]) => void): void {
  useEffect(() => {
    const join = () =>
      socket.emit('feed:join', (ack) => {
        if (ack.ok && onMarkets) onMarkets(ack.markets);
      });
    const onTrade = (trade: Trade) => onItem({ kind: 'trade', at: trade.createdAt, trade });
    const onForecast = (forecast: Forecast) =>
      onItem({ kind: 'forecast', at: forecast.createdAt, forecast });
    const onResolved = (resolved: MarketResolved) =>
      onItem({ kind: 'resolved', at: new Date().toISOString(), resolved });
    const onCreated = (market: Market) => onItem({ kind: 'created', at: market.createdAt, market });
    socket.on('trade', onTrade);
    socket.on('forecast', onForecast);
    socket.on('market:resolved', onResolved);
    socket.on('market:created', onCreated);
    socket.on('connect', join);
    if (socket.connected) join();
    return () => {
      socket.off('trade', onTrade);
      socket.off('forecast', onForecast);
      socket.off('market:resolved', onResolved);
      socket.off('market:created', onCreated);
      socket.off('connect', join);
      socket.emit('feed:leave');
    };
    // onItem/onMarkets are expected to be stable (useCallback) or the feed re-joins.
  }, [onItem, onMarkets]);
}

/**
 * Trades and forecasts of one market as they happen (the market page's activity lists): each
 * goes on top of its list's first page, once, however many pages are loaded.
 */
export function useMarketActivity(marketId: string | undefined): void {
  const qc = useQueryClient();
  useEffect(() => {
    if (!marketId) return;
    const trades = tradesQuery(marketId).queryKey;
    const forecasts = forecastsQuery(marketId).queryKey;
    // Community answers can come back out of order; only a newer one than shown is applied.
    let asked = 0;
    let applied = 0;
    const onTrade = (t: Trade) => {
      if (t.marketId !== marketId) return;
      qc.setQueryData(trades, (old) => withNewest(old, 'trades', t));
      // The trader's own page already added this point from the HTTP answer.
      qc.setQueryData<{ t: string; probabilities: number[] }[]>(['history', marketId], (old) =>
        old && !old.some((p) => p.t === t.createdAt)
          ? [...old, { t: t.createdAt, probabilities: t.probabilities }]
          : old,
      );
    };
    const onForecast = (f: Forecast) => {
      if (f.marketId !== marketId) return;
      qc.setQueryData(forecasts, (old) => withNewest(old, 'forecasts', f));
      // The community forecast is of every forecast, so the server's is the one to show; a
      // one-item page carries it without refetching every page loaded.
      const n = ++asked;
      api
        .forecasts(marketId, { limit: 1 })
        .then((r) => {
          if (n <= applied) return;
          applied = n;
          qc.setQueryData(forecasts, (old) => withFirstPage(old, { community: r.community }));
        })
        .catch(() => {
          // The next forecast or a refetch brings it; the list itself is already up to date.
        });
    };
    const onResolved = (r: MarketResolved) => {
      if (r.marketId !== marketId) return;
      void qc.invalidateQueries({ queryKey: ['market', marketId] });
      void qc.invalidateQueries({ queryKey: ['scores', marketId] });
    };
    socket.on('trade', onTrade);
    socket.on('forecast', onForecast);
    socket.on('market:resolved', onResolved);
    return () => {
      socket.off('trade', onTrade);
      socket.off('forecast', onForecast);
      socket.off('market:resolved', onResolved);
    };
  }, [marketId, qc]);
}
