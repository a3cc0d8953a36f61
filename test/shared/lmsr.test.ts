import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cost,
  costToBuy,
  costToBuyAt,
  logit,
  logitOf,
  priceOf,
  prices,
  sharesForAmount,
  sharesForAmountAt,
  sharesToReach,
  sigmoid,
  withTrade,
  worstCaseLoss,
} from '../../shared/lmsr.ts';
import { payoutCents, subsidyCents, tradeCostCents } from '../../shared/money.ts';

/** C(q) straight from the definition, b ln Σ exp(q_i / b): fine for the moderate q used with it. */
function naiveCost(q: readonly number[], b: number): number {
  return b * Math.log(q.reduce((s, x) => s + Math.exp(x / b), 0));
}

/** A market: 2–20 outcomes, b in [1, 1000], q_i within ±20 b (prices from ~1e-17 up). */
const market = fc
  .record({
    n: fc.integer({ min: 2, max: 20 }),
    b: fc.double({ min: 1, max: 1000, noNaN: true }),
  })
  .chain(({ n, b }) =>
    fc.record({
      b: fc.constant(b),
      q: fc
        .array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: n, maxLength: n })
        .map((xs) => xs.map((x) => x * b)),
      i: fc.integer({ min: 0, max: n - 1 }),
    }),
  );

