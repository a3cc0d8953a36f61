import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  type LeaderboardMetric,
  LeaderboardMetric as Metric,
} from '../../../shared/schemas/index.ts';
import { api, describeError } from '../api.ts';
import { isBot } from '../components/BotBadge.tsx';
import { LeaderboardTable } from '../components/LeaderboardTable.tsx';
import { Tabs } from '../components/Tabs.tsx';
import { useMe } from '../hooks/useMe.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';
import { METRICS } from '../lib/leaderboardMetrics.ts';
import './leaderboard.css';

/** `/leaderboard`: the best forecasters by profit, Brier, log, baseline and peer score. */
export default function LeaderboardPage() {
  const [params, setParams] = useSearchParams();
  const parsed = Metric.safeParse(params.get('metric') ?? 'profit');
  const metric: LeaderboardMetric = parsed.success ? parsed.data : 'profit';
  const [showBots, setShowBots] = useState(true);
  const { me } = useMe();
  usePageTitle('Leaderboard');
  const q = useQuery({ queryKey: ['leaderboard', metric], queryFn: () => api.leaderboard(metric) });
  const m = METRICS.find((x) => x.id === metric)!;
  // Ranks are over everyone, so hiding bots leaves gaps rather than renumbering.
  const ranked = (q.data ?? []).map((e, i) => ({ ...e, rank: i + 1 }));
  const rows = showBots ? ranked : ranked.filter((e) => !isBot(e.username));
  const bots = ranked.filter((e) => isBot(e.username)).length;
  return (
    <section className="stack leaderboard-page">
      <h1>Leaderboard</h1>
      <Tabs
        label="Metric"
        tabs={METRICS}
        value={metric}
        onChange={(id) => setParams(id === 'profit' ? {} : { metric: id }, { replace: true })}
      />
      <div className="spread lb-about">
        <p className="muted" data-testid="leaderboard-about">
          {m.about}
        </p>
        {bots > 0 && (
          <label className="check">
            <input
              type="checkbox"
              checked={showBots}
              onChange={(e) => setShowBots(e.target.checked)}
            />{' '}
            Show simulated traders ({bots})
          </label>
        )}
      </div>
      {q.error ? (
        <p className="error" role="alert">
          {describeError(q.error)}
        </p>
      ) : null}
      {q.isLoading && (
        <p className="muted" aria-live="polite">
          Loading…
        </p>
      )}
      {q.data && rows.length === 0 && (
        <p className="muted panel">
          Nobody yet:{' '}
          {metric === 'profit'
            ? 'no trades have been made'
            : 'scores appear once a question people forecast on resolves'}
          .
        </p>
      )}
      {rows.length > 0 && (
        <LeaderboardTable
          metric={metric}
          rows={rows}
          me={me?.user.username ?? null}
          caption="Leaderboard"
          testId="leaderboard"
        />
      )}
    </section>
  );
}
