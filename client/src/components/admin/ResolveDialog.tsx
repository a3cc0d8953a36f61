import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { Market, Payout, ResolveRequest } from '../../../../shared/schemas/index.ts';
import { api, describeError } from '../../api.ts';
import { credits } from '../../format.ts';
import { payoutPreview } from '../../lib/payouts.ts';

const TRADE_LIMIT = 1000;

/**
 * Confirms a resolution or a cancel. Before: the payouts worked out from the market's trades
 * (each winning share pays 1 credit; a cancel refunds net cost). After: the payouts the server
 * actually made.
 */
export function ResolveDialog({
  market,
  cancel,
  onClose,
}: {
  market: Market;
  cancel: boolean;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const qc = useQueryClient();
  const [outcomeId, setOutcomeId] = useState(market.outcomes[0]!.id);
  const [note, setNote] = useState('');
  const [knownAt, setKnownAt] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [paid, setPaid] = useState<Payout[] | null>(null);
  const trades = useQuery({
    queryKey: ['trades', market.id, 'all'],
    queryFn: () => api.trades(market.id, TRADE_LIMIT),
  });

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  const preview = trades.data
    ? payoutPreview(trades.data, cancel ? { cancel: true } : { outcomeId })
    : null;
  const total = (preview ?? []).reduce((a, p) => a + p.amountCents, 0);
  const outcome = market.outcomes.find((o) => o.id === outcomeId);

  const confirm = async () => {
    setPending(true);
    setError(null);
    try {
      const body: ResolveRequest = cancel
        ? { cancel: true, ...(note.trim() ? { note: note.trim() } : {}) }
        : {
            outcomeId,
            ...(note.trim() ? { note: note.trim() } : {}),
            ...(knownAt ? { knownAt: new Date(knownAt).toISOString() } : {}),
          };
      const res = await api.resolve(market.id, body);
      setPaid(res.payouts);
      qc.setQueryData(['market', market.id], res.market);
      await qc.invalidateQueries({ queryKey: ['me'] });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setPending(false);
    }
  };

  return (
    <dialog
      ref={ref}
      className="dialog"
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
          <PayoutTable rows={paid} testId="payouts-done" />
          <div className="row end">
            <button type="button" onClick={() => ref.current?.close()}>
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
          {!cancel && (
            <fieldset className="field">
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
                    />
                    <span>{o.label}</span>
                  </label>
                ))}
              </div>
            </fieldset>
          )}
          <div className="field">
            <label htmlFor="resolve-note">Note (shown on the market)</label>
            <input id="resolve-note" value={note} onChange={(e) => setNote(e.target.value)} />
          </div>
          {!cancel && (
            <div className="field">
              <label htmlFor="resolve-known">Known at (optional)</label>
              <input
                id="resolve-known"
                type="datetime-local"
                value={knownAt}
                onChange={(e) => setKnownAt(e.target.value)}
                aria-describedby="resolve-known-hint"
              />
              <p id="resolve-known-hint" className="muted small">
                When the answer became known: forecasts after it do not count in scores.
              </p>
            </div>
          )}
          <h3>Payouts</h3>
          {trades.isLoading && <p className="muted">Working out payouts…</p>}
          {preview && (
            <>
              <p className="muted small" data-testid="payout-preview-total">
                {cancel
                  ? 'Each trader gets back what they put in, net (never less than zero).'
                  : `Each ${outcome?.label} share pays 1 credit.`}{' '}
                {credits(total)} to {preview.length} {preview.length === 1 ? 'trader' : 'traders'}
                {trades.data && trades.data.length >= TRADE_LIMIT
                  ? ` (from the latest ${TRADE_LIMIT} trades; the server pays from every position)`
                  : ''}
                .
              </p>
              <PayoutTable rows={preview} testId="payout-preview" />
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
                  ? `Cancel and refund ${credits(total)}`
                  : `Resolve ${outcome?.label} and pay ${credits(total)}`}
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
}: {
  rows: readonly { username: string; amountCents: number }[];
  testId: string;
}) {
  if (rows.length === 0) return <p className="muted">Nobody is paid.</p>;
  return (
    <div className="table-wrap payout-table">
      <table data-testid={testId}>
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
