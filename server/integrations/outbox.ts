import { assertNever } from '../../shared/errors.ts';
import type { Market, Payout, WebhookEvent } from '../../shared/schemas/index.ts';
import type { DomainEvent, TxHook } from '../services/events.ts';
import type { WebhookRow } from '../store/integrationsStore.ts';
import { type ChannelCtx, isLive } from './channelCtx.ts';
import { type DeliveryPayload, type Gainer, largestMove, topGainers } from './notification.ts';
import { wants } from './webhooks.ts';

/**
 * Writing notifications to the outbox. Everything here runs inside the transaction of the
 * change that caused it (through `ctx.txHooks`), so a notification exists exactly when its
 * cause committed.
 */

function probabilitiesOf(m: Market): number[] {
  return m.outcomes.map((o) => o.probability);
}

function later(a: string, b: string | undefined): string {
  return b !== undefined && b > a ? b : a;
}

function plus(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/**
 * Queues an update of the webhook's live message for the market, unless one is already
 * queued: that one will show the market as it is when it is sent. It is due no sooner than the
 * edit interval after the last send.
 */
export function enqueueLive(
  c: ChannelCtx,
  w: WebhookRow,
  marketId: string,
  event: WebhookEvent,
  at: string,
): void {
  if (c.store.openDelivery(w.id, marketId, { live: true })) return;
  const last = c.store.liveMessage(w.id, marketId);
  const due = later(at, last && plus(last.sentAt, c.settings.liveEditIntervalMs));
  c.store.enqueue({
    webhookId: w.id,
    marketId,
    event,
    live: true,
    payload: {},
    nextAttemptAt: due,
    createdAt: at,
  });
}

/**
 * Queues a `moved` post when the market moved by at least `minMove` from what the last post
 * showed, unless one is queued already (it will show the latest odds). It is due once the move
 * has settled for a moment (the rest of a burst rides along) and no sooner than the moved
 * interval after the last post about the market.
 */
export function enqueueMovedIfDue(c: ChannelCtx, w: WebhookRow, m: Market, at: string): void {
  if (m.status !== 'open') return;
  if (c.store.openDelivery(w.id, m.id, { live: false, event: 'moved' })) return;
  let post = c.store.marketPost(w.id, m.id);
  if (!post) {
    // First sight of this market: the baseline is its state before this change.
    const before = c.store.probabilitiesBefore(m.id, m.seq) ?? probabilitiesOf(m);
    post = { webhookId: w.id, marketId: m.id, probabilities: before, postedAt: null };
    c.store.saveMarketPost(post);
  }
  if (largestMove(probabilitiesOf(m), post.probabilities) < w.minMove) return;
  const due = later(
    plus(at, c.settings.movedSettleMs),
    post.postedAt === null ? undefined : plus(post.postedAt, c.settings.movedIntervalMs),
  );
  const payload: DeliveryPayload = { from: post.probabilities };
  c.store.enqueue({
    webhookId: w.id,
    marketId: m.id,
    event: 'moved',
    live: false,
    payload,
    nextAttemptAt: due,
    createdAt: at,
  });
}

function enqueuePost(
  c: ChannelCtx,
  w: WebhookRow,
  event: WebhookEvent,
  m: Market,
  payload: DeliveryPayload,
  at: string,
): void {
  c.store.enqueue({
    webhookId: w.id,
    marketId: m.id,
    event,
    live: false,
    payload,
    nextAttemptAt: at,
    createdAt: at,
  });
}

/** The top gainers of a resolution, with their usernames. */
export function gainersOf(
  c: ChannelCtx,
  m: Market,
  payouts: readonly Pick<Payout, 'userId' | 'amountCents'>[],
): Gainer[] {
  if (m.status !== 'resolved' || !m.resolution?.outcomeId) return [];
  const top = topGainers(payouts, c.ctx.store.positionsOfMarket(m.id));
  const names = new Map(
    c.ctx.store.usersByIds(top.map((g) => g.userId)).map((u) => [u.id, u.username]),
  );
  return top.map((g) => ({
    username: names.get(g.userId) ?? g.userId,
    profitCents: g.profitCents,
  }));
}

/** Queues a closing notice for every webhook that wants it. */
export function enqueueClosing(c: ChannelCtx, m: Market, at: string): void {
  const closesInMs = Math.max(0, Date.parse(m.closesAt) - Date.parse(at));
  for (const w of c.webhooks.list()) {
    if (!wants(w, 'closing', m.id)) continue;
    if (isLive(w)) enqueueLive(c, w, m.id, 'closing', at);
    else enqueuePost(c, w, 'closing', m, { market: m, closesInMs }, at);
  }
}

function onEvent(c: ChannelCtx, e: DomainEvent, at: string): void {
  switch (e.type) {
    case 'market.created':
      for (const w of c.webhooks.list()) {
        if (!wants(w, 'created', e.market.id)) continue;
        if (isLive(w)) enqueueLive(c, w, e.market.id, 'created', at);
        else enqueuePost(c, w, 'created', e.market, { market: e.market }, at);
      }
      return;
    case 'market.changed':
      // Trades, closes, resolutions and undos: a live message shows each; a post needs a move.
      for (const w of c.webhooks.list()) {
        if (!wants(w, 'moved', e.market.id)) continue;
        if (isLive(w)) enqueueLive(c, w, e.market.id, 'moved', at);
        else enqueueMovedIfDue(c, w, e.market, at);
      }
      return;
    case 'market.resolved': {
      let gainers: Gainer[] | undefined;
      for (const w of c.webhooks.list()) {
        if (!wants(w, 'resolved', e.market.id)) continue;
        if (isLive(w)) {
          enqueueLive(c, w, e.market.id, 'resolved', at);
        } else {
          gainers ??= gainersOf(c, e.market, e.payouts);
          enqueuePost(c, w, 'resolved', e.market, { market: e.market, gainers }, at);
        }
      }
      return;
    }
    case 'trade':
    case 'forecast':
    case 'balance':
      return;
    default:
      assertNever(e);
  }
}

/** The transaction hook that turns domain events into outbox rows. */
export function outboxHook(c: ChannelCtx): TxHook {
  return (events) => {
    if (c.webhooks.list().length === 0) return;
    const at = c.ctx.now().toISOString();
    for (const e of events) onEvent(c, e, at);
  };
}
