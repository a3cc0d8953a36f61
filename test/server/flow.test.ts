import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costToBuy, prices } from '../../shared/lmsr.ts';
import { buyerPaysCents, subsidyCents } from '../../shared/money.ts';
import {
  ADMIN,
  adminClient,
  Client,
  ledgerInvariants,
  startServer,
  type TestServer,
} from '../helpers/server.ts';

let server: TestServer;
let admin: Client;
const future = () => new Date(Date.now() + 30 * 86400_000).toISOString();

beforeAll(async () => {
  server = await startServer();
  admin = await adminClient(server.url);
});
afterAll(() => server.close());

describe('the whole flow', () => {
  it('serves health and the seeded markets with their claims', async () => {
    const c = new Client(server.url);
    const h = await c.get('/api/health');
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ ok: true });
    const list = await c.get('/api/markets');
    expect(list.status).toBe(200);
    expect(list.body.markets.length).toBeGreaterThanOrEqual(8);
    const m = list.body.markets.find((x: any) => x.id === 'china-matches-us-frontier-q1-2027');
    expect(m.claims.length).toBeGreaterThan(0);
    expect(m.outcomes.map((o: any) => o.id)).toEqual(['yes', 'no']);
  });

  it('registers a trader with the starting grant and a session cookie', async () => {
    const c = new Client(server.url);
    const r = await c.register('alice');
    expect(r.body.user).toMatchObject({ username: 'alice', role: 'trader', balanceCents: 100_000 });
    expect(r.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect(r.headers.get('set-cookie')).toMatch(/SameSite=Lax/i);
    const me = await c.get('/api/me');
    expect(me.body.user.username).toBe('alice');
    expect(me.body.positions).toEqual([]);
    const dup = await new Client(server.url).post('/api/auth/register', {
      username: 'alice',
      password: 'password-123',
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('conflict');
  });

  it('trades three ways, sells, and pays what the LMSR says, rounded up', async () => {
    const created = await admin.post('/api/markets', {
      question: 'Will the flow test pass?',
      closesAt: future(),
      liquidity: 100,
      id: 'flow-test',
    });
    expect(created.status).toBe(201);
    expect(created.body.market.outcomes.map((o: any) => o.probability)).toEqual([0.5, 0.5]);

    const bob = new Client(server.url);
    await bob.register('bob');
    // b = 100, q = (0, 0): buying 10 yes costs 100 ln((e^0.1 + 1)/2) = 5.12495 → 513 cents.
    const t1 = await bob.post('/api/markets/flow-test/trades', { outcomeId: 'yes', shares: 10 });
    expect(t1.status).toBe(200);
    expect(t1.body.trade.costCents).toBe(513);
    expect(t1.body.market.outcomes[0].probability).toBeCloseTo(0.524979, 6);
    expect(t1.body.user.balanceCents).toBe(100_000 - 513);
    expect(t1.body.market.seq).toBe(1);

    // Spend 10 credits on no: the cost never exceeds the amount.
    const t2 = await bob.post('/api/markets/flow-test/trades', {
      outcomeId: 'no',
      amountCents: 1000,
    });
    expect(t2.status).toBe(200);
    expect(t2.body.trade.costCents).toBeLessThanOrEqual(1000);
    expect(t2.body.trade.costCents).toBeGreaterThanOrEqual(999);

    // Move P(yes) to 70%.
    const t3 = await bob.post('/api/markets/flow-test/trades', {
      outcomeId: 'yes',
      toProbability: 0.7,
    });
    expect(t3.status).toBe(200);
    expect(t3.body.market.outcomes[0].probability).toBeCloseTo(0.7, 9);

    // Sell 5 yes: proceeds are negative cost, rounded down in magnitude.
    const q = t3.body.market.outcomes.map((o: any) => o.shares);
    const expected = -Math.floor(-costToBuy(q, 100, 0, -5) * 100);
    const t4 = await bob.post('/api/markets/flow-test/trades', { outcomeId: 'yes', shares: -5 });
    expect(t4.status).toBe(200);
    expect(t4.body.trade.costCents).toBe(expected);
    expect(t4.body.trade.shares).toBe(-5);

    const me = await bob.get('/api/me');
    const yes = me.body.positions.find((p: any) => p.outcomeId === 'yes');
    expect(yes.shares).toBeCloseTo(10 + t3.body.trade.shares - 5, 9);
    const spent = [t1, t2, t3, t4].reduce((a, t) => a + t.body.trade.costCents, 0);
    expect(me.body.user.balanceCents).toBe(100_000 - spent);

    const hist = await bob.get('/api/markets/flow-test/history');
    expect(hist.body.points).toHaveLength(5);
    const trades = await bob.get('/api/markets/flow-test/trades?limit=2');
    expect(trades.body.trades.map((t: any) => t.id)).toEqual([t4.body.trade.id, t3.body.trade.id]);
  });

  it('quotes without changing anything', async () => {
    const before = (await admin.get('/api/markets/flow-test')).body.market;
    const anon = new Client(server.url);
    const q = await anon.post('/api/markets/flow-test/quote', { outcomeId: 'yes', shares: 3 });
    expect(q.status).toBe(200);
    const p = before.outcomes.map((o: any) => o.shares);
    expect(q.body.costCents).toBe(buyerPaysCents(costToBuy(p, 100, 0, 3)));
    expect(q.body.probabilities[0]).toBeCloseTo(prices([p[0] + 3, p[1]], 100)[0]!, 12);
    const after = (await admin.get('/api/markets/flow-test')).body.market;
    expect(after.seq).toBe(before.seq);
  });

  it('records forecasts and a community aggregate', async () => {
    const c1 = new Client(server.url);
    await c1.register('carol');
    const c2 = new Client(server.url);
    await c2.register('dave');
    const f1 = await c1.post('/api/markets/flow-test/forecasts', {
      probability: 0.8,
      comment: 'GLM-5.2 says so',
    });
    expect(f1.status).toBe(201);
    expect(f1.body.forecast.probabilities).toEqual([0.8, expect.closeTo(0.2, 12)]);
    await c2.post('/api/markets/flow-test/forecasts', { probability: 0.6 });
    const list = await c1.get('/api/markets/flow-test/forecasts');
    expect(list.body.forecasts).toHaveLength(2);
    expect(list.body.community.count).toBe(2);
    // N = 2: unweighted median of 0.8 and 0.6 = 0.7.
    expect(list.body.community.probabilities[0]).toBeCloseTo(0.7, 9);
  });

  it("lists a user's forecasts over every market, newest first, for anyone", async () => {
    const greta = new Client(server.url);
    await greta.register('greta');
    const seeded = 'zhipu-hk-1t-end-2026';
    for (const [id, p] of [
      ['flow-test', 0.3],
      [seeded, 0.55],
      ['flow-test', 0.35],
    ] as const) {
      expect((await greta.post(`/api/markets/${id}/forecasts`, { probability: p })).status).toBe(
        201,
      );
    }
    const anyone = new Client(server.url);
    const all = await anyone.get('/api/users/greta/forecasts');
    expect(all.status).toBe(200);
    expect(all.body.forecasts.map((f: any) => [f.marketId, f.probabilities[0]])).toEqual([
      ['flow-test', 0.35],
      [seeded, 0.55],
      ['flow-test', 0.3],
    ]);
    expect(all.body.forecasts.every((f: any) => f.username === 'greta')).toBe(true);
    const latest = await anyone.get('/api/users/greta/forecasts?limit=1');
    expect(latest.body.forecasts.map((f: any) => f.probabilities[0])).toEqual([0.35]);
    // Someone else's forecasts never show up, nor do a stranger's.
    expect((await anyone.get('/api/users/carol/forecasts')).body.forecasts).toHaveLength(1);
    const nobody = await anyone.get('/api/users/nobody/forecasts');
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.code).toBe('not_found');
    for (const bad of ['limit=0', 'limit=1001', 'limit=x', 'page=2']) {
      const r = await anyone.get(`/api/users/greta/forecasts?${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
  });

  it('closes, resolves, pays each winning share 100 cents once, and returns the leftover', async () => {
    const bob = new Client(server.url);
    await bob.login('bob', 'password-123');
    const before = (await bob.get('/api/me')).body;
    const yes = before.positions.find((p: any) => p.outcomeId === 'yes').shares;

    const closed = await admin.post('/api/markets/flow-test/close', {});
    expect(closed.body.market.status).toBe('closed');
    const late = await bob.post('/api/markets/flow-test/trades', { outcomeId: 'yes', shares: 1 });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('market_not_open');

    const res = await admin.post('/api/markets/flow-test/resolve', {
      outcomeId: 'yes',
      note: 'it passed',
    });
    expect(res.status).toBe(200);
    expect(res.body.market.status).toBe('resolved');
    const payout = res.body.payouts.find((p: any) => p.username === 'bob');
    expect(payout.amountCents).toBe(Math.floor(yes * 100));
    const after = (await bob.get('/api/me')).body;
    expect(after.user.balanceCents).toBe(before.user.balanceCents + payout.amountCents);

    const again = await admin.post('/api/markets/flow-test/resolve', { outcomeId: 'no' });
    expect(again.status).toBe(409);
    expect((await bob.get('/api/me')).body.user.balanceCents).toBe(after.user.balanceCents);

    const account = await server.parity.ctx.store.balanceOf('market:flow-test');
    expect(account).toBe(0);
    expect(await ledgerInvariants(server.parity)).toMatchObject({
      total: 0,
      negativeUsers: 0,
      negativeMarkets: 0,
    });

    const audit = await admin.get('/api/audit');
    expect(audit.body.entries[0]).toMatchObject({
      actor: ADMIN.username,
      action: 'market.resolve',
      marketId: 'flow-test',
    });
  });

  it('scores the resolved market: users, the market, the crowd', async () => {
    const s = await admin.get('/api/markets/flow-test/scores');
    expect(s.status).toBe(200);
    const carol = s.body.users.find((u: any) => u.username === 'carol');
    // Carol said 0.8 on a yes: Brier (0.8 - 1)^2 = 0.04 while her forecast stood.
    expect(carol.brier).toBeCloseTo(0.04, 9);
    expect(carol.log).toBeCloseTo(Math.log(0.8), 9);
    expect(s.body.market.brier).not.toBeNull();
    expect(s.body.community.brier).not.toBeNull();
    const board = await admin.get('/api/leaderboard?metric=brier');
    expect(board.body.entries[0].username).toBe('carol');
    const profit = await admin.get('/api/leaderboard');
    expect(profit.body.entries.find((e: any) => e.username === 'bob')).toBeDefined();
    const profile = await admin.get('/api/users/carol');
    expect(profile.body.stats.forecasts).toBe(1);
    expect(profile.body.stats.brier).toBeCloseTo(0.04, 9);
    expect(profile.body.stats.calibration).toEqual([
      expect.objectContaining({ count: 1, observed: 1, predicted: 0.8 }),
    ]);
    expect(profile.body.user).not.toHaveProperty('balanceCents');
  });

  it('undoes a resolution with compensating entries, and a negative balance blocks buying', async () => {
    const bob = new Client(server.url);
    await bob.login('bob', 'password-123');
    const paid = (await bob.get('/api/me')).body.user.balanceCents;
    const un = await admin.post('/api/markets/flow-test/unresolve', { note: 'wrong source' });
    expect(un.status).toBe(200);
    expect(un.body.market.status).toBe('closed');
    expect(un.body.market.resolution).toBeNull();
    const after = (await bob.get('/api/me')).body.user.balanceCents;
    expect(after).toBeLessThan(paid);
    const again = await admin.post('/api/markets/flow-test/resolve', { outcomeId: 'no' });
    expect(again.status).toBe(200);
    expect((await ledgerInvariants(server.parity)).total).toBe(0);
  });

  it('cancels with net refunds, never negative, the house absorbing the difference', async () => {
    await admin.post('/api/markets', {
      question: 'Will it be cancelled?',
      closesAt: future(),
      id: 'cancel-me',
    });
    const erin = new Client(server.url);
    await erin.register('erin');
    const frank = new Client(server.url);
    await frank.register('frank');
    const e1 = await erin.post('/api/markets/cancel-me/trades', {
      outcomeId: 'yes',
      amountCents: 5000,
    });
    const f1 = await frank.post('/api/markets/cancel-me/trades', {
      outcomeId: 'yes',
      amountCents: 3000,
    });
    // Erin sells at the higher price frank left: she gains, so she is refunded nothing.
    const e2 = await erin.post('/api/markets/cancel-me/trades', {
      outcomeId: 'yes',
      shares: -e1.body.trade.shares,
    });
    const erinNet = e1.body.trade.costCents + e2.body.trade.costCents;
    expect(erinNet).toBeLessThan(0);
    const res = await admin.post('/api/markets/cancel-me/resolve', {
      cancel: true,
      note: 'ambiguous',
    });
    expect(res.status).toBe(200);
    expect(res.body.market.status).toBe('cancelled');
    expect(res.body.market.resolution.outcomeId).toBeNull();
    expect(res.body.payouts).toEqual([
      { userId: expect.any(String), username: 'frank', amountCents: f1.body.trade.costCents },
    ]);
    expect((await frank.get('/api/me')).body.user.balanceCents).toBe(100_000);
    expect((await erin.get('/api/me')).body.user.balanceCents).toBe(100_000 - erinNet);
    expect(await server.parity.ctx.store.balanceOf('market:cancel-me')).toBe(0);
    expect(await ledgerInvariants(server.parity)).toMatchObject({ total: 0, negativeUsers: 0 });
  });

  it('subsidises each market with its worst-case loss, rounded up', async () => {
    await admin.post('/api/markets', {
      question: 'Which lab?',
      closesAt: future(),
      outcomes: ['A', 'B', 'C'],
      liquidity: 50,
      id: 'three-way',
    });
    // 100 * 50 * ln 3 = 5493.06 → 5494 cents.
    expect(subsidyCents(50, 3)).toBe(5494);
    expect(await server.parity.ctx.store.balanceOf('market:three-way')).toBe(5494);
  });
});
