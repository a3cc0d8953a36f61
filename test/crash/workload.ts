import type { Database } from 'better-sqlite3';
import type { PRNG } from 'seedrandom';
import { apiCall } from '../helpers/childServer.ts';

/**
 * The crash suite's traffic and its memory of what the server acknowledged. Every trade carries
 * an idempotency key; a request whose answer never arrived (the server was killed) is "lost":
 * it may or may not have committed, and after the restart it is sent again with the same key.
 */

export interface CrashMarket {
  id: string;
  outcomes: string[];
  liquidity: number;
}

export interface Trader {
  name: string;
  id: string;
  token: string;
}

export interface TradeBody {
  outcomeId: string;
  shares?: number;
  amountCents?: number;
  toProbability?: number;
  maxCostCents?: number;
  idempotencyKey: string;
}

export interface SentTrade {
  trader: Trader;
  marketId: string;
  body: TradeBody;
}

export interface ConfirmedTrade extends SentTrade {
  tradeId: number;
  outcomeId: string;
  shares: number;
  costCents: number;
}

/** Refusals that are the business rules doing their job, not faults. */
const RULE_CODES = new Set([
  'insufficient_funds',
  'insufficient_shares',
  'slippage',
  'market_not_open',
  'validation_failed',
]);

export interface LostTrade extends SentTrade {
  /** The trade id found in the database after the kill, if the trade had committed. */
  committedId?: number | undefined;
}

export interface PendingSettlement {
  marketId: string;
  body: { outcomeId: string; note: string } | { cancel: true; note: string };
  /** Whether the database showed the market settled after the kill. */
  committed?: boolean;
}

