import { performance } from 'node:perf_hooks';
import type { PRNG } from 'seedrandom';
import { apiCall } from '../helpers/childServer.ts';

export interface LoadMarket {
  id: string;
  outcomes: string[];
}

/** Refusals that are business rules at work (the traders sell only what they hold). */
const RULE_CODES = new Set(['insufficient_funds', 'insufficient_shares', 'slippage']);

/** What the traders saw: every answer's latency and status, by kind. */
export class TradeTally {
  readonly latenciesMs: number[] = [];
  ok = 0;
  /** 409s from business rules (insufficient funds or shares, slippage), by code. */
  readonly refused = new Map<string, number>();
  serverErrors = 0;
  networkErrors = 0;
  /** Any other status: a fault. Kept to a few examples. */
  readonly unexpected: string[] = [];
  unexpectedCount = 0;

  record(status: number, body: any, ms: number): void {
    this.latenciesMs.push(ms);
    if (status === 200) this.ok += 1;
    else if (status >= 500) this.serverErrors += 1;
    else if (status === 409 && RULE_CODES.has(body?.error?.code)) {
      const code: string = body.error.code;
      this.refused.set(code, (this.refused.get(code) ?? 0) + 1);
    } else {
      this.unexpectedCount += 1;
      if (this.unexpected.length < 10) this.unexpected.push(`${status} ${JSON.stringify(body)}`);
    }
  }
}

/**
 * One trader in a closed loop (next request as soon as the last is answered) until
 * `deadline`: buys by amount or shares, moves a price to a target, or sells part of what it
 * holds, across all the markets.
 */
export async function traderLoop(
  url: string,
  token: string,
  markets: readonly LoadMarket[],
  rng: PRNG,
  deadline: number,
  tally: TradeTally,
): Promise<void> {
  const held = new Map<string, number>();
  while (performance.now() < deadline) {
    const m = markets[Math.floor(rng() * markets.length)]!;
    const outcomeId = m.outcomes[Math.floor(rng() * m.outcomes.length)]!;
    const have = held.get(`${m.id}|${outcomeId}`) ?? 0;
    const body: Record<string, unknown> = { outcomeId };
    const r = rng();
    if (r < 0.3 && have > 0.1) body.shares = -have * (0.2 + 0.7 * rng());
    else if (r < 0.6) body.amountCents = 100 + Math.floor(rng() * 1900);
    else if (r < 0.85) body.shares = 1 + Math.floor(rng() * 15);
    else body.toProbability = 0.1 + rng() * 0.8;
    const started = performance.now();
    let res: { status: number; body: any };
    try {
      res = await apiCall(url, 'POST', `/api/markets/${m.id}/trades`, { token, body });
    } catch {
      tally.networkErrors += 1;
      continue;
    }
    tally.record(res.status, res.body, performance.now() - started);
    if (res.status === 200) {
      const t = res.body.trade;
      const k = `${m.id}|${t.outcomeId}`;
      held.set(k, (held.get(k) ?? 0) + t.shares);
    }
  }
}
