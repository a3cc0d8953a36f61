import type { ProfileResponse } from '../../../shared/schemas/index.ts';
import { credits, fixed } from '../format.ts';
import { CalibrationChart } from './CalibrationChart.tsx';

/** Headline numbers of a forecaster and their calibration chart. */
export function ProfileStats({ profile }: { profile: ProfileResponse }) {
  const s = profile.stats;
  return (
    <div className="profile-grid">
      <section className="panel" aria-labelledby="stats-h">
        <h2 id="stats-h">Record</h2>
        <dl className="stats">
          <div>
            <dt>Profit</dt>
            <dd className={s.profitCents >= 0 ? 'up' : 'down'} data-testid="profile-profit">
              {s.profitCents >= 0 ? '+' : ''}
              {credits(s.profitCents)}
            </dd>
          </div>
          <div>
            <dt>Forecasts</dt>
            <dd>{s.forecasts}</dd>
          </div>
          <div>
            <dt>Resolved questions scored</dt>
            <dd>{s.resolved}</dd>
          </div>
          <div>
            <dt title="Mean time-averaged Brier score; binary (p − o)² for yes/no questions, Σ(pᵢ − oᵢ)² for multiple choice. Lower is better.">
              Brier (lower is better)
            </dt>
            <dd>{s.brier == null ? '–' : fixed(s.brier, 3)}</dd>
          </div>
          <div>
            <dt title="Mean time-averaged ln p of what happened. Closer to 0 is better.">
              Log score (0 is best)
            </dt>
            <dd>{s.log == null ? '–' : fixed(s.log, 3)}</dd>
          </div>
        </dl>
        <p className="muted small">
          Profit counts open positions at current prices. Brier mixes the binary form (yes/no
          questions, 0–1) and the multi-outcome form (multiple choice, 0–2).
        </p>
      </section>
      <section className="panel" aria-labelledby="cal-h">
        <h2 id="cal-h">Calibration</h2>
        <CalibrationChart bins={s.calibration} />
      </section>
    </div>
  );
}
