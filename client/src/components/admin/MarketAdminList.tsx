import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { Market } from '../../../../shared/schemas/index.ts';
import { api, describeError } from '../../api.ts';
import { credits, dateTime, headline, pct, relative } from '../../format.ts';
import { StatusBadge } from '../StatusBadge.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { ResolveDialog } from './ResolveDialog.tsx';

type Action = { market: Market; kind: 'resolve' | 'cancel' | 'close' | 'unresolve' };
type Filter = 'all' | 'open' | 'closed' | 'settled';

const FILTERS: { id: Filter; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'open', label: 'Open' },
  { id: 'closed', label: 'Awaiting resolution' },
  { id: 'settled', label: 'Resolved or cancelled' },
];

const ORDER = { closed: 0, open: 1, resolved: 2, cancelled: 3 } as const;

/** The row's time: when it closes, closed, or settled. */
function when(m: Market, now = Date.now()): string {
  if (m.resolution) {
    return `${m.status === 'cancelled' ? 'cancelled' : 'resolved'} ${relative(m.resolution.resolvedAt)}`;
  }
  if (m.status === 'open') return `closes ${relative(m.closesAt)}`;
  // Closed early by an admin: the scheduled time is still ahead.
  return Date.parse(m.closesAt) > now
    ? `closed early (was due ${relative(m.closesAt)})`
    : `closed ${relative(m.closesAt)}`;
}

/** Every market with the lifecycle actions its status allows; closed ones (to resolve) first. */
export function MarketAdminList() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['markets', 'all'], queryFn: () => api.markets('all') });
  const [action, setAction] = useState<Action | null>(null);
  const [filter, setFilter] = useState<Filter>('all');
  const [message, setMessage] = useState<string | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: ['markets'] });

  if (q.error) return <p className="error">{describeError(q.error)}</p>;
  if (!q.data) return <p className="muted">Loading markets…</p>;
  const markets = [...q.data]
    .filter((m) =>
      filter === 'all'
        ? true
        : filter === 'settled'
          ? m.status === 'resolved' || m.status === 'cancelled'
          : m.status === filter,
    )
    .sort((a, b) => ORDER[a.status] - ORDER[b.status] || a.closesAt.localeCompare(b.closesAt));
  const counts = {
    open: q.data.filter((m) => m.status === 'open').length,
    closed: q.data.filter((m) => m.status === 'closed').length,
  };
  const act = (market: Market, kind: Action['kind']) => {
    setMessage(null);
    setAction({ market, kind });
  };
  return (
    <section className="stack" aria-labelledby="am-h">
      <div className="spread admin-toolbar">
        <h2 id="am-h">
          Markets{' '}
          <span className="muted small">
            {counts.open} open · {counts.closed} awaiting resolution
          </span>
        </h2>
        <label className="inline-field">
          Show{' '}
          <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)}>
            {FILTERS.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {message && (
        <p className="success" role="status">
          {message}
        </p>
      )}
      {markets.length === 0 ? (
        <p className="muted panel">No markets here.</p>
      ) : (
        <div className="panel table-wrap">
          <table data-testid="admin-markets" className="admin-markets">
            <thead>
              <tr>
                <th scope="col">Question</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Odds
                </th>
                <th scope="col" className="num">
                  Volume
                </th>
                <th scope="col">When</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {markets.map((m) => {
                const h = headline(m);
                return (
                  <tr key={m.id} data-market-id={m.id}>
                    <td className="q-cell">
                      <Link to={`/markets/${m.id}`}>{m.question}</Link>
                      <div className="muted small mono">{m.id}</div>
                    </td>
                    <td className="nowrap" data-label="Status">
                      <StatusBadge market={m} />
                    </td>
                    <td className="num nowrap" data-label="Odds">
                      {pct(h.probability)} {m.type === 'binary' ? 'Yes' : h.label}
                    </td>
                    <td className="num nowrap" data-label="Volume">
                      {credits(m.volumeCents)}
                    </td>
                    <td
                      className="nowrap small"
                      title={dateTime(m.resolution?.resolvedAt ?? m.closesAt)}
                      data-label="When"
                    >
                      {when(m)}
                    </td>
                    <td className="actions-cell">
                      <div className="row nowrap">
                        {m.status === 'open' && (
                          <button
                            type="button"
                            className="ghost small-btn"
                            onClick={() => act(m, 'close')}
                            data-testid={`admin-close-${m.id}`}
                          >
                            Close
                          </button>
                        )}
                        {(m.status === 'open' || m.status === 'closed') && (
                          <>
                            <button
                              type="button"
                              className="small-btn"
                              onClick={() => act(m, 'resolve')}
                              data-testid={`admin-resolve-${m.id}`}
                            >
                              Resolve…
                            </button>
                            <button
                              type="button"
                              className="ghost small-btn"
                              onClick={() => act(m, 'cancel')}
                              data-testid={`admin-cancel-${m.id}`}
                            >
                              Cancel…
                            </button>
                          </>
                        )}
                        {m.status === 'resolved' && (
                          <button
                            type="button"
                            className="ghost small-btn"
                            onClick={() => act(m, 'unresolve')}
                            data-testid={`admin-unresolve-${m.id}`}
                          >
                            Un-resolve…
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {(action?.kind === 'resolve' || action?.kind === 'cancel') && (
        <ResolveDialog
          market={action.market}
          cancel={action.kind === 'cancel'}
          onClose={() => {
            setAction(null);
            void refresh();
          }}
        />
      )}
      {action?.kind === 'close' && (
        <ConfirmDialog
          title={`Close: ${action.market.question}`}
          confirmLabel="Close trading now"
          note
          testId="close-dialog"
          onConfirm={async (note) => {
            await api.close(action.market.id, note);
            setMessage(`Closed “${action.market.question}”. It can now be resolved.`);
          }}
          onClose={() => {
            setAction(null);
            void refresh();
          }}
        >
          <p>
            Trading and forecasting stop now, before the scheduled close (
            {dateTime(action.market.closesAt)}). Scores count time after this as 0.
          </p>
        </ConfirmDialog>
      )}
      {action?.kind === 'unresolve' && (
        <ConfirmDialog
          title={`Un-resolve: ${action.market.question}`}
          confirmLabel="Un-resolve and reverse payouts"
          danger
          note
          testId="unresolve-dialog"
          onConfirm={async (note) => {
            await api.unresolve(action.market.id, note);
            setMessage(
              `Un-resolved “${action.market.question}”: payouts reversed, back to closed.`,
            );
            await qc.invalidateQueries({ queryKey: ['me'] });
          }}
          onClose={() => {
            setAction(null);
            void refresh();
          }}
        >
          <p>
            The payouts are reversed by compensating ledger entries and the market goes back to{' '}
            <strong>closed</strong>, ready to be resolved again. Every trader paid sees their
            balance go down by what they were paid.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
