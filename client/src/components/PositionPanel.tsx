import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Market, MeResponse, Position, QuoteResponse } from '../../../shared/schemas/index.ts';
import { api, describeError } from '../api.ts';
import { credits, shares } from '../format.ts';
import { useDebounced } from '../hooks/useDebounced.ts';
import { maxCostFor, newIdempotencyKey } from '../lib/idempotency.ts';
import { applyTrade } from './TradeTicket.tsx';

/**
 * What a holding is worth: at the current price while the market trades; after resolution what
 * it paid (1 credit a share of the winner, nothing otherwise); after a cancellation its cost back.
 */
export function positionValueCents(market: Market, p: Position): number {
  if (market.status === 'cancelled') return p.costCents;
  if (market.status === 'resolved') {
    return market.resolution?.outcomeId === p.outcomeId ? Math.floor(p.shares * 100) : 0;
  }
  const o = market.outcomes.find((x) => x.id === p.outcomeId);
  return Math.round(p.shares * (o?.probability ?? 0) * 100);
}

/**
 * The signed-in user's shares in this market: cost basis, value, profit and loss, and a quick
 * "Sell all" that quotes first and asks to confirm.
 */
export function PositionPanel({ market, me }: { market: Market; me: MeResponse | null }) {
  const mine = (me?.positions ?? []).filter((p) => p.marketId === market.id);
  const [selling, setSelling] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  if (mine.length === 0 && !message) return null;
  const settled = market.status === 'resolved' || market.status === 'cancelled';
  const valueLabel =
    market.status === 'resolved' ? 'Paid' : market.status === 'cancelled' ? 'Refunded' : 'Value';
  let totalCost = 0;
  let totalValue = 0;
  for (const p of mine) {
    totalCost += p.costCents;
    totalValue += positionValueCents(market, p);
  }
  return (
    <section className="panel" aria-labelledby="pos-h" data-testid="position">
      <h2 id="pos-h">Your position</h2>
      {mine.length === 0 && <p className="muted small">You hold no shares in this market now.</p>}
      <ul className="positions-list">
        {mine.map((p) => {
          const o = market.outcomes.find((x) => x.id === p.outcomeId);
          const value = positionValueCents(market, p);
          const pnl = value - p.costCents;
          const label = o?.label ?? p.outcomeId;
          return (
            <li key={p.outcomeId} className="position-item">
              <div className="spread">
                <span>
                  <strong>{shares(p.shares)}</strong> {label}{' '}
                  <span className="muted small">
                    avg {credits(Math.round(p.costCents / Math.max(p.shares, 1e-9)))}
                  </span>
                </span>
                {market.status === 'open' && selling !== p.outcomeId && (
                  <button
                    type="button"
                    className="ghost small-btn"
                    onClick={() => {
                      setMessage(null);
                      setSelling(p.outcomeId);
                    }}
                    aria-label={`Sell all ${label} shares`}
                  >
                    Sell all
                  </button>
                )}
              </div>
              <dl className="position-figures">
                <div>
                  <dt>Cost basis</dt>
                  <dd>{credits(p.costCents)}</dd>
                </div>
                <div>
                  <dt>{valueLabel}</dt>
                  <dd>{credits(value)}</dd>
                </div>
                <div>
                  <dt>P&amp;L</dt>
                  <dd className={pnl > 0 ? 'up' : pnl < 0 ? 'down' : ''}>
                    {signed(pnl)}
                    {p.costCents > 0 && (
                      <span className="small"> ({signedPct(pnl / p.costCents)})</span>
                    )}
                  </dd>
                </div>
              </dl>
              {selling === p.outcomeId && (
                <SellAll
                  market={market}
                  position={p}
                  label={label}
                  onDone={(m) => {
                    setSelling(null);
                    setMessage(m);
                  }}
                />
              )}
            </li>
          );
        })}
      </ul>
      {mine.length > 1 && (
        <p className="small position-total">
          Total: cost {credits(totalCost)}, {valueLabel.toLowerCase()} {credits(totalValue)},{' '}
          <span className={totalValue - totalCost >= 0 ? 'up' : 'down'}>
            {signed(totalValue - totalCost)}
          </span>
        </p>
      )}
      {message && (
        <p
          className={message.ok ? 'success' : 'error'}
          role={message.ok ? 'status' : 'alert'}
          data-testid={message.ok ? 'sell-all-result' : 'trade-error'}
        >
          {message.text}
        </p>
      )}
      <p className="muted small">
        {settled
          ? market.status === 'resolved'
            ? 'Each winning share paid 1 credit.'
            : 'The market was cancelled: every trade was refunded.'
          : 'Each share pays 1 credit if its outcome happens. Value is at the current price.'}
      </p>
    </section>
  );
}

/** Quotes selling the whole holding, then sells on confirmation (1% slippage limit). */
function SellAll({
  market,
  position,
  label,
  onDone,
}: {
  market: Market;
  position: Position;
  label: string;
  onDone: (message: { ok: boolean; text: string } | null) => void;
}) {
  const qc = useQueryClient();
  const [quote, setQuote] = useState<QuoteResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [key] = useState(newIdempotencyKey);
  const body = { outcomeId: position.outcomeId, shares: -position.shares };
  // Quoted again whenever the market moves, so the confirmation names a current price.
  const seq = useDebounced(market.seq, 300);
  // biome-ignore lint/correctness/useExhaustiveDependencies: seq is the trigger, not an input
  useEffect(() => {
    let live = true;
    api.quote(market.id, { outcomeId: position.outcomeId, shares: -position.shares }).then(
      (q) => {
        if (!live) return;
        setQuote(q);
        setError(null);
      },
      (e: unknown) => {
        if (live) setError(describeError(e));
      },
    );
    return () => {
      live = false;
    };
  }, [market.id, position.outcomeId, position.shares, seq]);
  const confirm = async () => {
    if (!quote) return;
    setPending(true);
    try {
      const res = await api.trade(market.id, {
        ...body,
        maxCostCents: maxCostFor(quote.costCents),
        idempotencyKey: key,
      });
      applyTrade(qc, res.trade, res.market, res.user);
      onDone({
        ok: true,
        text: `Sold ${shares(-res.trade.shares)} ${label} for ${credits(-res.trade.costCents)}.`,
      });
    } catch (e) {
      onDone({ ok: false, text: describeError(e) });
    }
  };
  return (
    <fieldset className="sell-all">
      <legend className="sr-label">Sell all {label}</legend>
      {error ? (
        <p className="error small">{error}</p>
      ) : quote ? (
        <p className="small">
          Sell {shares(position.shares)} {label} for about{' '}
          <strong>{credits(-quote.costCents)}</strong>?
        </p>
      ) : (
        <p className="muted small">Getting a quote…</p>
      )}
      <div className="row">
        <button
          type="button"
          className="small-btn"
          disabled={!quote || pending}
          onClick={() => void confirm()}
          data-testid="sell-all-confirm"
        >
          {pending ? 'Selling…' : 'Confirm sale'}
        </button>
        <button type="button" className="ghost small-btn" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </fieldset>
  );
}

function signed(cents: number): string {
  return `${cents > 0 ? '+' : cents < 0 ? '−' : ''}${credits(Math.abs(cents))}`;
}

function signedPct(x: number): string {
  const v = Math.round(x * 1000) / 10;
  return `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v).toFixed(1)}%`;
}
