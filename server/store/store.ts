import type {
  Claim,
  MarketStatus,
  MarketType,
  Resolution,
  Role,
} from '../../shared/schemas/index.ts';

/**
 * The storage port: everything the server needs from a database, and nothing else. SQLite is
 * one implementation (`sqliteStore.ts`); no SQL lives outside an implementation.
 *
 * `transaction` runs its function atomically and serialised against other writers: every
 * trade, resolution and grant happens inside one.
 */

export interface UserRow {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  bot: boolean;
  createdAt: string;
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

export interface AuditRow {
  at: string;
  actor: string;
  action: string;
  marketId: string | null;
  detail: unknown;
}

export interface Store {
  transaction<T>(fn: () => T): T;
  close(): void;

  // users, sessions, tokens
  insertUser(u: UserRow): void;
  userById(id: string): UserRow | undefined;
  userByUsername(username: string): UserRow | undefined;
  userCount(): number;
  usersByIds(ids: readonly string[]): UserRow[];
  insertSession(tokenHash: string, userId: string, createdAt: string, expiresAt: string): void;
  sessionUser(tokenHash: string, now: string): UserRow | undefined;
  deleteSession(tokenHash: string): void;
  insertApiToken(id: string, userId: string, tokenHash: string, createdAt: string): void;
  apiTokenUser(tokenHash: string): UserRow | undefined;
  revokeApiToken(id: string, userId: string, at: string): boolean;

  // ledger
  ensureAccount(id: string): void;
  /** Posts one balanced transaction; throws if the entries do not sum to zero. */
  post(info: LedgerTxInfo, entries: readonly LedgerEntry[]): number;
  balanceOf(account: string): number;
  /** Cents an account received in transactions of `kind` (e.g. the starting grant). */
  receivedOfKind(account: string, kind: string): number;
  balancesOf(accounts: readonly string[]): Map<string, number>;
  /** Sum over all accounts: constant (zero) by construction. */
  ledgerTotal(): number;
  /** Entries of a market's transactions of a kind, newest transaction first. */
  ledgerEntriesOfMarket(marketId: string, kinds: readonly string[]): PostedEntry[];

  // markets
  insertMarket(m: MarketRow): void;
  market(id: string): MarketRow | undefined;
  markets(status: MarketStatus | 'all'): MarketRow[];
  saveMarketState(s: MarketState): void;
  /** Open markets whose close time has passed. */
  overdueMarkets(now: string): string[];
  nextCloseAt(): string | undefined;
  appendHistory(marketId: string, seq: number, at: string, probabilities: number[]): void;
  history(marketId: string): { t: string; probabilities: number[] }[];

  // positions and trades
  position(userId: string, marketId: string, outcomeId: string): PositionRow | undefined;
  savePosition(p: PositionRow): void;
  positionsOfUser(userId: string): PositionRow[];
  positionsOfMarket(marketId: string): PositionRow[];
  insertTrade(t: Omit<TradeRow, 'id' | 'username'>, ledgerTxId: number): number;
  trade(id: number): TradeRow | undefined;
  tradeByIdempotencyKey(userId: string, key: string): TradeRow | undefined;
  trades(marketId: string, limit: number): TradeRow[];
  tradeCount(): number;

  // forecasts
  insertForecast(f: Omit<ForecastRow, 'id' | 'username'>): number;
  forecast(id: number): ForecastRow | undefined;
  forecastsOfMarket(marketId: string): ForecastRow[];
  forecastsOfUser(userId: string): ForecastRow[];
  /** A user's latest `limit` forecasts, newest first. */
  recentForecastsOfUser(userId: string, limit: number): ForecastRow[];

  // audit and settings
  insertAudit(a: AuditRow): void;
  audit(limit: number): AuditRow[];
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
}
