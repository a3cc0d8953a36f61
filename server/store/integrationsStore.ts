import type { DeliveryStatus, WebhookEvent, WebhookKind } from '../../shared/schemas/index.ts';
import { SqliteStatements } from './sqliteStatements.ts';
import type { Sync } from './store.ts';

/**
 * The storage port of team channels: webhooks, the delivery outbox, what was last posted per
 * market, live messages and closing notices. It shares the main store's database, so rows
 * written from a transaction hook commit (or roll back) with the change that caused them.
 */

export interface WebhookRow {
  id: string;
  kind: WebhookKind;
  url: string;
  mode: 'post' | 'live';
  events: WebhookEvent[];
  minMove: number;
  /** null: every market. */
  marketIds: string[] | null;
  /** Posts only this space's markets; null: the public site's. */
  spaceId: string | null;
  /** Signs generic posts (HMAC-SHA256). */
  secret: string;
  createdAt: string;
}

export interface DeliveryRow {
  id: number;
  webhookId: string;
  marketId: string;
  event: WebhookEvent;
  live: boolean;
  /** What the notification says beyond the market's current state (JSON). */
  payload: unknown;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastStatus: number | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

export type NewDelivery = Pick<
  DeliveryRow,
  'webhookId' | 'marketId' | 'event' | 'live' | 'payload' | 'nextAttemptAt' | 'createdAt'
>;

export interface DeliveryWithKind extends DeliveryRow {
  kind: WebhookKind;
}

export interface MarketPostRow {
  webhookId: string;
  marketId: string;
  /** The probabilities the last post showed (or, before any post, those first seen): the
   *  baseline of the next `moved`. */
  probabilities: number[];
  /** null until something was posted about the market. */
  postedAt: string | null;
}

export interface LiveMessageRow {
  webhookId: string;
  marketId: string;
  /** Discord: the message id; Slack: the message `ts`. */
  messageId: string;
  /** Slack: the channel id the message lives in. */
  channel: string | null;
  /** The market seq the message last showed. */
  seq: number;
  sentAt: string;
}

/** The outcome of one attempt, written right after it. */
export type AttemptResult =
  | { status: 'delivered'; at: string; httpStatus: number }
  | {
      status: 'retrying';
      at: string;
      nextAttemptAt: string;
      error: string;
      httpStatus: number | null;
    }
  | { status: 'failed'; at: string; error: string; httpStatus: number | null };

export interface IntegrationsQueries {
  insertWebhook(w: WebhookRow): Promise<void>;
  webhooks(): Promise<WebhookRow[]>;
  webhook(id: string): Promise<WebhookRow | undefined>;
  deleteWebhook(id: string): Promise<boolean>;

  enqueue(d: NewDelivery): Promise<number>;
  delivery(id: number): Promise<DeliveryRow | undefined>;
  /** A not-yet-delivered row of a webhook and market: a live row, or one of `event`. */
  openDelivery(
    webhookId: string,
    marketId: string,
    which: { live: true } | { live: false; event: WebhookEvent },
  ): Promise<DeliveryRow | undefined>;
  /** Pending and retrying rows due at `now`, oldest first (leased or not). */
  dueDeliveries(now: string, limit: number): Promise<DeliveryRow[]>;
  /**
   * Claims due rows for one sender until `leaseUntil`: at most one per webhook, and none of a
   * webhook that has a row leased already, so each webhook's messages go out one at a time and
   * in order across every node. A sender that dies leaves its lease to expire; then another
   * claims the row. Recording an attempt, postponing or skipping ends the lease.
   */
  claimDeliveries(now: string, limit: number, leaseUntil: string): Promise<DeliveryRow[]>;
  /** The earliest next attempt among open rows. */
  nextDueAt(): Promise<string | undefined>;
  /** Records an attempt (counted) and its outcome. */
  recordAttempt(id: number, result: AttemptResult): Promise<void>;
  /** Moves a row's next attempt without counting an attempt (a rate slot, a busy webhook). */
  postpone(id: number, nextAttemptAt: string, at: string): Promise<void>;
  skip(id: number, reason: string, at: string): Promise<void>;
  deliveries(q: {
    limit: number;
    status?: DeliveryStatus;
    webhookId?: string;
    beforeId?: number;
  }): Promise<DeliveryWithKind[]>;
  /** Deletes finished rows last touched before `before`; returns how many. */
  pruneDeliveries(before: string): Promise<number>;

