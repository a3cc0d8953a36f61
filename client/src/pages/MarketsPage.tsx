import { useQueries, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { assertNever } from '../../../shared/errors.ts';
import type { Market } from '../../../shared/schemas/index.ts';
import { api, describeError } from '../api.ts';
import { Sparkline, thin } from '../components/Sparkline.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { Tabs } from '../components/Tabs.tsx';
import { credits, headline, pct, relative } from '../format.ts';
import { useLiveMarkets } from '../hooks/live.ts';

const TABS = [
  { id: 'open', label: 'Open' },
  { id: 'closed', label: 'Closed' },
  { id: 'resolved', label: 'Resolved' },
  { id: 'cancelled', label: 'Cancelled' },
] as const;
type Tab = (typeof TABS)[number]['id'];

const SORTS = [
  { id: 'volume', label: 'Most traded' },
  { id: 'closing', label: 'Closing soonest' },
  { id: 'newest', label: 'Newest' },
] as const;
type Sort = (typeof SORTS)[number]['id'];

function compare(sort: Sort): (a: Market, b: Market) => number {
  switch (sort) {
    case 'volume':
      return (a, b) => b.volumeCents - a.volumeCents;
    case 'closing':
      return (a, b) => a.closesAt.localeCompare(b.closesAt);
    case 'newest':
      return (a, b) => b.createdAt.localeCompare(a.createdAt);
    default:
      return assertNever(sort);
  }
}

function matches(m: Market, words: string[], tag: string | null): boolean {
  if (tag && !(m.tags ?? []).includes(tag)) return false;
  if (!words.length) return true;
  const hay = `${m.question} ${m.description} ${(m.tags ?? []).join(' ')} ${m.claims
    .map((c) => c.who)
    .join(' ')}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

function MarketCard({ market, history }: { market: Market; history: number[] | undefined }) {
  const h = headline(market);
  const values = history ? thin([...history, h.probability]) : [];
  return (
    <article className="card market-card" data-testid="market-card" data-market-id={market.id}>
      <div className="spread">
        <StatusBadge market={market} />
        <span className="muted small">
          {market.status === 'open' ? `closes ${relative(market.closesAt)}` : ''}
        </span>
      </div>
      <h2 className="market-question">
        <Link to={`/markets/${market.id}`} className="market-link">
          {market.question}
        </Link>
      </h2>
      <div className="spread">
        <div>
          <div className="prob" data-testid="card-probability">
            {pct(h.probability)}
          </div>
          <div className="muted small">{market.type === 'binary' ? 'chance of Yes' : h.label}</div>
        </div>
        <Sparkline values={values} label={`price history of ${market.question}`} />
      </div>
      <div className="row muted small">
        <span>{credits(market.volumeCents)} traded</span>
        {market.claims.length > 0 && (
          <span>
            · {market.claims.length} {market.claims.length === 1 ? 'claim' : 'claims'}
          </span>
        )}
        {(market.tags ?? []).slice(0, 3).map((t) => (
          <span key={t} className="tag">
            {t}
          </span>
        ))}
      </div>
    </article>
  );
}

/** `/`: the public site's markets by status, searchable and filterable by tag, with live odds. */
export function MarketsPage() {
  const [params, setParams] = useSearchParams();
  const tab: Tab = TABS.find((t) => t.id === params.get('status'))?.id ?? 'open';
  const sort: Sort = SORTS.find((x) => x.id === params.get('sort'))?.id ?? 'volume';
  const tag = params.get('tag');
  const [search, setSearch] = useState(params.get('q') ?? '');
  // The public site's markets: a space's are on its own page.
  const q = useQuery({
    queryKey: ['markets', tab, 'public'],
    queryFn: () => api.markets(tab, 'public'),
  });
  const live = useLiveMarkets(q.data);
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = live.filter((m) => matches(m, words, tag)).sort(compare(sort));
  const tags = useMemo(
    () => [...new Set((q.data ?? []).flatMap((m) => m.tags ?? []))].sort(),
    [q.data],
  );
  const histories = useQueries({
    queries: shown.map((m) => ({
      queryKey: ['history', m.id],
      queryFn: () => api.history(m.id),
      staleTime: 60_000,
    })),
  });
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  return (
    <section className="stack">
      <div className="spread">
        <h1>Markets</h1>
        <span className="muted small">{shown.length} shown</span>
      </div>
      <Tabs
        label="Market status"
        tabs={TABS}
        value={tab}
        onChange={(id) => set('status', id === 'open' ? null : id)}
      />
      <div className="row">
        <div style={{ flex: 1, minWidth: 200 }}>
          <label htmlFor="market-search" className="sr-label">
            Search markets
          </label>
          <input
            id="market-search"
            type="search"
            placeholder="Search questions, people, tags…"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              set('q', e.target.value || null);
            }}
          />
        </div>
        <div>
          <label htmlFor="market-tag" className="sr-label">
            Tag
          </label>
          <select
            id="market-tag"
            value={tag ?? ''}
            onChange={(e) => set('tag', e.target.value || null)}
          >
            <option value="">All tags</option>
            {tags.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="market-sort" className="sr-label">
            Sort
          </label>
          <select
            id="market-sort"
            value={sort}
            onChange={(e) => set('sort', e.target.value === 'volume' ? null : e.target.value)}
          >
            {SORTS.map((x) => (
              <option key={x.id} value={x.id}>
                {x.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {q.error ? <p className="error">{describeError(q.error)}</p> : null}
      {q.isLoading ? <p className="muted">Loading markets…</p> : null}
      {!q.isLoading && shown.length === 0 ? <p className="muted">No {tab} markets match.</p> : null}
      <div className="grid">
        {shown.map((m, i) => (
          <MarketCard
            key={m.id}
            market={m}
            history={histories[i]?.data?.map((p) => {
              if (m.type === 'binary') return p.probabilities[0] ?? 0;
              const top = m.outcomes.indexOf(
                m.outcomes.reduce((a, b) => (b.probability > a.probability ? b : a)),
              );
              return p.probabilities[top] ?? 0;
            })}
          />
        ))}
      </div>
    </section>
  );
}
