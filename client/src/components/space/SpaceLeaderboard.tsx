import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { LeaderboardMetric } from '../../../../shared/schemas/index.ts';
import { api, describeError } from '../../api.ts';
import { METRICS } from '../../lib/leaderboardMetrics.ts';
import { CalibrationChart } from '../CalibrationChart.tsx';
import { LeaderboardTable } from '../LeaderboardTable.tsx';
import { Tabs } from '../Tabs.tsx';

/**
 * The space's own leaderboard (its markets only, by any of the site's metrics) and how well
 * its forecasters are calibrated together.
 */
export function SpaceLeaderboard({ spaceId, me }: { spaceId: string; me: string | null }) {
  return (
    <>
      <Board spaceId={spaceId} me={me} />
      <SpaceCalibration spaceId={spaceId} />
    </>
  );
}

function SpaceCalibration({ spaceId }: { spaceId: string }) {
  const q = useQuery({
    queryKey: ['space-calibration', spaceId],
    queryFn: () => api.spaceCalibration(spaceId),
  });
  return (
    <section className="panel" aria-labelledby="space-cal-h" data-testid="space-calibration">
      <h2 id="space-cal-h">Calibration</h2>
      {q.error ? (
        <p className="error" role="alert">
          {describeError(q.error)}
        </p>
      ) : null}
      {q.isLoading && <p className="muted">Loading…</p>}
      {q.data && (
        <>
          <p className="muted small">
            {q.data.forecasts} forecast{q.data.forecasts === 1 ? '' : 's'} on {q.data.resolved}{' '}
            resolved question{q.data.resolved === 1 ? '' : 's'}
            {q.data.brier === null ? '' : `; mean Brier score ${q.data.brier.toFixed(3)}`}.
          </p>
          <CalibrationChart bins={q.data.calibration} />
        </>
      )}
    </section>
  );
}

function Board({ spaceId, me }: { spaceId: string; me: string | null }) {
  const [metric, setMetric] = useState<LeaderboardMetric>('profit');
  const q = useQuery({
    queryKey: ['leaderboard', metric, spaceId],
    queryFn: () => api.leaderboard(metric, spaceId),
  });
  const m = METRICS.find((x) => x.id === metric)!;
  return (
    <section className="panel" aria-labelledby="space-lb-h">
      <h2 id="space-lb-h">Leaderboard</h2>
      <Tabs label="Metric" compact tabs={METRICS} value={metric} onChange={setMetric} />
      <p className="muted small">{m.about} Only this space's markets count.</p>
      {q.error ? (
        <p className="error" role="alert">
          {describeError(q.error)}
        </p>
      ) : null}
      {q.isLoading && <p className="muted">Loading…</p>}
      {q.data && q.data.length === 0 && (
        <p className="muted">
          Nobody yet:{' '}
          {metric === 'profit'
            ? 'no trades have been made here'
            : 'scores appear once a question here resolves'}
          .
        </p>
      )}
      {q.data && q.data.length > 0 && (
        <LeaderboardTable
          metric={metric}
          rows={q.data.map((e, i) => ({ ...e, rank: i + 1 }))}
          me={me}
          caption="Space leaderboard"
          testId="space-leaderboard"
          framed={false}
        />
      )}
    </section>
  );
}
