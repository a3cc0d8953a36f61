import type { Market } from '../../../shared/schemas/index.ts';
import { pct } from '../format.ts';
import { useFlash } from '../hooks/useFlash.ts';
import { outcomeColor } from './palette.ts';

/** Multiple-choice outcomes with their live odds; choosing one focuses the chart on it. */
export function OutcomeTable({
  market,
  community,
  focus,
  onFocus,
}: {
  market: Market;
  community: number[] | null;
  focus: number;
  onFocus: (i: number) => void;
}) {
  return (
    <fieldset className="outcomes">
      <legend className="sr-label">Outcomes: choose one to chart it</legend>
      {market.outcomes.map((o, i) => (
        <button
          key={o.id}
          type="button"
          className={`outcome-row ${i === focus ? 'focused' : ''} ${
            market.resolution?.outcomeId === o.id ? 'winner' : ''
          }`}
          aria-pressed={i === focus}
          onClick={() => onFocus(i)}
          data-testid="outcome-row"
        >
          <span className="swatch" style={{ background: outcomeColor(i) }} />
          <span className="outcome-label">{o.label}</span>
          <span className="bar" aria-hidden="true">
            <span style={{ width: `${o.probability * 100}%`, background: outcomeColor(i) }} />
          </span>
          <FlashPct value={o.probability} />
          <span className="muted small outcome-crowd">
            {community ? `crowd ${pct(community[i] ?? 0)}` : ''}
          </span>
        </button>
      ))}
    </fieldset>
  );
}

/** A live percentage that flashes green or red as it moves. */
function FlashPct({ value }: { value: number }) {
  const flash = useFlash(Number.parseFloat(pct(value)));
  return (
    <span key={flash.key} className={`outcome-prob ${flash.className}`}>
      {pct(value)}
    </span>
  );
}