describe('LMSR hand values', () => {
  it('costs b ln 2 for an empty binary market', () => {
    // 100 * ln(e^0 + e^0) = 100 ln 2 = 69.3147180560
    expect(cost([0, 0], 100)).toBeCloseTo(69.314718056, 9);
    expect(worstCaseLoss(100, 2)).toBeCloseTo(69.314718056, 9);
  });

  it('charges 5.12495 for 10 yes shares at b = 100 and moves P(yes) to 0.524979', () => {
    // 100 ln((e^0.1 + 1) / 2) = 100 ln(2.1051709181 / 2) = 100 * 0.0512494795 = 5.12494795
    expect(costToBuy([0, 0], 100, 0, 10)).toBeCloseTo(5.12494795, 8);
    // e^0.1 / (e^0.1 + 1) = 1.1051709181 / 2.1051709181 = 0.5249791875
    expect(priceOf([10, 0], 100, 0)).toBeCloseTo(0.5249791875, 10);
    expect(prices(withTrade([0, 0], 0, 10), 100)[1]).toBeCloseTo(0.4750208125, 10);
  });

  it('charges 3.44565 for 10 shares of one of three outcomes at b = 100', () => {
    // 100 ln((e^0.1 + 2) / 3) = 100 ln(3.1051709181 / 3) = 100 * 0.0344564713 = 3.44564713
    expect(costToBuy([0, 0, 0], 100, 0, 10)).toBeCloseTo(3.44564713, 8);
    expect(costToBuyAt(1 / 3, 100, 10)).toBeCloseTo(3.44564713, 8);
  });

  it('pays back the cost of a sell: selling 10 yes at q = (10, 0) returns 5.12495', () => {
    expect(costToBuy([10, 0], 100, 0, -10)).toBeCloseTo(-5.12494795, 8);
  });

  it('stays finite for q of ±1e6 with b = 1', () => {
    const q = [1e6, -1e6];
    // C = 1e6 + ln(1 + e^-2e6) = 1e6 exactly in float.
    expect(cost(q, 1)).toBe(1e6);
    expect(prices(q, 1)).toEqual([1, 0]);
    expect(priceOf(q, 1, 0)).toBe(1);
    expect(priceOf(q, 1, 1)).toBe(0);
    expect(prices([-1e6, 1e6, 3], 1)).toEqual([0, 1, 0]);
    expect(cost([-1e6, 1e6, 3], 1)).toBe(1e6);
    for (const [i, d] of [
      [0, 5],
      [0, -5],
      [1, 5],
      [1, -5],
    ] as const) {
      expect(Number.isFinite(costToBuy(q, 1, i, d))).toBe(true);
    }
  });

  it('prices trades that cross a deep market from the costs, not an underflowed price', () => {
    // Outcome 1 sits at q = -1e6 with price e^-2e6 (0 in float). Buying 2e6 + 10 shares makes
    // q = (1e6, 1e6 + 10): C' - C = 1e6 + 10 + ln(1 + e^-10) - 1e6 = 10.0000453989.
    expect(costToBuy([1e6, -1e6], 1, 1, 2e6 + 10)).toBeCloseTo(10.0000453989, 8);
    // Selling 3e6 of outcome 0 leaves (-2e6, -1e6): C' - C = -1e6 - 1e6 = -2e6.
    expect(costToBuy([1e6, -1e6], 1, 0, -3e6)).toBeCloseTo(-2e6, 3);
    // logit p_1 = q_1 - q_0 = -2e6, so reaching 1/2 takes 2e6 shares.
    expect(logitOf([1e6, -1e6], 1, 1)).toBe(-2e6);
    expect(sharesToReach([1e6, -1e6], 1, 1, 0.5)).toBe(2e6);
    // Spending 10 credits on it buys 2e6 + 10 - ... shares: the inverse of the first trade.
    expect(sharesForAmount([1e6, -1e6], 1, 1, 10.0000453989)).toBeCloseTo(2e6 + 10, 3);
  });

  it('charges a buy that lifts an outcome out of a subnormal price its real cost', () => {
    // q = (710, 0), b = 1: p_1 = 1 / (1 + e^710), about 4.5e-309, below the normal floats
    // (and 0 once exp overflows). Buying 706 shares leaves (710, 706): C' - C = 706 - 710 +
    // ln(1 + e^4) - ln(1 + e^-710) = ln(1 + e^-4) = 0.0181499279.
    const exact = Math.log1p(Math.exp(-4));
    expect(costToBuy([710, 0], 1, 1, 706)).toBeCloseTo(exact, 12);
    expect(costToBuy([720, 0], 1, 1, 716)).toBeCloseTo(exact, 12);
    // So it is never free: the buy costs 2 cents, and the shares the budget buys agree.
    expect(tradeCostCents(costToBuy([720, 0], 1, 1, 716))).toBe(2);
    expect(sharesForAmount([710, 0], 1, 1, exact)).toBeCloseTo(706, 9);
    expect(sharesForAmount([720, 0], 1, 1, exact)).toBeCloseTo(716, 9);
  });

  it('prices buys of hundreds of b without overflowing expm1', () => {
    // 1000 shares at b = 1 from (0, 0): ln((e^1000 + 1) / 2) = 1000 - ln 2 = 999.3068528194
    expect(costToBuy([0, 0], 1, 0, 1000)).toBeCloseTo(999.3068528194, 9);
    expect(costToBuyAt(0.5, 1, 1000)).toBeCloseTo(999.3068528194, 9);
    // The other way: 1000 credits buy ln(1 + (e^1000 - 1) / 0.5) = 1000 + ln 2 shares.
    expect(sharesForAmount([0, 0], 1, 0, 1000)).toBeCloseTo(1000.6931471806, 9);
    expect(sharesForAmountAt(0.5, 1, 1000)).toBeCloseTo(1000.6931471806, 9);
    // 1e5 shares at b = 100 (the default liquidity): 1000 b of them.
    expect(costToBuy([0, 0], 100, 0, 1e5)).toBeCloseTo(1e5 - 100 * Math.LN2, 6);
  });

  it('prices a big sell of a near-certain outcome from q exactly', () => {
    // q = (60, 20), b = 1: p_0 = 1/(1 + e^-40), 1 in float. Selling all 60 leaves (0, 20):
    // C' - C = 20 + ln(1 + e^-20) - 60 - ln(1 + e^-40) = -40 + 2.0611536e-9 = -39.9999999979
    const exact = -40 + Math.log1p(Math.exp(-20)) - Math.log1p(Math.exp(-40));
    expect(costToBuy([60, 20], 1, 0, -60)).toBeCloseTo(exact, 9);
  });

  it('never pays a seller more than the trade is worth when only a rounded price is known', () => {
    // The same sell from p alone: p = 1 carries nothing of 1 - p = 4.2e-18, so the true -40
    // cannot be recovered; the answer must err towards the market (less negative), and be finite.
    const exact = -40 + Math.log1p(Math.exp(-20)) - Math.log1p(Math.exp(-40));
    const fromPrice = costToBuyAt(priceOf([60, 20], 1, 0), 1, -60);
    expect(Number.isFinite(fromPrice)).toBe(true);
    expect(fromPrice).toBeGreaterThanOrEqual(exact);
    // Where p is well determined the price form is exact: p = 0.6, selling 5 b:
    // ln(1 - 0.6 + 0.6 e^-5) = ln(0.4040427681) = -0.9062367
    expect(costToBuyAt(0.6, 100, -500)).toBeCloseTo(100 * Math.log(0.4 + 0.6 * Math.exp(-5)), 9);
  });

  it('has logit and sigmoid as inverses', () => {
    // logit 0.8 = ln 4 = 1.3862943611
    expect(logit(0.8)).toBeCloseTo(1.3862943611, 10);
    expect(sigmoid(Math.log(4))).toBeCloseTo(0.8, 12);
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), (p) => {
        expect(sigmoid(logit(p))).toBeCloseTo(p, 12);
      }),
    );
  });

  it('throws a RangeError for an outcome the market does not have', () => {
    expect(() => priceOf([0, 0], 100, 2)).toThrow(RangeError);
    expect(() => logitOf([0, 0, 0], 100, 3)).toThrow(RangeError);
  });

  it('returns a new q from withTrade and leaves the old one alone', () => {
    const q = [1, 2, 3];
    expect(withTrade(q, 1, 5)).toEqual([1, 7, 3]);
    expect(q).toEqual([1, 2, 3]);
  });
});

