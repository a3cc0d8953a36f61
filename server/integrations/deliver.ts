import type { Market, MarketStatus } from '../../shared/schemas/index.ts';
import { marketView } from '../services/views.ts';
import type { DeliveryRow, WebhookRow } from '../store/integrationsStore.ts';
import type { Answer, LiveTarget } from './attempt.ts';
import { type ChannelCtx, marketLink } from './channelCtx.ts';
import { type DeliveryPayload, largestMove, type Notification, payoutsOf } from './notification.ts';
import { enqueueLive, enqueueMovedIfDue, gainersOf } from './outbox.ts';
import { renderRequest } from './requests.ts';
import type { OutgoingRequest } from './safeRequest.ts';
import { wants } from './webhooks.ts';

/**
 * One delivery attempt, in three steps: `plan` decides synchronously, from the database, what
 * to send (or to skip or wait); the worker sends it; `commit` records the answer in one
 * transaction right after it arrives.
 */

/** What a sent message showed, to set the baseline of the next post or edit. */
export interface Shown {
  seq: number;
  status: MarketStatus;
  probabilities: number[];
}

export type Plan =
  | { kind: 'skip'; reason: string }
  | { kind: 'wait'; until: string }
  /** Cannot be sent as configured (a live Slack webhook without a bot token). */
  | { kind: 'fail'; reason: string }
  | {
      kind: 'send';
      webhook: WebhookRow;
      request: OutgoingRequest;
      shown: Shown;
      live: LiveTarget | null;
      /** How the answer is read: Slack's Web API answers 200 with `ok: false` on errors. */
      api: 'webhook' | 'slack-api';
    };

