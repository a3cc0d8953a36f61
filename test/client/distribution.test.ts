import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { setShare, toPercents, toProbabilities } from '../../client/src/lib/distribution.ts';

describe('setShare', () => {
  it('rescales the other outcomes in proportion to what they held', () => {
    // 60 → 40 leaves 60 for the others, which held 30 and 10 (3:1): 45 and 15.
    expect(setShare([60, 30, 10], 0, 40)).toEqual([40, 45, 15]);
  });

  it('shares the rest equally when the others held nothing', () => {
    // 100 → 70 leaves 30 for two outcomes at 0: 15 each.
    expect(setShare([100, 0, 0], 0, 70)).toEqual([70, 15, 15]);
  });

  it('rounds by largest remainder so the total is exactly 100', () => {
    // The others split 67 equally: 22.33 each → 23, 22, 22 (the first takes the extra point).
    expect(setShare([25, 25, 25, 25], 0, 33)).toEqual([33, 23, 22, 22]);
  });

  it('always sums to 100 and keeps the chosen value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 2, maxLength: 20 }),
        fc.nat(),
        fc.integer({ min: -20, max: 120 }),
        (ps, k, v) => {
          const i = k % ps.length;
          const out = setShare(ps, i, v);
          expect(out.reduce((a, b) => a + b, 0)).toBe(100);
          expect(out[i]).toBe(Math.min(100, Math.max(0, v)));
          for (const p of out) expect(p).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe('toPercents', () => {
  it('turns probabilities into whole percents that sum to 100', () => {
    // 1/3 each: 33.33 → 34, 33, 33.
    expect(toPercents([1 / 3, 1 / 3, 1 / 3])).toEqual([34, 33, 33]);
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 20 }),
        (ps) => {
          expect(toPercents(ps).reduce((a, b) => a + b, 0)).toBe(100);
        },
      ),
    );
  });

  it('gives probabilities that pass the forecast schema sum check', () => {
    const p = toProbabilities([33, 33, 34]);
    expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    expect(p[2]).toBeCloseTo(0.34, 12);
  });
});