  marketPost(webhookId: string, marketId: string): Promise<MarketPostRow | undefined>;
  saveMarketPost(p: MarketPostRow): Promise<void>;
  liveMessage(webhookId: string, marketId: string): Promise<LiveMessageRow | undefined>;
  saveLiveMessage(m: LiveMessageRow): Promise<void>;
  deleteLiveMessage(webhookId: string, marketId: string): Promise<void>;

  /** The market's probabilities before state change `seq` (the point with the largest lower seq). */
  probabilitiesBefore(marketId: string, seq: number): Promise<number[] | undefined>;
  /** The market's probabilities as of `at` (its first point if it is younger). */
  probabilitiesAsOf(marketId: string, at: string): Promise<number[] | undefined>;

  /** Open markets closing in (now, until] without a closing notice for `hours`. */
  marketsClosingWithoutNotice(now: string, until: string, hours: number): Promise<string[]>;
  /** Records a closing notice; false if it was already recorded. */
  recordClosingNotice(marketId: string, hours: number, at: string): Promise<boolean>;
}

type Row = Record<string, unknown>;

function toWebhook(r: Row): WebhookRow {
  return {
    id: r.id as string,
    kind: r.kind as WebhookKind,
    url: r.url as string,
    mode: r.mode as WebhookRow['mode'],
    events: JSON.parse(r.events as string),
    minMove: r.min_move as number,
    marketIds: r.market_ids ? JSON.parse(r.market_ids as string) : null,
    spaceId: (r.space_id as string | null) ?? null,
    secret: r.secret as string,
    createdAt: r.created_at as string,
  };
}

function toDelivery(r: Row): DeliveryRow {
  return {
    id: r.id as number,
    webhookId: r.webhook_id as string,
    marketId: r.market_id as string,
    event: r.event as WebhookEvent,
    live: r.live === 1,
    payload: JSON.parse(r.payload as string),
    status: r.status as DeliveryStatus,
    attempts: r.attempts as number,
    nextAttemptAt: (r.next_attempt_at as string | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    lastStatus: (r.last_status as number | null) ?? null,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
    deliveredAt: (r.delivered_at as string | null) ?? null,
  };
}

const OPEN = "status IN ('pending', 'retrying')";

/** The SQLite implementation, over the main store's database handle (synchronous). */
export class SqliteIntegrationsQueries
  extends SqliteStatements
  implements Sync<IntegrationsQueries>
{
  insertWebhook(w: WebhookRow): void {
    this.s(
      `INSERT INTO webhooks (id, kind, url, mode, events, min_move, market_ids, secret, created_at,
        space_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      w.id,
      w.kind,
      w.url,
      w.mode,
      JSON.stringify(w.events),
      w.minMove,
      w.marketIds ? JSON.stringify(w.marketIds) : null,
      w.secret,
      w.createdAt,
      w.spaceId,
    );
  }
  webhooks(): WebhookRow[] {
    return (this.s('SELECT * FROM webhooks ORDER BY created_at, id').all() as Row[]).map(toWebhook);
  }
  webhook(id: string): WebhookRow | undefined {
    const r = this.s('SELECT * FROM webhooks WHERE id = ?').get(id) as Row | undefined;
    return r ? toWebhook(r) : undefined;
  }
  deleteWebhook(id: string): boolean {
    // Its deliveries, posts and live messages go with it (ON DELETE CASCADE).
    return this.s('DELETE FROM webhooks WHERE id = ?').run(id).changes === 1;
  }

  enqueue(d: NewDelivery): number {
    return Number(
      this.s(
        `INSERT INTO webhook_deliveries
           (webhook_id, market_id, event, live, payload, status, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
      ).run(
        d.webhookId,
        d.marketId,
        d.event,
        d.live ? 1 : 0,
        JSON.stringify(d.payload),
        d.nextAttemptAt,
        d.createdAt,
        d.createdAt,
      ).lastInsertRowid,
    );
  }
  delivery(id: number): DeliveryRow | undefined {
    const r = this.s('SELECT * FROM webhook_deliveries WHERE id = ?').get(id) as Row | undefined;
    return r ? toDelivery(r) : undefined;
  }
  openDelivery(
    webhookId: string,
    marketId: string,
    which: { live: true } | { live: false; event: WebhookEvent },
  ): DeliveryRow | undefined {
    const r = (
      which.live
        ? this.s(
            `SELECT * FROM webhook_deliveries
             WHERE webhook_id = ? AND market_id = ? AND live = 1 AND ${OPEN} LIMIT 1`,
          ).get(webhookId, marketId)
        : this.s(
            `SELECT * FROM webhook_deliveries
             WHERE webhook_id = ? AND market_id = ? AND live = 0 AND event = ? AND ${OPEN} LIMIT 1`,
          ).get(webhookId, marketId, which.event)
    ) as Row | undefined;
    return r ? toDelivery(r) : undefined;
  }
  dueDeliveries(now: string, limit: number): DeliveryRow[] {
    return (
      this.s(
        `SELECT * FROM webhook_deliveries WHERE ${OPEN} AND next_attempt_at <= ?
         ORDER BY next_attempt_at, id LIMIT ?`,
      ).all(now, limit) as Row[]
    ).map(toDelivery);
  }
  claimDeliveries(now: string, limit: number, leaseUntil: string): DeliveryRow[] {
    // One writer at a time in SQLite: the select and the update cannot interleave with another.
    const rows = (
      this.s(
        `SELECT * FROM webhook_deliveries d WHERE ${OPEN} AND next_attempt_at <= ?
           AND (lease_until IS NULL OR lease_until <= ?)
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries o WHERE o.webhook_id = d.webhook_id
             AND o.id <> d.id AND o.${OPEN} AND o.lease_until > ?)
         ORDER BY next_attempt_at, id LIMIT ?`,
      ).all(now, now, now, limit * 4) as Row[]
    ).map(toDelivery);
    const picked: DeliveryRow[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      if (seen.has(r.webhookId)) continue;
      seen.add(r.webhookId);
      picked.push(r);
      if (picked.length >= limit) break;
    }
    const lease = this.s('UPDATE webhook_deliveries SET lease_until = ? WHERE id = ?');
    for (const r of picked) lease.run(leaseUntil, r.id);
    return picked;
  }
  nextDueAt(): string | undefined {
    const r = this.s(
      `SELECT MIN(next_attempt_at) AS t FROM webhook_deliveries WHERE ${OPEN}`,
    ).get() as { t: string | null };
    return r.t ?? undefined;
  }
  recordAttempt(id: number, r: AttemptResult): void {
    this.s(
      `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?,
         last_error = ?, last_status = ?, updated_at = ?, delivered_at = ?, lease_until = NULL
       WHERE id = ?`,
    ).run(
      r.status,
      r.status === 'retrying' ? r.nextAttemptAt : null,
      r.status === 'delivered' ? null : r.error,
      r.httpStatus,
      r.at,
      r.status === 'delivered' ? r.at : null,
      id,
    );
  }
  postpone(id: number, nextAttemptAt: string, at: string): void {
    this.s(
      `UPDATE webhook_deliveries SET next_attempt_at = ?, updated_at = ?, lease_until = NULL
       WHERE id = ? AND ${OPEN}`,
    ).run(nextAttemptAt, at, id);
  }
  skip(id: number, reason: string, at: string): void {
    this.s(
      `UPDATE webhook_deliveries SET status = 'skipped', next_attempt_at = NULL, last_error = ?,
         updated_at = ?, lease_until = NULL WHERE id = ?`,
    ).run(reason, at, id);
  }
  deliveries(q: {
    limit: number;
    status?: DeliveryStatus;
    webhookId?: string;
    beforeId?: number;
  }): DeliveryWithKind[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.status) {
      where.push('d.status = ?');
      args.push(q.status);
    }
    if (q.webhookId) {
      where.push('d.webhook_id = ?');
      args.push(q.webhookId);
    }
    if (q.beforeId !== undefined) {
      where.push('d.id < ?');
      args.push(q.beforeId);
    }
    const sql = `SELECT d.*, w.kind FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.id DESC LIMIT ?`;
    return (this.s(sql).all(...args, q.limit) as Row[]).map((r) => ({
      ...toDelivery(r),
      kind: r.kind as WebhookKind,
    }));
  }
  pruneDeliveries(before: string): number {
    return this.s(
      `DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'failed', 'skipped')
       AND updated_at < ?`,
    ).run(before).changes;
  }

  marketPost(webhookId: string, marketId: string): MarketPostRow | undefined {
    const r = this.s(
      'SELECT * FROM webhook_market_posts WHERE webhook_id = ? AND market_id = ?',
    ).get(webhookId, marketId) as Row | undefined;
    if (!r) return undefined;
    return {
      webhookId,
      marketId,
      probabilities: JSON.parse(r.probabilities as string),
      postedAt: (r.posted_at as string | null) ?? null,
    };
  }
  saveMarketPost(p: MarketPostRow): void {
    this.s(
      `INSERT INTO webhook_market_posts (webhook_id, market_id, probabilities, posted_at)
       VALUES (?, ?, ?, ?)
       ON CONFLICT (webhook_id, market_id) DO UPDATE SET probabilities = excluded.probabilities,
         posted_at = excluded.posted_at`,
    ).run(p.webhookId, p.marketId, JSON.stringify(p.probabilities), p.postedAt);
  }
  liveMessage(webhookId: string, marketId: string): LiveMessageRow | undefined {
    const r = this.s(
      'SELECT * FROM webhook_live_messages WHERE webhook_id = ? AND market_id = ?',
    ).get(webhookId, marketId) as Row | undefined;
    if (!r) return undefined;
    return {
      webhookId,
      marketId,
      messageId: r.message_id as string,
      channel: (r.channel as string | null) ?? null,
      seq: r.seq as number,
      sentAt: r.sent_at as string,
    };
  }
  saveLiveMessage(m: LiveMessageRow): void {
    this.s(
      `INSERT INTO webhook_live_messages (webhook_id, market_id, message_id, channel, seq, sent_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (webhook_id, market_id) DO UPDATE SET message_id = excluded.message_id,
         channel = excluded.channel, seq = excluded.seq, sent_at = excluded.sent_at`,
    ).run(m.webhookId, m.marketId, m.messageId, m.channel, m.seq, m.sentAt);
  }
  deleteLiveMessage(webhookId: string, marketId: string): void {
    this.s('DELETE FROM webhook_live_messages WHERE webhook_id = ? AND market_id = ?').run(
      webhookId,
      marketId,
    );
  }

  probabilitiesBefore(marketId: string, seq: number): number[] | undefined {
    const r = this.s(
      `SELECT probabilities FROM market_history WHERE market_id = ? AND seq < ?
       ORDER BY seq DESC LIMIT 1`,
    ).get(marketId, seq) as { probabilities: string } | undefined;
    return r ? JSON.parse(r.probabilities) : undefined;
  }
  probabilitiesAsOf(marketId: string, at: string): number[] | undefined {
    const r = (this.s(
      `SELECT probabilities FROM market_history WHERE market_id = ? AND at <= ?
       ORDER BY seq DESC LIMIT 1`,
    ).get(marketId, at) ??
      this.s(
        'SELECT probabilities FROM market_history WHERE market_id = ? ORDER BY seq LIMIT 1',
      ).get(marketId)) as { probabilities: string } | undefined;
    return r ? JSON.parse(r.probabilities) : undefined;
  }

  marketsClosingWithoutNotice(now: string, until: string, hours: number): string[] {
    return (
      this.s(
        `SELECT m.id FROM markets m
         WHERE m.status = 'open' AND m.closes_at > ? AND m.closes_at <= ?
           AND NOT EXISTS (SELECT 1 FROM closing_notices n WHERE n.market_id = m.id AND n.hours = ?)
         ORDER BY m.closes_at, m.id`,
      ).all(now, until, hours) as Row[]
    ).map((r) => r.id as string);
  }
  recordClosingNotice(marketId: string, hours: number, at: string): boolean {
    return (
      this.s('INSERT OR IGNORE INTO closing_notices (market_id, hours, at) VALUES (?, ?, ?)').run(
        marketId,
        hours,
        at,
      ).changes === 1
    );
  }
}