describe('LMSR properties', () => {
  it('has prices that sum to 1 and match the definition of C', () => {
    fc.assert(
      fc.property(market, ({ q, b }) => {
        const p = prices(q, b);
        expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
        for (const x of p) expect(x).toBeGreaterThanOrEqual(0);
        expect(Math.abs(cost(q, b) - naiveCost(q, b))).toBeLessThanOrEqual(1e-12 * b * 25);
        p.forEach((x, i) => {
          expect(priceOf(q, b, i)).toBeCloseTo(x, 14);
        });
      }),
    );
  });

  it('raises the price of the outcome bought', () => {
    fc.assert(
      fc.property(market, fc.double({ min: 1e-3, max: 10, noNaN: true }), ({ q, b, i }, x) => {
        const before = priceOf(q, b, i);
        const after = priceOf(withTrade(q, i, x * b), b, i);
        if (before < 1 - 1e-9) expect(after).toBeGreaterThan(before);
        else expect(after).toBeGreaterThanOrEqual(before);
      }),
    );
  });

  it('agrees with the difference of costs for every trade', () => {
    fc.assert(
      fc.property(market, fc.double({ min: -10, max: 10, noNaN: true }), ({ q, b, i }, x) => {
        const delta = x * b;
        const reference = cost(withTrade(q, i, delta), b) - cost(q, b);
        const quoted = costToBuy(q, b, i, delta);
        // The cost difference itself is only good to a few ulps of C (up to ~20 b here).
        expect(Math.abs(quoted - reference)).toBeLessThanOrEqual(1e-12 * 25 * b);
        // From p alone, 1 + p (e^x - 1) is known only as well as p: p = exp(q_i / b - ln Σ), whose
        // exponent carries an ulp of the largest |q / b|, plus the one-ulp lean towards the market
        // that costToBuyAt takes on big sells. Its logarithm is off by that over its size: loose
        // only for big sells of a near-certain outcome. (2M random draws peak at half this.)
        const exponent = 2 + Math.max(...q.map((v) => Math.abs(v / b)));
        const fromPrice = 2 * exponent * Number.EPSILON * b * Math.exp(-quoted / b);
        expect(Math.abs(costToBuyAt(priceOf(q, b, i), b, delta) - quoted)).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(quoted)) + 1e-13 * b + fromPrice,
        );
      }),
    );
  });

  it('agrees with the difference of costs in markets deep enough to underflow a price', () => {
    // |q / b| of 700 to 720 puts the cheap outcome's price among the subnormals (from 708) or at
    // 0 (from 709.8), where a price form that does not reach the overflow path loses the cost.
    const deep = fc.record({
      b: fc.double({ min: 0.5, max: 200, noNaN: true }),
      depth: fc.double({ min: 700, max: 720, noNaN: true }),
      // Buys that bring the cheap outcome to within a few b of the other: where cost is real.
      gap: fc.double({ min: -15, max: 5, noNaN: true }),
    });
    fc.assert(
      fc.property(deep, ({ b, depth, gap }) => {
        const q = [depth * b, 0];
        const delta = (depth + gap) * b;
        // Both costs are near depth * b: their difference is good to a few ulps of that.
        const reference = cost(withTrade(q, 1, delta), b) - cost(q, b);
        const quoted = costToBuy(q, b, 1, delta);
        expect(quoted).toBeGreaterThanOrEqual(0);
        expect(Math.abs(quoted - reference)).toBeLessThanOrEqual(1e-12 * 2 * depth * b);
      }),
      { numRuns: 1000 },
    );
  });

  it('returns the cost on buying then selling the same shares, and rounding never pays the trader', () => {
    fc.assert(
      fc.property(market, fc.double({ min: 1e-6, max: 5, noNaN: true }), ({ q, b, i }, x) => {
        const delta = x * b;
        const paid = costToBuy(q, b, i, delta);
        const got = costToBuy(withTrade(q, i, delta), b, i, -delta);
        expect(Math.abs(paid + got)).toBeLessThanOrEqual(1e-9 * Math.max(1, paid));
        expect(tradeCostCents(paid) + tradeCostCents(got)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('inverts costToBuy with sharesForAmount', () => {
    fc.assert(
      fc.property(market, fc.double({ min: 1e-4, max: 10, noNaN: true }), ({ q, b, i }, x) => {
        const amount = x * b;
        const shares = sharesForAmount(q, b, i, amount);
        expect(shares).toBeGreaterThan(0);
        expect(Math.abs(costToBuy(q, b, i, shares) - amount)).toBeLessThanOrEqual(1e-9 * amount);
      }),
    );
  });

  it('lands on the target probability with sharesToReach', () => {
    fc.assert(
      fc.property(
        market,
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        ({ q, b, i }, target) => {
          const shares = sharesToReach(q, b, i, target);
          expect(Math.abs(priceOf(withTrade(q, i, shares), b, i) - target)).toBeLessThanOrEqual(
            1e-9,
          );
        },
      ),
    );
  });

  it('never lets the market maker lose more than its subsidy, with cents rounding', () => {
    const trade = fc.record({
      outcome: fc.nat(),
      buy: fc.boolean(),
      // A buy of size × b shares, or a sell of that fraction of what is outstanding.
      size: fc.double({ min: 1e-9, max: 3, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.double({ min: 1, max: 500, noNaN: true }),
        fc.array(trade, { minLength: 1, maxLength: 60 }),
        (n, b, trades) => {
          const subsidy = subsidyCents(b, n);
          let q = new Array<number>(n).fill(0);
          let cashCents = subsidy;
          for (const t of trades) {
            const i = t.outcome % n;
            // Traders hold every outstanding share, so at most q_i can be sold back.
            const delta = t.buy ? t.size * b : -Math.min(1, t.size) * q[i]!;
            if (delta === 0) continue;
            cashCents += tradeCostCents(costToBuy(q, b, i, delta));
            q = withTrade(q, i, delta);
          }
          for (let winner = 0; winner < n; winner++) {
            expect(cashCents - payoutCents(q[winner]!)).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
