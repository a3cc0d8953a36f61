import { useQueries, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import type { Forecast, Market } from '../../../shared/schemas/index.ts';
import { api } from '../api.ts';
import { dateTime, pct, relative } from '../format.ts';
import { describe } from './ForecastPanel.tsx';
import { StatusBadge } from './StatusBadge.tsx';

/** Every forecast `username` made, newest first, beside each market's odds and outcome now. */
export function ForecastHistory({ username }: { username: string }) {
  const markets = useQuery({ queryKey: ['markets', 'all'], queryFn: () => api.markets('all') });
  const lists = useQueries({
    queries: (markets.data ?? []).map((m) => ({
      queryKey: ['forecasts', m.id],
      queryFn: () => api.forecasts(m.id),
      staleTime: 30_000,
    })),
  });
  const byId = new Map((markets.data ?? []).map((m) => [m.id, m]));
  const mine: { f: Forecast; m: Market }[] = [];
  for (const q of lists) {
    for (const f of q.data?.forecasts ?? []) {
      const m = byId.get(f.marketId);
      if (f.username === username && m) mine.push({ f, m });
    }
  }
  mine.sort((a, b) => Date.parse(b.f.createdAt) - Date.parse(a.f.createdAt));
  const loading = markets.isLoading || lists.some((q) => q.isLoading);
  return (
    <section className="panel" aria-labelledby="fh-h">
      <h2 id="fh-h">Forecasts</h2>
      {loading && mine.length === 0 ? (
        <p className="muted">Loading forecasts…</p>
      ) : mine.length === 0 ? (
        <p className="muted">No forecasts yet.</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="forecast-history">
            <thead>
              <tr>
                <th scope="col">Question</th>
                <th scope="col">Forecast</th>
                <th scope="col">Market now</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {mine.map(({ f, m }) => (
                <tr key={f.id}>
                  <td>
                    <Link to={`/markets/${m.id}`}>{m.question}</Link>{' '}
                    {m.status !== 'open' && <StatusBadge market={m} />}
                    {f.comment && <div className="muted small">“{f.comment}”</div>}
                  </td>
                  <td className="nowrap">{describe(m, f.probabilities)}</td>
                  <td className="nowrap">
                    {m.type === 'binary'
                      ? pct(m.outcomes[0]!.probability)
                      : describe(
                          m,
                          m.outcomes.map((o) => o.probability),
                        )}
                  </td>
                  <td className="nowrap muted small" title={dateTime(f.createdAt)}>
                    {relative(f.createdAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
