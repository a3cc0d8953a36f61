import type { PRNG } from 'seedrandom';
import { type HttpAnswer, http, sleep } from '../helpers/cluster.ts';

/**
 * The multi-node suite's traders: each sends small buys and sells with an idempotency key to a
 * random live node; a request that failed at the network level (its node was killed) or got a
 * 503 goes again with the same key to another node, so every trade is made at most once and,
 * retried long enough, acknowledged exactly once.
 */

export interface Trader {
  name: string;
  id: string;
  token: string;
}

export interface TradeMarket {
  id: string;
  outcomes: string[];
}

export interface Acked {
  trader: Trader;
  key: string;
  marketId: string;
  tradeId: number;
  outcomeId: string;
  shares: number;
  costCents: number;
  /** The answer came after an earlier attempt's was lost or refused with 503. */
  retried: boolean;
  /** When the first attempt's answer was lost at the network level (its node was killed). */
  lostAt: number | undefined;
}

/** Refusals that are the business rules doing their job. */
const RULE_CODES = new Set(['insufficient_funds', 'insufficient_shares', 'slippage']);

export class TradeLoad {
  /** By `${traderId}|${key}`. */
  readonly acked = new Map<string, Acked>();
  /** Every key sent, by `${traderId}|${key}`. */
  readonly sent = new Set<string>();
  /** Keys whose answer never came despite the retries. */
  readonly unanswered = new Set<string>();
  readonly refused = new Map<string, number>();
  /** Answers that are neither a trade, a rule's refusal nor a 503: must stay empty. */
  readonly faults: string[] = [];
  readonly stats = {
    requests: 0,
    networkFailures: 0,
    unavailable: new Map<string, number>(),
    byNode: new Map<string, number>(),
  };
  private readonly held = new Map<string, number>();

  constructor(
    private readonly liveUrls: () => string[],
    private readonly nodeOf: (url: string) => string,
  ) {}

  private pick(rng: PRNG, avoid?: string): string | undefined {
    const live = this.liveUrls();
    const others = live.filter((u) => u !== avoid);
    const pool = others.length ? others : live;
    return pool[Math.floor(rng() * pool.length)];
  }

  /** Sends one trade until it is answered (or `deadline`); retries keep its key. */
  async trade(
    rng: PRNG,
    trader: Trader,
    marketId: string,
    body: Record<string, unknown>,
    key: string,
    deadline: number,
  ): Promise<void> {
    const k = `${trader.id}|${key}`;
    this.sent.add(k);
    let retried = false;
    let lostAt: number | undefined;
    let last: string | undefined;
    while (Date.now() < deadline) {
      const url = this.pick(rng, last);
      if (!url) {
        await sleep(100);
        continue;
      }
      last = url;
      this.stats.requests += 1;
      const node = this.nodeOf(url);
      this.stats.byNode.set(node, (this.stats.byNode.get(node) ?? 0) + 1);
      let res: HttpAnswer;
      try {
        res = await http(url, 'POST', `/api/markets/${marketId}/trades`, {
          token: trader.token,
          body: { ...body, idempotencyKey: key },
          timeoutMs: 10_000,
        });
      } catch {
        this.stats.networkFailures += 1;
        retried = true;
        lostAt ??= Date.now();
        await sleep(50 + rng() * 100);
        continue;
      }
      if (res.status === 200) {
        const t = res.body.trade;
        const first = this.acked.get(k);
        if (first) {
          if (first.tradeId !== Number(t.id))
            this.faults.push(`key ${k} answered trade ${t.id} after ${first.tradeId}`);
          return;
        }
        this.acked.set(k, {
          trader,
          key,
          marketId,
          tradeId: Number(t.id),
          outcomeId: t.outcomeId,
          shares: t.shares,
          costCents: t.costCents,
          retried,
          lostAt,
        });
        const hk = `${trader.id}|${marketId}|${t.outcomeId}`;
        this.held.set(hk, (this.held.get(hk) ?? 0) + t.shares);
        return;
      }
      const code: string | undefined = res.body?.error?.code;
      if (res.status === 503) {
        retried = true;
        const c = code ?? 'unknown';
        this.stats.unavailable.set(c, (this.stats.unavailable.get(c) ?? 0) + 1);
        const after = Number(res.headers.get('retry-after') ?? 1);
        await sleep(Math.min(after * 1000, 300) * (0.5 + rng()));
        continue;
      }
      if (res.status === 409 && code && RULE_CODES.has(code)) {
        this.refused.set(code, (this.refused.get(code) ?? 0) + 1);
        return;
      }
      this.faults.push(`trade ${k}: ${res.status} ${JSON.stringify(res.body)}`);
      return;
    }
    this.unanswered.add(k);
  }

  /** One trader's loop: mostly the hot market, sometimes a cold one, small buys and sells. */
  async run(
    rng: PRNG,
    trader: Trader,
    hot: TradeMarket,
    cold: TradeMarket[],
    opts: { until: number; maxTrades: number; answerBy: number },
  ): Promise<void> {
    for (let n = 0; n < opts.maxTrades && Date.now() < opts.until; n++) {
      const m = rng() < 0.75 || !cold.length ? hot : cold[Math.floor(rng() * cold.length)]!;
      const outcomeId = m.outcomes[Math.floor(rng() * m.outcomes.length)]!;
      const held = this.held.get(`${trader.id}|${m.id}|${outcomeId}`) ?? 0;
      const body =
        held > 0.5 && rng() < 0.35
          ? { outcomeId, shares: -Math.round(held * (0.2 + 0.6 * rng()) * 100) / 100 }
          : { outcomeId, amountCents: 20 + Math.floor(rng() * 180) };
      await this.trade(rng, trader, m.id, body, `${trader.name}.${n}`, opts.answerBy);
      await sleep(rng() * 15);
    }
  }
}
