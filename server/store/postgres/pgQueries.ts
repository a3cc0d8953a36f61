import {
  type AuditRow,
  type ForecastRow,
  type LedgerLine,
  type MarketRow,
  type MarketState,
  type PositionRow,
  type TradeRow,
  type Tx,
  toLedgerLine,
} from '../store.ts';
import { PgAccountsQueries } from './pgAccounts.ts';
import {
  C,
  FORECAST_SELECT,
  TRADE_SELECT,
  toForecast,
  toMarket,
  toPosition,
  toTrade,
} from './rows.ts';

/**
 * Every query of the port over PostgreSQL, with the semantics of `SqliteQueries` and
 * `SqliteIntegrationsQueries` (orderings, return values, validation): markets, positions,
 * trades, forecasts, audit and meta here, the rest in its bases. Bound to a transaction's
 * connection it is that transaction's `Tx`; bound to the pool, the store's autocommit half.
 */
export class PgQueries extends PgAccountsQueries implements Tx {
  // ---- markets

  async insertMarket(m: MarketRow): Promise<void> {
    await this.write(
      `INSERT INTO markets (id, question, description, criteria, tags, type, outcomes, q, liquidity,
        status, created_at, closes_at, closed_at, volume_cents, seq, resolution, claims, created_by,
        space_id, proposed_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
        $20)`,
      [
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
      ],
    );
  }
  async market(id: string): Promise<MarketRow | undefined> {
    return toMarket(await this.one(`SELECT ${C.market()} FROM markets WHERE id = $1`, [id]));
  }
  async marketForUpdate(id: string): Promise<MarketRow | undefined> {
    return toMarket(
      await this.one(`SELECT ${C.market()} FROM markets WHERE id = $1 FOR UPDATE`, [id]),
    );
  }
  async markets(status: MarketRow['status'] | 'all'): Promise<MarketRow[]> {
    const rows =
      status === 'all'
        ? await this.all(`SELECT ${C.market()} FROM markets ORDER BY created_at DESC, id`)
        : await this.all(
            `SELECT ${C.market()} FROM markets WHERE status = $1 ORDER BY created_at DESC, id`,
            [status],
          );
    return rows.map((r) => toMarket(r)!);
  }
  async saveMarketState(m: MarketState): Promise<void> {
    await this.write(
      `UPDATE markets SET q = $1, status = $2, closed_at = $3, volume_cents = $4, seq = $5,
         resolution = $6 WHERE id = $7`,
      [
        JSON.stringify(m.q),
        m.status,
        m.closedAt,
        m.volumeCents,
        m.seq,
        m.resolution ? JSON.stringify(m.resolution) : null,
        m.id,
      ],
    );
  }
  async overdueMarkets(now: string): Promise<string[]> {
    return (
      await this.all("SELECT id FROM markets WHERE status = 'open' AND closes_at <= $1", [now])
    ).map((r) => r.id as string);
  }
  async nextCloseAt(): Promise<string | undefined> {
    const r = await this.one("SELECT MIN(closes_at) AS t FROM markets WHERE status = 'open'");
    return (r?.t as string | null) ?? undefined;
  }
  async appendHistory(
    marketId: string,
    seq: number,
    at: string,
    probabilities: number[],
  ): Promise<void> {
    await this.write(
      'INSERT INTO market_history (market_id, seq, at, probabilities) VALUES ($1, $2, $3, $4)',
      [marketId, seq, at, JSON.stringify(probabilities)],
    );
  }
  async history(marketId: string): Promise<{ t: string; probabilities: number[] }[]> {
    return (
      await this.all(
        'SELECT at, probabilities FROM market_history WHERE market_id = $1 ORDER BY seq',
        [marketId],
      )
    ).map((r) => ({ t: r.at as string, probabilities: JSON.parse(r.probabilities as string) }));
  }

  // ---- positions and trades

