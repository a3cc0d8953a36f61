import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { communityTimeline } from '../../../shared/community.ts';
import type { Forecast, HistoryPoint, Market } from '../../../shared/schemas/index.ts';
import { ApiError, api, describeError } from '../api.ts';
import { Activity } from '../components/Activity.tsx';
import { ClaimsPanel } from '../components/ClaimsPanel.tsx';
import { CsvDownloads } from '../components/CsvDownloads.tsx';
import { Discussion } from '../components/comments/Discussion.tsx';
import { ForecastPanel } from '../components/ForecastPanel.tsx';
import { OddsChart } from '../components/OddsChart.tsx';
import { OutcomeTable } from '../components/OutcomeTable.tsx';
import { PositionPanel } from '../components/PositionPanel.tsx';
import { ScoreTable } from '../components/ScoreTable.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { MarketSpaceBar } from '../components/space/MarketSpaceBar.tsx';
import { TradeTicket } from '../components/TradeTicket.tsx';
import { credits, dateTime, headline, pct, relative } from '../format.ts';
import { useLiveMarket, useMarketActivity } from '../hooks/live.ts';
import { useFlash } from '../hooks/useFlash.ts';
import { useMe } from '../hooks/useMe.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';
import { useSpace } from '../hooks/useSpaces.ts';
import { itemsOfPages } from '../lib/pages.ts';
import { forecastsQuery, tradesQuery } from '../listQueries.ts';
import './market.css';

/**
 * `/markets/:id`: the question, live odds chart, trading, forecasting, claims, scores and the
 * discussion; for a space's market, the space (and a signed embed link for a private one).
 */
export default function MarketPage() {
  const { id } = useParams<{ id: string }>();
  const qc = useQueryClient();
  const { market, error, isLoading } = useLiveMarket(id);
  // Asked for at once, beside the market itself, rather than after it arrives.
  const side = { enabled: !!id, retry: retryServerErrors };
  useQuery({ queryKey: ['history', id], queryFn: () => api.history(id!), ...side });
  useInfiniteQuery({ ...forecastsQuery(id ?? ''), ...side });
  useInfiniteQuery({ ...tradesQuery(id ?? ''), ...side });
  usePageTitle(market?.question);
  if (error) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <section className="page narrow" data-testid={missing ? 'market-not-found' : 'market-error'}>
        <h1>{missing ? 'No such market' : 'This market could not be loaded'}</h1>
        <p>
          {missing
            ? 'There is no market at this address. It may have been mistyped.'
            : describeError(error)}
        </p>
        <div className="row">
          {!missing && (
            <button
              type="button"
              onClick={() => void qc.invalidateQueries({ queryKey: ['market', id] })}
            >
              Try again
            </button>
          )}
          <Link to="/">Back to markets</Link>
        </div>
      </section>
    );
  }
  if (isLoading || !market) return <MarketSkeleton />;
  // Keyed by id: another market starts with fresh forms.
  return <MarketView key={market.id} market={market} />;
}

