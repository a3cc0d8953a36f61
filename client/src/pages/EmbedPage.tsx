import { useEffect } from 'react';
import { useParams } from 'react-router-dom';
import { ApiError, describeError } from '../api.ts';
import { Sparkline, thin } from '../components/Sparkline.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { headline, pct } from '../format.ts';
import { useLiveMarket } from '../hooks/live.ts';
import { useLiveSeries } from '../hooks/useLiveSeries.ts';

/**
 * `/embed/:marketId`: a small live card for an iframe in a wiki or dashboard: question,
 * probability, sparkline and a link to the market. No app chrome; the server allows framing
 * for this route only.
 */
export default function EmbedPage() {
  const { marketId } = useParams<{ marketId: string }>();
  const { market, error } = useLiveMarket(marketId);
  const h = market ? headline(market) : null;
  const index =
    market && h
      ? market.type === 'binary'
        ? 0
        : market.outcomes.findIndex((o) => o.label === h.label)
      : 0;
  const series = useLiveSeries(market, index);
  // The card sits on the host page's background, not the app's.
  useEffect(() => {
    document.documentElement.classList.add('embedded');
    return () => document.documentElement.classList.remove('embedded');
  }, []);
  if (error) {
    return (
      <div className="embed" data-testid="embed">
        <p className="muted">
          {error instanceof ApiError && error.status === 404
            ? 'This market does not exist.'
            : describeError(error)}
        </p>
      </div>
    );
  }
  if (!market || !h) return <div className="embed muted">Loading…</div>;
  const href = `${window.location.origin}/markets/${market.id}`;
  return (
    <div className="embed" data-testid="embed">
      <a className="embed-q" href={href} target="_blank" rel="noopener noreferrer">
        {market.question}
      </a>
      <div className="embed-main">
        <div>
          <div className="embed-prob" data-testid="embed-probability">
            {pct(h.probability)}
          </div>
          <div className="muted small">{market.type === 'binary' ? 'chance of Yes' : h.label}</div>
        </div>
        <Sparkline
          values={thin(
            series.map((s) => s.p),
            80,
          )}
          width={160}
          height={48}
          label={`trend of ${market.question}`}
        />
      </div>
      <div className="embed-foot">
        <StatusBadge market={market} />
        <a href={href} target="_blank" rel="noopener noreferrer" className="small">
          Trade on Parity ↗
        </a>
      </div>
    </div>
  );
}
