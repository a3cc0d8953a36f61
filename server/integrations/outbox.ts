import { assertNever } from '../../shared/errors.ts';
import type { Market, Payout, WebhookEvent } from '../../shared/schemas/index.ts';
import type { DomainEvent, TxHook } from '../services/events.ts';
import type { WebhookRow } from '../store/integrationsStore.ts';
import type { Tx } from '../store/store.ts';
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
export async function enqueueLive(
  c: ChannelCtx,
  tx: Tx,
  w: WebhookRow,
  marketId: string,
  event: WebhookEvent,
  at: string,
): Promise<void> {
  if (await tx.openDelivery(w.id, marketId, { live: true })) return;
  const last = await tx.liveMessage(w.id, marketId);
  const due = later(at, last && plus(last.sentAt, c.settings.liveEditIntervalMs));
  await tx.enqueue({
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
export async function enqueueMovedIfDue(
  c: ChannelCtx,
  tx: Tx,
  w: WebhookRow,
  m: Market,
  at: string,
): Promise<void> {
  if (m.status !== 'open') return;
  if (await tx.openDelivery(w.id, m.id, { live: false, event: 'moved' })) return;
  let post = await tx.marketPost(w.id, m.id);
  if (!post) {
    // First sight of this market: the baseline is its state before this change.
    const before = (await tx.probabilitiesBefore(m.id, m.seq)) ?? probabilitiesOf(m);
    post = { webhookId: w.id, marketId: m.id, probabilities: before, postedAt: null };
    await tx.saveMarketPost(post);
  }
  if (largestMove(probabilitiesOf(m), post.probabilities) < w.minMove) return;
  const due = later(
    plus(at, c.settings.movedSettleMs),
    post.postedAt === null ? undefined : plus(post.postedAt, c.settings.movedIntervalMs),
  );
  const payload: DeliveryPayload = { from: post.probabilities };
  await tx.enqueue({
    webhookId: w.id,
    marketId: m.id,
    event: 'moved',
    live: false,
    payload,
    nextAttemptAt: due,
    createdAt: at,
  });
}

async function enqueuePost(
  tx: Tx,
  w: WebhookRow,
  event: WebhookEvent,
  m: Market,
  payload: DeliveryPayload,
  at: string,
): Promise<void> {
  await tx.enqueue({
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
export async function gainersOf(
  tx: Tx,
  m: Market,
  payouts: readonly Pick<Payout, 'userId' | 'amountCents'>[],
): Promise<Gainer[]> {
  if (m.status !== 'resolved' || !m.resolution?.outcomeId) return [];
  const top = topGainers(payouts, await tx.positionsOfMarket(m.id));
  const names = new Map(
    (await tx.usersByIds(top.map((g) => g.userId))).map((u) => [u.id, u.username]),
  );
  return top.map((g) => ({
    username: names.get(g.userId) ?? g.userId,
    profitCents: g.profitCents,
  }));
}

/** Queues a closing notice for every webhook that wants it. */
export async function enqueueClosing(c: ChannelCtx, tx: Tx, m: Market, at: string): Promise<void> {
  const closesInMs = Math.max(0, Date.parse(m.closesAt) - Date.parse(at));
  for (const w of await c.webhooks.list(tx)) {
    if (!wants(w, 'closing', m)) continue;
    if (isLive(w)) await enqueueLive(c, tx, w, m.id, 'closing', at);
    else await enqueuePost(tx, w, 'closing', m, { market: m, closesInMs }, at);
  }
}

async function onEvent(
  c: ChannelCtx,
  tx: Tx,
  hooks: readonly WebhookRow[],
  e: DomainEvent,
  at: string,
): Promise<void> {
  switch (e.type) {
    case 'market.created':
      for (const w of hooks) {
        if (!wants(w, 'created', e.market)) continue;
        if (isLive(w)) await enqueueLive(c, tx, w, e.market.id, 'created', at);
        else await enqueuePost(tx, w, 'created', e.market, { market: e.market }, at);
      }
      return;
    case 'market.changed':
      // Trades, closes, resolutions and undos: a live message shows each; a post needs a move.
      for (const w of hooks) {
        if (!wants(w, 'moved', e.market)) continue;
        if (isLive(w)) await enqueueLive(c, tx, w, e.market.id, 'moved', at);
        else await enqueueMovedIfDue(c, tx, w, e.market, at);
      }
      return;
    case 'market.resolved': {
      let gainers: Gainer[] | undefined;
      for (const w of hooks) {
        if (!wants(w, 'resolved', e.market)) continue;
        if (isLive(w)) {
          await enqueueLive(c, tx, w, e.market.id, 'resolved', at);
        } else {
          gainers ??= await gainersOf(tx, e.market, e.payouts);
          await enqueuePost(tx, w, 'resolved', e.market, { market: e.market, gainers }, at);
        }
      }
      return;
    }
    case 'trade':
    case 'forecast':
    case 'comment':
    case 'comment.deleted':
    case 'space.left':
    case 'space.joined':
    case 'balance':
    case 'simulation.changed':
    case 'webhooks.changed':
      return;
    default:
      assertNever(e);
  }
}

/** The transaction hook that turns domain events into outbox rows. */
export function outboxHook(c: ChannelCtx): TxHook {
  return async (tx, events) => {
    const hooks = await c.webhooks.list(tx);
    if (hooks.length === 0) return;
    const at = c.ctx.now().toISOString();
    for (const e of events) await onEvent(c, tx, hooks, e, at);
  };
}
