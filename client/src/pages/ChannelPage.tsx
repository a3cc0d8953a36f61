import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import type { Market, Trade } from '../../../shared/schemas/index.ts';
import { api, describeError } from '../api.ts';
import { ThemeToggle } from '../components/Layout.tsx';
import { Sparkline, thin } from '../components/Sparkline.tsx';
import { headline, pct, shares } from '../format.ts';
import { type FeedItem, useFeed, useLiveMarkets } from '../hooks/live.ts';
import { useConnected } from '../hooks/useConnected.ts';
import { useLiveSeries, valueAt } from '../hooks/useLiveSeries.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';

/** A move of at least this much in the last hour is highlighted. */
const BIG_MOVE = 0.05;
const HOUR = 3_600_000;
const TICKER_SIZE = 40;

/**
 * `/channel`: a board a team leaves open on a screen. Every open market's live odds in a grid,
 * a ticker of trades, forecasts and resolutions from the feed, big moves highlighted. Filter
 * with `?tag=` or `?markets=a,b`. No sign-in needed.
 */
export default function ChannelPage() {
  const [params] = useSearchParams();
  const tag = params.get('tag');
  const onlyParam = params.get('markets');
  const only = useMemo(() => onlyParam?.split(',').filter(Boolean) ?? null, [onlyParam]);
  usePageTitle('Channel board');
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['markets', 'open'], queryFn: () => api.markets('open') });
  const chosen = useMemo(
    () =>
      (q.data ?? []).filter(
        (m) => (!tag || (m.tags ?? []).includes(tag)) && (!only || only.includes(m.id)),
      ),
    [q.data, tag, only],
  );
  const markets = useLiveMarkets(chosen);
  // Every market the board has shown, so the ticker can still name one after it resolves and
  // leaves the grid.
  const known = useRef(new Map<string, Market>());
  const byId = useMemo(() => {
    for (const m of markets) known.current.set(m.id, m);
    return new Map(known.current);
  }, [markets]);
  const [items, setItems] = useState<FeedItem[]>([]);
  const connected = useConnected();

  // Start the ticker with the latest trades so the board is not empty before the next one.
  const ids = chosen.map((m) => m.id).join(',');
  useEffect(() => {
    if (!ids) return;
    let live = true;
    Promise.all(ids.split(',').map((id) => api.trades(id, 5).catch(() => [] as Trade[]))).then(
      (lists) => {
        if (!live) return;
        const seeded = lists
          .flat()
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
          .slice(0, 15)
          .map((trade): FeedItem => ({ kind: 'trade', at: trade.createdAt, trade }));
        setItems((old) => (old.length ? old : seeded));
      },
    );
    return () => {
      live = false;
    };
  }, [ids]);

  const onItem = useCallback(
    (item: FeedItem) => {
      if (item.kind === 'created' || item.kind === 'resolved') {
        void qc.invalidateQueries({ queryKey: ['markets', 'open'] });
      }
      // A trade can arrive twice: through the feed and through a market subscription.
      setItems((old) =>
        old.some((o) => keyOf(o) === keyOf(item)) ? old : [item, ...old].slice(0, TICKER_SIZE),
      );
    },
    [qc],
  );
  useFeed(onItem);
  const visible = items.filter((i) => inScope(i, byId, tag, only));

  return (
    <div className="board" data-testid="channel">
      <header className="board-head">
        <Link to="/" className="brand">
          <span className="logo" aria-hidden="true" />
          Parity
        </Link>
        <h1>
          Live odds
          {tag && <span className="muted"> · {tag}</span>}
        </h1>
        <span className={`conn ${connected ? 'on' : 'off'}`} role="status">
          {connected ? 'live' : 'reconnecting…'}
        </span>
        <Clock />
        <ThemeToggle />
      </header>
      {q.error ? <p className="error">{describeError(q.error)}</p> : null}
      <div className="board-body">
        <section className="board-grid" aria-label="Open markets">
          {q.isLoading && <p className="muted">Loading…</p>}
          {!q.isLoading && markets.length === 0 && (
            <p className="muted">No open markets{tag ? ` tagged ${tag}` : ''}.</p>
          )}
          {markets.map((m) => (
            <BoardTile key={m.id} market={m} />
          ))}
        </section>
        <aside className="ticker" aria-label="Latest activity">
          <h2>Latest</h2>
          <ol aria-live="polite" data-testid="ticker">
            {visible.length === 0 && <li className="muted">Waiting for activity…</li>}
            {visible.map((item) => (
              <TickerItem key={keyOf(item)} item={item} market={marketOf(item, byId)} />
            ))}
          </ol>
        </aside>
      </div>
    </div>
  );
}

