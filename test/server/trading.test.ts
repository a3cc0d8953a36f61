import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminClient,
  Client,
  ledgerInvariants,
  startServer,
  stateSnapshot,
  type TestServer,
} from '../helpers/server.ts';

// The server's clock runs `offsetMs` ahead of the real one, so a test can jump past a close time.
let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);
const future = (ms = 30 * 86400_000) => new Date(now().getTime() + ms).toISOString();

let server: TestServer;
let admin: Client;
let counter = 0;

beforeAll(async () => {
  server = await startServer({ now });
  admin = await adminClient(server.url);
});
afterAll(() => server.close());

/** A new binary market (b = 100 unless given) with a unique id. */
async function market(extra: Record<string, unknown> = {}): Promise<string> {
  const id = `t-${++counter}`;
  const r = await admin.post('/api/markets', {
    question: `Trading test ${id}?`,
    closesAt: future(),
    id,
    ...extra,
  });
  expect(r.status).toBe(201);
  return id;
}

/** A newly registered trader with the default 1,000-credit grant. */
async function trader(): Promise<Client> {
  const c = new Client(server.url);
  await c.register(`trader_${++counter}`);
  return c;
}

const balance = async (c: Client): Promise<number> =>
  (await c.get('/api/me')).body.user.balanceCents;

function expectError(r: { status: number; body: any }, status: number, code: string) {
  expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status, code });
}

