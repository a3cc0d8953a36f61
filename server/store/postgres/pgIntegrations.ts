import type { DeliveryStatus, WebhookEvent, WebhookKind } from '../../../shared/schemas/index.ts';
import type {
  AttemptResult,
  DeliveryRow,
  DeliveryWithKind,
  IntegrationsQueries,
  LiveMessageRow,
  MarketPostRow,
  NewDelivery,
  WebhookRow,
} from '../integrationsStore.ts';
import { MIGRATION_LOCK_KEY } from './pgMigrations.ts';
import { C, type Executor, type Row, toDelivery, toWebhook } from './rows.ts';

const OPEN = "status IN ('pending', 'retrying')";

/** The transaction-scoped advisory lock that makes outbox claimers take turns. */
export const CLAIM_LOCK_KEY = MIGRATION_LOCK_KEY + 1;

/**
 * The team-channel queries over PostgreSQL, with the semantics of `SqliteIntegrationsQueries`
 * (same orderings, same return values). The base of `PgQueries`: one object answers the whole
 * `Tx` interface.
 */
export class PgIntegrationsQueries implements IntegrationsQueries {
  constructor(protected readonly db: Executor) {}

  protected async one(sql: string, params: readonly unknown[] = []): Promise<Row | undefined> {
    return (await this.db.query(sql, params)).rows[0];
  }
  protected async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.db.query(sql, params)).rows;
  }
  protected async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.db.query(sql, params)).rowCount;
  }
  /** A write whose outcome the caller does not read (see `Executor.defer`). */
  protected write(sql: string, params: readonly unknown[] = []): Promise<void> {
    return this.db.defer(sql, params);
  }

  async insertWebhook(w: WebhookRow): Promise<void> {
    await this.write(
      `INSERT INTO webhooks (id, kind, url, mode, events, min_move, market_ids, secret, created_at,
        space_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
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
      ],
    );
  }
  async webhooks(): Promise<WebhookRow[]> {
    return (await this.all(`SELECT ${C.webhook()} FROM webhooks ORDER BY created_at, id`)).map(
      toWebhook,
    );
  }
  async webhook(id: string): Promise<WebhookRow | undefined> {
    const r = await this.one(`SELECT ${C.webhook()} FROM webhooks WHERE id = $1`, [id]);
    return r ? toWebhook(r) : undefined;
  }
  async deleteWebhook(id: string): Promise<boolean> {
    // Its deliveries, posts and live messages go with it (ON DELETE CASCADE).
    return (await this.run('DELETE FROM webhooks WHERE id = $1', [id])) === 1;
  }

  async enqueue(d: NewDelivery): Promise<number> {
    const r = await this.one(
      `INSERT INTO webhook_deliveries
         (webhook_id, market_id, event, live, payload, status, next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $7) RETURNING id`,
      [
        d.webhookId,
        d.marketId,
        d.event,
        d.live,
        JSON.stringify(d.payload),
        d.nextAttemptAt,
        d.createdAt,
      ],
    );
    return r!.id as number;
  }
  async delivery(id: number): Promise<DeliveryRow | undefined> {
    const r = await this.one(`SELECT ${C.delivery()} FROM webhook_deliveries WHERE id = $1`, [id]);
    return r ? toDelivery(r) : undefined;
  }
  async openDelivery(
    webhookId: string,
    marketId: string,
    which: { live: true } | { live: false; event: WebhookEvent },
  ): Promise<DeliveryRow | undefined> {
    const r = which.live
      ? await this.one(
          `SELECT ${C.delivery()} FROM webhook_deliveries
           WHERE webhook_id = $1 AND market_id = $2 AND live AND ${OPEN} LIMIT 1`,
          [webhookId, marketId],
        )
      : await this.one(
          `SELECT ${C.delivery()} FROM webhook_deliveries
           WHERE webhook_id = $1 AND market_id = $2 AND NOT live AND event = $3 AND ${OPEN} LIMIT 1`,
          [webhookId, marketId, which.event],
        );
    return r ? toDelivery(r) : undefined;
  }
  async dueDeliveries(now: string, limit: number): Promise<DeliveryRow[]> {
    return (
      await this.all(
        `SELECT ${C.delivery()} FROM webhook_deliveries WHERE ${OPEN} AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2`,
        [now, limit],
      )
    ).map(toDelivery);
  }
  async claimDeliveries(now: string, limit: number, leaseUntil: string): Promise<DeliveryRow[]> {
    // Claimers take turns. The lock is its own statement: the select below then takes its
    // snapshot after the previous claimer committed, and sees that claimer's leases.
    await this.run('SELECT pg_advisory_xact_lock($1)', [CLAIM_LOCK_KEY]);
    // The candidates as SQLite picks them (the oldest `limit * 4` due, unleased rows of
    // webhooks with no live lease), then the oldest of each webhook. SKIP LOCKED passes over a
    // row whose attempt is being recorded right now.
    const rows = (
      await this.all(
        `WITH c AS (
           SELECT d.id, d.webhook_id, d.next_attempt_at FROM webhook_deliveries d
           WHERE d.${OPEN} AND d.next_attempt_at <= $1
             AND (d.lease_until IS NULL OR d.lease_until <= $1)
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries o WHERE o.webhook_id = d.webhook_id
               AND o.id <> d.id AND o.${OPEN} AND o.lease_until > $1)
           ORDER BY d.next_attempt_at, d.id LIMIT $2::int * 4
           FOR UPDATE SKIP LOCKED
         ), p AS (
           SELECT id FROM (
             SELECT id, next_attempt_at,
               row_number() OVER (PARTITION BY webhook_id ORDER BY next_attempt_at, id) AS n
             FROM c) x
           WHERE n = 1 ORDER BY next_attempt_at, id LIMIT $2
         )
         UPDATE webhook_deliveries d SET lease_until = $3 FROM p WHERE d.id = p.id
         RETURNING ${C.delivery('d')}`,
        [now, limit, leaseUntil],
      )
    ).map(toDelivery);
    // RETURNING has no order of its own.
    return rows.sort((a, b) =>
      a.nextAttemptAt === b.nextAttemptAt
        ? a.id - b.id
        : (a.nextAttemptAt ?? '') < (b.nextAttemptAt ?? '')
          ? -1
          : 1,
    );
  }
  async nextDueAt(): Promise<string | undefined> {
    const r = await this.one(
      `SELECT MIN(next_attempt_at) AS t FROM webhook_deliveries WHERE ${OPEN}`,
    );
    return (r?.t as string | null) ?? undefined;
  }
  async recordAttempt(id: number, r: AttemptResult): Promise<void> {
    await this.write(
      `UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2,
         last_error = $3, last_status = $4, updated_at = $5, delivered_at = $6, lease_until = NULL
       WHERE id = $7`,
      [
        r.status,
        r.status === 'retrying' ? r.nextAttemptAt : null,
        r.status === 'delivered' ? null : r.error,
        r.httpStatus,
        r.at,
        r.status === 'delivered' ? r.at : null,
        id,
      ],
    );
  }
  async postpone(id: number, nextAttemptAt: string, at: string): Promise<void> {
    await this.write(
      `UPDATE webhook_deliveries SET next_attempt_at = $1, updated_at = $2, lease_until = NULL
       WHERE id = $3 AND ${OPEN}`,
      [nextAttemptAt, at, id],
    );
  }
  async skip(id: number, reason: string, at: string): Promise<void> {
    await this.write(
      `UPDATE webhook_deliveries SET status = 'skipped', next_attempt_at = NULL, last_error = $1,
         updated_at = $2, lease_until = NULL WHERE id = $3`,
      [reason, at, id],
    );
  }
  async deliveries(q: {
    limit: number;
    status?: DeliveryStatus;
    webhookId?: string;
    beforeId?: number;
  }): Promise<DeliveryWithKind[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.status) {
      args.push(q.status);
      where.push(`d.status = $${args.length}`);
    }
    if (q.webhookId) {
      args.push(q.webhookId);
      where.push(`d.webhook_id = $${args.length}`);
    }
    if (q.beforeId !== undefined) {
      args.push(q.beforeId);
      where.push(`d.id < $${args.length}`);
    }
    args.push(q.limit);
    const sql = `SELECT ${C.delivery('d')}, w.kind FROM webhook_deliveries d
      JOIN webhooks w ON w.id = d.webhook_id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.id DESC LIMIT $${args.length}`;
    return (await this.all(sql, args)).map((r) => ({
      ...toDelivery(r),
      kind: r.kind as WebhookKind,
    }));
  }
  async pruneDeliveries(before: string): Promise<number> {
    return this.run(
      `DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'failed', 'skipped')
       AND updated_at < $1`,
      [before],
    );
  }

  async marketPost(webhookId: string, marketId: string): Promise<MarketPostRow | undefined> {
    const r = await this.one(
      'SELECT probabilities, posted_at FROM webhook_market_posts WHERE webhook_id = $1 AND market_id = $2',
      [webhookId, marketId],
    );
    if (!r) return undefined;
    return {
      webhookId,
      marketId,
      probabilities: JSON.parse(r.probabilities as string),
      postedAt: (r.posted_at as string | null) ?? null,
    };
  }
  async saveMarketPost(p: MarketPostRow): Promise<void> {
    await this.write(
      `INSERT INTO webhook_market_posts (webhook_id, market_id, probabilities, posted_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (webhook_id, market_id) DO UPDATE SET probabilities = excluded.probabilities,
         posted_at = excluded.posted_at`,
      [p.webhookId, p.marketId, JSON.stringify(p.probabilities), p.postedAt],
    );
  }
  async liveMessage(webhookId: string, marketId: string): Promise<LiveMessageRow | undefined> {
    const r = await this.one(
      `SELECT message_id, channel, seq, sent_at FROM webhook_live_messages
       WHERE webhook_id = $1 AND market_id = $2`,
      [webhookId, marketId],
    );
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
  async saveLiveMessage(m: LiveMessageRow): Promise<void> {
    await this.write(
      `INSERT INTO webhook_live_messages (webhook_id, market_id, message_id, channel, seq, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (webhook_id, market_id) DO UPDATE SET message_id = excluded.message_id,
         channel = excluded.channel, seq = excluded.seq, sent_at = excluded.sent_at`,
      [m.webhookId, m.marketId, m.messageId, m.channel, m.seq, m.sentAt],
    );
  }
  async deleteLiveMessage(webhookId: string, marketId: string): Promise<void> {
    await this.write('DELETE FROM webhook_live_messages WHERE webhook_id = $1 AND market_id = $2', [
      webhookId,
      marketId,
    ]);
  }

  async probabilitiesBefore(marketId: string, seq: number): Promise<number[] | undefined> {
    const r = await this.one(
      `SELECT probabilities FROM market_history WHERE market_id = $1 AND seq < $2
       ORDER BY seq DESC LIMIT 1`,
      [marketId, seq],
    );
    return r ? JSON.parse(r.probabilities as string) : undefined;
  }
  async probabilitiesAsOf(marketId: string, at: string): Promise<number[] | undefined> {
    // The point at `at`, else the first point: one round trip for both.
    const r = await this.one(
      `SELECT probabilities FROM (
         (SELECT probabilities, 0 AS k FROM market_history WHERE market_id = $1 AND at <= $2
          ORDER BY seq DESC LIMIT 1)
         UNION ALL
         (SELECT probabilities, 1 AS k FROM market_history WHERE market_id = $1
          ORDER BY seq LIMIT 1)
       ) p ORDER BY k LIMIT 1`,
      [marketId, at],
    );
    return r ? JSON.parse(r.probabilities as string) : undefined;
  }

  async marketsClosingWithoutNotice(now: string, until: string, hours: number): Promise<string[]> {
    return (
      await this.all(
        `SELECT m.id FROM markets m
         WHERE m.status = 'open' AND m.closes_at > $1 AND m.closes_at <= $2
           AND NOT EXISTS (SELECT 1 FROM closing_notices n WHERE n.market_id = m.id AND n.hours = $3)
         ORDER BY m.closes_at, m.id`,
        [now, until, hours],
      )
    ).map((r) => r.id as string);
  }
  async recordClosingNotice(marketId: string, hours: number, at: string): Promise<boolean> {
    return (
      (await this.run(
        `INSERT INTO closing_notices (market_id, hours, at) VALUES ($1, $2, $3)
         ON CONFLICT (market_id, hours) DO NOTHING`,
        [marketId, hours, at],
      )) === 1
    );
  }
}