function MarketView({ market }: { market: Market }) {
  const id = market.id;
  const { me } = useMe();
  const space = useSpace(market.spaceId);
  // Who may delete others' messages; the server checks again.
  const moderates =
    me?.user.role === 'admin' || space.data?.role === 'owner' || space.data?.role === 'moderator';
  useMarketActivity(id);
  const history = useQuery({ queryKey: ['history', id], queryFn: () => api.history(id) });
  const tradePages = useInfiniteQuery(tradesQuery(id));
  const forecastPages = useInfiniteQuery(forecastsQuery(id));
  const trades = useMemo(
    () =>
      itemsOfPages(
        tradePages.data,
        (p) => p.trades,
        (t) => t.id,
      ),
    [tradePages.data],
  );
  const forecasts = useMemo(
    () =>
      itemsOfPages(
        forecastPages.data,
        (p) => p.forecasts,
        (f) => f.id,
      ),
    [forecastPages.data],
  );
  // Of every forecast, loaded or not; the live updates keep the first page's current.
  const communityNow = forecastPages.data?.pages[0]?.community;
  const scores = useQuery({
    queryKey: ['scores', id, market.status],
    queryFn: () => api.scores(id),
    enabled: market.status === 'resolved',
  });
  const [focusChoice, setFocus] = useState<number | null>(null);
  const lead = headline(market);
  const focus =
    market.type === 'binary'
      ? 0
      : (focusChoice ?? market.outcomes.findIndex((o) => o.label === lead.label));

  const community = useMemo(() => timelineOf(forecasts), [forecasts]);
  const chartHistory = useMemo(
    () => withCurrent(history.data ?? [], market),
    [history.data, market],
  );
  const change = useMemo(() => dayChange(chartHistory, focus), [chartHistory, focus]);
  const mine = useMemo(() => {
    const f = forecasts.find((x) => x.username === me?.user.username);
    return f ? { probabilities: f.probabilities, createdAt: f.createdAt } : null;
  }, [forecasts, me]);
  const crowd = communityNow?.probabilities ?? null;
  const focused = market.outcomes[focus]!;
  // Flashes when the number shown changes, not on every small move under it.
  const flash = useFlash(Number.parseFloat(pct(focused.probability)));

  return (
    <article className="stack market-page" data-testid="market-page" data-market-id={id}>
      <header className="market-head">
        <MarketSpaceBar market={market} space={space.data} signedIn={!!me} />
        <div className="row">
          <StatusBadge market={market} />
          {(market.tags ?? []).map((t) => (
            <Link key={t} to={`/?tag=${encodeURIComponent(t)}`} className="tag">
              {t}
            </Link>
          ))}
        </div>
        <h1 data-testid="market-question">{market.question}</h1>
        <p className="muted small market-meta">
          <span className="meta-item" data-testid="close-time">
            <CloseTime market={market} />
          </span>{' '}
          {market.proposedBy && (
            <span className="meta-item" data-testid="proposed-by">
              proposed by <Link to={`/users/${market.proposedBy}`}>{market.proposedBy}</Link>
            </span>
          )}{' '}
          <span className="meta-item" data-testid="volume">
            {credits(market.volumeCents)} traded
          </span>{' '}
          <span className="meta-item">liquidity b = {market.liquidity}</span>
          {communityNow && (
            <>
              {' '}
              <span className="meta-item">
                {communityNow.count} {communityNow.count === 1 ? 'forecaster' : 'forecasters'}
              </span>
            </>
          )}
        </p>
      </header>
      <ResolutionBanner market={market} />
      <div className="two-col market-layout">
        <div className="stack">
          <section className="panel o-chart">
            <div className="headline-row">
              <div>
                <div
                  key={flash.key}
                  className={`big-prob ${flash.className}`}
                  data-testid="market-probability"
                >
                  {pct(focused.probability)}
                </div>
                <div className="muted">
                  {market.status === 'open' || market.status === 'closed'
                    ? market.type === 'binary'
                      ? 'chance of Yes'
                      : focused.label
                    : `final price of ${market.type === 'binary' ? 'Yes' : focused.label}`}
                  {market.status === 'open' && change !== null && Math.abs(change) >= 0.005 && (
                    <span className={change > 0 ? 'up' : 'down'}>
                      {' '}
                      {change > 0 ? '▲' : '▼'} {Math.abs(Math.round(change * 100))}
                      {Math.abs(Math.round(change * 100)) === 1 ? ' pt' : ' pts'} today
                    </span>
                  )}
                </div>
              </div>
              {crowd && (
                <div className="crowd-stat">
                  <div className="mid-prob community-text">{pct(crowd[focus] ?? 0)}</div>
                  <div className="muted small">community forecast</div>
                </div>
              )}
            </div>
            {history.isLoading ? (
              <div className="chart-placeholder muted">Loading chart…</div>
            ) : (
              <OddsChart
                market={market}
                history={chartHistory}
                community={community}
                focus={focus}
              />
            )}
          </section>
          {market.type === 'multiple' && (
            <div className="o-outcomes">
              <OutcomeTable market={market} community={crowd} focus={focus} onFocus={setFocus} />
            </div>
          )}
          {market.status === 'resolved' && (
            <div className="o-scores">
              {scores.data ? (
                <ScoreTable market={market} scores={scores.data} />
              ) : scores.error ? (
                <p className="error">Scores could not be loaded: {describeError(scores.error)}</p>
              ) : (
                <p className="muted panel">Loading scores…</p>
              )}
            </div>
          )}
          {market.status === 'closed' && (
            <p className="notice o-scores" data-testid="scores-pending">
              Trading has closed. Scores for the market, the community, the article's claims and
              every forecaster come when the question resolves.
            </p>
          )}
          <section className="panel prose o-about" aria-labelledby="about-h">
            <h2 id="about-h">About this question</h2>
            {market.description ? (
              <p>{market.description}</p>
            ) : (
              <p className="muted">No description.</p>
            )}
            {market.criteria && (
              <>
                <h3>How it resolves</h3>
                <p data-testid="criteria">{market.criteria}</p>
              </>
            )}
            <p className="muted small">
              Opened {dateTime(market.createdAt)}. Market id <code>{market.id}</code>.
            </p>
          </section>
          <div className="o-activity">
            <Activity
              market={market}
              trades={trades}
              forecasts={forecasts}
              tradePages={tradePages}
              forecastPages={forecastPages}
            />
          </div>
          <div className="o-discussion">
            <Discussion
              market={market}
              username={me?.user.username ?? null}
              moderates={moderates}
            />
          </div>
        </div>
        <aside className="stack" aria-label="Trade and forecast">
          <div className="o-ticket">
            <TradeTicket market={market} me={me} />
          </div>
          <div className="o-position">
            <PositionPanel market={market} me={me} />
          </div>
          <div className="o-forecast">
            <ForecastPanel market={market} me={me} mine={mine} community={crowd} />
          </div>
          <div className="o-claims">
            <ClaimsPanel market={market} />
          </div>
          <CsvDownloads
            title="Download as CSV"
            testId="market-csv"
            files={[
              { label: 'trades', href: `/api/markets/${encodeURIComponent(market.id)}/trades.csv` },
              {
                label: 'forecasts',
                href: `/api/markets/${encodeURIComponent(market.id)}/forecasts.csv`,
              },
              ...(market.status === 'resolved'
                ? [
                    {
                      label: 'scores',
                      href: `/api/markets/${encodeURIComponent(market.id)}/scores.csv`,
                    },
                  ]
                : []),
            ]}
          />
        </aside>
      </div>
    </article>
  );
}

