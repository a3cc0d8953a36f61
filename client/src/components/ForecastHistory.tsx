import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import type { Forecast, Market } from '../../../shared/schemas/index.ts';
import { api } from '../api.ts';
import { dateTime, pct, relative } from '../format.ts';
import { itemsOfPages } from '../lib/pages.ts';
import { userForecastsQuery } from '../listQueries.ts';
import { describe } from './ForecastPanel.tsx';
import { LoadMore } from './LoadMore.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import './forecasts.css';

/** Where the question stands now: the market's odds, or how it ended. */
function standing(m: Market): string {
  if (m.status === 'cancelled') return 'Cancelled';
  if (m.status === 'resolved') {
    const o = m.outcomes.find((x) => x.id === m.resolution?.outcomeId);
    return `Resolved ${o?.label ?? ''}`.trim();
  }
  return m.type === 'binary'
    ? `${pct(m.outcomes[0]!.probability)} Yes`
    : describe(
        m,
        m.outcomes.map((o) => o.probability),
      );
}

/**
 * Every forecast `username` made, newest first, beside where each question stands now; the
 * table scrolls in its own box and loads older forecasts as its end comes into view.
 */
export function ForecastHistory({ username }: { username: string }) {
  // Every market, however many pages: a forecast on an old one still shows its question.
  const markets = useQuery({
    queryKey: ['markets', 'all', 'every'],
    queryFn: () => api.allMarkets('all'),
  });
  const forecasts = useInfiniteQuery({ ...userForecastsQuery(username), staleTime: 30_000 });
  const byId = new Map((markets.data ?? []).map((m) => [m.id, m]));
  const mine: { f: Forecast; m: Market }[] = [];
  for (const f of itemsOfPages(
    forecasts.data,
    (p) => p.forecasts,
    (x) => x.id,
  )) {
    const m = byId.get(f.marketId);
    if (m) mine.push({ f, m });
  }
  const loading = markets.isLoading || forecasts.isLoading;
  return (
    <section className="panel" aria-labelledby="fh-h">
      <h2 id="fh-h">
        Forecasts{' '}
        {mine.length > 0 && (
          <span className="muted small">
            ({mine.length}
            {forecasts.hasNextPage ? '+' : ''})
          </span>
        )}
      </h2>
      {loading && mine.length === 0 ? (
        <p className="muted">Loading forecasts…</p>
      ) : mine.length === 0 && forecasts.hasNextPage ? (
        // Every forecast loaded so far is on a market this page does not list: look further.
        <LoadMore list={forecasts} what="forecasts" testId="forecast-history-more" />
      ) : mine.length === 0 ? (
        <p className="muted">No forecasts yet.</p>
      ) : (
        <div className="table-wrap feed-scroll">
          <table data-testid="forecast-history" className="forecast-history">
            <thead>
              <tr>
                <th scope="col">Question</th>
                <th scope="col">Forecast</th>
                <th scope="col">Now</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {mine.map(({ f, m }) => (
                <tr key={f.id} data-forecast-id={f.id}>
                  <td>
                    <Link to={`/markets/${m.id}`}>{m.question}</Link>{' '}
                    {m.status === 'closed' && <StatusBadge market={m} />}
                    {f.comment && <div className="muted small">“{f.comment}”</div>}
                  </td>
                  <td data-label="Forecast" className="nowrap">
                    {describe(m, f.probabilities)}
                  </td>
                  <td
                    data-label="Now"
                    className={`nowrap ${m.status === 'resolved' ? 'strong' : ''}`}
                  >
                    {standing(m)}
                  </td>
                  <td
                    data-label="When"
                    className="nowrap muted small"
                    title={dateTime(f.createdAt)}
                  >
                    {relative(f.createdAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <LoadMore list={forecasts} what="forecasts" testId="forecast-history-more" />
        </div>
      )}
    </section>
  );
}
