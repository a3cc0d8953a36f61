import type { Market, ScoresResponse } from '../../../shared/schemas/index.ts';
import { fixed } from '../format.ts';

type Metric = 'brier' | 'log' | 'baseline' | 'peer';

type Row = {
  kind: 'market' | 'crowd' | 'claim' | 'user';
  name: string;
} & Record<Metric, number | null>;

const METRICS: { id: Metric; label: string; digits: number; lowerIsBetter: boolean }[] = [
  { id: 'brier', label: 'Brier', digits: 3, lowerIsBetter: true },
  { id: 'log', label: 'Log', digits: 3, lowerIsBetter: false },
  { id: 'baseline', label: 'Baseline', digits: 1, lowerIsBetter: false },
  { id: 'peer', label: 'Peer', digits: 1, lowerIsBetter: false },
];

const KIND_LABEL: Record<Row['kind'], string> = {
  market: 'market',
  crowd: 'crowd',
  claim: 'claim',
  user: 'forecaster',
};

/** What each score means, for the column headers' tooltips and the legend. */
function explain(metric: Metric, binary: boolean): string {
  switch (metric) {
    case 'brier':
      return binary
        ? 'Binary Brier score (p − o)², p the probability of Yes and o 1 if Yes happened: 0 is perfect, 1 the worst. Lower is better.'
        : 'Multi-outcome Brier score Σ(pᵢ − oᵢ)² over every outcome: 0 is perfect, 2 the worst. Lower is better.';
    case 'log':
      return 'Log score ln p of the outcome that happened: 0 is perfect, more negative is worse. Higher is better.';
    case 'baseline':
      return binary
        ? 'Baseline score 100 × (log₂ p + 1): 0 for a coin-flip 50%, 100 for certainty on the right answer. Higher is better.'
        : 'Baseline score 100 × ln(n·p) / ln n: 0 for the uniform forecast, 100 for certainty on the right answer. Higher is better.';
    case 'peer':
      return 'Peer score: 100 × ln(p ÷ the geometric mean of everyone’s p), so above 0 beat the average forecaster. Higher is better.';
  }
}

/**
 * Rows holding the best value of a column as shown (rounded to `digits`), ties included; none
 * when every row shows the same value, since then no one did better.
 */
function bestOf(rows: readonly Row[], metric: Metric, digits: number, lowerIsBetter: boolean) {
  const shown = rows.map((r) => {
    const v = r[metric];
    return v == null ? null : Number(fixed(v, digits));
  });
  const present = shown.filter((v): v is number => v !== null);
  const out = new Set<number>();
  if (present.length < 2 || present.every((v) => v === present[0])) return out;
  const best = lowerIsBetter ? Math.min(...present) : Math.max(...present);
  shown.forEach((v, i) => {
    if (v === best) out.add(i);
  });
  return out;
}

/**
 * Who called it: the market, the crowd, each claim of the article and each forecaster, scored on
 * this question, best Brier first, the best value of each column highlighted. Says whether the
 * Brier shown is binary or multi-outcome and what each score means.
 */
export function ScoreTable({ market, scores }: { market: Market; scores: ScoresResponse }) {
  const rows: Row[] = [
    { kind: 'market', name: 'The market', ...scores.market },
    { kind: 'crowd', name: 'Community forecast', ...scores.community },
    ...scores.claims.map((c) => ({ kind: 'claim' as const, name: c.who, ...c })),
    ...scores.users.map((u) => ({ kind: 'user' as const, name: u.username, ...u })),
  ];
  rows.sort(
    (a, b) => (a.brier ?? Number.POSITIVE_INFINITY) - (b.brier ?? Number.POSITIVE_INFINITY),
  );
  const binary = market.type === 'binary';
  const best = Object.fromEntries(
    METRICS.map((m) => [m.id, bestOf(rows, m.id, m.digits, m.lowerIsBetter)]),
  ) as Record<Metric, Set<number>>;
  return (
    <section className="panel" aria-labelledby="scores-h" data-testid="scores-table">
      <h2 id="scores-h">Who called it</h2>
      <p className="muted small">
        Every forecast on this question scored against what happened: the market price, the
        community forecast, each claim of the article and each forecaster.{' '}
        {binary
          ? 'Brier is the binary form (p − o)², from 0 (perfect) to 1.'
          : 'Brier is the multi-outcome form Σ(pᵢ − oᵢ)², from 0 (perfect) to 2.'}{' '}
        The best value in each column is marked ★.
      </p>
      <div className="table-wrap">
        <table data-testid="scores" className="scores">
          <thead>
            <tr>
              <th scope="col">Forecaster</th>
              {METRICS.map((m) => (
                <th key={m.id} scope="col" className="num">
                  <abbr title={explain(m.id, binary)}>{m.label}</abbr>{' '}
                  <span className="muted dir" aria-hidden="true">
                    {m.lowerIsBetter ? '↓' : '↑'}
                  </span>
                  <span className="sr-label">
                    {m.lowerIsBetter ? '(lower is better)' : '(higher is better)'}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr
                key={`${r.kind}:${r.name}`}
                className={best.brier.has(i) ? 'best' : ''}
                data-kind={r.kind}
              >
                <th scope="row">
                  {r.name} <span className={`kind kind-${r.kind}`}>{KIND_LABEL[r.kind]}</span>
                </th>
                {METRICS.map((m) => {
                  const v = r[m.id];
                  const top = best[m.id].has(i);
                  return (
                    <td
                      key={m.id}
                      className={`num ${top ? 'best-cell' : ''}`}
                      title={v == null ? 'did not forecast' : String(v)}
                    >
                      {v == null ? '–' : fixed(v, m.digits)}
                      {top && (
                        <>
                          <span className="star" aria-hidden="true">
                            {' '}
                            ★
                          </span>
                          <span className="sr-label"> (best)</span>
                        </>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details className="score-legend small">
        <summary>What the scores mean</summary>
        <dl>
          {METRICS.map((m) => (
            <div key={m.id}>
              <dt>{m.label}</dt>
              <dd>{explain(m.id, binary)}</dd>
            </div>
          ))}
        </dl>
        <p className="muted">
          Brier and log average each forecast over the time it stood; baseline and peer average over
          the whole scheduled window, counting time without a forecast as 0, so a question that
          resolves early gives small ones.
        </p>
      </details>
    </section>
  );
}