describe('idempotent retries', () => {
  it('returns the first trade for a sequential retry and charges once', async () => {
    const id = await market();
    const c = await trader();
    const before = await stateSnapshot(server.parity);
    const body = { outcomeId: 'yes', shares: 10, idempotencyKey: 'retry-1' };
    const first = await c.post(`/api/markets/${id}/trades`, body);
    const second = await c.post(`/api/markets/${id}/trades`, body);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    // 10 yes at b = 100 from (0, 0): 100 ln((e^0.1 + 1) / 2) = 5.12495 credits → 513 cents.
    expect(first.body.trade.costCents).toBe(513);
    expect(await balance(c)).toBe(100_000 - 513);
    expect((await stateSnapshot(server.parity)).trades - before.trades).toBe(1);
    // A retry whose body changed still answers with the first trade: the key names the intent.
    const changed = await c.post(`/api/markets/${id}/trades`, { ...body, shares: 50 });
    expect(changed.body.trade).toEqual(first.body.trade);
    expect(await balance(c)).toBe(100_000 - 513);
  });

  it('makes one trade from concurrent requests with the same key', async () => {
    const id = await market();
    const c = await trader();
    const before = await stateSnapshot(server.parity);
    const body = { outcomeId: 'no', amountCents: 2500, idempotencyKey: 'burst' };
    const all = await Promise.all(
      Array.from({ length: 12 }, () => c.post(`/api/markets/${id}/trades`, body)),
    );
    expect(all.map((r) => r.status)).toEqual(Array(12).fill(200));
    for (const r of all) expect(r.body).toEqual(all[0]!.body);
    const cost = all[0]!.body.trade.costCents;
    expect(cost).toBeLessThanOrEqual(2500);
    expect(await balance(c)).toBe(100_000 - cost);
    const after = await stateSnapshot(server.parity);
    expect(after.trades - before.trades).toBe(1);
    expect(after[`seq:${id}`]).toBe(1);
  });

  it('keeps keys per user and refuses a key reused on another market', async () => {
    const a = await market();
    const b = await market();
    const c1 = await trader();
    const c2 = await trader();
    const t1 = await c1.post(`/api/markets/${a}/trades`, {
      outcomeId: 'yes',
      shares: 1,
      idempotencyKey: 'shared',
    });
    const t2 = await c2.post(`/api/markets/${a}/trades`, {
      outcomeId: 'yes',
      shares: 1,
      idempotencyKey: 'shared',
    });
    expect(t1.status).toBe(200);
    expect(t2.status).toBe(200);
    expect(t2.body.trade.id).not.toBe(t1.body.trade.id);
    const before = await stateSnapshot(server.parity);
    const other = await c1.post(`/api/markets/${b}/trades`, {
      outcomeId: 'yes',
      shares: 1,
      idempotencyKey: 'shared',
    });
    expectError(other, 409, 'conflict');
    expect(await stateSnapshot(server.parity)).toEqual(before);
  });

  it('lets a key be used again after its first attempt failed', async () => {
    const id = await market();
    const c = await trader();
    const failed = await c.post(`/api/markets/${id}/trades`, {
      outcomeId: 'yes',
      shares: 10,
      maxCostCents: 1,
      idempotencyKey: 'k',
    });
    expectError(failed, 409, 'slippage');
    const ok = await c.post(`/api/markets/${id}/trades`, {
      outcomeId: 'yes',
      shares: 10,
      idempotencyKey: 'k',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.trade.costCents).toBe(513);
  });
});

describe('guards', () => {
  it('refuses a trade above maxCostCents with 409 slippage and changes nothing', async () => {
    const id = await market();
    const c = await trader();
    const q = await c.post(`/api/markets/${id}/quote`, { outcomeId: 'yes', shares: 10 });
    expect(q.body.costCents).toBe(513);
    const before = await stateSnapshot(server.parity);
    const r = await c.post(`/api/markets/${id}/trades`, {
      outcomeId: 'yes',
      shares: 10,
      maxCostCents: 512,
    });
    expectError(r, 409, 'slippage');
    expect(r.body.error.details).toMatchObject({ costCents: 513, maxCostCents: 512 });
    expect(await stateSnapshot(server.parity)).toEqual(before);
    const exact = await c.post(`/api/markets/${id}/trades`, {
      outcomeId: 'yes',
      shares: 10,
      maxCostCents: 513,
    });
    expect(exact.status).toBe(200);
    // A seller's floor: maxCostCents below the (negative) cost asks for more proceeds than offered.
    const sellQuote = await c.post(`/api/markets/${id}/quote`, { outcomeId: 'yes', shares: -10 });
    const proceeds = -sellQuote.body.costCents;
    // Selling back the same 10 from (10, 0) returns at most the 513 paid, rounded down: 512.
    expect(proceeds).toBe(512);
    const mid = await stateSnapshot(server.parity);
    const tooGreedy = await c.post(`/api/markets/${id}/trades`, {
      outcomeId: 'yes',
      shares: -10,
      maxCostCents: -(proceeds + 1),
    });
    expectError(tooGreedy, 409, 'slippage');
    expect(await stateSnapshot(server.parity)).toEqual(mid);
    const sold = await c.post(`/api/markets/${id}/trades`, {
      outcomeId: 'yes',
      shares: -10,
      maxCostCents: -proceeds,
    });
    expect(sold.status).toBe(200);
    expect(await balance(c)).toBe(100_000 - 513 + 512);
  });

  it('refuses a buy the balance cannot pay with 409 insufficient_funds and changes nothing', async () => {
    const id = await market();
    const c = await trader();
    const before = await stateSnapshot(server.parity);
    // 2000 yes at b = 100 cost 100 ln((e^20 + 1) / 2) ≈ 1930.69 credits, above the 1,000 granted.
    const big = await c.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: 2000 });
    expectError(big, 409, 'insufficient_funds');
    expect(big.body.error.details).toMatchObject({ costCents: 193_069, balanceCents: 100_000 });
    const over = await c.post(`/api/markets/${id}/trades`, {
      outcomeId: 'yes',
      amountCents: 100_001,
    });
    expectError(over, 409, 'insufficient_funds');
    expect(await stateSnapshot(server.parity)).toEqual(before);
    // Spending exactly the whole balance is allowed and leaves it at zero or one cent.
    const all = await c.post(`/api/markets/${id}/trades`, {
      outcomeId: 'yes',
      amountCents: 100_000,
    });
    expect(all.status).toBe(200);
    expect(all.body.user.balanceCents).toBeGreaterThanOrEqual(0);
    expect(all.body.user.balanceCents).toBeLessThanOrEqual(1);
    expectError(
      await c.post(`/api/markets/${id}/trades`, { outcomeId: 'no', shares: 5 }),
      409,
      'insufficient_funds',
    );
  });

  it('refuses to sell shares not held with 409 insufficient_shares', async () => {
    const id = await market();
    const c = await trader();
    const before = await stateSnapshot(server.parity);
    expectError(
      await c.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: -1 }),
      409,
      'insufficient_shares',
    );
    expect(await stateSnapshot(server.parity)).toEqual(before);
    await c.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: 5 });
    const mid = await stateSnapshot(server.parity);
    const r = await c.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: -6 });
    expectError(r, 409, 'insufficient_shares');
    expect(r.body.error.details).toEqual({ held: 5 });
    // Holding yes does not allow selling no.
    expectError(
      await c.post(`/api/markets/${id}/trades`, { outcomeId: 'no', shares: -1 }),
      409,
      'insufficient_shares',
    );
    expect(await stateSnapshot(server.parity)).toEqual(mid);
    const all = await c.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: -5 });
    expect(all.status).toBe(200);
    expect((await c.get('/api/me')).body.positions.filter((p: any) => p.marketId === id)).toEqual(
      [],
    );
    // Another trader's shares are not this one's to sell.
    const other = await trader();
    await other.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: 5 });
    expectError(
      await c.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: -1 }),
      409,
      'insufficient_shares',
    );
  });

  it('lowers P(yes) by buying no when the trader holds no yes shares', async () => {
    const id = await market();
    const c = await trader();
    const r = await c.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', toProbability: 0.3 });
    expect(r.status).toBe(200);
    expect(r.body.trade.outcomeId).toBe('no');
    // Δ_no = b (logit 0.7 − logit 0.5) = 100 ln(7/3) = 84.7298 shares.
    expect(r.body.trade.shares).toBeCloseTo(100 * Math.log(7 / 3), 9);
    // Cost 100 ln((1 + 7/3) / 2) = 100 ln(5/3) = 51.0826 credits → 5109 cents.
    expect(r.body.trade.costCents).toBe(5109);
    expect(r.body.market.outcomes[0].probability).toBeCloseTo(0.3, 12);
    const me = (await c.get('/api/me')).body;
    expect(me.positions).toEqual([
      { marketId: id, outcomeId: 'no', shares: r.body.trade.shares, costCents: 5109 },
    ]);
  });

  it('lowers P(yes) by selling yes when the trader holds enough', async () => {
    const id = await market();
    const c = await trader();
    const buy = await c.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: 100 });
    // p_yes = 1 / (1 + e^-1) = 0.731059 after 100 yes at b = 100.
    expect(buy.body.market.outcomes[0].probability).toBeCloseTo(0.731059, 6);
    const r = await c.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', toProbability: 0.5 });
    expect(r.status).toBe(200);
    expect(r.body.trade.outcomeId).toBe('yes');
    // Back to 0.5 means q_yes = q_no: selling exactly the 100 bought.
    expect(r.body.trade.shares).toBeCloseTo(-100, 9);
    expect(r.body.market.outcomes[0].probability).toBeCloseTo(0.5, 12);
  });

  it('refuses to lower an outcome of a multiple-choice market without its shares', async () => {
    const id = await market({ outcomes: ['Zhipu', 'DeepSeek', 'Moonshot'] });
    const c = await trader();
    const r = await c.post(`/api/markets/${id}/trades`, { outcomeId: 'zhipu', toProbability: 0.2 });
    expectError(r, 409, 'insufficient_shares');
    const up = await c.post(`/api/markets/${id}/trades`, {
      outcomeId: 'zhipu',
      toProbability: 0.5,
    });
    expect(up.status).toBe(200);
    expect(up.body.market.outcomes[0].probability).toBeCloseTo(0.5, 12);
    // From 1/3 to 1/2 with two others at 1/3: Δ = b (logit 0.5 − logit 1/3) = 100 ln 2.
    expect(up.body.trade.shares).toBeCloseTo(100 * Math.log(2), 9);
  });

  it('never charges more than amountCents (property over amounts and outcomes)', async () => {
    const id = await market({ liquidity: 40 });
    const c = await trader();
    let spent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2000 }),
        fc.constantFrom('yes', 'no'),
        async (amount, outcomeId) => {
          const r = await c.post(`/api/markets/${id}/trades`, { outcomeId, amountCents: amount });
          expect(r.status).toBe(200);
          expect(r.body.trade.costCents).toBeLessThanOrEqual(amount);
          // The budget's closed form is exact up to float noise, so at most a cent is left unspent.
          expect(r.body.trade.costCents).toBeGreaterThanOrEqual(amount - 1);
          spent += r.body.trade.costCents;
          expect(r.body.user.balanceCents).toBe(100_000 - spent);
        },
      ),
      { numRuns: 40 },
    );
    const mid = await market({ outcomes: ['A', 'B', 'C', 'D'], liquidity: 7 });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 100_000_000_000 }),
        fc.constantFrom('yes', 'no', 'a', 'b', 'c', 'd'),
        async (amount, outcomeId) => {
          const target = outcomeId === 'yes' || outcomeId === 'no' ? id : mid;
          const r = await new Client(server.url).post(`/api/markets/${target}/quote`, {
            outcomeId,
            amountCents: amount,
          });
          expect(r.status).toBe(200);
          expect(r.body.costCents).toBeLessThanOrEqual(amount);
          // Huge budgets are shrunk in relative steps of 1e-9 to fit under the cap.
          expect(r.body.costCents).toBeGreaterThanOrEqual(Math.floor(amount * (1 - 1e-8)) - 1);
          expect(r.body.shares).toBeGreaterThan(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('solvency', () => {
  it('pays every resolution from the market account alone, whatever the trades (property)', async () => {
    const step = fc.record({
      who: fc.integer({ min: 0, max: 1 }),
      outcome: fc.integer({ min: 0, max: 2 }),
      kind: fc.constantFrom('buy', 'sell', 'amount', 'to'),
      x: fc.double({ min: 0.001, max: 1, noNaN: true }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 3, 50),
        fc.constantFrom(2, 3),
        fc.array(step, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 2 }),
        async (liquidity, n, steps, winIndex) => {
          const outcomeIds = n === 2 ? ['yes', 'no'] : ['a', 'b', 'c'];
          const id = await market(
            n === 2 ? { liquidity } : { liquidity, outcomes: ['A', 'B', 'C'] },
          );
          const people = [await trader(), await trader()];
          const held = new Map<string, number>();
          for (const s of steps) {
            const outcomeId = outcomeIds[s.outcome % n]!;
            const key = `${s.who}|${outcomeId}`;
            const body: Record<string, unknown> = { outcomeId };
            if (s.kind === 'buy') body.shares = s.x * 20 * liquidity;
            else if (s.kind === 'sell') body.shares = -Math.max(s.x * (held.get(key) ?? 0), 0.01);
            else if (s.kind === 'amount') body.amountCents = 1 + Math.floor(s.x * 3000);
            else body.toProbability = 0.01 + 0.98 * s.x;
            const r = await people[s.who]!.post(`/api/markets/${id}/trades`, body);
            expect(r.status).toBeLessThan(500);
            if (r.status === 200) {
              const k = `${s.who}|${r.body.trade.outcomeId}`;
              held.set(k, (held.get(k) ?? 0) + r.body.trade.shares);
            }
          }
          const res = await admin.post(`/api/markets/${id}/resolve`, {
            outcomeId: outcomeIds[winIndex % n],
          });
          expect(res.status).toBe(200);
          const entry = (await admin.get('/api/audit?limit=20')).body.entries.find(
            (e: any) => e.marketId === id && e.action === 'market.resolve',
          );
          // The subsidy b ln n covers the market maker's worst case and every rounding favours
          // the market, so the house never has to add money to pay a resolution.
          expect(entry.detail.houseTopUpCents).toBe(0);
          expect(entry.detail.leftover).toBeGreaterThanOrEqual(0);
          expect(await server.parity.ctx.store.balanceOf(`market:${id}`)).toBe(0);
        },
      ),
      { numRuns: 20 },
    );
    expect(await ledgerInvariants(server.parity)).toEqual({
      total: 0,
      negativeUsers: 0,
      negativeMarkets: 0,
    });
  });
});

describe('markets that are not open', () => {
  it('refuses trades, quotes and forecasts on closed, resolved and cancelled markets', async () => {
    const c = await trader();
    const ids = { closed: await market(), resolved: await market(), cancelled: await market() };
    for (const id of Object.values(ids)) {
      expect(
        (await c.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: 5 })).status,
      ).toBe(200);
    }
    expect((await admin.post(`/api/markets/${ids.closed}/close`, {})).status).toBe(200);
    expect(
      (await admin.post(`/api/markets/${ids.resolved}/resolve`, { outcomeId: 'no' })).status,
    ).toBe(200);
    expect(
      (await admin.post(`/api/markets/${ids.cancelled}/resolve`, { cancel: true })).status,
    ).toBe(200);
    const before = await stateSnapshot(server.parity);
    for (const [status, id] of Object.entries(ids)) {
      expect((await c.get(`/api/markets/${id}`)).body.market.status).toBe(status);
      for (const body of [
        { outcomeId: 'yes', shares: 1 },
        { outcomeId: 'yes', shares: -1 },
        { outcomeId: 'no', amountCents: 100 },
        { outcomeId: 'yes', toProbability: 0.9 },
      ]) {
        expectError(await c.post(`/api/markets/${id}/trades`, body), 409, 'market_not_open');
        expectError(await c.post(`/api/markets/${id}/quote`, body), 409, 'market_not_open');
      }
      expectError(
        await c.post(`/api/markets/${id}/forecasts`, { probability: 0.4 }),
        409,
        'market_not_open',
      );
      expectError(await admin.post(`/api/markets/${id}/close`, {}), 409, 'market_not_open');
    }
    expect(await stateSnapshot(server.parity)).toEqual(before);
  });

  it('closes a market at closesAt by its timer, without any request', async () => {
    const id = await market({ closesAt: future(1500) });
    const c = await trader();
    expect(
      (await c.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: 1 })).status,
    ).toBe(200);
    // Reads by store, not HTTP: an HTTP read must not be what closes it.
    const status = async () => (await server.parity.ctx.store.market(id))!.status;
    const deadline = Date.now() + 5000;
    while ((await status()) === 'open' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(await status()).toBe('closed');
    const audit = (await admin.get('/api/audit')).body.entries.find(
      (e: any) => e.marketId === id && e.action === 'market.close',
    );
    expect(audit.actor).toBe('system');
    expectError(
      await c.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: 1 }),
      409,
      'market_not_open',
    );
  });

  it('refuses a trade once the clock passes closesAt, even before the timer fires', async () => {
    const id = await market({ closesAt: future(3600_000) });
    const c = await trader();
    expect(
      (await c.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: 1 })).status,
    ).toBe(200);
    const before = (await c.get(`/api/markets/${id}`)).body.market;
    offsetMs = 2 * 3600_000;
    try {
      const r = await c.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: 1 });
      expectError(r, 409, 'market_not_open');
      expectError(
        await c.post(`/api/markets/${id}/forecasts`, { probability: 0.3 }),
        409,
        'market_not_open',
      );
      const after = (await c.get(`/api/markets/${id}`)).body.market;
      expect(after.status).toBe('closed');
      expect(after.seq).toBe(before.seq + 1);
      expect(after.outcomes).toEqual(before.outcomes);
    } finally {
      offsetMs = 0;
    }
  });
});