function BoardTile({ market }: { market: Market }) {
  const h = headline(market);
  const index =
    market.type === 'binary' ? 0 : market.outcomes.findIndex((o) => o.label === h.label);
  const series = useLiveSeries(market, index);
  const hourAgo = valueAt(series, Date.now() - HOUR);
  const move = hourAgo === null ? 0 : h.probability - hourAgo;
  const big = Math.abs(move) >= BIG_MOVE;
  const [flash, setFlash] = useState<'' | 'flash-up' | 'flash-down'>('');
  const [prev, setPrev] = useState(h.probability);
  if (prev !== h.probability) {
    setFlash(h.probability > prev ? 'flash-up' : 'flash-down');
    setPrev(h.probability);
  }
  return (
    <article
      className={`tile ${big ? (move > 0 ? 'big-up' : 'big-down') : ''}`}
      data-testid="board-tile"
      data-market-id={market.id}
    >
      <h2 className="tile-q">
        <Link to={`/markets/${market.id}`} className="tile-link">
          {market.question}
        </Link>
      </h2>
      <div className="tile-main">
        <div key={`${market.seq}`} className={`tile-prob ${flash}`} data-testid="tile-probability">
          {pct(h.probability)}
        </div>
        <Sparkline
          values={thin(
            series.map((s) => s.p),
            80,
          )}
          width={140}
          height={44}
          label={`trend of ${market.question}`}
        />
      </div>
      <div className="tile-foot">
        <span>{market.type === 'binary' ? 'Yes' : h.label}</span>
        {Math.abs(move) >= 0.005 && (
          <span className={move > 0 ? 'up' : 'down'}>
            {move > 0 ? '▲' : '▼'} {Math.abs(Math.round(move * 100))} pts in 1h
          </span>
        )}
      </div>
      {market.type === 'multiple' && (
        <ul className="tile-outcomes">
          {[...market.outcomes]
            .sort((a, b) => b.probability - a.probability)
            .slice(1, 3)
            .map((o) => (
              <li key={o.id}>
                <span>{o.label}</span> <span>{pct(o.probability)}</span>
              </li>
            ))}
        </ul>
      )}
    </article>
  );
}

function TickerItem({ item, market }: { item: FeedItem; market: Market | undefined }) {
  const q = market ? short(market.question) : '';
  const time = new Date(item.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  switch (item.kind) {
    case 'trade': {
      const t = item.trade;
      const label = market?.outcomes.find((o) => o.id === t.outcomeId)?.label ?? t.outcomeId;
      const i = market ? market.outcomes.findIndex((o) => o.id === t.outcomeId) : -1;
      const p = market?.type === 'binary' ? t.probabilities[0] : t.probabilities[i];
      return (
        <li className="tick trade">
          <time>{time}</time> <strong>{t.username}</strong> {t.shares >= 0 ? 'bought' : 'sold'}{' '}
          {shares(Math.abs(t.shares))} {label} · {q} →{' '}
          <strong>
            {pct(p ?? 0)} {market?.type === 'binary' ? 'Yes' : label}
          </strong>
        </li>
      );
    }
    case 'forecast': {
      const f = item.forecast;
      const p = market?.type === 'binary' ? `${pct(f.probabilities[0] ?? 0)} Yes` : 'a forecast';
      return (
        <li className="tick forecast">
          <time>{time}</time> <strong>{f.username}</strong> forecast {p} · {q}
          {f.comment && <span className="muted"> “{short(f.comment, 80)}”</span>}
        </li>
      );
    }
    case 'resolved': {
      const r = item.resolved;
      const label = market?.outcomes.find((o) => o.id === r.outcomeId)?.label;
      return (
        <li className="tick resolved">
          <time>{time}</time>{' '}
          <strong>
            {r.status === 'cancelled' ? 'Cancelled' : `Resolved ${label ?? r.outcomeId}`}
          </strong>{' '}
          · {q || r.marketId}
        </li>
      );
    }
    case 'created':
      return (
        <li className="tick created">
          <time>{time}</time> <strong>New market</strong> · {short(item.market.question)}
        </li>
      );
    default:
      return null;
  }
}

function marketIdOf(item: FeedItem): string {
  switch (item.kind) {
    case 'trade':
      return item.trade.marketId;
    case 'forecast':
      return item.forecast.marketId;
    case 'resolved':
      return item.resolved.marketId;
    case 'created':
      return item.market.id;
  }
}

function marketOf(item: FeedItem, byId: Map<string, Market>): Market | undefined {
  return item.kind === 'created' ? item.market : byId.get(marketIdOf(item));
}

function inScope(
  item: FeedItem,
  byId: Map<string, Market>,
  tag: string | null,
  only: string[] | null,
): boolean {
  if (!tag && !only) return true;
  if (item.kind === 'created') {
    return (
      (!tag || (item.market.tags ?? []).includes(tag)) && (!only || only.includes(item.market.id))
    );
  }
  return byId.has(marketIdOf(item));
}

function keyOf(item: FeedItem): string {
  switch (item.kind) {
    case 'trade':
      return `t${item.trade.id}`;
    case 'forecast':
      return `f${item.forecast.id}`;
    case 'resolved':
      return `r${item.resolved.marketId}${item.at}`;
    case 'created':
      return `c${item.market.id}`;
  }
}

function short(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function Clock() {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 10_000);
    return () => clearInterval(t);
  }, []);
  return (
    <time className="clock" dateTime={now.toISOString()}>
      {now.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
    </time>
  );
}
