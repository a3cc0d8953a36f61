import type {
  Claim,
  MarketStatus,
  MarketType,
  Resolution,
  Role,
} from '../../shared/schemas/index.ts';
import type { ChatQueries } from './chatStore.ts';
import type { IntegrationsQueries } from './integrationsStore.ts';
import type { SpacesQueries } from './spacesStore.ts';

/**
 * The storage port: everything the server needs from a database, and nothing else. SQLite
 * (`sqliteStore.ts`, the embedded default) and PostgreSQL (`postgres/pgStore.ts`) implement it;
 * no SQL lives outside an implementation.
 *
 * Every method is async. `store.transaction(async (tx) => …)` runs its function atomically;
 * services receive `tx` and read everything a write depends on through it. Calls on the store
 * itself run on their own (autocommit), for reads that decide nothing.
 */

export interface UserRow {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  bot: boolean;
  createdAt: string;
  /** Set when the user was found by an API token scoped to a space: the only space it sees. */
  scopeSpaceId?: string;
}

export interface OutcomeDef {
  id: string;
  label: string;
}

export interface MarketRow {
  id: string;
  question: string;
  description: string;
  criteria: string;
  tags: string[];
  type: MarketType;
  outcomes: OutcomeDef[];
  /** Outstanding shares by outcome: the LMSR state. */
  q: number[];
  liquidity: number;
  status: MarketStatus;
  createdAt: string;
  closesAt: string;
  closedAt: string | null;
  volumeCents: number;
  seq: number;
  resolution: Resolution | null;
  claims: Claim[];
  createdBy: string | null;
  /** The space the market belongs to; null: the public site. */
  spaceId: string | null;
  /** The username of whoever proposed the question, when it opened from a proposal. */
  proposedBy?: string | null;
}

/** The mutable part of a market, written after each state change. */
export type MarketState = Pick<
  MarketRow,
  'id' | 'q' | 'status' | 'closedAt' | 'volumeCents' | 'seq' | 'resolution'
>;

export interface PositionRow {
  userId: string;
  marketId: string;
  outcomeId: string;
  shares: number;
  costCents: number;
}

export interface TradeRow {
  id: number;
  marketId: string;
  userId: string;
  username: string;
  outcomeId: string;
  shares: number;
  costCents: number;
  probabilities: number[];
  createdAt: string;
  idempotencyKey: string | null;
}

export interface ForecastRow {
  id: number;
  marketId: string;
  userId: string;
  username: string;
  probabilities: number[];
  comment: string | null;
  createdAt: string;
}

export interface LedgerEntry {
  account: string;
  amountCents: number;
}

export interface LedgerTxInfo {
  kind: string;
  marketId?: string | null;
  ref?: string | null;
  at: string;
}

export interface PostedEntry extends LedgerEntry {
  txId: number;
  kind: string;
  ref: string | null;
}

/** One ledger entry with its transaction, as the ledger export lists it. */
export interface LedgerLine {
  id: number;
  txId: number;
  kind: string;
  marketId: string | null;
  ref: string | null;
  at: string;
  account: string;
  amountCents: number;
}

/** A ledger_entries row joined with its ledger_tx (both engines' columns). */
export function toLedgerLine(r: Record<string, unknown>): LedgerLine {
  return {
    id: Number(r.id),
    txId: Number(r.tx_id),
    kind: String(r.kind),
    marketId: (r.market_id as string | null) ?? null,
    ref: (r.ref as string | null) ?? null,
    at: String(r.created_at),
    account: String(r.account),
    amountCents: Number(r.amount_cents),
  };
}

export interface AuditRow {
  /** Set on the rows read back (the order of entries). */
  id?: number;
  at: string;
  actor: string;
  action: string;
  marketId: string | null;
  detail: unknown;
}

/** The core queries: users, ledger, markets, trades, forecasts, audit. */
export interface Queries {
  // users, sessions, tokens
  insertUser(u: UserRow): Promise<void>;
  userById(id: string): Promise<UserRow | undefined>;
  userByUsername(username: string): Promise<UserRow | undefined>;
  userCount(): Promise<number>;
  usersByIds(ids: readonly string[]): Promise<UserRow[]>;
  insertSession(
    tokenHash: string,
    userId: string,
    createdAt: string,
    expiresAt: string,
  ): Promise<void>;
  sessionUser(tokenHash: string, now: string): Promise<UserRow | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  insertApiToken(
    id: string,
    userId: string,
    tokenHash: string,
    createdAt: string,
    spaceId?: string | null,
  ): Promise<void>;
  apiTokenUser(tokenHash: string): Promise<UserRow | undefined>;
  revokeApiToken(id: string, userId: string, at: string): Promise<boolean>;