describe('negative balances after an undone resolution', () => {
  it('blocks buying until sells bring the balance back above zero', async () => {
    const m1 = await market();
    const m2 = await market();
    const c = await trader();
    // 1000 yes at b = 100 cost 100 ln((e^10 + 1) / 2) = 930.6898 credits → 93069 cents.
    const buy = await c.post(`/api/markets/${m1}/trades`, { outcomeId: 'yes', shares: 1000 });
    expect(buy.body.trade.costCents).toBe(93_069);
    await admin.post(`/api/markets/${m1}/resolve`, { outcomeId: 'yes' });
    expect(await balance(c)).toBe(100_000 - 93_069 + 100_000);
    const spend = await c.post(`/api/markets/${m2}/trades`, {
      outcomeId: 'no',
      amountCents: 100_000,
    });
    expect(spend.status).toBe(200);
    const left = 100_000 - 93_069 + 100_000 - spend.body.trade.costCents;
    expect(
      (await admin.post(`/api/markets/${m1}/unresolve`, { note: 'wrong source' })).status,
    ).toBe(200);
    expect(await balance(c)).toBe(left - 100_000);
    expect(left - 100_000).toBeLessThan(0);
    expectError(
      await c.post(`/api/markets/${m2}/trades`, { outcomeId: 'yes', shares: 1 }),
      409,
      'insufficient_funds',
    );
    expectError(
      await c.post(`/api/markets/${m2}/trades`, { outcomeId: 'yes', amountCents: 1 }),
      409,
      'insufficient_funds',
    );
    const noShares = spend.body.trade.shares;
    const sell = await c.post(`/api/markets/${m2}/trades`, { outcomeId: 'no', shares: -noShares });
    expect(sell.status).toBe(200);
    expect(sell.body.user.balanceCents).toBeGreaterThan(0);
    expect(
      (await c.post(`/api/markets/${m2}/trades`, { outcomeId: 'yes', shares: 1 })).status,
    ).toBe(200);
    expect((await ledgerInvariants(server.parity)).total).toBe(0);
  });
});
