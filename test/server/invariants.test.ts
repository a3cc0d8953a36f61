import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payoutCents, subsidyCents } from '../../shared/money.ts';
import {
  adminClient,
  Client,
  ledgerInvariants,
  sqlAll,
  startServer,
  type TestServer,
} from '../helpers/server.ts';

/**
 * The ledger under load: thousands of random trades from several users at once, then
 * resolutions and a cancellation, checked against what the HTTP answers said happened.
 */

const GRANT = 400_000;
const USERS = 8;
const LANES_PER_USER = 4;
const REQUESTS_PER_USER = 375; // 3000 in all
const future = () => new Date(Date.now() + 30 * 86400_000).toISOString();

interface MarketDef {
  id: string;
  liquidity: number;
  outcomes: string[];
}
const MARKETS: MarketDef[] = [
  { id: 'load-a', liquidity: 50, outcomes: ['yes', 'no'] },
  { id: 'load-b', liquidity: 200, outcomes: ['yes', 'no'] },
  { id: 'load-c', liquidity: 100, outcomes: ['yes', 'no'] },
  { id: 'load-d', liquidity: 80, outcomes: ['zhipu', 'deepseek', 'moonshot', 'qwen'] },
];

interface TradeSeen {
  id: number;
  username: string;
  marketId: string;
  outcomeId: string;
  shares: number;
  costCents: number;
}

let server: TestServer;
let admin: Client;
const users: { name: string; client: Client }[] = [];
/** Every distinct trade the server confirmed with a 200, by id. */
const seen = new Map<number, TradeSeen>();
const errorCodes = new Map<string, number>();
let ok200 = 0;
let replays = 0;
let tradesBefore = 0;

beforeAll(async () => {
  server = await startServer({ env: { STARTING_GRANT_CENTS: String(GRANT) } });
  admin = await adminClient(server.url);
  for (const m of MARKETS) {
    const r = await admin.post('/api/markets', {
      id: m.id,
      question: `Load test market ${m.id}?`,
      closesAt: future(),
      liquidity: m.liquidity,
      ...(m.outcomes.length > 2
        ? { outcomes: m.outcomes.map((o) => o[0]!.toUpperCase() + o.slice(1)) }
        : {}),
    });
    expect(r.status).toBe(201);
    expect(r.body.market.outcomes.map((o: any) => o.id)).toEqual(m.outcomes);
  }
  for (let i = 0; i < USERS; i++) {
    const client = new Client(server.url);
    await client.register(`loader_${i}`);
    users.push({ name: `loader_${i}`, client });
  }
  tradesBefore = await server.parity.ctx.store.tradeCount();
});
afterAll(() => server.close());

/** Per user, market and outcome: shares in trade-id order, as the server adds them up. */
function positionsFromTrades(): Map<string, { shares: number; costCents: number }> {
  const out = new Map<string, { shares: number; costCents: number }>();
  for (const t of [...seen.values()].sort((a, b) => a.id - b.id)) {
    const key = `${t.username}|${t.marketId}|${t.outcomeId}`;
    const p = out.get(key) ?? { shares: 0, costCents: 0 };
    p.shares += t.shares;
    // The server stores dust from selling everything as 0; so does this tally.
    if (Math.abs(p.shares) < 1e-9) p.shares = 0;
    p.costCents += t.costCents;
    out.set(key, p);
  }
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function balances(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const u of users) out.set(u.name, (await u.client.get('/api/me')).body.user.balanceCents);
  return out;
}

