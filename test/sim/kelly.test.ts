import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costToBuy, prices } from '../../shared/lmsr.ts';
import { kellyTrade, maxBuyShares } from '../../shared/sim/kelly.ts';

/** Expected log wealth after trading delta of i, computed directly from the LMSR cost. */
function utility(
  q: number[],
  b: number,
  belief: number[],
  cash: number,
  held: number[],
  i: number,
  delta: number,
): number {
  const cost = costToBuy(q, b, i, delta);
  return belief.reduce(
    (u, p, k) => u + p * Math.log(cash - cost + held[k]! + (k === i ? delta : 0)),
    0,
  );
}

// b so large that no trade here moves the price: the textbook price-taking Kelly bettor.
const DEEP = 1e12;

describe('Kelly sizing against the LMSR', () => {
  it('stakes (π − p)/(1 − p) of wealth when the price does not move', () => {
    // π = 0.6 on yes at p = 0.5 with 100 credits: stake 0.1/0.5 = 20% = 20 credits, which buys
    // 20 / 0.5 = 40 shares (first-order condition 0.6(100 − Δ/2) = 0.4(100 + Δ/2) gives Δ = 40).
    const t = kellyTrade(
      { q: [0, 0], b: DEEP, belief: [0.6, 0.4], cash: 100, held: [0, 0] },
      0,
      0,
      maxBuyShares([0, 0], DEEP, 0, 100),
    );
    expect(t.shares).toBeCloseTo(40, 4);
    // Gain: 0.6 ln 1.2 + 0.4 ln 0.8 = 0.109393 − 0.089257 = 0.020136.
    expect(t.gain).toBeCloseTo(0.6 * Math.log(1.2) + 0.4 * Math.log(0.8), 6);
  });

  it('does not trade when the holding is already the Kelly position', () => {
    // After the 40-share buy: W_yes = 80 + 40 = 120, W_no = 80, and U′(0) = 0.6/120 − 0.5·(0.6/120
    // + 0.4/80) = 0.005 − 0.005 = 0.
    const t = kellyTrade(
      { q: [0, 0], b: DEEP, belief: [0.6, 0.4], cash: 80, held: [40, 0] },
      0,
      0,
      maxBuyShares([0, 0], DEEP, 0, 80),
    );
    expect(Math.abs(t.shares)).toBeLessThan(1e-6);
  });

  it('sells the whole holding when Kelly wants less than none of it', () => {
    // Belief 0.4 on yes, holding 40 yes and 80 cash at p = 0.5: Kelly wants W_yes = 100·0.4/0.5
    // = 80 < W_no, which would take selling 80 shares; only 40 are held, so all 40 go.
    const t = kellyTrade(
      { q: [0, 0], b: DEEP, belief: [0.4, 0.6], cash: 80, held: [40, 0] },
      0,
      -40,
      0,
    );
    expect(t.shares).toBeCloseTo(-40, 9);
  });

  it('buys less than the price-taking amount once the price moves against the buyer', () => {
    // With b = 100 the same stake pushes the price up as it buys, so fewer shares are worth it.
    const t = kellyTrade(
      { q: [0, 0], b: 100, belief: [0.6, 0.4], cash: 100, held: [0, 0] },
      0,
      0,
      maxBuyShares([0, 0], 100, 0, 100),
    );
    expect(t.shares).toBeGreaterThan(0);
    expect(t.shares).toBeLessThan(40);
    // At the optimum the marginal price has not passed the belief.
    expect(prices([t.shares, 0], 100)[0]!).toBeLessThan(0.6);
  });

  it('finds a feasible trade no nearby trade beats', () => {
    const input = fc
      .record({
        n: fc.integer({ min: 2, max: 6 }),
        b: fc.double({ min: 20, max: 500, noNaN: true }),
        cash: fc.double({ min: 1, max: 5000, noNaN: true }),
        seedQ: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), {
          minLength: 6,
          maxLength: 6,
        }),
        seedBelief: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), {
          minLength: 6,
          maxLength: 6,
        }),
        seedHeld: fc.array(fc.double({ min: 0, max: 2000, noNaN: true }), {
          minLength: 6,
          maxLength: 6,
        }),
        i: fc.integer({ min: 0, max: 5 }),
      })
      .map(({ n, b, cash, seedQ, seedBelief, seedHeld, i }) => {
        const total = seedBelief.slice(0, n).reduce((s, x) => s + x, 0);
        return {
          b,
          cash,
          q: seedQ.slice(0, n).map((x) => x * b),
          belief: seedBelief.slice(0, n).map((x) => x / total),
          held: seedHeld.slice(0, n),
          i: i % n,
        };
      });
    fc.assert(
      fc.property(input, ({ b, cash, q, belief, held, i }) => {
        const hi = maxBuyShares(q, b, i, cash);
        const t = kellyTrade({ q, b, belief, cash, held }, i, -held[i]!, hi);
        expect(t.shares).toBeGreaterThanOrEqual(-held[i]!);
        expect(t.shares).toBeLessThanOrEqual(hi);
        expect(costToBuy(q, b, i, t.shares)).toBeLessThanOrEqual(cash + 1e-9);
        const u = (d: number) => utility(q, b, belief, cash, held, i, d);
        const best = u(t.shares);
        const eps = 1e-3 * (1 + Math.abs(t.shares));
        for (const d of [t.shares - eps, t.shares + eps, 0]) {
          if (d < -held[i]! || d > hi || costToBuy(q, b, i, d) >= cash + Math.min(...held))
            continue;
          expect(best).toBeGreaterThanOrEqual(u(d) - 1e-9);
        }
      }),
      { numRuns: 300 },
    );
  });
});
