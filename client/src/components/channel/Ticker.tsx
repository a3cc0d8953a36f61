import type { Market } from '../../../../shared/schemas/index.ts';
import { pct, shares } from '../../format.ts';
import type { FeedItem } from '../../hooks/live.ts';

/** The channel board's running list of trades, forecasts, resolutions and new markets. */
export function Ticker({ items, byId }: { items: FeedItem[]; byId: Map<string, Market> }) {
  return (
    <aside className="channel-ticker" aria-label="Latest activity">
      <h2>Latest</h2>
      <ol aria-live="polite" aria-relevant="additions" data-testid="channel-ticker">
        {items.length === 0 && <li className="muted">Waiting for activity…</li>}
        {items.map((item) => (
          <TickerItem key={feedKey(item)} item={item} market={marketOf(item, byId)} />
        ))}
      </ol>
    </aside>
  );
}

function TickerItem({ item, market }: { item: FeedItem; market: Market | undefined }) {
  const q = market ? short(market.question) : '';
  const time = (
    <time dateTime={item.at}>
      {new Date(item.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
    </time>
  );
  const common = { 'data-testid': 'ticker-item', 'data-kind': item.kind } as const;
  switch (item.kind) {
    case 'trade': {
      const t = item.trade;
      const i = market ? market.outcomes.findIndex((o) => o.id === t.outcomeId) : -1;
      const label = market?.outcomes[i]?.label ?? t.outcomeId;
      // A binary market is read as P(yes) whichever side was traded.
      const binary = market?.type === 'binary';
      const p = binary ? t.probabilities[0] : t.probabilities[i];
      return (
        <li className="tick trade" {...common}>
          {time} <strong>{t.username}</strong> {t.shares >= 0 ? 'bought' : 'sold'}{' '}
          {shares(Math.abs(t.shares))} {label} <span className="tick-q">· {q}</span>{' '}
          <strong className="tick-p">
            → {pct(p ?? 0)} {binary ? 'Yes' : label}
          </strong>
        </li>
      );
    }
    case 'forecast': {
      const f = item.forecast;
      const p =
        market?.type === 'binary'
          ? `${pct(f.probabilities[0] ?? 0)} Yes`
          : leading(market, f.probabilities);
      return (
        <li className="tick forecast" {...common}>
          {time} <strong>{f.username}</strong> forecast {p} <span className="tick-q">· {q}</span>
          {f.comment && <span className="muted"> “{short(f.comment, 80)}”</span>}
        </li>
      );
    }
    case 'resolved': {
      const r = item.resolved;
      const label = market?.outcomes.find((o) => o.id === r.outcomeId)?.label ?? r.outcomeId;
      return (
        <li className="tick resolved" {...common}>
          {time} <strong>{r.status === 'cancelled' ? 'Cancelled' : `Resolved ${label}`}</strong>{' '}
          <span className="tick-q">· {q || r.marketId}</span>
        </li>
      );
    }
    case 'created':
      return (
        <li className="tick created" {...common}>
          {time} <strong>New market</strong>{' '}
          <span className="tick-q">· {short(item.market.question)}</span>
        </li>
      );
  }
}

/** "42% DeepSeek": the outcome a multiple-choice forecast rates highest. */
function leading(market: Market | undefined, probabilities: number[]): string {
  if (!market) return 'a forecast';
  let best = 0;
  for (let i = 1; i < probabilities.length; i++) {
    if ((probabilities[i] ?? 0) > (probabilities[best] ?? 0)) best = i;
  }
  return `${pct(probabilities[best] ?? 0)} ${market.outcomes[best]?.label ?? ''}`.trim();
}

export function feedMarketId(item: FeedItem): string {
  switch (item.kind) {
    case 'trade':
      return item.trade.marketId;
    case 'forecast':
      return item.forecast.marketId;
    case 'resolved':
      return item.resolved.marketId;
    case 'created':
      return item.market.id;
  }
}

function marketOf(item: FeedItem, byId: Map<string, Market>): Market | undefined {
  return item.kind === 'created' ? item.market : byId.get(feedMarketId(item));
}

/** One key per event, so an event seen twice (the seeded list and the feed) shows once. */
export function feedKey(item: FeedItem): string {
  switch (item.kind) {
    case 'trade':
      return `t${item.trade.id}`;
    case 'forecast':
      return `f${item.forecast.id}`;
    case 'resolved':
      // A market can be resolved again after an undo: each announcement is its own line.
      return `r${item.resolved.marketId}:${item.at}`;
    case 'created':
      return `c${item.market.id}`;
  }
}

function short(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
