import { useEffect } from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import type { Market } from '../../../shared/schemas/index.ts';
import { ApiError, describeError } from '../api.ts';
import { Sparkline, thin } from '../components/Sparkline.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { headline, pct } from '../format.ts';
import { useLiveMarket } from '../hooks/live.ts';
import { useLiveSeries } from '../hooks/useLiveSeries.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';
import './embed.css';

/**
 * `/embed/:marketId`: a small live card for an iframe in a wiki or dashboard: the question,
 * the probability (or leading outcome), a sparkline, the status and a link to the market. No app
 * chrome and a transparent page, so it sits on the host's background; it fits 320×180 and
 * scales up with the frame. `?theme=light|dark` picks a theme for the host. The server allows
 * framing for this route only. A private space's market needs `?token=` from the signed URL a
 * member made: it goes with every read (X-Parity-Embed) and with the socket's subscribe.
 */
export default function EmbedPage() {
  const { marketId } = useParams<{ marketId: string }>();
  const [params] = useSearchParams();
  useEmbedDocument(params.get('theme'));
  const token = params.get('token') || undefined;
  const { market, error } = useLiveMarket(marketId, token);
  usePageTitle(market?.question);
  const home = `${window.location.origin}/`;
  if (error) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <div className="embed-card embed-missing" data-testid="embed-card" data-state="error">
        <p className="embed-card-q">
          {missing ? 'This market does not exist.' : "The odds can't be loaded right now."}
        </p>
        <p className="embed-card-note">
          {missing ? `No market “${marketId}”.` : describeError(error)}
        </p>
        <div className="embed-card-foot">
          <span />
          <a href={home} target="_blank" rel="noopener">
            Open Parity ↗
          </a>
        </div>
      </div>
    );
  }
  if (!market) {
    return (
      <div className="embed-card" data-testid="embed-card" data-state="loading" aria-busy="true">
        <p className="embed-card-note">Loading the odds…</p>
      </div>
    );
  }
  return <LiveCard market={market} token={token} />;
}

function LiveCard({ market, token }: { market: Market; token: string | undefined }) {
  const h = headline(market);
  const index =
    market.type === 'binary' ? 0 : market.outcomes.findIndex((o) => o.label === h.label);
  const series = useLiveSeries(market, index, token);
  const href = `${window.location.origin}/markets/${encodeURIComponent(market.id)}`;
  // A resolved market shows the final price of the outcome that won.
  const winner =
    market.status === 'resolved'
      ? market.outcomes.find((o) => o.id === market.resolution?.outcomeId)
      : undefined;
  const shown = winner
    ? { label: `final price of ${winner.label}`, probability: winner.probability }
    : { label: market.type === 'binary' ? 'chance of Yes' : h.label, probability: h.probability };
  return (
    <div
      className={`embed-card embed-${market.status}`}
      data-testid="embed-card"
      data-state="ready"
      data-market-id={market.id}
    >
      <a
        className="embed-card-q"
        href={href}
        target="_blank"
        rel="noopener"
        title={market.question}
      >
        {market.question}
      </a>
      <div className="embed-card-main">
        <div className="embed-card-odds">
          <div className="embed-card-prob" data-testid="embed-probability" aria-live="polite">
            {pct(shown.probability)}
          </div>
          <div className="embed-card-label">{shown.label}</div>
        </div>
        <Sparkline
          values={thin(
            series.map((s) => s.p),
            80,
          )}
          width={160}
          height={56}
          label={`Trend of ${market.question}`}
        />
      </div>
      <div className="embed-card-foot">
        <StatusBadge market={market} />
        <a href={href} target="_blank" rel="noopener" data-testid="embed-link">
          Open in Parity ↗
        </a>
      </div>
    </div>
  );
}

/** Transparent page and a theme of the host's choosing while the card is shown. */
function useEmbedDocument(theme: string | null): void {
  useEffect(() => {
    const root = document.documentElement;
    const before = root.dataset.theme;
    root.classList.add('embed-document');
    if (theme === 'light' || theme === 'dark') root.dataset.theme = theme;
    return () => {
      root.classList.remove('embed-document');
      if (before) root.dataset.theme = before;
    };
  }, [theme]);
}