function plus(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

function shownOf(m: Market): Shown {
  return { seq: m.seq, status: m.status, probabilities: m.outcomes.map((o) => o.probability) };
}

async function liveGainers(c: ChannelCtx, m: Market) {
  const outcomeId = m.resolution?.outcomeId;
  if (m.status !== 'resolved' || !outcomeId) return undefined;
  return gainersOf(c.store, m, payoutsOf(await c.store.positionsOfMarket(m.id), outcomeId));
}

export async function plan(c: ChannelCtx, row: DeliveryRow, now: Date): Promise<Plan> {
  const at = now.toISOString();
  // The cache may not know a webhook made on another node a moment ago: the database decides.
  const w = (await c.webhooks.get(row.webhookId)) ?? (await c.store.webhook(row.webhookId));
  if (!w) return { kind: 'skip', reason: 'the webhook was deleted' };
  const mrow = await c.store.market(row.marketId);
  if (!mrow) return { kind: 'skip', reason: 'no such market' };
  const current = marketView(mrow);
  const link = marketLink(c, current.id);
  const payload = row.payload as DeliveryPayload;
  let n: Notification;
  let live: LiveTarget | null = null;
  if (row.live) {
    const message = (await c.store.liveMessage(w.id, current.id)) ?? null;
    if (message && message.seq === current.seq) {
      return { kind: 'skip', reason: 'the live message already shows this state' };
    }
    if (message) {
      const slot = plus(message.sentAt, c.settings.liveEditIntervalMs);
      if (slot > at) return { kind: 'wait', until: slot };
    }
    live = { message, channel: message?.channel ?? null };
    n = { event: row.event, market: current, link, at };
    const gainers = await liveGainers(c, current);
    if (gainers) n.gainers = gainers;
  } else if (row.event === 'moved') {
    if (current.status !== 'open') return { kind: 'skip', reason: 'the market is no longer open' };
    const post = await c.store.marketPost(w.id, current.id);
    if (post?.postedAt) {
      const slot = plus(post.postedAt, c.settings.movedIntervalMs);
      if (slot > at) return { kind: 'wait', until: slot };
    }
    const from = post?.probabilities ?? payload.from ?? shownOf(current).probabilities;
    if (largestMove(shownOf(current).probabilities, from) < w.minMove) {
      return { kind: 'skip', reason: 'the odds moved back within minMove' };
    }
    n = { event: 'moved', market: current, link, at, from };
  } else {
    n = { event: row.event, market: payload.market ?? current, link, at };
    if (payload.closesInMs !== undefined) n.closesInMs = payload.closesInMs;
    if (payload.gainers) n.gainers = payload.gainers;
  }
  const rendered = renderRequest(c, w, row, n, live, now);
  if ('refused' in rendered) return { kind: 'fail', reason: rendered.refused };
  return { kind: 'send', webhook: w, shown: shownOf(n.market), live, ...rendered };
}

/** Equal jitter: half the exponential delay, plus up to the other half at random. */
export function backoffMs(
  failedAttempts: number,
  baseMs: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(baseMs * 2 ** Math.max(0, failedAttempts - 1), MAX_DELAY_MS);
  return Math.round(exp / 2 + random() * (exp / 2));
}

export const MAX_DELAY_MS = 3_600_000;

/** Records the answer, and queues what the answer shows is still owed. */
export async function commit(
  c: ChannelCtx,
  row: DeliveryRow,
  p: Extract<Plan, { kind: 'send' }>,
  a: Answer,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await c.store.transaction(async (tx) => {
    const fresh = await tx.delivery(row.id);
    // Deleted with its webhook while the request was in flight.
    if (!fresh || !(await tx.webhook(row.webhookId))) return;
    const w = p.webhook;
    if (a.ok) {
      // Locked, so a change committing meanwhile either finishes first (and is seen here) or
      // waits for this to finish (and then finds no delivery open, so queues its own).
      const mrow = await tx.marketForUpdate(row.marketId);
      await tx.recordAttempt(row.id, { status: 'delivered', at, httpStatus: a.httpStatus });
      const current = mrow ? marketView(mrow) : undefined;
      if (p.live) {
        const messageId = a.messageId ?? p.live.message?.messageId;
        if (messageId) {
          await tx.saveLiveMessage({
            webhookId: w.id,
            marketId: row.marketId,
            messageId,
            channel: a.channel ?? p.live.channel,
            seq: p.shown.seq,
            sentAt: at,
          });
        }
        // Changes that arrived while this was in flight found it queued and left it at that.
        const finished =
          current &&
          current.status !== p.shown.status &&
          (current.status === 'resolved' || current.status === 'cancelled');
        if (
          current &&
          current.seq !== p.shown.seq &&
          (wants(w, 'moved', current) || (finished && wants(w, 'resolved', current)))
        ) {
          await enqueueLive(c, tx, w, current.id, 'moved', at);
        }
      } else {
        // The baseline of the next move is what this post showed, unless it showed a snapshot
        // older than the market's state (a created post that waited out retries while a move
        // was posted): then the baseline stays, and only the post time counts.
        const previous = await tx.marketPost(w.id, row.marketId);
        const showedLatest = row.event === 'moved' || current?.seq === p.shown.seq || !previous;
        await tx.saveMarketPost({
          webhookId: w.id,
          marketId: row.marketId,
          probabilities: showedLatest ? p.shown.probabilities : previous.probabilities,
          postedAt: at,
        });
        if (current && wants(w, 'moved', current)) {
          await enqueueMovedIfDue(c, tx, w, current, at);
        }
      }
      return;
    }
    const attempts = fresh.attempts + 1;
    if (a.messageGone) await tx.deleteLiveMessage(w.id, row.marketId);
    if (a.permanent || attempts >= c.settings.maxAttempts) {
      await tx.recordAttempt(row.id, {
        status: 'failed',
        at,
        error: a.error,
        httpStatus: a.httpStatus,
      });
      return;
    }
    const delay = a.messageGone
      ? 0
      : (a.retryAfterMs ?? backoffMs(attempts, c.settings.retryBaseMs));
    await tx.recordAttempt(row.id, {
      status: 'retrying',
      at,
      nextAttemptAt: new Date(now.getTime() + delay).toISOString(),
      error: a.error,
      httpStatus: a.httpStatus,
    });
  });
}
