import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { payoutCents } from '../../../../shared/money.ts';
import type { Market, Payout, ResolveRequest } from '../../../../shared/schemas/index.ts';
import { api, describeError } from '../../api.ts';
import { credits, shares } from '../../format.ts';
import { useLiveMarket } from '../../hooks/live.ts';
import { payoutPreview } from '../../lib/payouts.ts';

const TRADE_LIMIT = 1000;

/**
 * Confirms a resolution or a cancel. Before: what it would pay, from the market's state (each
 * outstanding winning share pays 1 credit) and per trader from its trades (a cancel refunds each
 * trader's net cost). After: the payouts the server actually made.
 */
export function ResolveDialog({
  market: initial,
  cancel,
  onClose,
}: {
  market: Market;
  cancel: boolean;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const doneRef = useRef<HTMLButtonElement>(null);
  const qc = useQueryClient();
  // Live: an open market keeps trading while the dialog is up, and the preview follows it.
  const market = useLiveMarket(initial.id).market ?? initial;
  const [outcomeId, setOutcomeId] = useState(initial.outcomes[0]!.id);
  const [note, setNote] = useState('');
  const [knownAt, setKnownAt] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [paid, setPaid] = useState<Payout[] | null>(null);
  const trades = useQuery({
    queryKey: ['trades', initial.id, 'all'],
    queryFn: () => api.trades(initial.id, TRADE_LIMIT),
    refetchInterval: paid || market.status !== 'open' ? false : 3_000,
  });

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  // The form (and the focused button) is gone once paid: move focus to "Done".
  useEffect(() => {
    if (paid) doneRef.current?.focus();
  }, [paid]);

  const preview = trades.data
    ? payoutPreview(trades.data, cancel ? { cancel: true } : { outcomeId })
    : null;
  const complete = !!trades.data && trades.data.length < TRADE_LIMIT;
  const total = (preview ?? []).reduce((a, p) => a + p.amountCents, 0);
  const outcome = market.outcomes.find((o) => o.id === outcomeId);
  // Every outstanding share of the winner pays 1 credit; per-holder rounding down can only
  // make the real total a few cents smaller than this.
  const stateTotal = payoutCents(outcome?.shares ?? 0);
  const shownTotal = cancel || complete ? total : stateTotal;

  const confirm = async () => {
    setPending(true);
    setError(null);
    try {
      let known: string | undefined;
      if (!cancel && knownAt) {
        const t = new Date(knownAt);
        if (Number.isNaN(t.getTime())) throw new Error('“Known at” is not a valid date and time.');
        known = t.toISOString();
      }
      const body: ResolveRequest = cancel
        ? { cancel: true, ...(note.trim() ? { note: note.trim() } : {}) }
        : {
            outcomeId,
            ...(note.trim() ? { note: note.trim() } : {}),
            ...(known ? { knownAt: known } : {}),
          };
      const res = await api.resolve(initial.id, body);
      setPaid(
        [...res.payouts].sort(
          (a, b) => b.amountCents - a.amountCents || a.username.localeCompare(b.username),
        ),
      );
      qc.setQueryData(['market', initial.id], res.market);
      for (const key of [
        ['me'],
        ['markets'],
        ['profile'],
        ['leaderboard'],
        ['audit'],
        ['scores', initial.id],
      ])
        void qc.invalidateQueries({ queryKey: key });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setPending(false);
    }
  };

  return (
    <dialog
      ref={ref}
      className="dialog resolve-dialog"
      aria-labelledby="resolve-h"
      onClose={onClose}
      data-testid="resolve-dialog"
    >
      <h2 id="resolve-h">
        {cancel ? 'Cancel' : 'Resolve'}: {market.question}
      </h2>
      {paid ? (
        <>
          <p className="success" role="status">
            {cancel ? 'Cancelled' : `Resolved ${outcome?.label}`}. Paid{' '}
            {credits(paid.reduce((a, p) => a + p.amountCents, 0))} to {paid.length}{' '}
            {paid.length === 1 ? 'trader' : 'traders'}.
          </p>
          <div data-testid="payouts-list">
            <PayoutTable rows={paid} testId="payouts-done" caption="Payouts made" />
          </div>
          <div className="row end">
            <button type="button" onClick={() => ref.current?.close()} ref={doneRef}>
              Done
            </button>
          </div>
        </>
      ) : (
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            void confirm();
          }}
        >
          {market.status === 'open' && (
            <p className="notice small">
              This market is still open: {cancel ? 'cancelling' : 'resolving'} it ends trading at
              once.
            </p>
          )}
          {!cancel && (
            <fieldset className="field" data-testid="resolve-outcome">
              <legend>Outcome that happened</legend>
              <div className="outcome-pick multiple">
                {market.outcomes.map((o) => (
                  <label
                    key={o.id}
                    className={`outcome-option ${o.id === outcomeId ? 'selected' : ''}`}
                  >
                    <input
                      type="radio"
                      name="resolve-outcome"
                      value={o.id}
                      checked={o.id === outcomeId}
                      onChange={() => setOutcomeId(o.id)}
                      data-testid={`resolve-outcome-${o.id}`}
                    />
                    <span>{o.label}</span>
                    <span className="muted small outcome-shares">
                      {shares(o.shares)} shares out
                    </span>
                  </label>
                ))}
              </div>
            </fieldset>
          )}
          <div className="field">
            <label htmlFor="resolve-note">Note (shown on the market and in the audit log)</label>
            <input id="resolve-note" value={note} onChange={(e) => setNote(e.target.value)} />
          </div>
          {!cancel && (
            <div className="field">
              <label htmlFor="resolve-known">Known at (optional, your time)</label>
              <input
                id="resolve-known"
                type="datetime-local"
                value={knownAt}
                onChange={(e) => setKnownAt(e.target.value)}
                aria-describedby="resolve-known-hint"
              />
              <p id="resolve-known-hint" className="muted small">
                When the answer became known: forecasts standing after it count as 0 in scores.
              </p>
            </div>
          )}
          <h3>Payout preview</h3>
          <p className="small" data-testid="payout-preview-summary">
            {cancel ? (
              <>
                Each trader gets back their net cost (what they paid less what sales returned),
                never less than zero; the house absorbs the rest.
              </>
            ) : (
              <>
                <strong>{shares(outcome?.shares ?? 0)}</strong> {outcome?.label} shares are
                outstanding; each pays 1 credit, so about <strong>{credits(stateTotal)}</strong>{' '}
                goes to their holders (each payout rounded down to the cent).
              </>
            )}
          </p>
          {trades.isLoading && <p className="muted">Working out each trader's payout…</p>}
          {trades.error ? <p className="error">{describeError(trades.error)}</p> : null}
          {preview && (
            <>
              <p className="muted small" data-testid="payout-preview-total">
                By trader: {credits(total)} to {preview.length}{' '}
                {preview.length === 1 ? 'trader' : 'traders'}
                {complete
                  ? ''
                  : ` (from the latest ${TRADE_LIMIT} trades only; the server pays every position)`}
                .
              </p>
              <PayoutTable rows={preview} testId="payout-preview" caption="Payout preview" />
            </>
          )}
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <div className="row end">
            <button type="button" className="ghost" onClick={() => ref.current?.close()}>
              Back
            </button>
            <button
              type="submit"
              className={cancel ? 'danger' : ''}
              disabled={pending}
              data-testid="resolve-confirm"
            >
              {pending
                ? 'Working…'
                : cancel
                  ? `Cancel and refund ${credits(shownTotal)}`
                  : `Resolve ${outcome?.label} and pay ${credits(shownTotal)}`}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

function PayoutTable({
  rows,
  testId,
  caption,
}: {
  rows: readonly { username: string; amountCents: number }[];
  testId: string;
  caption: string;
}) {
  if (rows.length === 0) return <p className="muted">Nobody is paid.</p>;
  return (
    <div className="table-wrap payout-table">
      <table data-testid={testId}>
        <caption className="sr-label">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Trader</th>
            <th scope="col" className="num">
              Payout
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.username}>
              <td>{r.username}</td>
              <td className="num">{credits(r.amountCents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
