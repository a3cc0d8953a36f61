import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { Forecast, Market, Trade } from '../../../shared/schemas/index.ts';
import { credits, pct, relative, shares } from '../format.ts';
import type { PagedList } from '../hooks/useLoadOnVisible.ts';
import { describe } from './ForecastPanel.tsx';
import { LoadMore } from './LoadMore.tsx';
import { Tabs } from './Tabs.tsx';

type Tab = 'trades' | 'forecasts';

/**
 * Trades and forecasts (with comments) on one market, newest first, live: each list scrolls in
 * its own box and loads its next page as its end comes into view.
 */
export function Activity({
  market,
  trades,
  forecasts,
  tradePages,
  forecastPages,
}: {
  market: Market;
  /** Every trade of the pages loaded so far, each once. */
  trades: readonly Trade[];
  forecasts: readonly Forecast[];
  tradePages: PagedList;
  forecastPages: PagedList;
}) {
  const [tab, setTab] = useState<Tab>('trades');
  const label = (id: string) => market.outcomes.find((o) => o.id === id)?.label ?? id;
  const index = (id: string) => market.outcomes.findIndex((o) => o.id === id);
  return (
    <section className="panel" aria-label="Activity">
      <Tabs
        label="Activity"
        compact
        value={tab}
        onChange={setTab}
        tabs={[
          {
            id: 'trades',
            label: (
              <>
                Trades <span className="count">{countOf(trades, tradePages)}</span>
              </>
            ),
          },
          {
            id: 'forecasts',
            label: (
              <>
                Forecasts <span className="count">{countOf(forecasts, forecastPages)}</span>
              </>
            ),
          },
        ]}
      />
      {tab === 'trades' ? (
        trades.length === 0 ? (
          <p className="muted">No trades yet.</p>
        ) : (
          <div className="feed-scroll">
            <ul className="feed" data-testid="trades">
              {trades.map((t) => {
                const i = index(t.outcomeId);
                const p = market.type === 'binary' ? t.probabilities[0] : t.probabilities[i];
                return (
                  <li key={t.id} data-trade-id={t.id}>
                    <span>
                      <Link to={`/users/${t.username}`}>{t.username}</Link>{' '}
                      {t.shares >= 0 ? 'bought' : 'sold'}{' '}
                      <strong className={outcomeClass(market, t.outcomeId)}>
                        {shares(Math.abs(t.shares))} {label(t.outcomeId)}
                      </strong>{' '}
                      for {credits(Math.abs(t.costCents))}
                    </span>
                    <span className="muted small nowrap">
                      → {pct(p ?? 0)} {market.type === 'binary' ? 'Yes' : label(t.outcomeId)} ·{' '}
                      <time dateTime={t.createdAt} title={t.createdAt}>
                        {relative(t.createdAt)}
                      </time>
                    </span>
                  </li>
                );
              })}
            </ul>
            <LoadMore list={tradePages} what="trades" testId="trades-more" />
          </div>
        )
      ) : forecasts.length === 0 ? (
        <p className="muted">No forecasts yet. Be the first.</p>
      ) : (
        <div className="feed-scroll">
          <ul className="feed" data-testid="forecasts">
            {forecasts.map((f) => (
              <li key={f.id} className="forecast-item" data-forecast-id={f.id}>
                <span>
                  <Link to={`/users/${f.username}`}>{f.username}</Link> forecast{' '}
                  <strong>{describe(market, f.probabilities)}</strong>
                </span>
                <span className="muted small nowrap">
                  <time dateTime={f.createdAt} title={f.createdAt}>
                    {relative(f.createdAt)}
                  </time>
                </span>
                {f.comment && <p className="comment">{f.comment}</p>}
              </li>
            ))}
          </ul>
          <LoadMore list={forecastPages} what="forecasts" testId="forecasts-more" />
        </div>
      )}
    </section>
  );
}

function outcomeClass(market: Market, outcomeId: string): string {
  if (market.type !== 'binary') return '';
  return outcomeId === 'yes' ? 'up' : 'down';
}

/** How many are loaded, with a "+" while older ones are still to come. */
function countOf(items: readonly unknown[], pages: PagedList): string {
  return `${items.length}${pages.hasNextPage ? '+' : ''}`;
}
