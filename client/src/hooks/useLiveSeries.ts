import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { Market } from '../../../shared/schemas/index.ts';
import { api } from '../api.ts';

export interface SeriesPoint {
  /** ms since the epoch. */
  t: number;
  p: number;
}

/**
 * The price history of one outcome of a live market: the HTTP history once, then a point for
 * each new state the socket brings (the market's seq rises), for sparklines and move detection.
 * `embedToken` reads a private market's history from its signed embed URL.
 */
export function useLiveSeries(
  market: Market | undefined,
  outcomeIndex: number,
  embedToken?: string,
): SeriesPoint[] {
  const id = market?.id;
  const history = useQuery({
    queryKey: ['history', id],
    queryFn: () => api.history(id!, embedToken),
    enabled: !!id,
    staleTime: 60_000,
  });
  const [tail, setTail] = useState<SeriesPoint[]>([]);
  const lastSeq = useRef<number | null>(null);
  useEffect(() => {
    if (!market) return;
    if (lastSeq.current !== null && market.seq > lastSeq.current) {
      const p = market.outcomes[outcomeIndex]?.probability;
      if (p !== undefined) setTail((old) => [...old.slice(-500), { t: Date.now(), p }]);
    }
    lastSeq.current = market.seq;
  }, [market, outcomeIndex]);
  const base = (history.data ?? []).map((h) => ({
    t: Date.parse(h.t),
    p: h.probabilities[outcomeIndex] ?? 0,
  }));
  const lastBase = base.at(-1)?.t ?? 0;
  return [...base, ...tail.filter((x) => x.t > lastBase)];
}

/** The value of a series at `t` (the last point at or before it), or the first point. */
export function valueAt(series: readonly SeriesPoint[], t: number): number | null {
  let v: number | null = series[0]?.p ?? null;
  for (const s of series) {
    if (s.t > t) break;
    v = s.p;
  }
  return v;
}
