import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import type { Market, Trade } from '../../../shared/schemas/index.ts';
import { api, describeError } from '../api.ts';
import { ChannelCard } from '../components/channel/ChannelCard.tsx';
import { feedKey, feedMarketId, Ticker } from '../components/channel/Ticker.tsx';
import { headline } from '../format.ts';
import { type FeedItem, useFeed, useLiveMarkets } from '../hooks/live.ts';
import { useConnected } from '../hooks/useConnected.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';
import { preferredTheme, savedTheme, saveTheme, type Theme } from '../lib/savedTheme.ts';
import './channel.css';

const DAY = 86_400_000;
const TICKER_SIZE = 40;
/** How often the board re-reads the clock: big moves age out and the clock moves on. */
const TICK_MS = 5_000;

/**
 * `/channel`: a board a team leaves open on a screen. Every open market's live odds in a grid,
 * markets resolved in the last day with their outcome, a ticker of trades, forecasts and
 * resolutions from the feed, big moves highlighted. Filter with `?tag=` or `?markets=a,b`;
 * `?theme=light` overrides the board's dark default. No sign-in needed.
 */
export default function ChannelPage() {
  const [params] = useSearchParams();
  const tag = params.get('tag');
  const onlyParam = params.get('markets');
  const only = useMemo(() => onlyParam?.split(',').filter(Boolean) ?? null, [onlyParam]);
  usePageTitle(tag ? `Live odds · ${tag}` : 'Live odds');
  useBoardTheme(params.get('theme'));
  const now = useNow(TICK_MS);
  const [since] = useState(() => Date.now());
  const connected = useConnected();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['markets', 'all'], queryFn: () => api.markets('all') });

  const inScope = useCallback(
    (m: Market) => (!tag || (m.tags ?? []).includes(tag)) && (!only || only.includes(m.id)),
    [tag, only],
  );
  // Open and closed markets, then those that ended in the last day, latest first.
  const chosen = useMemo(() => {
    const all = (q.data ?? []).filter(inScope);
    const ended = (m: Market) => Date.parse(m.resolution?.resolvedAt ?? '') || 0;
    const since = now - DAY;
    return [
      ...all.filter((m) => m.status === 'open' || m.status === 'closed'),
      ...all.filter((m) => ended(m) >= since).sort((a, b) => ended(b) - ended(a)),
    ];
  }, [q.data, inScope, now]);
  const markets = useLiveMarkets(chosen);
  const byId = useMemo(() => {
    const map = new Map((q.data ?? []).map((m) => [m.id, m]));
    for (const m of markets) map.set(m.id, m);
    return map;
  }, [q.data, markets]);

  // Each market's headline when the board first showed it, for "since 09:41".
  const opened = useRef(new Map<string, { p: number; t: number }>());
  for (const m of markets) {
    if (!opened.current.has(m.id) && m.status === 'open') {
      opened.current.set(m.id, { p: headline(m).probability, t: Date.now() });
    }
  }

  const [items, setItems] = useState<FeedItem[]>([]);
  useSeedTicker(
    chosen.filter((m) => m.status === 'open').map((m) => m.id),
    setItems,
  );
  const joined = useRef(false);
  const onItem = useCallback(
    (item: FeedItem) => {
      if (item.kind === 'created' || item.kind === 'resolved') {
        void qc.invalidateQueries({ queryKey: ['markets', 'all'] });
      }
      setItems((old) =>
        old.some((o) => feedKey(o) === feedKey(item)) ? old : [item, ...old].slice(0, TICKER_SIZE),
      );
    },
    [qc],
  );
  // After a reconnect the list is refetched: markets may have opened or ended meanwhile.
  const onJoin = useCallback(() => {
    if (joined.current) void qc.invalidateQueries({ queryKey: ['markets', 'all'] });
    joined.current = true;
  }, [qc]);
  useFeed(onItem, onJoin);
  const visible = items.filter((i) => {
    if (!tag && !only) return true;
    const m = i.kind === 'created' ? i.market : byId.get(feedMarketId(i));
    return m ? inScope(m) : false;
  });

  const openCount = markets.filter((m) => m.status === 'open').length;
  return (
    <div className="channel" data-testid="channel-board">
      <header className="channel-head">
        <Link to="/" className="brand">
          <span className="logo" aria-hidden="true" />
          Parity
        </Link>
        <h1>
          Live odds
          {tag && <span className="channel-filter"> · #{tag}</span>}
          {only && <span className="channel-filter"> · {only.length} chosen</span>}
        </h1>
        <span className="channel-count muted">
          {openCount} open {openCount === 1 ? 'market' : 'markets'}
        </span>
        <span
          className={`channel-conn ${connected ? 'on' : 'off'}`}
          role="status"
          data-testid="channel-connection"
          data-connected={connected}
        >
          {connected ? 'Live' : 'Reconnecting…'}
        </span>
        <time className="channel-clock" dateTime={new Date(now).toISOString()}>
          {new Date(now).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
        </time>
        <BoardThemeToggle />
      </header>
      {q.error ? (
        <p className="error channel-error" role="alert">
          {describeError(q.error)}
        </p>
      ) : null}
      <div className="channel-body">
        <section className="channel-grid" aria-label="Markets">
          {q.isLoading && <p className="muted">Loading markets…</p>}
          {!q.isLoading && !q.error && markets.length === 0 && (
            <p className="muted channel-empty">
              {only
                ? `None of the markets in this address (${only.join(', ')}) is open.`
                : tag
                  ? `No open markets tagged “${tag}”.`
                  : 'No open markets right now. New ones appear here as they open.'}
            </p>
          )}
          {markets.map((m) => (
            <ChannelCard
              key={m.id}
              market={m}
              now={now}
              openedAt={opened.current.get(m.id)}
              boardSince={since}
            />
          ))}
        </section>
        <Ticker items={visible} byId={byId} />
      </div>
    </div>
  );
}

/** Starts the ticker with the latest trades, so the board is not blank until the next one. */
function useSeedTicker(ids: string[], setItems: (f: (old: FeedItem[]) => FeedItem[]) => void) {
  const key = ids.join(',');
  const seeded = useRef(false);
  useEffect(() => {
    if (!key || seeded.current) return;
    let live = true;
    Promise.all(key.split(',').map((id) => api.trades(id, 5).catch(() => [] as Trade[]))).then(
      (lists) => {
        if (!live) return;
        seeded.current = true;
        const latest = lists
          .flat()
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
          .slice(0, 15)
          .map((trade): FeedItem => ({ kind: 'trade', at: trade.createdAt, trade }));
        setItems((old) => {
          const seen = new Set(old.map(feedKey));
          return [...old, ...latest.filter((i) => !seen.has(feedKey(i)))].slice(0, TICKER_SIZE);
        });
      },
    );
    return () => {
      live = false;
    };
  }, [key, setItems]);
}

/** The time now, re-read every `ms`. */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/**
 * Wall screens are dark unless someone chose otherwise: `?theme=` first, then the theme saved
 * by the toggle, then dark. The app's own default comes back when the board is left.
 */
function useBoardTheme(param: string | null): void {
  const forced: Theme | null = param === 'light' || param === 'dark' ? param : null;
  useEffect(() => {
    const root = document.documentElement;
    root.dataset.theme = forced ?? savedTheme() ?? 'dark';
    return () => {
      root.dataset.theme = preferredTheme();
    };
  }, [forced]);
}

/** Flips <html data-theme> and remembers the choice, like the app's toggle. */
function BoardThemeToggle() {
  const [theme, setTheme] = useState<Theme>(() =>
    document.documentElement.dataset.theme === 'light' ? 'light' : 'dark',
  );
  useEffect(() => {
    const root = document.documentElement;
    const sync = () => setTheme(root.dataset.theme === 'light' ? 'light' : 'dark');
    const obs = new MutationObserver(sync);
    obs.observe(root, { attributes: true, attributeFilter: ['data-theme'] });
    sync();
    return () => obs.disconnect();
  }, []);
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="ghost channel-theme"
      aria-label={`Switch to ${next} theme`}
      onClick={() => {
        saveTheme(next);
        document.documentElement.dataset.theme = next;
      }}
    >
      {theme === 'dark' ? '☀' : '☾'}
    </button>
  );
}
