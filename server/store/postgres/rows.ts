import type { DeliveryStatus, WebhookEvent, WebhookKind } from '../../../shared/schemas/index.ts';
import type { DeliveryRow, WebhookRow } from '../integrationsStore.ts';
import type { ForecastRow, MarketRow, PositionRow, TradeRow, UserRow } from '../store.ts';

/**
 * Column lists and row mappers of the PostgreSQL store. The pool parses BIGINT as a number
 * (`pgStore.ts`), so ids and cents arrive as numbers; booleans arrive as booleans. The shapes
 * are exactly those of the SQLite store: null for SQL NULL, undefined only for a missing row.
 *
 * Queries name their columns rather than `SELECT *`: a prepared statement's result shape is
 * fixed, and a column added by a later migration must not break a node still running.
 */

/** A row as pg returns it. */
export type Row = Record<string, unknown>;

/** `alias.a, alias.b, …` */
function cols(names: readonly string[], alias: string): string {
  return names.map((n) => `${alias}.${n}`).join(', ');
}

const USER = ['id', 'username', 'password_hash', 'role', 'bot', 'created_at'] as const;
const MARKET = [
  'id',
  'question',
  'description',
  'criteria',
  'tags',
  'type',
  'outcomes',
  'q',
  'liquidity',
  'status',
  'created_at',
  'closes_at',
  'closed_at',
  'volume_cents',
  'seq',
  'resolution',
  'claims',
  'created_by',
  'space_id',
  'proposed_by',
] as const;
const POSITION = ['user_id', 'market_id', 'outcome_id', 'shares', 'cost_cents'] as const;
const TRADE = [
  'id',
  'market_id',
  'user_id',
  'outcome_id',
  'shares',
  'cost_cents',
  'probabilities',
  'created_at',
  'idempotency_key',
] as const;
const FORECAST = ['id', 'market_id', 'user_id', 'probabilities', 'comment', 'created_at'] as const;
const WEBHOOK = [
  'id',
  'kind',
  'url',
  'mode',
  'events',
  'min_move',
  'market_ids',
  'secret',
  'created_at',
  'space_id',
] as const;
const DELIVERY = [
  'id',
  'webhook_id',
  'market_id',
  'event',
  'live',
  'payload',
  'status',
  'attempts',
  'next_attempt_at',
  'last_error',
  'last_status',
  'created_at',
  'updated_at',
  'delivered_at',
] as const;

/** The columns each mapper reads, under a table alias. */
export const C = {
  user: (alias = 'users') => cols(USER, alias),
  market: (alias = 'markets') => cols(MARKET, alias),
  position: (alias = 'positions') => cols(POSITION, alias),
  webhook: (alias = 'webhooks') => cols(WEBHOOK, alias),
  delivery: (alias = 'webhook_deliveries') => cols(DELIVERY, alias),
};

/** Trades with their user's name, as the SQLite store selects them. */
export const TRADE_SELECT = `SELECT ${cols(TRADE, 't')}, u.username FROM trades t JOIN users u ON u.id = t.user_id`;
/** Forecasts with their user's name, as the SQLite store selects them. */
export const FORECAST_SELECT = `SELECT ${cols(FORECAST, 'f')}, u.username FROM forecasts f JOIN users u ON u.id = f.user_id`;

const str = (v: unknown) => v as string;
const strOrNull = (v: unknown) => (v as string | null) ?? null;
const num = (v: unknown) => v as number;

/** A users row as the port's UserRow; undefined for no row. */
export function toUser(r: Row | undefined): UserRow | undefined {
  if (!r) return undefined;
  return {
    id: str(r.id),
    username: str(r.username),
    passwordHash: str(r.password_hash),
    role: r.role as UserRow['role'],
    bot: r.bot === true,
    createdAt: str(r.created_at),
  };
}

