import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import type {
  HistoryPoint,
  Market,
  MeResponse,
  QuoteResponse,
  Trade,
  TradeRequest,
} from '../../../shared/schemas/index.ts';
import { ApiError, api, describeError } from '../api.ts';
import { credits, shares as fmtShares, pct } from '../format.ts';
import { useDebounced } from '../hooks/useDebounced.ts';
import { maxCostFor, newIdempotencyKey } from '../lib/idempotency.ts';
import { withNewest } from '../lib/pages.ts';
import { tradesQuery } from '../listQueries.ts';
import { Tabs } from './Tabs.tsx';

type Tab = 'buy' | 'sell' | 'target';
type BuyBy = 'amount' | 'shares';

const TABS: { id: Tab; label: string }[] = [
  { id: 'buy', label: 'Buy' },
  { id: 'sell', label: 'Sell' },
  { id: 'target', label: 'Set odds' },
];

/** The request the form describes, or a reason there is none yet. */
function requestOf(
  tab: Tab,
  buyBy: BuyBy,
  outcomeId: string,
  raw: string,
): TradeRequest | { invalid: string } | null {
  if (raw.trim() === '') return null;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) return { invalid: 'Enter a positive number.' };
  if (tab === 'target') {
    if (v >= 100) return { invalid: 'Choose a probability between 0% and 100%.' };
    return { outcomeId, toProbability: v / 100 };
  }
  if (tab === 'sell') return { outcomeId, shares: -v };
  if (buyBy === 'amount') {
    const cents = Math.round(v * 100);
    if (cents < 1) return { invalid: 'The smallest amount is 0.01 credits.' };
    return { outcomeId, amountCents: cents };
  }
  return { outcomeId, shares: v };
}

/**
 * Buy or sell an outcome by amount, shares, or "move the odds to X%", with a live quote from
 * POST /quote before confirming. The trade carries an idempotency key (a retry never trades
 * twice) and maxCostCents a little above the quote (a big move in between answers `slippage`).
 */
