import type { Market, ScoresResponse } from '../../../shared/schemas/index.ts';
import { fixed } from '../format.ts';

type Row = {
  kind: string;
  name: string;
  brier: number | null;
  log: number | null;
  baseline: number | null;
  peer: number | null;
};

const num = (v: number | null, digits: number) => (v == null ? '–' : fixed(v, digits));

/**
 * Who called it: the market, the crowd, each claim of the article and each forecaster, scored on
 * this question, best Brier first. Says whether the Brier shown is binary or multi-outcome.
 */
export function ScoreTable({ market, scores }: { market: Market; scores: ScoresResponse }) {
  const rows: Row[] = [
    { kind: 'market', name: 'The market', ...scores.market },
    { kind: 'crowd', name: 'Community forecast', ...scores.community },
    ...scores.claims.map((c) => ({ kind: 'claim', name: c.who, ...c })),
    ...scores.users.map((u) => ({ kind: 'user', name: u.username, ...u })),
  ];
  rows.sort(
    (a, b) => (a.brier ?? Number.POSITIVE_INFINITY) - (b.brier ?? Number.POSITIVE_INFINITY),
  );
  const best = rows[0]?.brier;
  const binary = market.type === 'binary';
  return (
    <section className="panel" aria-labelledby="scores-h">
      <h2 id="scores-h">Who called it</h2>
      <p className="muted small">
        {binary
          ? 'Brier is the binary form (p − outcome)², from 0 (perfect) to 1.'
          : 'Brier is the multi-outcome form Σ(pᵢ − oᵢ)², from 0 (perfect) to 2.'}{' '}
        Log is ln p of what happened (0 best). Baseline and peer are Metaculus's scores (higher is
        better). All are averaged over the time the question was open.
      </p>
      <div className="table-wrap">
        <table data-testid="scores">
          <thead>
            <tr>
              <th scope="col">Forecaster</th>
              <th scope="col" className="num">
                Brier
              </th>
              <th scope="col" className="num">
                Log
              </th>
              <th scope="col" className="num">
                Baseline
              </th>
              <th scope="col" className="num">
                Peer
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={`${r.kind}:${r.name}`}
                className={r.brier != null && r.brier === best ? 'best' : ''}
              >
                <th scope="row">
                  {r.name} <span className={`kind kind-${r.kind}`}>{r.kind}</span>
                </th>
                <td className="num">{num(r.brier, 3)}</td>
                <td className="num">{num(r.log, 3)}</td>
                <td className="num">{num(r.baseline, 1)}</td>
                <td className="num">{num(r.peer, 1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