/** A markets row as the port's MarketRow (JSON columns parsed); undefined for no row. */
export function toMarket(r: Row | undefined): MarketRow | undefined {
  if (!r) return undefined;
  return {
    id: str(r.id),
    question: str(r.question),
    description: str(r.description),
    criteria: str(r.criteria),
    tags: JSON.parse(str(r.tags)),
    type: r.type as MarketRow['type'],
    outcomes: JSON.parse(str(r.outcomes)),
    q: JSON.parse(str(r.q)),
    liquidity: num(r.liquidity),
    status: r.status as MarketRow['status'],
    createdAt: str(r.created_at),
    closesAt: str(r.closes_at),
    closedAt: strOrNull(r.closed_at),
    volumeCents: num(r.volume_cents),
    seq: num(r.seq),
    resolution: r.resolution ? JSON.parse(str(r.resolution)) : null,
    claims: JSON.parse(str(r.claims)),
    createdBy: strOrNull(r.created_by),
    spaceId: strOrNull(r.space_id),
    proposedBy: strOrNull(r.proposed_by),
  };
}

/** A positions row. */
export function toPosition(r: Row): PositionRow {
  return {
    userId: str(r.user_id),
    marketId: str(r.market_id),
    outcomeId: str(r.outcome_id),
    shares: num(r.shares),
    costCents: num(r.cost_cents),
  };
}

/** A trades row joined with its user's name. */
export function toTrade(r: Row): TradeRow {
  return {
    id: num(r.id),
    marketId: str(r.market_id),
    userId: str(r.user_id),
    username: str(r.username),
    outcomeId: str(r.outcome_id),
    shares: num(r.shares),
    costCents: num(r.cost_cents),
    probabilities: JSON.parse(str(r.probabilities)),
    createdAt: str(r.created_at),
    idempotencyKey: strOrNull(r.idempotency_key),
  };
}

/** A forecasts row joined with its user's name. */
export function toForecast(r: Row): ForecastRow {
  return {
    id: num(r.id),
    marketId: str(r.market_id),
    userId: str(r.user_id),
    username: str(r.username),
    probabilities: JSON.parse(str(r.probabilities)),
    comment: strOrNull(r.comment),
    createdAt: str(r.created_at),
  };
}

/** A webhooks row. */
export function toWebhook(r: Row): WebhookRow {
  return {
    id: str(r.id),
    kind: r.kind as WebhookKind,
    url: str(r.url),
    mode: r.mode as WebhookRow['mode'],
    events: JSON.parse(str(r.events)),
    minMove: num(r.min_move),
    marketIds: r.market_ids ? JSON.parse(str(r.market_ids)) : null,
    spaceId: strOrNull(r.space_id),
    secret: str(r.secret),
    createdAt: str(r.created_at),
  };
}

/** A webhook_deliveries row (without its lease, which the port does not show). */
export function toDelivery(r: Row): DeliveryRow {
  return {
    id: num(r.id),
    webhookId: str(r.webhook_id),
    marketId: str(r.market_id),
    event: r.event as WebhookEvent,
    live: r.live === true,
    payload: JSON.parse(str(r.payload)),
    status: r.status as DeliveryStatus,
    attempts: num(r.attempts),
    nextAttemptAt: strOrNull(r.next_attempt_at),
    lastError: strOrNull(r.last_error),
    lastStatus: (r.last_status as number | null) ?? null,
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
    deliveredAt: strOrNull(r.delivered_at),
  };
}

/** Where queries go: a pooled connection in a transaction, or the pool itself (autocommit). */
export interface Executor {
  query(sql: string, params?: readonly unknown[]): Promise<{ rows: Row[]; rowCount: number }>;
  /**
   * A write whose result nobody reads. On the pool it runs like `query`. In a transaction it
   * is sent at once and not waited for: it travels in the same round trip as the statement
   * after it (or COMMIT), and if it fails, that statement — and so the transaction — fails
   * with its error. (A failed statement aborts a PostgreSQL transaction anyway: nothing can
   * go on after it but the rollback.)
   */
  defer(sql: string, params?: readonly unknown[]): Promise<void>;
}