export function TradeTicket({ market, me }: { market: Market; me: MeResponse | null }) {
  const qc = useQueryClient();
  const location = useLocation();
  const ids = useId();
  const [tab, setTab] = useState<Tab>('buy');
  const [buyBy, setBuyBy] = useState<BuyBy>('amount');
  const [outcomeId, setOutcomeId] = useState(market.outcomes[0]!.id);
  const [raw, setRaw] = useState('');
  /** The latest quote and the request (JSON) it prices. */
  const [quoted, setQuoted] = useState<{ key: string; quote: QuoteResponse } | null>(null);
  const [quoteError, setQuoteError] = useState<{ key: string; text: string } | null>(null);
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string; signIn?: boolean } | null>(
    null,
  );
  const key = useRef(newIdempotencyKey());

  const open = market.status === 'open';
  const outcomeIndex = market.outcomes.findIndex((o) => o.id === outcomeId);
  const outcome = market.outcomes[outcomeIndex];
  const held = me?.positions.find((p) => p.marketId === market.id && p.outcomeId === outcomeId);
  const req = requestOf(tab, buyBy, outcomeId, raw);
  const body = req && !('invalid' in req) ? req : null;
  const bodyKey = body ? JSON.stringify(body) : '';
  const debouncedKey = useDebounced(bodyKey, 250);
  const settledSeq = useDebounced(market.seq, 300);

  // A new request is a new trade: a fresh key, and once the user starts typing it, the last
  // trade's message goes (clearing the input after a fill keeps the message).
  useEffect(() => {
    key.current = newIdempotencyKey();
    if (bodyKey) setResult(null);
  }, [bodyKey]);

  // Re-quote whenever the request settles or the market moves (seq), so the preview is current.
  // biome-ignore lint/correctness/useExhaustiveDependencies: settledSeq is the trigger, not an input
  useEffect(() => {
    if (!debouncedKey || !open) {
      setQuoted(null);
      setQuoteError(null);
      return;
    }
    let live = true;
    api.quote(market.id, JSON.parse(debouncedKey) as TradeRequest).then(
      (q) => {
        if (!live) return;
        setQuoted({ key: debouncedKey, quote: q });
        setQuoteError(null);
      },
      (e: unknown) => {
        if (!live) return;
        setQuoted(null);
        setQuoteError({ key: debouncedKey, text: describeError(e) });
      },
    );
    return () => {
      live = false;
    };
  }, [debouncedKey, market.id, settledSeq, open]);

  // Only a quote of exactly this request may be confirmed: its cost sets the slippage limit.
  const quoteIsCurrent = quoted !== null && quoted.key === bodyKey;
  const quote = quoted?.quote ?? null;
  const preview = useMemo(() => {
    if (!quote || !outcome) return null;
    // For a binary "set odds" below the current price without shares to sell, the server buys
    // the other side: the quote's shares are then of the other outcome.
    const target = body && 'toProbability' in body ? body.toProbability : undefined;
    const flipped =
      market.type === 'binary' &&
      target !== undefined &&
      target < outcome.probability &&
      quote.shares > 0;
    const tradedIndex = flipped ? 1 - outcomeIndex : outcomeIndex;
    const traded = market.outcomes[tradedIndex]!;
    const after = quote.probabilities[outcomeIndex] ?? outcome.probability;
    return { traded, tradedIndex, after, sell: quote.shares < 0 };
  }, [quote, outcome, outcomeIndex, market, body]);

  const submit = async () => {
    if (!body || !quote || !quoteIsCurrent || !me) return;
    setPending(true);
    setResult(null);
    try {
      const res = await api.trade(market.id, {
        ...body,
        maxCostCents: maxCostFor(quote.costCents),
        idempotencyKey: key.current,
      });
      applyTrade(qc, res.trade, res.market, res.user);
      const t = res.trade;
      const label = res.market.outcomes.find((o) => o.id === t.outcomeId)?.label ?? t.outcomeId;
      setResult({
        ok: true,
        text:
          t.shares >= 0
            ? `Bought ${fmtShares(t.shares)} ${label} for ${credits(t.costCents)}.`
            : `Sold ${fmtShares(-t.shares)} ${label} for ${credits(-t.costCents)}.`,
      });
      setRaw('');
      key.current = newIdempotencyKey();
    } catch (e) {
      const signedOut = e instanceof ApiError && e.status === 401;
      setResult({ ok: false, text: errorText(e), signIn: signedOut });
      if (signedOut) void qc.invalidateQueries({ queryKey: ['me'] });
    } finally {
      setPending(false);
    }
  };

  const amountLabel =
    tab === 'target'
      ? `Move ${outcome?.label ?? ''} to (%)`
      : tab === 'sell'
        ? 'Shares to sell'
        : buyBy === 'amount'
          ? 'Amount (credits)'
          : 'Shares to buy';

  if (!open) {
    return (
      <section className="panel ticket" aria-labelledby={`${ids}-h`} data-testid="trade-ticket">
        <h2 id={`${ids}-h`}>Trade</h2>
        <p className="notice" data-testid="trading-closed">
          Trading is closed: this market is {market.status}.
        </p>
      </section>
    );
  }

  return (
    <section className="panel ticket" aria-labelledby={`${ids}-h`} data-testid="trade-ticket">
      <h2 id={`${ids}-h`}>Trade</h2>
      <Tabs
        label="Trade type"
        compact
        tabs={TABS}
        value={tab}
        onChange={(id) => {
          setTab(id);
          setRaw(id === 'target' && outcome ? String(Math.round(outcome.probability * 100)) : '');
        }}
      />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <fieldset className={`outcome-pick ${market.type}`} disabled={!open}>
          <legend className="sr-label">Outcome</legend>
          {market.outcomes.map((o, i) => (
            <label
              key={o.id}
              className={`outcome-option ${o.id === outcomeId ? 'selected' : ''} ${
                market.type === 'binary' ? (i === 0 ? 'yes' : 'no') : ''
              }`}
            >
              <input
                type="radio"
                name={`${ids}-outcome`}
                value={o.id}
                checked={o.id === outcomeId}
                onChange={() => setOutcomeId(o.id)}
              />
              <span>{o.label}</span>
              <span className="muted">{pct(o.probability)}</span>
            </label>
          ))}
        </fieldset>
        {tab === 'buy' && (
          <fieldset className="segmented small-seg">
            <legend className="sr-label">Buy by</legend>
            <button
              type="button"
              aria-pressed={buyBy === 'amount'}
              onClick={() => setBuyBy('amount')}
            >
              By amount
            </button>
            <button
              type="button"
              aria-pressed={buyBy === 'shares'}
              onClick={() => setBuyBy('shares')}
            >
              By shares
            </button>
          </fieldset>
        )}
        <div className="field">
          <label htmlFor={`${ids}-v`} data-testid="trade-amount">
            {amountLabel}
          </label>
          <div className="row nowrap">
            <input
              id={`${ids}-v`}
              name="value"
              inputMode="decimal"
              autoComplete="off"
              placeholder={tab === 'target' ? 'e.g. 65' : tab === 'sell' ? 'e.g. 10' : 'e.g. 25'}
              value={raw}
              disabled={!open}
              onChange={(e) => setRaw(e.target.value)}
              aria-describedby={`${ids}-q`}
              data-testid="trade-input"
            />
            {tab === 'sell' && held && (
              <button type="button" className="ghost" onClick={() => setRaw(String(held.shares))}>
                Max
              </button>
            )}
          </div>
          {tab === 'sell' && (
            <p className="muted small">
              You hold {held ? fmtShares(held.shares) : 'no'} {outcome?.label} shares.
            </p>
          )}
          {tab === 'target' && outcome && (
            <input
              type="range"
              min={1}
              max={99}
              aria-label={`Target probability of ${outcome.label}`}
              value={Number(raw) || Math.round(outcome.probability * 100)}
              onChange={(e) => setRaw(e.target.value)}
              disabled={!open}
            />
          )}
        </div>
        <div id={`${ids}-q`} className="quote" aria-live="polite" data-testid="quote-preview">
          {((req && 'invalid' in req) || (quoteError && quoteError.key === bodyKey)) && (
            <div data-testid="trade-error">
              {req && 'invalid' in req && <p className="error small">{req.invalid}</p>}
              {quoteError && quoteError.key === bodyKey && (
                <p className="error small" data-testid="quote-error">
                  {quoteError.text}
                </p>
              )}
            </div>
          )}
          {quote && preview && body && (
            <dl className={`quote-grid ${quoteIsCurrent ? '' : 'stale'}`}>
              <dt>{preview.sell ? 'You sell' : 'You buy'}</dt>
              <dd>
                {fmtShares(Math.abs(quote.shares))} {preview.traded.label}
              </dd>
              <dt>{quote.costCents >= 0 ? 'Cost' : 'You receive'}</dt>
              <dd data-testid={quoteIsCurrent ? 'quote-cost' : 'quote-cost-stale'}>
                {credits(Math.abs(quote.costCents))}
              </dd>
              <dt>Average price</dt>
              <dd>{credits(Math.round(Math.abs(quote.costCents / quote.shares)))} / share</dd>
              <dt>{outcome?.label} odds</dt>
              <dd>
                {pct(outcome?.probability ?? 0)} → <strong>{pct(preview.after)}</strong>
              </dd>
              {!preview.sell && (
                <>
                  <dt>Pays if {preview.traded.label}</dt>
                  <dd>{credits(Math.floor(quote.shares * 100))}</dd>
                </>
              )}
            </dl>
          )}
        </div>
        {me ? (
          <button
            type="submit"
            className="wide"
            disabled={!open || !body || !quoteIsCurrent || pending}
            data-testid="trade-submit"
          >
            {pending
              ? 'Placing…'
              : confirmLabel(tab, quoteIsCurrent ? quote : null, preview?.traded.label)}
          </button>
        ) : (
          <Link className="button wide" to={`/login?next=${encodeURIComponent(location.pathname)}`}>
            Sign in to trade
          </Link>
        )}
        {me && (
          <p className="muted small">
            Balance {credits(me.user.balanceCents)}. Refused if the price moves and the trade would
            cost over 1% more than quoted.
          </p>
        )}
        {result &&
          (result.ok ? (
            <p className="success" role="status" data-testid="trade-result">
              {result.text}
            </p>
          ) : (
            <p className="error" role="alert" data-testid="trade-error">
              {result.text}
              {result.signIn && (
                <>
                  {' '}
                  <Link to={`/login?next=${encodeURIComponent(location.pathname)}`}>Sign in</Link>
                </>
              )}
            </p>
          ))}
      </form>
    </section>
  );
}

