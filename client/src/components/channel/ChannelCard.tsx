import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { Market } from '../../../../shared/schemas/index.ts';
import { headline, pct } from '../../format.ts';
import { useLiveSeries } from '../../hooks/useLiveSeries.ts';
import { isBigMove, points, priceAt, recentMove } from '../../lib/moves.ts';
import { Sparkline, thin } from '../Sparkline.tsx';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * One market on the channel board: the question, its live probability (or leading outcome) in
 * type big enough to read across a room, the change over 24 hours and since the board opened,
 * a sparkline, and a "big move" marker while it has moved 5 points or more within 5 minutes.
 * A resolved or cancelled market shows how it ended instead.
 */
export function ChannelCard({
  market,
  now,
  openedAt,
  boardSince,
}: {
  market: Market;
  /** ms since the epoch; the board ticks it so a big move stops being one when it ages out. */
  now: number;
  /** The headline probability when the board first showed this market, and when that was. */
  openedAt: { p: number; t: number } | undefined;
  /** When the board was opened: markets created after it are flagged as new for an hour. */
  boardSince: number;
}) {
  const h = headline(market);
  const index =
    market.type === 'binary' ? 0 : market.outcomes.findIndex((o) => o.label === h.label);
  const series = useLiveSeries(market, index);
  const live = market.status === 'open';
  const move = live ? recentMove(series, now) : 0;
  const big = isBigMove(move);
  const day = priceAt(series, now - DAY);
  const [flash, setFlash] = useState<'' | 'flash-up' | 'flash-down'>('');
  const [prev, setPrev] = useState(h.probability);
  if (prev !== h.probability) {
    setFlash(h.probability > prev ? 'flash-up' : 'flash-down');
    setPrev(h.probability);
  }
  const direction = move > 0 ? 'up' : 'down';
  const created = Date.parse(market.createdAt);
  const isNew = live && created > boardSince && now - created < HOUR;
  return (
    <article
      className={`channel-card${big ? ` big-${direction}` : ''}${live ? '' : ' ended'}`}
      data-testid="channel-card"
      data-market-id={market.id}
      data-status={market.status}
      {...(big ? { 'data-big-move': direction } : {})}
      aria-label={market.question}
    >
      <h2 className="channel-card-q">
        <Link to={`/markets/${market.id}`}>{market.question}</Link>
      </h2>
      {big ? (
        <span className={`channel-flag ${direction}`} data-testid="big-move">
          {direction === 'up' ? '▲' : '▼'} Big move
        </span>
      ) : isNew ? (
        <span className="channel-flag new">New</span>
      ) : null}
      {live ? (
        <Odds
          market={market}
          flash={flash}
          // A market nobody traded yet has one price: drawn as a flat line at its level.
          series={series.length > 1 ? series.map((s) => s.p) : [h.probability, h.probability]}
        />
      ) : (
        <Ending market={market} />
      )}
      {live && (
        <div className="channel-card-foot">
          <Change label="24 h" from={day} to={h.probability} />
          {openedAt && (
            <Change label={`since ${clock(openedAt.t)}`} from={openedAt.p} to={h.probability} />
          )}
          {big && <span className="sr-label">Moved {Math.abs(points(move))} points just now.</span>}
        </div>
      )}
    </article>
  );
}

function Odds({ market, flash, series }: { market: Market; flash: string; series: number[] }) {
  const h = headline(market);
  const others =
    market.type === 'multiple'
      ? [...market.outcomes].sort((a, b) => b.probability - a.probability).slice(1, 3)
      : [];
  return (
    <>
      <div className="channel-card-main">
        <div>
          <div
            key={market.seq}
            className={`channel-prob ${flash}`}
            data-testid="channel-probability"
          >
            {pct(h.probability)}
          </div>
          <div className="channel-label">
            {market.type === 'binary' ? 'chance of Yes' : h.label}
          </div>
        </div>
        <Sparkline
          values={thin(series, 80)}
          width={160}
          height={56}
          label={`Trend of ${market.question}`}
        />
      </div>
      {others.length > 0 && (
        <ul className="channel-others">
          {others.map((o) => (
            <li key={o.id}>
              <span>{o.label}</span> <span>{pct(o.probability)}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Ending({ market }: { market: Market }) {
  const winner = market.outcomes.find((o) => o.id === market.resolution?.outcomeId);
  const text =
    market.status === 'cancelled'
      ? 'Cancelled'
      : market.status === 'closed'
        ? 'Closed'
        : `Resolved ${winner?.label ?? ''}`.trim();
  const note =
    market.status === 'closed'
      ? `Awaiting resolution · last ${pct(headline(market).probability)}`
      : market.status === 'resolved'
        ? `Market said ${pct(winner?.probability ?? 0)} at the end`
        : 'Trades refunded';
  return (
    <div className="channel-card-main">
      <div>
        <div className="channel-outcome" data-testid="channel-outcome">
          {text}
        </div>
        <div className="channel-label">{note}</div>
      </div>
    </div>
  );
}

function clock(t: number): string {
  return new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** "▲ 12 24 h": the change of the headline probability since `from`. */
function Change({ label, from, to }: { label: string; from: number | null; to: number }) {
  if (from === null) return null;
  const d = points(to - from);
  const cls = d > 0 ? 'up' : d < 0 ? 'down' : 'muted';
  const arrow = d > 0 ? '▲' : d < 0 ? '▼' : '●';
  const words = d === 0 ? 'no change' : `${d > 0 ? 'up' : 'down'} ${Math.abs(d)} points`;
  return (
    <span className={`channel-change ${cls}`} title={`${words} ${label}`}>
      <span aria-hidden="true">
        {arrow} {Math.abs(d)}
      </span>
      <span className="sr-label">{words}</span>{' '}
      <span className="channel-change-label">{label}</span>
    </span>
  );
}
