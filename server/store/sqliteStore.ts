import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteChatQueries } from './chatStore.ts';
import { SqliteIntegrationsQueries } from './integrationsStore.ts';
import { migrations } from './migrations.ts';
import { SqliteSpacesQueries } from './spacesStore.ts';
import { SqliteStatements } from './sqliteStatements.ts';
import {
  type AuditRow,
  type ForecastRow,
  type LedgerEntry,
  type LedgerLine,
  type LedgerTxInfo,
  type MarketRow,
  type MarketState,
  type PositionRow,
  type PostedEntry,
  type Queries,
  type Store,
  type Sync,
  type TradeRow,
  type Tx,
  toLedgerLine,
  type UserRow,
} from './store.ts';

type Row = Record<string, unknown>;

function toUser(r: Row | undefined): UserRow | undefined {
  if (!r) return undefined;
  return {
    id: r.id as string,
    username: r.username as string,
    passwordHash: r.password_hash as string,
    role: r.role as UserRow['role'],
    bot: r.bot === 1,
    createdAt: r.created_at as string,
  };
}

function toMarket(r: Row | undefined): MarketRow | undefined {
  if (!r) return undefined;
  return {
    id: r.id as string,
    question: r.question as string,
    description: r.description as string,
    criteria: r.criteria as string,
    tags: JSON.parse(r.tags as string),
    type: r.type as MarketRow['type'],
    outcomes: JSON.parse(r.outcomes as string),
    q: JSON.parse(r.q as string),
    liquidity: r.liquidity as number,
    status: r.status as MarketRow['status'],
    createdAt: r.created_at as string,
    closesAt: r.closes_at as string,
    closedAt: (r.closed_at as string | null) ?? null,
    volumeCents: r.volume_cents as number,
    seq: r.seq as number,
    resolution: r.resolution ? JSON.parse(r.resolution as string) : null,
    claims: JSON.parse(r.claims as string),
    createdBy: (r.created_by as string | null) ?? null,
    spaceId: (r.space_id as string | null) ?? null,
    proposedBy: (r.proposed_by as string | null) ?? null,
  };
}

function toPosition(r: Row): PositionRow {
  return {
    userId: r.user_id as string,
    marketId: r.market_id as string,
    outcomeId: r.outcome_id as string,
    shares: r.shares as number,
    costCents: r.cost_cents as number,
  };
}

function toTrade(r: Row): TradeRow {
  return {
    id: r.id as number,
    marketId: r.market_id as string,
    userId: r.user_id as string,
    username: r.username as string,
    outcomeId: r.outcome_id as string,
    shares: r.shares as number,
    costCents: r.cost_cents as number,
    probabilities: JSON.parse(r.probabilities as string),
    createdAt: r.created_at as string,
    idempotencyKey: (r.idempotency_key as string | null) ?? null,
  };
}

function toForecast(r: Row): ForecastRow {
  return {
    id: r.id as number,
    marketId: r.market_id as string,
    userId: r.user_id as string,
    username: r.username as string,
    probabilities: JSON.parse(r.probabilities as string),
    comment: (r.comment as string | null) ?? null,
    createdAt: r.created_at as string,
  };
}

const TRADE_SELECT = `SELECT t.*, u.username FROM trades t JOIN users u ON u.id = t.user_id`;
const FORECAST_SELECT = `SELECT f.*, u.username FROM forecasts f JOIN users u ON u.id = f.user_id`;

/** The core queries over one better-sqlite3 handle, synchronous. */
export class SqliteQueries extends SqliteStatements implements Sync<Queries> {
  // ---- users, sessions, tokens

