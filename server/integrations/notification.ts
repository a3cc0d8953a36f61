import { assertNever } from '../../shared/errors.ts';
import { formatCredits, payoutCents } from '../../shared/money.ts';
import type { Market, Payout, WebhookEvent } from '../../shared/schemas/index.ts';
import type { PositionRow } from '../store/store.ts';

/** What a post says, independent of the chat tool that shows it. */

export interface Gainer {
  username: string;
  /** Payout minus net cost over all of the user's positions in the market. */
  profitCents: number;
}

export interface Notification {
  event: WebhookEvent;
  /** The market as the post shows it. */
  market: Market;
  /** The market's page. */
  link: string;
  /** moved: the probabilities the previous post showed, by outcome order. */
  from?: number[];
  /** closing: milliseconds left until the close when the post was made. */
  closesInMs?: number;
  /** resolved: the biggest winners, best first. */
  gainers?: Gainer[];
  /** Live messages: the time of this state, shown as "updated". */
  at: string;
}

/** What an outbox row records beyond the market id: the facts of the moment it was written. */
export interface DeliveryPayload {
  /** The market when the row was written (created, closing, resolved); moved and live rows
   *  show the market as it is when sent. */
  market?: Market;
  from?: number[];
  closesInMs?: number;
  gainers?: Gainer[];
}

export const TOP_GAINERS = 3;

/**
 * The top gainers of a resolution: each user's payout less what they paid, net, over all their
 * positions in the market; positive profits only, best first, ties by user id.
 */
export function topGainers(
  payouts: readonly Pick<Payout, 'userId' | 'amountCents'>[],
  positions: readonly Pick<PositionRow, 'userId' | 'costCents'>[],
  n = TOP_GAINERS,
): { userId: string; profitCents: number }[] {
  const profit = new Map<string, number>();
  for (const p of positions) profit.set(p.userId, (profit.get(p.userId) ?? 0) - p.costCents);
  for (const p of payouts) profit.set(p.userId, (profit.get(p.userId) ?? 0) + p.amountCents);
  return [...profit]
    .filter(([, cents]) => cents > 0)
    .map(([userId, profitCents]) => ({ userId, profitCents }))
    .sort((a, b) => b.profitCents - a.profitCents || (a.userId < b.userId ? -1 : 1))
    .slice(0, n);
}

/** What a resolution to `outcomeId` pays each user: one credit per winning share, rounded down. */
export function payoutsOf(
  positions: readonly Pick<PositionRow, 'userId' | 'outcomeId' | 'shares'>[],
  outcomeId: string,
): { userId: string; amountCents: number }[] {
  const owed = new Map<string, number>();
  for (const p of positions) {
    if (p.outcomeId !== outcomeId) continue;
    owed.set(p.userId, (owed.get(p.userId) ?? 0) + payoutCents(p.shares));
  }
  return [...owed].map(([userId, amountCents]) => ({ userId, amountCents }));
}

/** A probability as a whole percentage; the ends say "<1%" and ">99%" rather than lie. */
export function percent(p: number): string {
  if (p > 0 && p < 0.005) return '<1%';
  if (p < 1 && p > 0.995) return '>99%';
  return `${Math.round(p * 100)}%`;
}

/** A change of probability in percentage points with an arrow: "▲ 7.5 pts". */
export function points(delta: number): string {
  const pts = Math.round(Math.abs(delta) * 1000) / 10;
  if (pts === 0) return '± 0 pts';
  return `${delta > 0 ? '▲' : '▼'} ${pts} pts`;
}

/** The outcomes worth showing: "Yes" alone for binary markets, else the five likeliest. */
export function shownOutcomes(m: Market): { label: string; probability: number; index: number }[] {
  const all = m.outcomes.map((o, index) => ({ label: o.label, probability: o.probability, index }));
  if (m.type === 'binary') return all.slice(0, 1);
  return all.sort((a, b) => b.probability - a.probability || a.index - b.index).slice(0, 5);
}

/** "Yes 62% (▲ 7 pts)" or "Alpha 40% · Beta 35% · …" as plain text. */
export function oddsLine(n: Pick<Notification, 'market' | 'from'>): string {
  return shownOutcomes(n.market)
    .map((o) => {
      const from = n.from?.[o.index];
      const move = from === undefined ? '' : ` (${points(o.probability - from)})`;
      return `${o.label} ${percent(o.probability)}${move}`;
    })
    .join(' · ');
}

/** Largest absolute change of any outcome's probability between two vectors. */
export function largestMove(a: readonly number[], b: readonly number[]): number {
  let max = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  }
  return max;
}

/** "3 hours", "45 minutes", "2 days". */
export function duration(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 90) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}

function outcomeLabel(m: Market, id: string | null | undefined): string | undefined {
  return m.outcomes.find((o) => o.id === id)?.label;
}

/** The one-line summary every format leads with (and Slack's `text` fallback). */
export function headline(n: Notification): string {
  const q = n.market.question;
  switch (n.event) {
    case 'created':
      return `New market: ${q}`;
    case 'moved':
      return `Odds moved: ${q}`;
    case 'closing':
      return `Closes in ${duration(n.closesInMs ?? 0)}: ${q}`;
    case 'resolved': {
      const r = n.market.resolution;
      if (n.market.status === 'cancelled' || (r && r.outcomeId === null)) return `Cancelled: ${q}`;
      return `Resolved ${outcomeLabel(n.market, r?.outcomeId) ?? '?'}: ${q}`;
    }
    default:
      return assertNever(n.event);
  }
}

/** The state line under the headline: odds, or the outcome for a finished market. */
export function statusLine(n: Notification): string {
  const m = n.market;
  switch (m.status) {
    case 'open':
      return oddsLine(n);
    case 'closed':
      return `Closed, awaiting resolution · ${oddsLine(n)}`;
    case 'resolved':
      return `Resolved: ${outcomeLabel(m, m.resolution?.outcomeId) ?? '?'}`;
    case 'cancelled':
      return 'Cancelled: every trader was refunded';
    default:
      return assertNever(m.status);
  }
}

/** "alice +12.50 · bob +3.00" (credits). */
export function gainersLine(gainers: readonly Gainer[]): string {
  return gainers.map((g) => `${g.username} +${formatCredits(g.profitCents)}`).join(' · ');
}

export function volumeLine(m: Market): string {
  return `Volume ${formatCredits(m.volumeCents)} credits · closes ${m.closesAt.slice(0, 16).replace('T', ' ')} UTC`;
}

/** The title of a post: the event's headline, or for a live message the question itself. */
export function titleOf(n: Notification, live: boolean): string {
  return live ? n.market.question : headline(n);
}

/** Cuts text to `max` characters with an ellipsis (chat tools reject longer fields). */
export { clip } from './clip.ts';
