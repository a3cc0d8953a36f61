import { useState } from 'react';
import type { Market } from '../../../shared/schemas/index.ts';
import { date, pct } from '../format.ts';

/** Claims shown before "Show all". */
const SHOWN = 4;

/** The article's claims on this question: who said what, when, where, and how it was read. */
export function ClaimsPanel({ market }: { market: Market }) {
  const [all, setAll] = useState(false);
  if (market.claims.length === 0) return null;
  const claims = [...market.claims].sort((a, b) => a.date.localeCompare(b.date));
  return (
    <section className="panel" aria-labelledby="claims-h" data-testid="claims-panel">
      <h2 id="claims-h">What people said</h2>
      <p className="muted small">
        Claims from the source article, each read as a probability and drawn on the chart.
      </p>
      <ol className="claims" data-testid="claims">
        {(all ? claims : claims.slice(0, SHOWN)).map((c) => {
          const outcome = market.outcomes.find((o) => o.id === c.outcomeId)?.label ?? c.outcomeId;
          return (
            <li key={`${c.who}|${c.date}|${c.said.slice(0, 30)}`} className="claim">
              <div className="spread">
                <strong>{c.who}</strong>
                <span className="claim-prob" title={`read as P(${outcome})`}>
                  {pct(c.probability)} {outcome}
                </span>
              </div>
              <blockquote>“{c.said}”</blockquote>
              <div className="muted small">
                <time dateTime={c.date}>{date(`${c.date}T00:00:00Z`)}</time> · {c.source}
              </div>
              {c.note && (
                <details className="small">
                  <summary>How this was read</summary>
                  <p>{c.note}</p>
                </details>
              )}
            </li>
          );
        })}
      </ol>
      {claims.length > SHOWN && (
        <button type="button" className="ghost small-btn more" onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${claims.length} claims`}
        </button>
      )}
    </section>
  );
}
