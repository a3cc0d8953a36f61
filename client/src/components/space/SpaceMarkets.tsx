import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import type { Market } from '../../../../shared/schemas/index.ts';
import { api, describeError } from '../../api.ts';
import { credits, headline, pct, relative } from '../../format.ts';
import { useLiveMarkets } from '../../hooks/live.ts';
import { StatusBadge } from '../StatusBadge.tsx';

const ORDER: Record<Market['status'], number> = { open: 0, closed: 1, resolved: 2, cancelled: 3 };

/** A space's markets, open ones first, with live odds. */
export function SpaceMarkets({ spaceId }: { spaceId: string }) {
  const q = useQuery({
    queryKey: ['markets', 'all', spaceId],
    queryFn: () => api.markets('all', spaceId),
  });
  const live = useLiveMarkets(q.data);
  const shown = [...live].sort(
    (a, b) => ORDER[a.status] - ORDER[b.status] || b.createdAt.localeCompare(a.createdAt),
  );
  if (q.error) return <p className="error">{describeError(q.error)}</p>;
  if (q.isLoading) return <p className="muted">Loading the markets…</p>;
  if (shown.length === 0) {
    return (
      <p className="muted panel" data-testid="space-markets-empty">
        No markets here yet. Propose a question: the space's moderators turn good ones into markets.
      </p>
    );
  }
  return (
    <ul className="space-markets" data-testid="space-markets">
      {shown.map((m) => {
        const h = headline(m);
        return (
          <li key={m.id} className="card space-market" data-market-id={m.id}>
            <div className="space-market-main">
              <StatusBadge market={m} />
              <Link to={`/markets/${m.id}`} className="market-link space-market-q">
                {m.question}
              </Link>
              <span className="muted small">
                {credits(m.volumeCents)} traded
                {m.status === 'open' ? ` · closes ${relative(m.closesAt)}` : ''}
              </span>
            </div>
            <div className="space-market-odds">
              <span className="prob">{pct(h.probability)}</span>
              <span className="muted small">{m.type === 'binary' ? 'Yes' : h.label}</span>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