  insertUser(u: UserRow): void {
    this.s(
      'INSERT INTO users (id, username, password_hash, role, bot, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(u.id, u.username, u.passwordHash, u.role, u.bot ? 1 : 0, u.createdAt);
  }
  userById(id: string): UserRow | undefined {
    return toUser(this.s('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined);
  }
  userByUsername(username: string): UserRow | undefined {
    return toUser(
      this.s('SELECT * FROM users WHERE username = ?').get(username) as Row | undefined,
    );
  }
  userCount(): number {
    return (this.s('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }
  usersByIds(ids: readonly string[]): UserRow[] {
    if (ids.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT * FROM users WHERE id IN (${ids.map(() => '?').join(',')})`)
      .all(...ids) as Row[];
    return rows.map((r) => toUser(r)!);
  }
  insertSession(tokenHash: string, userId: string, createdAt: string, expiresAt: string): void {
    this.s(
      'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    ).run(tokenHash, userId, createdAt, expiresAt);
  }
  sessionUser(tokenHash: string, now: string): UserRow | undefined {
    return toUser(
      this.s(
        'SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?',
      ).get(tokenHash, now) as Row | undefined,
    );
  }
  deleteSession(tokenHash: string): void {
    this.s('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }
  insertApiToken(
    id: string,
    userId: string,
    tokenHash: string,
    createdAt: string,
    spaceId: string | null = null,
  ): void {
    this.s(
      'INSERT INTO api_tokens (id, user_id, token_hash, created_at, space_id) VALUES (?, ?, ?, ?, ?)',
    ).run(id, userId, tokenHash, createdAt, spaceId);
  }
  apiTokenUser(tokenHash: string): UserRow | undefined {
    const r = this.s(
      `SELECT u.*, t.space_id AS scope_space_id FROM api_tokens t JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = ? AND t.revoked_at IS NULL`,
    ).get(tokenHash) as Row | undefined;
    const u = toUser(r);
    if (u && r?.scope_space_id) u.scopeSpaceId = r.scope_space_id as string;
    return u;
  }
  revokeApiToken(id: string, userId: string, at: string): boolean {
    return (
      this.s(
        'UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
      ).run(at, id, userId).changes === 1
    );
  }

  // ---- ledger

  ensureAccount(id: string): void {
    this.s('INSERT OR IGNORE INTO accounts (id, balance_cents) VALUES (?, 0)').run(id);
  }
  post(info: LedgerTxInfo, entries: readonly LedgerEntry[]): number {
    let sum = 0;
    for (const e of entries) {
      if (!Number.isSafeInteger(e.amountCents))
        throw new Error(`non-integer cents ${e.amountCents}`);
      sum += e.amountCents;
    }
    if (sum !== 0) throw new Error(`unbalanced ledger transaction (${sum})`);
    const write = () => {
      const txId = Number(
        this.s('INSERT INTO ledger_tx (kind, market_id, ref, created_at) VALUES (?, ?, ?, ?)').run(
          info.kind,
          info.marketId ?? null,
          info.ref ?? null,
          info.at,
        ).lastInsertRowid,
      );
      for (const e of entries) {
        if (e.amountCents === 0) continue;
        // Opens the account on its first entry.
        this.s(
          `INSERT INTO accounts (id, balance_cents) VALUES (?, ?)
           ON CONFLICT (id) DO UPDATE SET balance_cents = balance_cents + excluded.balance_cents`,
        ).run(e.account, e.amountCents);
        this.s('INSERT INTO ledger_entries (tx_id, account, amount_cents) VALUES (?, ?, ?)').run(
          txId,
          e.account,
          e.amountCents,
        );
      }
      return txId;
    };
    // Inside a transaction already, a failure here rolls that one back: no savepoint of its own.
    return this.db.inTransaction ? write() : this.db.transaction(write).immediate();
  }
  balanceForUpdate(account: string): number {
    // The transaction holds SQLite's one write lock already.
    return this.balanceOf(account);
  }
  balanceOf(account: string): number {
    const r = this.s('SELECT balance_cents FROM accounts WHERE id = ?').get(account) as
      | { balance_cents: number }
      | undefined;
    return r?.balance_cents ?? 0;
  }
  receivedOfKind(account: string, kind: string): number {
    const r = this.s(
      `SELECT COALESCE(SUM(e.amount_cents), 0) AS n FROM ledger_entries e
       JOIN ledger_tx t ON t.id = e.tx_id WHERE e.account = ? AND t.kind = ?`,
    ).get(account, kind) as { n: number };
    return r.n;
  }
  balancesOf(accounts: readonly string[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const a of accounts) out.set(a, this.balanceOf(a));
    return out;
  }
  ledgerTotal(): number {
    return (
      this.s('SELECT COALESCE(SUM(balance_cents), 0) AS n FROM accounts').get() as { n: number }
    ).n;
  }
  ledgerLines(limit: number, beforeId?: number): LedgerLine[] {
    return (
      this.s(
        `SELECT e.id, e.tx_id, t.kind, t.market_id, t.ref, t.created_at, e.account, e.amount_cents
         FROM ledger_entries e JOIN ledger_tx t ON t.id = e.tx_id
         WHERE e.id < ? ORDER BY e.id DESC LIMIT ?`,
      ).all(beforeId ?? Number.MAX_SAFE_INTEGER, limit) as Row[]
    ).map(toLedgerLine);
  }
  ledgerEntriesOfMarket(marketId: string, kinds: readonly string[]): PostedEntry[] {
    const rows = this.db
      .prepare(
        `SELECT e.tx_id, e.account, e.amount_cents, t.kind, t.ref FROM ledger_entries e
         JOIN ledger_tx t ON t.id = e.tx_id
         WHERE t.market_id = ? AND t.kind IN (${kinds.map(() => '?').join(',')})
         ORDER BY e.tx_id DESC, e.id`,
      )
      .all(marketId, ...kinds) as Row[];
    return rows.map((r) => ({
      txId: r.tx_id as number,
      account: r.account as string,
      amountCents: r.amount_cents as number,
      kind: r.kind as string,
      ref: (r.ref as string | null) ?? null,
    }));
  }

  // ---- markets

  insertMarket(m: MarketRow): void {
    this.s(
      `INSERT INTO markets (id, question, description, criteria, tags, type, outcomes, q, liquidity,
        status, created_at, closes_at, closed_at, volume_cents, seq, resolution, claims, created_by,
        space_id, proposed_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      m.id,
      m.question,
      m.description,
      m.criteria,
      JSON.stringify(m.tags),
      m.type,
      JSON.stringify(m.outcomes),
      JSON.stringify(m.q),
      m.liquidity,
      m.status,
      m.createdAt,
      m.closesAt,
      m.closedAt,
      m.volumeCents,
      m.seq,
      m.resolution ? JSON.stringify(m.resolution) : null,
      JSON.stringify(m.claims),
      m.createdBy,
      m.spaceId,
      m.proposedBy ?? null,
    );
  }
  market(id: string): MarketRow | undefined {
    return toMarket(this.s('SELECT * FROM markets WHERE id = ?').get(id) as Row | undefined);
  }
  marketForUpdate(id: string): MarketRow | undefined {
    return this.market(id);
  }
  markets(status: MarketRow['status'] | 'all'): MarketRow[] {
    const rows = (
      status === 'all'
        ? this.s('SELECT * FROM markets ORDER BY created_at DESC, id').all()
        : this.s('SELECT * FROM markets WHERE status = ? ORDER BY created_at DESC, id').all(status)
    ) as Row[];
    return rows.map((r) => toMarket(r)!);
  }
  saveMarketState(m: MarketState): void {
    this.s(
      `UPDATE markets SET q = ?, status = ?, closed_at = ?, volume_cents = ?, seq = ?, resolution = ?
       WHERE id = ?`,
    ).run(
      JSON.stringify(m.q),
      m.status,
      m.closedAt,
      m.volumeCents,
      m.seq,
      m.resolution ? JSON.stringify(m.resolution) : null,
      m.id,
    );
  }
  overdueMarkets(now: string): string[] {
    return (
      this.s("SELECT id FROM markets WHERE status = 'open' AND closes_at <= ?").all(now) as Row[]
    ).map((r) => r.id as string);
  }
  nextCloseAt(): string | undefined {
    const r = this.s("SELECT MIN(closes_at) AS t FROM markets WHERE status = 'open'").get() as {
      t: string | null;
    };
    return r.t ?? undefined;
  }
  appendHistory(marketId: string, seq: number, at: string, probabilities: number[]): void {
    this.s(
      'INSERT INTO market_history (market_id, seq, at, probabilities) VALUES (?, ?, ?, ?)',
    ).run(marketId, seq, at, JSON.stringify(probabilities));
  }
  history(marketId: string): { t: string; probabilities: number[] }[] {
    return (
      this.s('SELECT at, probabilities FROM market_history WHERE market_id = ? ORDER BY seq').all(
        marketId,
      ) as Row[]
    ).map((r) => ({ t: r.at as string, probabilities: JSON.parse(r.probabilities as string) }));
  }

  // ---- positions and trades

  position(userId: string, marketId: string, outcomeId: string): PositionRow | undefined {
    const r = this.s(
      'SELECT * FROM positions WHERE user_id = ? AND market_id = ? AND outcome_id = ?',
    ).get(userId, marketId, outcomeId) as Row | undefined;
    return r ? toPosition(r) : undefined;
  }
  positionsOfUserInMarket(userId: string, marketId: string): PositionRow[] {
    return (
      this.s('SELECT * FROM positions WHERE user_id = ? AND market_id = ?').all(
        userId,
        marketId,
      ) as Row[]
    ).map(toPosition);
  }
  savePosition(p: PositionRow): void {
    this.s(
      `INSERT INTO positions (user_id, market_id, outcome_id, shares, cost_cents) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id, market_id, outcome_id) DO UPDATE SET shares = excluded.shares, cost_cents = excluded.cost_cents`,
    ).run(p.userId, p.marketId, p.outcomeId, p.shares, p.costCents);
  }
  positionsOfUser(userId: string): PositionRow[] {
    return (
      this.s('SELECT * FROM positions WHERE user_id = ? ORDER BY market_id, outcome_id').all(
        userId,
      ) as Row[]
    ).map(toPosition);
  }
  positionsOfMarket(marketId: string): PositionRow[] {
    return (
      this.s('SELECT * FROM positions WHERE market_id = ? ORDER BY user_id, outcome_id').all(
        marketId,
      ) as Row[]
    ).map(toPosition);
  }
  insertTrade(t: Omit<TradeRow, 'id' | 'username'>, ledgerTxId: number): number {
    return Number(
      this.s(
        `INSERT INTO trades (market_id, user_id, outcome_id, shares, cost_cents, probabilities, created_at, idempotency_key, ledger_tx_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        t.marketId,
        t.userId,
        t.outcomeId,
        t.shares,
        t.costCents,
        JSON.stringify(t.probabilities),
        t.createdAt,
        t.idempotencyKey,
        ledgerTxId,
      ).lastInsertRowid,
    );
  }
  postTrade(
    info: LedgerTxInfo,
    entries: readonly LedgerEntry[],
    t: Omit<TradeRow, 'id' | 'username'>,
  ): { ledgerTxId: number; tradeId: number } {
    const ledgerTxId = this.post(info, entries);
    return { ledgerTxId, tradeId: this.insertTrade(t, ledgerTxId) };
  }
  trade(id: number): TradeRow | undefined {
    const r = this.s(`${TRADE_SELECT} WHERE t.id = ?`).get(id) as Row | undefined;
    return r ? toTrade(r) : undefined;
  }
  tradeByIdempotencyKey(userId: string, key: string): TradeRow | undefined {
    const r = this.s(`${TRADE_SELECT} WHERE t.user_id = ? AND t.idempotency_key = ?`).get(
      userId,
      key,
    ) as Row | undefined;
    return r ? toTrade(r) : undefined;
  }
  trades(marketId: string, limit: number, beforeId?: number): TradeRow[] {
    return (
      this.s(`${TRADE_SELECT} WHERE t.market_id = ? AND t.id < ? ORDER BY t.id DESC LIMIT ?`).all(
        marketId,
        beforeId ?? Number.MAX_SAFE_INTEGER,
        limit,
      ) as Row[]
    ).map(toTrade);
  }
  allTrades(limit: number, beforeId?: number): TradeRow[] {
    return (
      this.s(`${TRADE_SELECT} WHERE t.id < ? ORDER BY t.id DESC LIMIT ?`).all(
        beforeId ?? Number.MAX_SAFE_INTEGER,
        limit,
      ) as Row[]
    ).map(toTrade);
  }
  tradeCount(): number {
    return (this.s('SELECT COUNT(*) AS n FROM trades').get() as { n: number }).n;
  }

  // ---- forecasts

  insertForecast(f: Omit<ForecastRow, 'id' | 'username'>): number {
    return Number(
      this.s(
        'INSERT INTO forecasts (market_id, user_id, probabilities, comment, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(f.marketId, f.userId, JSON.stringify(f.probabilities), f.comment, f.createdAt)
        .lastInsertRowid,
    );
  }
  forecast(id: number): ForecastRow | undefined {
    const r = this.s(`${FORECAST_SELECT} WHERE f.id = ?`).get(id) as Row | undefined;
    return r ? toForecast(r) : undefined;
  }
  forecastsOfMarket(marketId: string): ForecastRow[] {
    return (
      this.s(`${FORECAST_SELECT} WHERE f.market_id = ? ORDER BY f.id`).all(marketId) as Row[]
    ).map(toForecast);
  }
  forecastsOfUser(userId: string): ForecastRow[] {
    return (
      this.s(`${FORECAST_SELECT} WHERE f.user_id = ? ORDER BY f.id`).all(userId) as Row[]
    ).map(toForecast);
  }
  allForecasts(limit: number, beforeId?: number): ForecastRow[] {
    return (
      this.s(`${FORECAST_SELECT} WHERE f.id < ? ORDER BY f.id DESC LIMIT ?`).all(
        beforeId ?? Number.MAX_SAFE_INTEGER,
        limit,
      ) as Row[]
    ).map(toForecast);
  }
  recentForecastsOfUser(userId: string, limit: number, beforeId?: number): ForecastRow[] {
    return (
      this.s(`${FORECAST_SELECT} WHERE f.user_id = ? AND f.id < ? ORDER BY f.id DESC LIMIT ?`).all(
        userId,
        beforeId ?? Number.MAX_SAFE_INTEGER,
        limit,
      ) as Row[]
    ).map(toForecast);
  }

  // ---- audit and settings

  insertAudit(a: AuditRow): void {
    this.s('INSERT INTO audit (at, actor, action, market_id, detail) VALUES (?, ?, ?, ?, ?)').run(
      a.at,
      a.actor,
      a.action,
      a.marketId,
      JSON.stringify(a.detail ?? {}),
    );
  }
  audit(limit: number, beforeId?: number): AuditRow[] {
    return (
      this.s('SELECT * FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?').all(
        beforeId ?? Number.MAX_SAFE_INTEGER,
        limit,
      ) as Row[]
    ).map((r) => ({
      id: r.id as number,
      at: r.at as string,
      actor: r.actor as string,
      action: r.action as string,
      marketId: (r.market_id as string | null) ?? null,
      detail: JSON.parse(r.detail as string),
    }));
  }
  getMeta(key: string): string | undefined {
    const r = this.s('SELECT value FROM meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return r?.value;
  }
  setMeta(key: string, value: string): void {
    this.s(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ).run(key, value);
  }
  claimMeta(key: string, value: string): boolean {
    return (
      this.s('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(key, value).changes === 1
    );
  }
}

/** Async wrappers over a synchronous implementation's methods. */
function asyncMethods<T extends object>(impl: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const proto = Object.getPrototypeOf(impl) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const f = proto[name];
    if (name === 'constructor' || typeof f !== 'function' || name === 's') continue;
    out[name] = (...args: unknown[]) => {
      try {
        return Promise.resolve((f as (...a: unknown[]) => unknown).apply(impl, args));
      } catch (err) {
        return Promise.reject(err);
      }
    };
  }
  return out;
}

interface Job {
  fn: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Largest group-committed batch; more waits for the next turn. */
const MAX_BATCH = 256;

/** The query methods, attached in the constructor as async wrappers. */
export interface SqliteStore extends Tx {}

/**
 * The SQLite store: one file under the data directory, WAL mode, foreign keys on, one
 * connection. Transactions are group-committed: those that arrive in the same turn of the
 * event loop run one after another in one outer transaction, each in its own savepoint, and
 * are answered only after the single commit — so a burst of trades costs one fsync instead of
 * one each, every acknowledged trade is durable, and a transaction that throws rolls back its
 * savepoint and nothing else.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above.
export class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  readonly db: Database.Database;
  readonly queries: SqliteQueries;
  readonly integrations: SqliteIntegrationsQueries;
  readonly chat: SqliteChatQueries;
  readonly spaces: SqliteSpacesQueries;
  private readonly tx: Tx;
  private queue: Job[] = [];
  private scheduled = false;
  private flushing = false;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL: a trade acknowledged over HTTP survives a power cut, not just a process kill.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    // One process owns an SQLite file: leases left by a previous run (killed mid-delivery)
    // are its own, and void now.
    this.db.exec('UPDATE webhook_deliveries SET lease_until = NULL WHERE lease_until IS NOT NULL');
    this.queries = new SqliteQueries(this.db);
    this.integrations = new SqliteIntegrationsQueries(this.db);
    this.chat = new SqliteChatQueries(this.db);
    this.spaces = new SqliteSpacesQueries(this.db);
    this.tx = {
      ...asyncMethods(this.spaces),
      ...asyncMethods(this.chat),
      ...asyncMethods(this.integrations),
      ...asyncMethods(this.queries),
    } as unknown as Tx;
    Object.assign(this, this.tx);
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < migrations.length; v++) {
      this.db.transaction(() => {
        this.db.exec(migrations[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    this.flushing = true;
    const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    const { db } = this;
    try {
      // IMMEDIATE takes the write lock up front: no other writer interleaves a read-modify-write.
      db.exec('BEGIN IMMEDIATE');
      for (const job of batch) {
        db.exec('SAVEPOINT job');
        try {
          const value = await job.fn(this.tx);
          db.exec('RELEASE job');
          results.push({ ok: true, value });
        } catch (error) {
          db.exec('ROLLBACK TO job');
          db.exec('RELEASE job');
          results.push({ ok: false, error });
        }
      }
      db.exec('COMMIT');
    } catch (error) {
      // The commit itself failed (or the database is closing): nothing of the batch happened.
      if (db.open && db.inTransaction) db.exec('ROLLBACK');
      this.flushing = false;
      for (const job of batch) job.reject(error);
      if (this.queue.length) this.schedule();
      return;
    }
    this.flushing = false;
    if (this.queue.length) this.schedule();
    batch.forEach((job, i) => {
      const r = results[i]!;
      if (r.ok) job.resolve(r.value);
      else job.reject(r.error);
    });
  }

  async close(): Promise<void> {
    // Whatever is queued or running commits first.
    while (this.flushing || this.queue.length || this.scheduled) {
      await new Promise((r) => setImmediate(r));
    }
    if (this.db.open) this.db.close();
  }
}
