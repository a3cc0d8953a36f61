import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { Market } from '../../../../shared/schemas/index.ts';
import { api, describeError } from '../../api.ts';
import { credits, dateTime, headline, pct, relative } from '../../format.ts';
import { StatusBadge } from '../StatusBadge.tsx';
import { ResolveDialog } from './ResolveDialog.tsx';

type Action = { market: Market; kind: 'resolve' | 'cancel' };

/** Every market with the lifecycle actions its status allows. */
export function MarketAdminList() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['markets', 'all'], queryFn: () => api.markets('all') });
  const [action, setAction] = useState<Action | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: ['markets'] });

  const run = async (label: string, f: () => Promise<unknown>) => {
    setMessage(null);
    try {
      await f();
      setMessage({ ok: true, text: label });
      await refresh();
    } catch (e) {
      setMessage({ ok: false, text: describeError(e) });
    }
  };

  if (q.error) return <p className="error">{describeError(q.error)}</p>;
  if (!q.data) return <p className="muted">Loading…</p>;
  const order = { open: 0, closed: 1, resolved: 2, cancelled: 3 } as const;
  const markets = [...q.data].sort(
    (a, b) => order[a.status] - order[b.status] || a.closesAt.localeCompare(b.closesAt),
  );
  return (
    <section className="stack">
      {message && (
        <p className={message.ok ? 'success' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      <div className="panel table-wrap">
        <table data-testid="admin-markets">
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
              <th scope="col">Closes</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {markets.map((m) => {
              const h = headline(m);
              return (
                <tr key={m.id} data-market-id={m.id}>
                  <td>
                    <Link to={`/markets/${m.id}`}>{m.question}</Link>
                  </td>
                  <td>
                    <StatusBadge market={m} />
                  </td>
                  <td className="num nowrap">
                    {pct(h.probability)} {m.type === 'binary' ? 'Yes' : h.label}
                  </td>
                  <td className="num">{credits(m.volumeCents)}</td>
                  <td className="nowrap small" title={dateTime(m.closesAt)}>
                    {relative(m.closesAt)}
                  </td>
                  <td>
                    <div className="row nowrap">
                      {m.status === 'open' && (
                        <button
                          type="button"
                          className="ghost small-btn"
                          onClick={() => {
                            if (
                              window.confirm('Close trading and forecasting on this market now?')
                            ) {
                              void run(`Closed “${m.question}”.`, () => api.close(m.id));
                            }
                          }}
                        >
                          Close
                        </button>
                      )}
                      {(m.status === 'open' || m.status === 'closed') && (
                        <>
                          <button
                            type="button"
                            className="small-btn"
                            onClick={() => setAction({ market: m, kind: 'resolve' })}
                          >
                            Resolve…
                          </button>
                          <button
                            type="button"
                            className="ghost small-btn"
                            onClick={() => setAction({ market: m, kind: 'cancel' })}
                          >
                            Cancel…
                          </button>
                        </>
                      )}
                      {m.status === 'resolved' && (
                        <button
                          type="button"
                          className="ghost small-btn"
                          onClick={() => {
                            if (
                              window.confirm(
                                'Unresolve? Payouts are reversed and the market goes back to closed.',
                              )
                            ) {
                              void run(`Unresolved “${m.question}”.`, () => api.unresolve(m.id));
                            }
                          }}
                        >
                          Unresolve
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
      {action && (
        <ResolveDialog
          market={action.market}
          cancel={action.kind === 'cancel'}
          onClose={() => {
            setAction(null);
            void refresh();
          }}
        />
      )}
    </section>
  );
}
