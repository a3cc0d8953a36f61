import { Link } from 'react-router-dom';
import type { LeaderboardMetric } from '../../../shared/schemas/index.ts';
import { formatValue, METRICS } from '../lib/leaderboardMetrics.ts';
import { BotBadge } from './BotBadge.tsx';

export interface RankedEntry {
  rank: number;
  username: string;
  value: number;
  count: number;
}

/** A leaderboard's rows, best first, the signed-in user's row marked (the site's and a space's). */
export function LeaderboardTable({
  metric,
  rows,
  me,
  caption,
  testId,
  framed = true,
}: {
  metric: LeaderboardMetric;
  rows: readonly RankedEntry[];
  me: string | null;
  caption: string;
  testId: string;
  /** In a panel of its own (false: inside one already). */
  framed?: boolean;
}) {
  const m = METRICS.find((x) => x.id === metric)!;
  return (
    <div className={framed ? 'panel table-wrap' : 'table-wrap'}>
      <table data-testid={testId}>
        <caption className="sr-label">
          {caption} by {m.label.toLowerCase()}, best first
        </caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Rank
            </th>
            <th scope="col">Forecaster</th>
            <th scope="col" className="num">
              {m.column}
            </th>
            <th scope="col" className="num">
              {metric === 'profit' ? 'Markets' : 'Questions'}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr
              key={e.username}
              className={me === e.username ? 'lb-me' : undefined}
              aria-current={me === e.username ? 'true' : undefined}
            >
              <td className="num muted">{e.rank}</td>
              <td>
                <Link to={`/users/${e.username}`}>{e.username}</Link>{' '}
                <BotBadge username={e.username} />
                {me === e.username && <span className="sr-label"> (you)</span>}
              </td>
              <td
                className={`num strong ${
                  metric === 'profit' ? (e.value > 0 ? 'up' : e.value < 0 ? 'down' : '') : ''
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
  );
}
