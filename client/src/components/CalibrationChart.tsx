import type { CalibrationBin } from '../../../shared/schemas/index.ts';
import { pct } from '../format.ts';

const W = 320;
const H = 320;
const PAD = 36;

/**
 * Stated probability (x) against how often it happened (y), one dot per bucket sized by its count,
 * with the Wilson 95% interval as a bar. Dots on the diagonal are perfectly calibrated.
 */
export function CalibrationChart({ bins }: { bins: readonly CalibrationBin[] }) {
  const shown = bins.filter((b) => b.count > 0);
  if (shown.length === 0) {
    return (
      <p className="muted">
        No resolved forecasts yet: calibration appears once questions resolve.
      </p>
    );
  }
  const x = (p: number) => PAD + p * (W - PAD - 10);
  const y = (p: number) => H - PAD - p * (H - PAD - 10);
  const maxCount = Math.max(...shown.map((b) => b.count));
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <figure className="calibration">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label="Calibration: stated probability against observed frequency"
        data-testid="calibration-chart"
      >
        {ticks.map((t) => (
          <g key={t} className="cal-grid">
            <line x1={x(t)} x2={x(t)} y1={y(0)} y2={y(1)} />
            <line x1={x(0)} x2={x(1)} y1={y(t)} y2={y(t)} />
            <text x={x(t)} y={H - PAD + 16} textAnchor="middle">
              {Math.round(t * 100)}%
            </text>
            <text x={PAD - 6} y={y(t) + 4} textAnchor="end">
              {Math.round(t * 100)}%
            </text>
          </g>
        ))}
        <line className="cal-diagonal" x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} />
        {shown.map((b) => (
          <g key={b.from} className="cal-bin">
            <line x1={x(b.predicted)} x2={x(b.predicted)} y1={y(b.low)} y2={y(b.high)} />
            <circle
              cx={x(b.predicted)}
              cy={y(b.observed)}
              r={3 + 5 * Math.sqrt(b.count / maxCount)}
            >
              <title>
                {`Stated ${pct(b.from)}–${pct(b.to)} (mean ${pct(b.predicted)}): happened ${pct(
                  b.observed,
                )} of ${b.count}; 95% interval ${pct(b.low)}–${pct(b.high)}`}
              </title>
            </circle>
          </g>
        ))}
        <text x={(x(0) + x(1)) / 2} y={H - 4} textAnchor="middle" className="cal-axis">
          Stated probability
        </text>
        <text
          x={12}
          y={(y(0) + y(1)) / 2}
          textAnchor="middle"
          className="cal-axis"
          transform={`rotate(-90 12 ${(y(0) + y(1)) / 2})`}
        >
          Observed frequency
        </text>
      </svg>
      <details className="small">
        <summary>Calibration table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Stated</th>
              <th scope="col" className="num">
                Forecasts
              </th>
              <th scope="col" className="num">
                Happened
              </th>
              <th scope="col" className="num">
                95% interval
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((b) => (
              <tr key={b.from}>
                <td>
                  {pct(b.from)}–{pct(b.to)}
                </td>
                <td className="num">{b.count}</td>
                <td className="num">{pct(b.observed)}</td>
                <td className="num">
                  {pct(b.low)}–{pct(b.high)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <figcaption className="muted small">
        Bars are Wilson 95% intervals; dots on the diagonal mean what you say happens as often as
        you say it.
      </figcaption>
    </figure>
  );
}