  async position(
    userId: string,
    marketId: string,
    outcomeId: string,
  ): Promise<PositionRow | undefined> {
    const r = await this.one(
      `SELECT ${C.position()} FROM positions
       WHERE user_id = $1 AND market_id = $2 AND outcome_id = $3`,
      [userId, marketId, outcomeId],
    );
    return r ? toPosition(r) : undefined;
  }
  async positionsOfUserInMarket(userId: string, marketId: string): Promise<PositionRow[]> {
    return (
      await this.all(
        `SELECT ${C.position()} FROM positions WHERE user_id = $1 AND market_id = $2`,
        [userId, marketId],
      )
    ).map(toPosition);
  }
  async savePosition(p: PositionRow): Promise<void> {
    await this.write(
      `INSERT INTO positions (user_id, market_id, outcome_id, shares, cost_cents)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, market_id, outcome_id)
       DO UPDATE SET shares = excluded.shares, cost_cents = excluded.cost_cents`,
      [p.userId, p.marketId, p.outcomeId, p.shares, p.costCents],
    );
  }
  async positionsOfUser(userId: string): Promise<PositionRow[]> {
    return (
      await this.all(
        `SELECT ${C.position()} FROM positions WHERE user_id = $1 ORDER BY market_id, outcome_id`,
        [userId],
      )
    ).map(toPosition);
  }
  async positionsOfMarket(marketId: string): Promise<PositionRow[]> {
    return (
      await this.all(
        `SELECT ${C.position()} FROM positions WHERE market_id = $1 ORDER BY user_id, outcome_id`,
        [marketId],
      )
    ).map(toPosition);
  }
  async insertTrade(t: Omit<TradeRow, 'id' | 'username'>, ledgerTxId: number): Promise<number> {
    const r = await this.one(
      `INSERT INTO trades (market_id, user_id, outcome_id, shares, cost_cents, probabilities,
         created_at, idempotency_key, ledger_tx_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        t.marketId,
        t.userId,
        t.outcomeId,
        t.shares,
        t.costCents,
        JSON.stringify(t.probabilities),
        t.createdAt,
        t.idempotencyKey,
        ledgerTxId,
      ],
    );
    return r!.id as number;
  }
  async trade(id: number): Promise<TradeRow | undefined> {
    const r = await this.one(`${TRADE_SELECT} WHERE t.id = $1`, [id]);
    return r ? toTrade(r) : undefined;
  }
  async tradeByIdempotencyKey(userId: string, key: string): Promise<TradeRow | undefined> {
    const r = await this.one(`${TRADE_SELECT} WHERE t.user_id = $1 AND t.idempotency_key = $2`, [
      userId,
      key,
    ]);
    return r ? toTrade(r) : undefined;
  }
  async trades(marketId: string, limit: number, beforeId?: number): Promise<TradeRow[]> {
    return (
      await this.all(
        `${TRADE_SELECT} WHERE t.market_id = $1 AND t.id < $2 ORDER BY t.id DESC LIMIT $3`,
        [marketId, beforeId ?? Number.MAX_SAFE_INTEGER, limit],
      )
    ).map(toTrade);
  }
  async allTrades(limit: number, beforeId?: number): Promise<TradeRow[]> {
    return (
      await this.all(`${TRADE_SELECT} WHERE t.id < $1 ORDER BY t.id DESC LIMIT $2`, [
        beforeId ?? Number.MAX_SAFE_INTEGER,
        limit,
      ])
    ).map(toTrade);
  }
  async allForecasts(limit: number, beforeId?: number): Promise<ForecastRow[]> {
    return (
      await this.all(`${FORECAST_SELECT} WHERE f.id < $1 ORDER BY f.id DESC LIMIT $2`, [
        beforeId ?? Number.MAX_SAFE_INTEGER,
        limit,
      ])
    ).map(toForecast);
  }
  async ledgerLines(limit: number, beforeId?: number): Promise<LedgerLine[]> {
    return (
      await this.all(
        `SELECT e.id, e.tx_id, t.kind, t.market_id, t.ref, t.created_at, e.account, e.amount_cents
         FROM ledger_entries e JOIN ledger_tx t ON t.id = e.tx_id
         WHERE e.id < $1 ORDER BY e.id DESC LIMIT $2`,
        [beforeId ?? Number.MAX_SAFE_INTEGER, limit],
      )
    ).map(toLedgerLine);
  }
  async tradeCount(): Promise<number> {
    return (await this.one('SELECT COUNT(*) AS n FROM trades'))!.n as number;
  }

  // ---- forecasts

  async insertForecast(f: Omit<ForecastRow, 'id' | 'username'>): Promise<number> {
    const r = await this.one(
      `INSERT INTO forecasts (market_id, user_id, probabilities, comment, created_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [f.marketId, f.userId, JSON.stringify(f.probabilities), f.comment, f.createdAt],
    );
    return r!.id as number;
  }
  async forecast(id: number): Promise<ForecastRow | undefined> {
    const r = await this.one(`${FORECAST_SELECT} WHERE f.id = $1`, [id]);
    return r ? toForecast(r) : undefined;
  }
  async forecastsOfMarket(marketId: string): Promise<ForecastRow[]> {
    return (
      await this.all(`${FORECAST_SELECT} WHERE f.market_id = $1 ORDER BY f.id`, [marketId])
    ).map(toForecast);
  }
  async forecastsOfUser(userId: string): Promise<ForecastRow[]> {
    return (await this.all(`${FORECAST_SELECT} WHERE f.user_id = $1 ORDER BY f.id`, [userId])).map(
      toForecast,
    );
  }
  async recentForecastsOfUser(
    userId: string,
    limit: number,
    beforeId?: number,
  ): Promise<ForecastRow[]> {
    return (
      await this.all(
        `${FORECAST_SELECT} WHERE f.user_id = $1 AND f.id < $2 ORDER BY f.id DESC LIMIT $3`,
        [userId, beforeId ?? Number.MAX_SAFE_INTEGER, limit],
      )
    ).map(toForecast);
  }

  // ---- audit and settings

  async insertAudit(a: AuditRow): Promise<void> {
    await this.write(
      'INSERT INTO audit (at, actor, action, market_id, detail) VALUES ($1, $2, $3, $4, $5)',
      [a.at, a.actor, a.action, a.marketId, JSON.stringify(a.detail ?? {})],
    );
  }
  async audit(limit: number, beforeId?: number): Promise<AuditRow[]> {
    return (
      await this.all(
        'SELECT id, at, actor, action, market_id, detail FROM audit WHERE id < $1 ORDER BY id DESC LIMIT $2',
        [beforeId ?? Number.MAX_SAFE_INTEGER, limit],
      )
    ).map((r) => ({
      id: Number(r.id),
      at: r.at as string,
      actor: r.actor as string,
      action: r.action as string,
      marketId: (r.market_id as string | null) ?? null,
      detail: JSON.parse(r.detail as string),
    }));
  }
  async getMeta(key: string): Promise<string | undefined> {
    const r = await this.one('SELECT value FROM meta WHERE key = $1', [key]);
    return r?.value as string | undefined;
  }
  async setMeta(key: string, value: string): Promise<void> {
    await this.write(
      `INSERT INTO meta (key, value) VALUES ($1, $2)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [key, value],
    );
  }
  async claimMeta(key: string, value: string): Promise<boolean> {
    const n = await this.run(
      'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
      [key, value],
    );
    return n === 1;
  }
}