  // ledger
  ensureAccount(id: string): Promise<void>;
  /** Posts one balanced transaction; throws if the entries do not sum to zero. */
  post(info: LedgerTxInfo, entries: readonly LedgerEntry[]): Promise<number>;
  balanceOf(account: string): Promise<number>;
  /**
   * The balance, with the account row locked until the transaction ends (PostgreSQL), so that
   * two trades of one user on two markets cannot both spend the same cents.
   */
  balanceForUpdate(account: string): Promise<number>;
  /** Cents an account received in transactions of `kind` (e.g. the starting grant). */
  receivedOfKind(account: string, kind: string): Promise<number>;
  balancesOf(accounts: readonly string[]): Promise<Map<string, number>>;
  /** Sum over all accounts: constant (zero) by construction. */
  ledgerTotal(): Promise<number>;
  /** Every ledger entry with its transaction, newest first, a page at a time (the export). */
  ledgerLines(limit: number, beforeId?: number): Promise<LedgerLine[]>;
  /** Entries of a market's transactions of a kind, newest transaction first. */
  ledgerEntriesOfMarket(marketId: string, kinds: readonly string[]): Promise<PostedEntry[]>;

  // markets
  insertMarket(m: MarketRow): Promise<void>;
  market(id: string): Promise<MarketRow | undefined>;
  /**
   * The market, its row locked until the transaction ends: the one lock that orders a market's
   * trades and state changes (and so its seq) across every node.
   */
  marketForUpdate(id: string): Promise<MarketRow | undefined>;
  markets(status: MarketStatus | 'all'): Promise<MarketRow[]>;
  saveMarketState(s: MarketState): Promise<void>;
  /** Open markets whose close time has passed. */
  overdueMarkets(now: string): Promise<string[]>;
  nextCloseAt(): Promise<string | undefined>;
  appendHistory(marketId: string, seq: number, at: string, probabilities: number[]): Promise<void>;
  history(marketId: string): Promise<{ t: string; probabilities: number[] }[]>;

  // positions and trades
  position(userId: string, marketId: string, outcomeId: string): Promise<PositionRow | undefined>;
  /** A user's positions in one market, in no particular order. */
  positionsOfUserInMarket(userId: string, marketId: string): Promise<PositionRow[]>;
  savePosition(p: PositionRow): Promise<void>;
  positionsOfUser(userId: string): Promise<PositionRow[]>;
  positionsOfMarket(marketId: string): Promise<PositionRow[]>;
  insertTrade(t: Omit<TradeRow, 'id' | 'username'>, ledgerTxId: number): Promise<number>;
  /**
   * A trade's money and its row together: `post(info, entries)` then `insertTrade` naming that
   * ledger transaction (one statement on PostgreSQL).
   */
  postTrade(
    info: LedgerTxInfo,
    entries: readonly LedgerEntry[],
    t: Omit<TradeRow, 'id' | 'username'>,
  ): Promise<{ ledgerTxId: number; tradeId: number }>;
  trade(id: number): Promise<TradeRow | undefined>;
  tradeByIdempotencyKey(userId: string, key: string): Promise<TradeRow | undefined>;
  /** A market's trades, newest first; `beforeId`: only those with a smaller id. */
  trades(marketId: string, limit: number, beforeId?: number): Promise<TradeRow[]>;
  tradeCount(): Promise<number>;
  /** Every market's trades, newest first, a page at a time (the exports). */
  allTrades(limit: number, beforeId?: number): Promise<TradeRow[]>;

  // forecasts
  insertForecast(f: Omit<ForecastRow, 'id' | 'username'>): Promise<number>;
  forecast(id: number): Promise<ForecastRow | undefined>;
  forecastsOfMarket(marketId: string): Promise<ForecastRow[]>;
  forecastsOfUser(userId: string): Promise<ForecastRow[]>;
  /** Every forecast, newest first, a page at a time (the exports). */
  allForecasts(limit: number, beforeId?: number): Promise<ForecastRow[]>;
  /** A user's latest `limit` forecasts, newest first. */
  recentForecastsOfUser(userId: string, limit: number, beforeId?: number): Promise<ForecastRow[]>;

  // audit and settings
  insertAudit(a: AuditRow): Promise<void>;
  /** Newest first; `beforeId`: only entries with a smaller id. */
  audit(limit: number, beforeId?: number): Promise<AuditRow[]>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** Sets a meta key unless it is set; true if this call set it (a once-only claim). */
  claimMeta(key: string, value: string): Promise<boolean>;
}

/** What a transaction sees: every query, bound to the transaction. */
export interface Tx extends Queries, IntegrationsQueries, ChatQueries, SpacesQueries {}

export type StoreEngine = 'sqlite' | 'postgres';

export interface Store extends Tx {
  readonly engine: StoreEngine;
  /**
   * Runs `fn` atomically. A domain error thrown inside rolls everything back and reaches the
   * caller unchanged. PostgreSQL retries serialisation failures and deadlocks a few times,
   * then throws `busy`; a lost connection throws `store_unavailable`.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The synchronous twin of an async interface (what better-sqlite3 implements directly). */
export type Sync<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;
};
