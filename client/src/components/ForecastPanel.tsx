import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import type { ForecastRequest, Market, MeResponse } from '../../../shared/schemas/index.ts';
import { api, describeError } from '../api.ts';
import { pct, relative } from '../format.ts';
import { setShare, toPercents, toProbabilities } from '../lib/distribution.ts';
import { outcomeColor } from './palette.ts';

export interface ForecastPanelProps {
  market: Market;
  me: MeResponse | null;
  /** The signed-in user's latest forecast on this market, if any. */
  mine: { probabilities: number[]; createdAt: string } | null;
  community: number[] | null;
}

/**
 * A free forecast, scored when the question resolves: a probability slider for binary markets,
 * a distribution editor (always summing to 100%) for multiple choice, and an optional comment.
 */
export function ForecastPanel({ market, me, mine, community }: ForecastPanelProps) {
  const qc = useQueryClient();
  const location = useLocation();
  const ids = useId();
  const start = mine?.probabilities ?? market.outcomes.map((o) => o.probability);
  const [percents, setPercents] = useState<number[]>(() => toPercents(start));
  const [comment, setComment] = useState('');
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const open = market.status === 'open';
  const touched = useRef(false);
  const edit = (next: number[]) => {
    touched.current = true;
    setPercents(next);
  };
  // The user's last forecast may load after the panel: start from it unless they began editing.
  const mineKey = mine ? mine.probabilities.join(',') : '';
  useEffect(() => {
    if (mineKey && !touched.current) setPercents(toPercents(mineKey.split(',').map(Number)));
  }, [mineKey]);

  const submit = async () => {
    setPending(true);
    setMessage(null);
    const body: ForecastRequest =
      market.type === 'binary'
        ? { probability: percents[0]! / 100 }
        : { probabilities: toProbabilities(percents) };
    if (comment.trim()) body.comment = comment.trim();
    try {
      await api.forecast(market.id, body);
      setComment('');
      setMessage({ ok: true, text: 'Forecast saved. It stands until you change it.' });
      await qc.invalidateQueries({ queryKey: ['forecasts', market.id] });
      void qc.invalidateQueries({ queryKey: ['user-forecasts'] });
    } catch (e) {
      setMessage({ ok: false, text: describeError(e) });
    } finally {
      setPending(false);
    }
  };

  if (!open) {
    return (
      <section className="panel" aria-labelledby={`${ids}-h`}>
        <h2 id={`${ids}-h`}>Your forecast</h2>
        <p className="muted small">
          Forecasting is closed.{' '}
          {mine
            ? `Your last forecast: ${describe(market, mine.probabilities)}, ${relative(mine.createdAt)}.`
            : 'You did not forecast this question.'}
        </p>
        {message && <p className={message.ok ? 'success' : 'error'}>{message.text}</p>}
      </section>
    );
  }

  return (
    <section className="panel" aria-labelledby={`${ids}-h`}>
      <h2 id={`${ids}-h`}>Your forecast</h2>
      <p className="muted small">
        Free to make; scored with Brier and log scores when the question resolves.
      </p>
      {mine && (
        <p className="small latest-forecast" data-testid="my-forecast">
          Your latest: <strong>{describe(market, mine.probabilities)}</strong>,{' '}
          <time dateTime={mine.createdAt} title={mine.createdAt}>
            {relative(mine.createdAt)}
          </time>
          .
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <fieldset disabled={!open || pending} className="plain">
          <legend className="sr-label">Probabilities</legend>
          {market.type === 'binary' ? (
            <div className="field">
              <label htmlFor={`${ids}-p`}>
                Chance of Yes: <strong data-testid="forecast-value">{percents[0]}%</strong>
              </label>
              <div className="slider-row">
                <input
                  id={`${ids}-p`}
                  type="range"
                  min={1}
                  max={99}
                  step={1}
                  value={percents[0]}
                  onChange={(e) => {
                    const v = Number(e.target.value);
                    edit([v, 100 - v]);
                  }}
                  data-testid="forecast-slider"
                />
                <span className="num-with-unit">
                  <input
                    type="number"
                    min={1}
                    max={99}
                    step={1}
                    className="num-input"
                    aria-label="Chance of Yes in percent"
                    value={percents[0]}
                    onChange={(e) => {
                      const raw = e.target.value;
                      if (raw === '') return;
                      const v = Math.min(99, Math.max(1, Math.round(Number(raw))));
                      if (Number.isFinite(v)) edit([v, 100 - v]);
                    }}
                    data-testid="forecast-number"
                  />
                  <span aria-hidden="true">%</span>
                </span>
              </div>
              <div className="spread muted small">
                <span>Market {pct(market.outcomes[0]!.probability)}</span>
                {community && <span>Community {pct(community[0]!)}</span>}
              </div>
            </div>
          ) : (
            <fieldset className="dist">
              <legend className="sr-label">Distribution over outcomes</legend>
              {market.outcomes.map((o, i) => (
                <div className="dist-row" key={o.id}>
                  <label htmlFor={`${ids}-o${i}`} className="dist-label">
                    <span className="swatch" style={{ background: outcomeColor(i) }} />
                    {o.label}
                  </label>
                  <input
                    id={`${ids}-o${i}`}
                    type="range"
                    min={0}
                    max={100}
                    value={percents[i]}
                    onChange={(e) => edit(setShare(percents, i, Number(e.target.value)))}
                  />
                  <input
                    type="number"
                    min={0}
                    max={100}
                    className="num-input"
                    aria-label={`${o.label} percent`}
                    value={percents[i]}
                    onChange={(e) => edit(setShare(percents, i, Number(e.target.value)))}
                  />
                </div>
              ))}
              <div className="spread small">
                <span className="muted" data-testid="forecast-total">
                  Sum {percents.reduce((a, b) => a + b, 0)}% (editing one outcome rescales the
                  others)
                </span>
                <span className="row">
                  <button
                    type="button"
                    className="ghost small-btn"
                    onClick={() =>
                      setPercents(toPercents(market.outcomes.map((o) => o.probability)))
                    }
                  >
                    Copy market
                  </button>
                  {community && (
                    <button
                      type="button"
                      className="ghost small-btn"
                      onClick={() => edit(toPercents(community))}
                    >
                      Copy community
                    </button>
                  )}
                </span>
              </div>
            </fieldset>
          )}
          <div className="field">
            <label htmlFor={`${ids}-c`}>
              Comment <span className="muted small">(optional)</span>
            </label>
            <textarea
              id={`${ids}-c`}
              rows={2}
              maxLength={1000}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              placeholder="Why do you think so?"
            />
          </div>
        </fieldset>
        {me ? (
          <button
            type="submit"
            className="wide"
            disabled={!open || pending}
            data-testid="forecast-submit"
          >
            {pending ? 'Saving…' : 'Save forecast'}
          </button>
        ) : (
          <Link className="button wide" to={`/login?next=${encodeURIComponent(location.pathname)}`}>
            Sign in to forecast
          </Link>
        )}
        {message && (
          <p className={message.ok ? 'success' : 'error'} role={message.ok ? 'status' : 'alert'}>
            {message.text}
          </p>
        )}
      </form>
    </section>
  );
}

/** "62% Yes" for binary, the top two outcomes for multiple choice. */
export function describe(market: Market, probabilities: readonly number[]): string {
  if (market.type === 'binary') return `${pct(probabilities[0] ?? 0)} Yes`;
  return market.outcomes
    .map((o, i) => ({ label: o.label, p: probabilities[i] ?? 0 }))
    .sort((a, b) => b.p - a.p)
    .slice(0, 2)
    .map((x) => `${x.label} ${pct(x.p)}`)
    .join(', ');
}
