import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { assertNever } from '../../../shared/errors.ts';
import {
  type LeaderboardMetric,
  LeaderboardMetric as Metric,
} from '../../../shared/schemas/index.ts';
import { api, describeError } from '../api.ts';
import { Tabs } from '../components/Tabs.tsx';
import { credits, fixed } from '../format.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';

const METRICS: { id: LeaderboardMetric; label: string; about: string }[] = [
  {
    id: 'profit',
    label: 'Profit',
    about:
      'Credits won or lost trading: balance minus grants, with open positions at current prices.',
  },
  {
    id: 'brier',
    label: 'Brier',
    about:
      'Mean time-averaged Brier score over resolved questions (binary (p − o)², multiple choice Σ(pᵢ − oᵢ)²). Lower is better.',
  },
  {
    id: 'log',
    label: 'Log',
    about: 'Mean time-averaged ln p of what happened. Closer to 0 is better.',
  },
  {
    id: 'baseline',
    label: 'Baseline',
    about:
      "Metaculus's baseline score: 100 × (log₂ p + 1) for yes/no, against a uniform guess. Higher is better.",
  },
  {
    id: 'peer',
    label: 'Peer',
    about:
      "Metaculus's peer score: how much better than the other forecasters on the same questions. Higher is better.",
  },
];

function formatValue(metric: LeaderboardMetric, v: number): string {
  switch (metric) {
    case 'profit':
      return `${v >= 0 ? '+' : ''}${credits(Math.round(v))}`;
    case 'brier':
    case 'log':
      return fixed(v, 3);
    case 'baseline':
    case 'peer':
      return fixed(v, 1);
    default:
      return assertNever(metric);
  }
}

/** `/leaderboard`: the best forecasters by profit, Brier, log, baseline and peer score. */
export default function LeaderboardPage() {
  const [params, setParams] = useSearchParams();
  const parsed = Metric.safeParse(params.get('metric') ?? 'profit');
  const metric: LeaderboardMetric = parsed.success ? parsed.data : 'profit';
  usePageTitle('Leaderboard');
  const q = useQuery({ queryKey: ['leaderboard', metric], queryFn: () => api.leaderboard(metric) });
  const about = METRICS.find((m) => m.id === metric)!.about;
  return (
    <section className="stack">
      <h1>Leaderboard</h1>
      <Tabs
        label="Metric"
        tabs={METRICS}
        value={metric}
        onChange={(id) => setParams(id === 'profit' ? {} : { metric: id }, { replace: true })}
      />
      <p className="muted">{about}</p>
      {q.error ? <p className="error">{describeError(q.error)}</p> : null}
      {q.isLoading && <p className="muted">Loading…</p>}
      {q.data && q.data.length === 0 && (
        <p className="muted">
          Nobody yet:{' '}
          {metric === 'profit' ? 'no trades have been made' : 'no question has resolved'}.
        </p>
      )}
      {q.data && q.data.length > 0 && (
        <div className="panel table-wrap">
          <table data-testid="leaderboard">
            <thead>
              <tr>
                <th scope="col" className="num">
                  #
                </th>
                <th scope="col">Forecaster</th>
                <th scope="col" className="num">
                  {METRICS.find((m) => m.id === metric)!.label}
                </th>
                <th scope="col" className="num">
                  {metric === 'profit' ? 'Markets' : 'Questions'}
                </th>
              </tr>
            </thead>
            <tbody>
              {q.data.map((e, i) => (
                <tr key={e.username}>
                  <td className="num muted">{i + 1}</td>
                  <td>
                    <Link to={`/users/${e.username}`}>{e.username}</Link>
                  </td>
                  <td
                    className={`num strong ${
                      metric === 'profit' ? (e.value >= 0 ? 'up' : 'down') : ''
                    }`}
                  >
                    {formatValue(metric, e.value)}
                  </td>
                  <td className="num muted">{e.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