const keyOf = (traderId: string, key: string) => `${traderId}|${key}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class CrashWorkload {
  readonly confirmed = new Map<string, ConfirmedTrade>();
  readonly lost = new Map<string, LostTrade>();
  /** Forecast ids the server answered 201 for, with whose and which market's they are. */
  readonly forecasts = new Map<number, { traderId: string; marketId: string }>();
  readonly settled = new Set<string>();
  readonly unsettledResolutions: PendingSettlement[] = [];
  readonly refused = new Map<string, number>();
  /** Faults: 5xx answers, unexpected statuses, a key that traded twice. Must stay empty. */
  readonly faults: string[] = [];
  readonly stats = {
    tradeRequests: 0,
    forecastRequests: 0,
    lostResponses: 0,
    lostCommitted: 0,
    lostRetradedAfterRestart: 0,
    lostRefusedAfterRestart: 0,
    replays: 0,
    doubleSends: 0,
    settlementsInFlightAtKill: 0,
    settlementsCommittedAtKill: 0,
    settlementsRepeated: 0,
  };
  private readonly held = new Map<string, number>();
  private readonly byTrader = new Map<string, ConfirmedTrade[]>();

  constructor(
    readonly traders: Trader[],
    readonly markets: CrashMarket[],
  ) {}

  openMarkets(): CrashMarket[] {
    return this.markets.filter((m) => !this.settled.has(m.id));
  }

  /** Sends one trade; undefined when the answer was lost. */
  async trade(url: string, sent: SentTrade): Promise<{ status: number; body: any } | undefined> {
    this.stats.tradeRequests += 1;
    let res: { status: number; body: any };
    try {
      res = await apiCall(url, 'POST', `/api/markets/${sent.marketId}/trades`, {
        token: sent.trader.token,
        body: sent.body,
      });
    } catch {
      this.stats.lostResponses += 1;
      const k = keyOf(sent.trader.id, sent.body.idempotencyKey);
      if (!this.lost.has(k)) this.lost.set(k, { ...sent });
      return undefined;
    }
    this.record(sent, res);
    return res;
  }

  private record(sent: SentTrade, res: { status: number; body: any }): void {
    const k = keyOf(sent.trader.id, sent.body.idempotencyKey);
    if (res.status === 200) {
      const t = res.body.trade;
      const tradeId = Number(t.id);
      const first = this.confirmed.get(k);
      if (first) {
        if (first.tradeId !== tradeId)
          this.faults.push(`key ${k} answered trade ${tradeId} after ${first.tradeId}`);
        return;
      }
      const c: ConfirmedTrade = {
        ...sent,
        tradeId,
        outcomeId: t.outcomeId,
        shares: t.shares,
        costCents: t.costCents,
      };
      this.confirmed.set(k, c);
      const hk = `${sent.trader.id}|${sent.marketId}|${t.outcomeId}`;
      this.held.set(hk, (this.held.get(hk) ?? 0) + t.shares);
      const mine = this.byTrader.get(sent.trader.id) ?? [];
      mine.push(c);
      this.byTrader.set(sent.trader.id, mine);
      return;
    }
    const code = res.body?.error?.code;
    if (res.status >= 500)
      this.faults.push(`trade ${k}: ${res.status} ${JSON.stringify(res.body)}`);
    else if ((res.status === 409 || res.status === 400) && RULE_CODES.has(code))
      this.refused.set(code, (this.refused.get(code) ?? 0) + 1);
    else this.faults.push(`trade ${k}: unexpected ${res.status} ${JSON.stringify(res.body)}`);
  }

  /** A random trade body: buys by shares, amount or target probability, or a partial sell. */
  private tradeBody(rng: PRNG, trader: Trader, m: CrashMarket, key: string): TradeBody {
    const outcomeId = m.outcomes[Math.floor(rng() * m.outcomes.length)]!;
    const held = this.held.get(`${trader.id}|${m.id}|${outcomeId}`) ?? 0;
    const body: TradeBody = { outcomeId, idempotencyKey: key };
    const r = rng();
    if (r < 0.25 && held > 0.05) body.shares = -Math.max(0.01, held * (0.1 + 0.8 * rng()));
    else if (r < 0.5) body.shares = 1 + Math.floor(rng() * 25);
    else if (r < 0.8) body.amountCents = 50 + Math.floor(rng() * 2500);
    else body.toProbability = 0.05 + rng() * 0.9;
    if (rng() < 0.05) body.maxCostCents = Math.floor(rng() * 3000) - 1000;
    return body;
  }

  /**
   * One lane of one trader: trades (some sent twice at once, some replays of acknowledged
   * keys) and forecasts, until `stop()` or until the server stops answering.
   */
  async lane(url: string, trader: Trader, rng: PRNG, tag: string, stop: () => boolean) {
    for (let n = 0; !stop(); n++) {
      const open = this.openMarkets();
      if (!open.length) return;
      const m = open[Math.floor(rng() * open.length)]!;
      const r = rng();
      const mine = this.byTrader.get(trader.id) ?? [];
      if (r < 0.12) {
        if (!(await this.forecast(url, trader, m, rng))) return;
      } else if (r < 0.17 && mine.length) {
        // A client retrying a request whose answer it did get: the first result comes back.
        const c = mine[Math.floor(rng() * mine.length)]!;
        this.stats.replays += 1;
        const res = await this.trade(url, { trader, marketId: c.marketId, body: c.body });
        if (!res) return;
        if (res.status !== 200 || Number(res.body.trade.id) !== c.tradeId)
          this.faults.push(`replay of ${c.body.idempotencyKey} answered ${res.status}`);
      } else {
        const sent = {
          trader,
          marketId: m.id,
          body: this.tradeBody(rng, trader, m, `${tag}.${n}`),
        };
        if (rng() < 0.08) {
          // A double-click: the same request twice at once trades once.
          this.stats.doubleSends += 1;
          const both = await Promise.all([this.trade(url, sent), this.trade(url, sent)]);
          if (both.includes(undefined)) return;
        } else if (!(await this.trade(url, sent))) return;
      }
    }
  }

  private async forecast(url: string, trader: Trader, m: CrashMarket, rng: PRNG) {
    this.stats.forecastRequests += 1;
    let body: { probability: number } | { probabilities: number[] };
    if (m.outcomes.length === 2) body = { probability: Math.round(rng() * 98 + 1) / 100 };
    else {
      const raw = m.outcomes.map(() => 0.05 + rng());
      const sum = raw.reduce((a, b) => a + b, 0);
      const p = raw.map((x) => x / sum);
      p[p.length - 1] = 1 - p.slice(0, -1).reduce((a, b) => a + b, 0);
      body = { probabilities: p };
    }
    try {
      const res = await apiCall(url, 'POST', `/api/markets/${m.id}/forecasts`, {
        token: trader.token,
        body,
      });
      if (res.status === 201)
        this.forecasts.set(Number(res.body.forecast.id), { traderId: trader.id, marketId: m.id });
      else if (res.status !== 409 || res.body?.error?.code !== 'market_not_open')
        this.faults.push(`forecast on ${m.id}: ${res.status} ${JSON.stringify(res.body)}`);
      return true;
    } catch {
      return false;
    }
  }

  /** Resolves (or cancels) a market; a lost answer leaves it pending for after the restart. */
  async settle(url: string, adminToken: string, p: PendingSettlement): Promise<void> {
    try {
      const res = await apiCall(url, 'POST', `/api/markets/${p.marketId}/resolve`, {
        token: adminToken,
        body: p.body,
      });
      if (res.status === 200) this.settled.add(p.marketId);
      else this.faults.push(`resolve ${p.marketId}: ${res.status} ${JSON.stringify(res.body)}`);
    } catch {
      this.stats.settlementsInFlightAtKill += 1;
      this.unsettledResolutions.push(p);
    }
  }

  /**
   * With the server down, reads from its database what became of every lost request: which
   * trades committed, which resolutions committed. Also checks every acknowledged trade and
   * forecast is there exactly once, and that no trade exists that nobody sent.
   */
  inspect(db: Database): string[] {
    const problems: string[] = [];
    const byKey = db.prepare(
      'SELECT id, market_id, outcome_id, shares, cost_cents FROM trades WHERE user_id = ? AND idempotency_key = ?',
    );
    for (const c of this.confirmed.values()) {
      const rows = byKey.all(c.trader.id, c.body.idempotencyKey) as {
        id: number;
        market_id: string;
        outcome_id: string;
        shares: number;
        cost_cents: number;
      }[];
      const r = rows[0];
      if (rows.length !== 1 || !r) {
        problems.push(`acknowledged trade ${c.tradeId} is present ${rows.length} times`);
        continue;
      }
      if (
        r.id !== c.tradeId ||
        r.market_id !== c.marketId ||
        r.outcome_id !== c.outcomeId ||
        r.shares !== c.shares ||
        r.cost_cents !== c.costCents
      )
        problems.push(`acknowledged trade ${c.tradeId} differs in the database`);
    }
    for (const [k, l] of this.lost) {
      if (this.confirmed.has(k)) continue;
      const r = byKey.get(l.trader.id, l.body.idempotencyKey) as { id: number } | undefined;
      if (r && l.committedId === undefined) {
        l.committedId = r.id;
        this.stats.lostCommitted += 1;
      }
    }
    // Every trade in the database was sent by this suite, acknowledged or lost in a kill.
    const known = new Set([...this.confirmed.keys(), ...this.lost.keys()]);
    for (const r of db.prepare('SELECT user_id, idempotency_key FROM trades').all() as {
      user_id: string;
      idempotency_key: string | null;
    }[]) {
      if (!r.idempotency_key || !known.has(keyOf(r.user_id, r.idempotency_key)))
        problems.push(`trade by ${r.user_id} key ${r.idempotency_key} was never sent`);
    }
    const forecast = db.prepare('SELECT user_id, market_id FROM forecasts WHERE id = ?');
    for (const [id, f] of this.forecasts) {
      const r = forecast.get(id) as { user_id: string; market_id: string } | undefined;
      if (!r || r.user_id !== f.traderId || r.market_id !== f.marketId)
        problems.push(`acknowledged forecast ${id} is missing or differs`);
    }
    const status = db.prepare('SELECT status FROM markets WHERE id = ?');
    for (const id of this.settled) {
      const s = (status.get(id) as { status: string }).status;
      if (s !== 'resolved' && s !== 'cancelled') problems.push(`settled market ${id} is ${s}`);
    }
    for (const p of this.unsettledResolutions) {
      if (p.committed !== undefined) continue;
      const s = (status.get(p.marketId) as { status: string }).status;
      p.committed = s === 'resolved' || s === 'cancelled';
      if (p.committed) this.stats.settlementsCommittedAtKill += 1;
    }
    return problems;
  }

  /**
   * After a restart: sends every lost trade again with its key (a committed one must answer
   * its first result; an uncommitted one trades now or is refused by a rule), and repeats
   * every interrupted resolution (a committed one must be refused and pay nobody again).
   */
  async recover(url: string, adminToken: string): Promise<void> {
    for (const [k, l] of this.lost) {
      this.lost.delete(k);
      const first = this.confirmed.get(k);
      const res = await this.trade(url, l);
      if (!res) throw new Error('the server stopped answering during recovery');
      if (first) {
        // One of a double send was answered, the other lost: the retry answers the first.
        if (res.status !== 200) this.faults.push(`retry of acknowledged ${k}: ${res.status}`);
      } else if (l.committedId !== undefined) {
        if (res.status !== 200 || Number(res.body.trade.id) !== l.committedId)
          this.faults.push(`retry of committed ${k} answered ${res.status}, not its trade`);
      } else if (res.status === 200) this.stats.lostRetradedAfterRestart += 1;
      else this.stats.lostRefusedAfterRestart += 1;
    }
    for (const p of this.unsettledResolutions.splice(0)) {
      this.stats.settlementsRepeated += 1;
      const res = await apiCall(url, 'POST', `/api/markets/${p.marketId}/resolve`, {
        token: adminToken,
        body: p.body,
      });
      const expected = p.committed ? 409 : 200;
      if (res.status !== expected)
        this.faults.push(
          `repeated resolution of ${p.marketId} (committed: ${p.committed}) answered ${res.status}`,
        );
      this.settled.add(p.marketId);
    }
    // An acknowledged resolution sent again is refused too.
    for (const id of this.settled) {
      const res = await apiCall(url, 'POST', `/api/markets/${id}/resolve`, {
        token: adminToken,
        body: { cancel: true },
      });
      if (res.status !== 409) this.faults.push(`resolving settled ${id} again: ${res.status}`);
    }
  }

  /** Waits for all lanes after the kill; lanes end on their first lost answer. */
  static async settleAll(promises: Promise<unknown>[], timeoutMs = 10_000): Promise<void> {
    await Promise.race([
      Promise.all(promises),
      sleep(timeoutMs).then(() => {
        throw new Error('lanes did not stop after the kill');
      }),
    ]);
  }
}
