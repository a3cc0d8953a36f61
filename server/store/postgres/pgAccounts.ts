import type { LedgerEntry, LedgerTxInfo, PostedEntry, TradeRow, UserRow } from '../store.ts';
import { PgSpacesQueries } from './pgSpaces.ts';
import { C, toUser } from './rows.ts';

/**
 * Users, sessions, API tokens and the ledger over PostgreSQL, with the semantics of
 * `SqliteQueries`. A base of `PgQueries`, which adds the rest of the port.
 */
export class PgAccountsQueries extends PgSpacesQueries {
  // ---- users, sessions, tokens

  async insertUser(u: UserRow): Promise<void> {
    await this.write(
      'INSERT INTO users (id, username, password_hash, role, bot, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [u.id, u.username, u.passwordHash, u.role, u.bot, u.createdAt],
    );
  }
  async userById(id: string): Promise<UserRow | undefined> {
    return toUser(await this.one(`SELECT ${C.user()} FROM users WHERE id = $1`, [id]));
  }
  async userByUsername(username: string): Promise<UserRow | undefined> {
    return toUser(await this.one(`SELECT ${C.user()} FROM users WHERE username = $1`, [username]));
  }
  async userCount(): Promise<number> {
    return (await this.one('SELECT COUNT(*) AS n FROM users'))!.n as number;
  }
  async usersByIds(ids: readonly string[]): Promise<UserRow[]> {
    if (ids.length === 0) return [];
    // Ordered as SQLite's IN lookup returns them: by id.
    const rows = await this.all(
      `SELECT ${C.user()} FROM users WHERE id = ANY($1::text[]) ORDER BY id`,
      [ids],
    );
    return rows.map((r) => toUser(r)!);
  }
  async insertSession(
    tokenHash: string,
    userId: string,
    createdAt: string,
    expiresAt: string,
  ): Promise<void> {
    await this.write(
      'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
      [tokenHash, userId, createdAt, expiresAt],
    );
  }
  async sessionUser(tokenHash: string, now: string): Promise<UserRow | undefined> {
    return toUser(
      await this.one(
        `SELECT ${C.user('u')} FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2`,
        [tokenHash, now],
      ),
    );
  }
  async deleteSession(tokenHash: string): Promise<void> {
    await this.write('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
  }
  async insertApiToken(
    id: string,
    userId: string,
    tokenHash: string,
    createdAt: string,
    spaceId: string | null = null,
  ): Promise<void> {
    await this.write(
      'INSERT INTO api_tokens (id, user_id, token_hash, created_at, space_id) VALUES ($1, $2, $3, $4, $5)',
      [id, userId, tokenHash, createdAt, spaceId],
    );
  }
  async apiTokenUser(tokenHash: string): Promise<UserRow | undefined> {
    const r = await this.one(
      `SELECT ${C.user('u')}, t.space_id AS scope_space_id FROM api_tokens t
       JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL`,
      [tokenHash],
    );
    const u = toUser(r);
    if (u && r?.scope_space_id) u.scopeSpaceId = String(r.scope_space_id);
    return u;
  }
  async revokeApiToken(id: string, userId: string, at: string): Promise<boolean> {
    const n = await this.run(
      'UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL',
      [at, id, userId],
    );
    return n === 1;
  }

  // ---- ledger

  async ensureAccount(id: string): Promise<void> {
    await this.write(
      'INSERT INTO accounts (id, balance_cents) VALUES ($1, 0) ON CONFLICT (id) DO NOTHING',
      [id],
    );
  }
  async post(info: LedgerTxInfo, entries: readonly LedgerEntry[]): Promise<number> {
    const { sql, params } = ledgerStatement(info, entries, '');
    const r = await this.one(`${sql} SELECT id FROM t`, params);
    return r!.id as number;
  }
  async postTrade(
    info: LedgerTxInfo,
    entries: readonly LedgerEntry[],
    t: Omit<TradeRow, 'id' | 'username'>,
  ): Promise<{ ledgerTxId: number; tradeId: number }> {
    // The ledger transaction and the trade row that names it, in one statement.
    const { sql, params } = ledgerStatement(
      info,
      entries,
      `, tr AS (
         INSERT INTO trades (market_id, user_id, outcome_id, shares, cost_cents, probabilities,
           created_at, idempotency_key, ledger_tx_id)
         SELECT $9, $10, $11, $12, $13, $14, $15, $16, t.id FROM t RETURNING id
       )`,
    );
    const r = await this.one(`${sql} SELECT t.id AS tx_id, tr.id AS trade_id FROM t, tr`, [
      ...params,
      t.marketId,
      t.userId,
      t.outcomeId,
      t.shares,
      t.costCents,
      JSON.stringify(t.probabilities),
      t.createdAt,
      t.idempotencyKey,
    ]);
    return { ledgerTxId: r!.tx_id as number, tradeId: r!.trade_id as number };
  }
  async balanceForUpdate(account: string): Promise<number> {
    const r = await this.one('SELECT balance_cents FROM accounts WHERE id = $1 FOR UPDATE', [
      account,
    ]);
    return (r?.balance_cents as number | undefined) ?? 0;
  }
  async balanceOf(account: string): Promise<number> {
    const r = await this.one('SELECT balance_cents FROM accounts WHERE id = $1', [account]);
    return (r?.balance_cents as number | undefined) ?? 0;
  }
  async receivedOfKind(account: string, kind: string): Promise<number> {
    const r = await this.one(
      `SELECT COALESCE(SUM(e.amount_cents), 0)::bigint AS n FROM ledger_entries e
       JOIN ledger_tx t ON t.id = e.tx_id WHERE e.account = $1 AND t.kind = $2`,
      [account, kind],
    );
    return r!.n as number;
  }
  async balancesOf(accounts: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    if (accounts.length) {
      const rows = await this.all(
        'SELECT id, balance_cents FROM accounts WHERE id = ANY($1::text[])',
        [accounts],
      );
      for (const r of rows) found.set(r.id as string, r.balance_cents as number);
    }
    // In the order asked for, as the SQLite store fills it.
    const out = new Map<string, number>();
    for (const a of accounts) out.set(a, found.get(a) ?? 0);
    return out;
  }
  async ledgerTotal(): Promise<number> {
    return (await this.one('SELECT COALESCE(SUM(balance_cents), 0)::bigint AS n FROM accounts'))!
      .n as number;
  }
  async ledgerEntriesOfMarket(marketId: string, kinds: readonly string[]): Promise<PostedEntry[]> {
    const rows = await this.all(
      `SELECT e.tx_id, e.account, e.amount_cents, t.kind, t.ref FROM ledger_entries e
       JOIN ledger_tx t ON t.id = e.tx_id
       WHERE t.market_id = $1 AND t.kind = ANY($2::text[])
       ORDER BY e.tx_id DESC, e.id`,
      [marketId, kinds],
    );
    return rows.map((r) => ({
      txId: r.tx_id as number,
      account: r.account as string,
      amountCents: r.amount_cents as number,
      kind: r.kind as string,
      ref: (r.ref as string | null) ?? null,
    }));
  }
}

/**
 * The CTEs of one balanced ledger transaction (`t` names its row): the transaction, its account
 * upserts and its entries (in their order), with `more` CTEs appended. Checks in JS first that
 * the cents are integers summing to zero; the deferred trigger checks again at commit.
 */
function ledgerStatement(
  info: LedgerTxInfo,
  entries: readonly LedgerEntry[],
  more: string,
): { sql: string; params: unknown[] } {
  let sum = 0;
  for (const e of entries) {
    if (!Number.isSafeInteger(e.amountCents)) throw new Error(`non-integer cents ${e.amountCents}`);
    sum += e.amountCents;
  }
  if (sum !== 0) throw new Error(`unbalanced ledger transaction (${sum})`);
  const written = entries.filter((e) => e.amountCents !== 0);
  // One upsert per account (ON CONFLICT may touch a row once per statement), in sorted order:
  // every transaction locks accounts in the same order, so two posts never deadlock.
  const delta = new Map<string, number>();
  for (const e of written) delta.set(e.account, (delta.get(e.account) ?? 0) + e.amountCents);
  const accounts = [...delta.keys()].sort();
  return {
    sql: `WITH t AS (
         INSERT INTO ledger_tx (kind, market_id, ref, created_at) VALUES ($1, $2, $3, $4)
         RETURNING id
       ), a AS (
         INSERT INTO accounts (id, balance_cents)
         SELECT * FROM unnest($5::text[], $6::bigint[])
         ON CONFLICT (id) DO UPDATE SET balance_cents = accounts.balance_cents + excluded.balance_cents
       ), e AS (
         INSERT INTO ledger_entries (tx_id, account, amount_cents)
         SELECT t.id, x.account, x.amount
         FROM t, unnest($7::text[], $8::bigint[]) WITH ORDINALITY AS x(account, amount, n)
         ORDER BY x.n
       )${more}`,
    params: [
      info.kind,
      info.marketId ?? null,
      info.ref ?? null,
      info.at,
      accounts,
      accounts.map((a) => delta.get(a)!),
      written.map((e) => e.account),
      written.map((e) => e.amountCents),
    ],
  };
}