function confirmLabel(tab: Tab, quote: QuoteResponse | null, label: string | undefined): string {
  if (!quote || !label) return tab === 'sell' ? 'Sell' : 'Buy';
  if (quote.shares < 0) return `Sell ${label} for ${credits(-quote.costCents)}`;
  return `Buy ${label} for ${credits(quote.costCents)}`;
}

/** A sentence for each trade refusal the server can give. */
function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'insufficient_funds':
        return 'Not enough credits: lower the amount.';
      case 'insufficient_shares':
        return "You can't sell more shares than you hold.";
      case 'market_not_open':
        return 'This market closed before your trade went through.';
      case 'unauthenticated':
        return 'You are signed out: sign in to trade.';
      case 'slippage':
        return 'The odds moved since your quote and the trade would cost more than allowed. The quote has been refreshed: check it and confirm again.';
      default:
        return describeError(e);
    }
  }
  return describeError(e);
}

/** Applies a filled trade to every cached view at once: balance, market, trades, history. */
export function applyTrade(
  qc: ReturnType<typeof useQueryClient>,
  trade: Trade,
  market: Market,
  user: MeResponse['user'],
): void {
  qc.setQueryData<MeResponse | null>(['me'], (old) => {
    if (!old) return old;
    const positions = old.positions.slice();
    const i = positions.findIndex(
      (p) => p.marketId === trade.marketId && p.outcomeId === trade.outcomeId,
    );
    const prev = positions[i] ?? {
      marketId: trade.marketId,
      outcomeId: trade.outcomeId,
      shares: 0,
      costCents: 0,
    };
    const next = {
      ...prev,
      shares: prev.shares + trade.shares,
      costCents: prev.costCents + trade.costCents,
    };
    if (i >= 0) positions[i] = next;
    else positions.push(next);
    return { user, positions: positions.filter((p) => p.shares > 1e-9) };
  });
  qc.setQueryData<Market>(['market', market.id], (old) =>
    !old || market.seq >= old.seq ? market : old,
  );
  qc.setQueryData(tradesQuery(market.id).queryKey, (old) => withNewest(old, 'trades', trade));
  qc.setQueryData<HistoryPoint[]>(['history', market.id], (old) =>
    old && !old.some((p) => p.t === trade.createdAt)
      ? [...old, { t: trade.createdAt, probabilities: trade.probabilities }]
      : old,
  );
  void qc.invalidateQueries({ queryKey: ['me'] });
}