describe('the ledger under concurrent random trading', () => {
  it('keeps every account consistent with the trades confirmed over HTTP', async () => {
    const rng = seedrandom('ledger-load-1');
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
    const held = new Map<string, number>();
    const keysUsed: { user: string; marketId: string; key: string; tradeId: number }[] = [];

    const lane = async (user: { name: string; client: Client }, count: number) => {
      for (let n = 0; n < count; n++) {
        const m = pick(MARKETS);
        const outcomeId = pick(m.outcomes);
        const hk = `${user.name}|${m.id}|${outcomeId}`;
        const body: Record<string, unknown> = { outcomeId };
        const r = rng();
        if (r < 0.3) body.shares = 1 + Math.floor(rng() * 60);
        else if (r < 0.5) {
          // Sell part of what this lane last saw held, sometimes more than is held.
          const h = held.get(hk) ?? 0;
          body.shares = -(h > 0 && rng() < 0.85 ? Math.max(h * rng(), 0.01) : 1 + rng() * 20);
        } else if (r < 0.75) body.amountCents = 1 + Math.floor(rng() * 5000);
        else body.toProbability = 0.03 + rng() * 0.94;
        if (rng() < 0.1) body.maxCostCents = Math.floor(rng() * 5000) - 2000;
        let replayOf: number | undefined;
        const mine = keysUsed.filter((k) => k.user === user.name && k.marketId === m.id);
        if (mine.length && rng() < 0.05) {
          const k = pick(mine);
          body.idempotencyKey = k.key;
          replayOf = k.tradeId;
        } else if (rng() < 0.2) {
          body.idempotencyKey = `${user.name}-${n}-${Math.floor(rng() * 1e9)}`;
        }
        const res = await user.client.post(`/api/markets/${m.id}/trades`, body);
        expect(res.status).toBeLessThan(500);
        if (res.status === 200) {
          ok200 += 1;
          const t = res.body.trade;
          const id = Number(t.id);
          if (replayOf !== undefined) {
            expect(id).toBe(replayOf);
            replays += 1;
            continue;
          }
          expect(seen.has(id)).toBe(false);
          expect(res.body.user.balanceCents).toBeGreaterThanOrEqual(0);
          if (body.amountCents !== undefined)
            expect(t.costCents).toBeLessThanOrEqual(body.amountCents as number);
          if (body.maxCostCents !== undefined)
            expect(t.costCents).toBeLessThanOrEqual(body.maxCostCents as number);
          seen.set(id, {
            id,
            username: user.name,
            marketId: m.id,
            outcomeId: t.outcomeId,
            shares: t.shares,
            costCents: t.costCents,
          });
          const tk = `${user.name}|${m.id}|${t.outcomeId}`;
          held.set(tk, (held.get(tk) ?? 0) + t.shares);
          if (typeof body.idempotencyKey === 'string') {
            keysUsed.push({
              user: user.name,
              marketId: m.id,
              key: body.idempotencyKey,
              tradeId: id,
            });
          }
        } else {
          const code: string = res.body.error.code;
          errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
          expect([
            'insufficient_funds',
            'insufficient_shares',
            'slippage',
            'validation_failed',
          ]).toContain(code);
          if (code === 'validation_failed') expect(res.body.error.message).toMatch(/empty/);
        }
      }
    };
    const started = Date.now();
    await Promise.all(
      users.flatMap((u) =>
        Array.from({ length: LANES_PER_USER }, () => lane(u, REQUESTS_PER_USER / LANES_PER_USER)),
      ),
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(60_000);

    // Most requests trade; the refusals are the guards doing their job.
    expect(seen.size).toBeGreaterThan(2000);
    expect(replays).toBeGreaterThan(0);
    expect(errorCodes.get('slippage')).toBeGreaterThan(0);
    expect(errorCodes.get('insufficient_shares')).toBeGreaterThan(0);
    expect(ok200).toBe(seen.size + replays);
    expect((await server.parity.ctx.store.tradeCount()) - tradesBefore).toBe(seen.size);
    expect(await ledgerInvariants(server.parity)).toEqual({
      total: 0,
      negativeUsers: 0,
      negativeMarkets: 0,
    });

    const trades = [...seen.values()];
    const bal = await balances();
    for (const u of users) {
      const spent = sum(trades.filter((t) => t.username === u.name).map((t) => t.costCents));
      expect(bal.get(u.name)).toBe(GRANT - spent);
    }

    const positions = positionsFromTrades();
    for (const m of MARKETS) {
      const market = (await admin.get(`/api/markets/${m.id}`)).body.market;
      const inMarket = trades.filter((t) => t.marketId === m.id);
      const rows = await sqlAll<{
        username: string;
        outcomeId: string;
        shares: number;
        costCents: number;
      }>(
        server.parity,
        `SELECT u.username, p.outcome_id AS "outcomeId", p.shares, p.cost_cents AS "costCents"
         FROM positions p JOIN users u ON u.id = p.user_id WHERE p.market_id = ?`,
        [m.id],
      );
      m.outcomes.forEach((o, i) => {
        const q = market.outcomes[i].shares;
        // q is the sum of the positions, and the sum of the confirmed trades.
        expect(
          Math.abs(q - sum(rows.filter((r) => r.outcomeId === o).map((r) => r.shares))),
        ).toBeLessThan(1e-6);
        expect(
          Math.abs(q - sum(inMarket.filter((t) => t.outcomeId === o).map((t) => t.shares))),
        ).toBeLessThan(1e-6);
      });
      for (const r of rows) {
        expect(r.shares).toBeGreaterThanOrEqual(0);
        const mine = positions.get(`${r.username}|${m.id}|${r.outcomeId}`)!;
        expect(r.shares).toBe(mine.shares);
        expect(r.costCents).toBe(mine.costCents);
      }
      // The market's account holds its subsidy plus the net cash of its trades.
      const account = await server.parity.ctx.store.balanceOf(`market:${m.id}`);
      expect(account).toBe(
        subsidyCents(m.liquidity, m.outcomes.length) + sum(inMarket.map((t) => t.costCents)),
      );
      expect(market.seq).toBe(inMarket.length);
      expect(market.volumeCents).toBe(sum(inMarket.map((t) => Math.abs(t.costCents))));
      expect((await admin.get(`/api/markets/${m.id}/history`)).body.points).toHaveLength(
        inMarket.length + 1,
      );
    }
  });

  it('pays each winning position once, refunds a cancellation, and leaves market accounts at zero', async () => {
    const store = server.parity.ctx.store;
    const before = await balances();
    const houseBefore = await store.balanceOf('house');
    const marketsBefore = sum(
      await Promise.all(MARKETS.map((m) => store.balanceOf(`market:${m.id}`))),
    );
    const positions = positionsFromTrades();
    const expected = new Map<string, number>();
    const owe = (user: string, cents: number) =>
      expected.set(user, (expected.get(user) ?? 0) + cents);

    const plan: [string, string | null][] = [
      ['load-a', 'yes'],
      ['load-b', 'no'],
      ['load-c', null],
      ['load-d', 'moonshot'],
    ];
    expect((await admin.post('/api/markets/load-a/close', {})).status).toBe(200);
    let paidTotal = 0;
    for (const [marketId, outcomeId] of plan) {
      const perUser = new Map<string, number>();
      for (const [key, p] of positions) {
        const [user, mId, oId] = key.split('|') as [string, string, string];
        if (mId !== marketId) continue;
        // Resolved: floor(100 · shares) per winning share; cancelled: net cost back, never below 0.
        if (outcomeId === null) perUser.set(user, (perUser.get(user) ?? 0) + p.costCents);
        else if (oId === outcomeId)
          perUser.set(user, (perUser.get(user) ?? 0) + payoutCents(p.shares));
      }
      const want = [...perUser]
        .filter(([, c]) => c > 0)
        .map(([username, amountCents]) => ({ username, amountCents }));
      const res = await admin.post(
        `/api/markets/${marketId}/resolve`,
        outcomeId === null ? { cancel: true } : { outcomeId },
      );
      expect(res.status).toBe(200);
      expect(res.body.market.status).toBe(outcomeId === null ? 'cancelled' : 'resolved');
      const got = res.body.payouts.map((p: any) => ({
        username: p.username,
        amountCents: p.amountCents,
      }));
      const byName = (a: { username: string }, b: { username: string }) =>
        a.username.localeCompare(b.username);
      expect(got.sort(byName)).toEqual(want.sort(byName));
      for (const w of want) owe(w.username, w.amountCents);
      paidTotal += sum(want.map((w) => w.amountCents));
      expect(await store.balanceOf(`market:${marketId}`)).toBe(0);
    }

    expect(await ledgerInvariants(server.parity)).toEqual({
      total: 0,
      negativeUsers: 0,
      negativeMarkets: 0,
    });
    const after = await balances();
    for (const u of users)
      expect(after.get(u.name)).toBe(before.get(u.name)! + (expected.get(u.name) ?? 0));
    // The house receives every market's leftover and pays whatever the markets lacked.
    expect((await store.balanceOf('house')) - houseBefore).toBe(marketsBefore - paidTotal);

    // Paying again is refused, and nothing moves.
    const again = await admin.post('/api/markets/load-a/resolve', { outcomeId: 'no' });
    expect(again.status).toBe(409);
    expect(await balances()).toEqual(after);

    // Undoing a resolution restores the accounts exactly as they were before it.
    const aBefore = sum(trades('load-a').map((t) => t.costCents)) + subsidyCents(50, 2);
    const un = await admin.post('/api/markets/load-a/unresolve', { note: 'test undo' });
    expect(un.status).toBe(200);
    expect(await store.balanceOf('market:load-a')).toBe(aBefore);
    expect((await ledgerInvariants(server.parity)).total).toBe(0);
    const reResolved = await admin.post('/api/markets/load-a/resolve', { outcomeId: 'no' });
    expect(reResolved.status).toBe(200);
    expect(await store.balanceOf('market:load-a')).toBe(0);
    expect(await ledgerInvariants(server.parity)).toEqual({
      total: 0,
      negativeUsers: 0,
      negativeMarkets: 0,
    });

    // Undoing the cancellation takes the refunds back; resolving instead pays the winners.
    const beforeUndo = await balances();
    const undoCancel = await admin.post('/api/markets/load-c/unresolve', {});
    expect(undoCancel.status).toBe(200);
    expect(undoCancel.body.market.status).toBe('closed');
    const cTrades = trades('load-c');
    for (const u of users) {
      const net = sum(cTrades.filter((t) => t.username === u.name).map((t) => t.costCents));
      const now = (await u.client.get('/api/me')).body.user.balanceCents;
      expect(now).toBe(beforeUndo.get(u.name)! - Math.max(0, net));
    }
    const cHeld = subsidyCents(100, 2) + sum(cTrades.map((t) => t.costCents));
    expect(await store.balanceOf('market:load-c')).toBe(cHeld);
    expect((await admin.post('/api/markets/load-c/resolve', { outcomeId: 'yes' })).status).toBe(
      200,
    );
    expect(await store.balanceOf('market:load-c')).toBe(0);
    expect(await ledgerInvariants(server.parity)).toEqual({
      total: 0,
      negativeUsers: 0,
      negativeMarkets: 0,
    });
  });
});

function trades(marketId: string): TradeSeen[] {
  return [...seen.values()].filter((t) => t.marketId === marketId);
}
