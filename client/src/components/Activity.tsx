import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { Forecast, Market, Trade } from '../../../shared/schemas/index.ts';
import { credits, pct, relative, shares } from '../format.ts';
import { describe } from './ForecastPanel.tsx';
import { Tabs } from './Tabs.tsx';

type Tab = 'trades' | 'forecasts';

/** Recent trades and forecasts (with comments) on one market, newest first, live. */
export function Activity({
  market,
  trades,
  forecasts,
}: {
  market: Market;
  trades: readonly Trade[];
  forecasts: readonly Forecast[];
}) {
  const [tab, setTab] = useState<Tab>('trades');
  const [limit, setLimit] = useState(12);
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
                Trades <span className="count">{trades.length}</span>
              </>
            ),
          },
          {
            id: 'forecasts',
            label: (
              <>
                Forecasts <span className="count">{forecasts.length}</span>
              </>
            ),
          },
        ]}
      />
      {tab === 'trades' ? (
        trades.length === 0 ? (
          <p className="muted">No trades yet.</p>
        ) : (
          <ul className="feed" data-testid="trades">
            {trades.slice(0, limit).map((t) => {
              const i = index(t.outcomeId);
              const p = market.type === 'binary' ? t.probabilities[0] : t.probabilities[i];
              return (
                <li key={t.id}>
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
        )
      ) : forecasts.length === 0 ? (
        <p className="muted">No forecasts yet. Be the first.</p>
      ) : (
        <ul className="feed" data-testid="forecasts">
          {forecasts.slice(0, limit).map((f) => (
            <li key={f.id} className="forecast-item">
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
      )}
      {(tab === 'trades' ? trades.length : forecasts.length) > limit && (
        <button type="button" className="ghost small-btn more" onClick={() => setLimit(limit + 25)}>
          Show more
        </button>
      )}
    </section>
  );
}

function outcomeClass(market: Market, outcomeId: string): string {
  if (market.type !== 'binary') return '';
  return outcomeId === 'yes' ? 'up' : 'down';
}
