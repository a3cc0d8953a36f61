import type { CalibrationBin } from '../../../shared/schemas/index.ts';
import { pct } from '../format.ts';

const W = 330;
const H = 320;
/** Room for the y tick labels and the rotated axis title (left), the x ticks and title (bottom). */
const LEFT = 50;
const BOTTOM = 38;
const TOP = 10;
const RIGHT = 14;
const CAP = 4;

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
  const x = (p: number) => LEFT + p * (W - LEFT - RIGHT);
  const y = (p: number) => H - BOTTOM - p * (H - BOTTOM - TOP);
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
            <text x={x(t)} y={H - BOTTOM + 15} textAnchor="middle">
              {Math.round(t * 100)}%
            </text>
            <text x={LEFT - 6} y={y(t) + 4} textAnchor="end">
              {Math.round(t * 100)}%
            </text>
          </g>
        ))}
        <line className="cal-diagonal" x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} />
        {shown.map((b) => (
          <g key={b.from} className="cal-bin">
            <line x1={x(b.predicted)} x2={x(b.predicted)} y1={y(b.low)} y2={y(b.high)} />
            <line x1={x(b.predicted) - CAP} x2={x(b.predicted) + CAP} y1={y(b.low)} y2={y(b.low)} />
            <line
              x1={x(b.predicted) - CAP}
              x2={x(b.predicted) + CAP}
              y1={y(b.high)}
              y2={y(b.high)}
            />
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
          x={11}
          y={(y(0) + y(1)) / 2}
          textAnchor="middle"
          className="cal-axis"
          transform={`rotate(-90 11 ${(y(0) + y(1)) / 2})`}
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
        Each dot is a bucket of forecasts: across, the probability stated; up, how often it
        happened; its size, how many forecasts. Bars are Wilson 95% intervals. The dashed diagonal
        is perfect calibration.
      </figcaption>
    </figure>
  );
}