/** When trading ends or ended: relative and exact (UTC). */
function CloseTime({ market }: { market: Market }) {
  const at = (
    <time dateTime={market.closesAt} title={dateTime(market.closesAt)}>
      {relative(market.closesAt)}
    </time>
  );
  if (market.status === 'open') {
    return (
      <>
        Closes {at} ({dateTime(market.closesAt)})
      </>
    );
  }
  if (Date.parse(market.closesAt) <= Date.now()) {
    return (
      <>
        Closed {at} ({dateTime(market.closesAt)})
      </>
    );
  }
  return (
    <>
      Closed early; it was to close {at} ({dateTime(market.closesAt)})
    </>
  );
}

/** Retries once after a network or server error; a 4xx (no such market) is final. */
function retryServerErrors(failures: number, error: unknown): boolean {
  return failures < 1 && !(error instanceof ApiError && error.status < 500);
}

/** The page's shape while the market loads, so nothing jumps when it arrives. */
function MarketSkeleton() {
  return (
    <div className="stack market-page" aria-busy="true" data-testid="market-loading">
      <p className="sr-label" role="status">
        Loading market…
      </p>
      <div className="skeleton skeleton-line short" />
      <div className="skeleton skeleton-title" />
      <div className="two-col market-layout">
        <div className="panel skeleton-chart">
          <div className="skeleton skeleton-big" />
          <div className="skeleton skeleton-plot" />
        </div>
        <div className="panel skeleton-side">
          <div className="skeleton skeleton-line" />
          <div className="skeleton skeleton-line" />
          <div className="skeleton skeleton-line short" />
        </div>
      </div>
    </div>
  );
}

function ResolutionBanner({ market }: { market: Market }) {
  const r = market.resolution;
  if (!r) return null;
  if (market.status === 'cancelled') {
    return (
      <p className="notice" role="status">
        Cancelled {dateTime(r.resolvedAt)}: every trader got back what they put in.
        {r.note && ` ${r.note}`}
      </p>
    );
  }
  const label = market.outcomes.find((o) => o.id === r.outcomeId)?.label ?? r.outcomeId;
  return (
    <p className="notice resolved-banner" role="status" data-testid="resolution">
      Resolved <strong>{label}</strong> on {dateTime(r.resolvedAt)}. Each {label} share paid 1
      credit.{r.note && ` ${r.note}`}
    </p>
  );
}

/** The community median after each forecast, oldest first, from the newest-first list. */
function timelineOf(forecasts: readonly Forecast[]) {
  const sorted = [...forecasts].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  return communityTimeline(
    sorted.map((f) => ({
      userId: f.userId,
      t: Date.parse(f.createdAt),
      probabilities: f.probabilities,
    })),
  );
}

/** The history, ending on the live state when an update arrived before its trade event. */
function withCurrent(history: readonly HistoryPoint[], market: Market): HistoryPoint[] {
  const now = market.outcomes.map((o) => o.probability);
  const last = history.at(-1);
  if (last?.probabilities.every((p, i) => Math.abs(p - (now[i] ?? 0)) < 1e-12)) {
    return history as HistoryPoint[];
  }
  return [...history, { t: new Date().toISOString(), probabilities: now }];
}

/** The change of outcome `i` over the last 24 hours (null without history that old or new). */
function dayChange(history: readonly HistoryPoint[], i: number): number | null {
  if (history.length < 2) return null;
  const since = Date.now() - 86_400_000;
  let before = history[0]!;
  for (const p of history) {
    if (Date.parse(p.t) > since) break;
    before = p;
  }
  const now = history.at(-1)!;
  return (now.probabilities[i] ?? 0) - (before.probabilities[i] ?? 0);
}
