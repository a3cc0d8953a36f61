import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  communityMedian,
  communityTimeline,
  extremizedMean,
  type StandingForecast,
} from '../../shared/community.ts';

const at = (t: number, probabilities: number[]): StandingForecast => ({ t, probabilities });
const yes = (p: number) => [p, 1 - p];

function expectVector(actual: readonly number[] | null, expected: readonly number[], digits = 6) {
  expect(actual).not.toBeNull();
  expect(actual!.length).toBe(expected.length);
  expected.forEach((x, i) => {
    expect(actual![i]).toBeCloseTo(x, digits);
  });
}

describe('communityMedian', () => {
  it('is null without forecasts and the forecast itself with one', () => {
    expect(communityMedian([])).toBeNull();
    expectVector(communityMedian([at(1, yes(0.3))]), [0.3, 0.7], 12);
  });

  it('takes the plain midpoint of two forecasts', () => {
    // Unweighted when N <= 2: the median of {0.2, 0.6} is 0.4.
    expectVector(communityMedian([at(1, yes(0.6)), at(2, yes(0.2))]), [0.4, 0.6], 12);
  });

  it('weights newer forecasts by exp(sqrt(n)) from three on', () => {
    // Oldest to newest 0.2, 0.3, 0.9, 0.8 with weights e^1 = 2.7183, e^1.4142 = 4.1133,
    // e^1.7321 = 5.6522, e^2 = 7.3891; total 19.8728, half 9.9364.
    // Sorted: 0.2 (2.7183), 0.3 (cum 6.8315), 0.8 (cum 14.2206 >= 9.9364) → 0.8.
    // The unweighted median would be (0.3 + 0.8) / 2 = 0.55.
    const latest = [at(1, yes(0.2)), at(2, yes(0.3)), at(3, yes(0.9)), at(4, yes(0.8))];
    expectVector(communityMedian(latest), [0.8, 0.2], 12);
    // Reversed age: oldest 0.8 (2.7183), 0.9 (4.1133), 0.3 (5.6522), newest 0.2 (7.3891).
    // Sorted: 0.2 (7.3891), 0.3 (cum 13.0413 >= 9.9364) → 0.3.
    expectVector(communityMedian([...latest].reverse()), [0.3, 0.7], 12);
  });

  it('takes a weighted median per outcome and renormalises multiple choice', () => {
    // Weights 2.7183, 4.1133, 5.6522 (total 12.4838, half 6.2419) for f1, f2, f3:
    // f1 (0.6, 0.3, 0.1), f2 (0.1, 0.6, 0.3), f3 (0.2, 0.2, 0.6).
    // Outcome 0 sorted 0.1 (4.1133), 0.2 (9.7655) → 0.2.
    // Outcome 1 sorted 0.2 (5.6522), 0.3 (8.3705) → 0.3.
    // Outcome 2 sorted 0.1 (2.7183), 0.3 (6.8315) → 0.3.
    // Medians (0.2, 0.3, 0.3) sum to 0.8 → (0.25, 0.375, 0.375).
    const latest = [at(1, [0.6, 0.3, 0.1]), at(2, [0.1, 0.6, 0.3]), at(3, [0.2, 0.2, 0.6])];
    expectVector(communityMedian(latest), [0.25, 0.375, 0.375], 12);
  });

  it('falls back to uniform when every per-outcome median is 0', () => {
    // Each outcome is certain for one forecaster only: outcome 0 values 1, 0, 0 with the 1 on
    // the lightest weight (2.7183 < 6.2419), and so on: every median is 0.
    const latest = [at(1, [1, 0, 0]), at(2, [0, 1, 0]), at(3, [0, 0, 1])];
    expectVector(communityMedian(latest), [1 / 3, 1 / 3, 1 / 3], 12);
  });

  it('stays within the range of the forecasts and returns a distribution', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (ps) => {
          const m = communityMedian(ps.map((p, k) => at(k, yes(p))))!;
          expect(m[0]).toBeGreaterThanOrEqual(Math.min(...ps));
          expect(m[0]).toBeLessThanOrEqual(Math.max(...ps));
          expect(m[0]! + m[1]!).toBeCloseTo(1, 12);
        },
      ),
    );
  });
});

describe('extremizedMean', () => {
  it('is null without forecasts', () => {
    expect(extremizedMean([])).toBeNull();
  });

  it('extremises the mean log-odds of binary forecasts by a = 1.5', () => {
    // logit 0.6 = ln 1.5 = 0.4054651, logit 0.8 = ln 4 = 1.3862944; mean 0.8958797;
    // sigmoid(1.5 * 0.8958797) = sigmoid(1.3438196) = 1 / (1 + 0.2608559) = 0.7931174
    expectVector(extremizedMean([at(1, yes(0.6)), at(2, yes(0.8))]), [0.7931174, 0.2068826]);
  });

  it('returns a lone forecast unchanged at a = 1, clamped to [0.001, 0.999]', () => {
    expectVector(extremizedMean([at(1, yes(0.3))], 1), [0.3, 0.7], 12);
    expectVector(extremizedMean([at(1, [1, 0])], 1), [0.999, 0.001], 12);
  });

  it('normalises the geometric means of multiple-choice forecasts raised to a', () => {
    // a = 1: geometric means sqrt(0.5 * 0.2) = 0.3162278, sqrt(0.3 * 0.3) = 0.3, 0.3162278;
    // sum 0.9324555 → (0.3391344, 0.3217312, 0.3391344)
    const latest = [at(1, [0.5, 0.3, 0.2]), at(2, [0.2, 0.3, 0.5])];
    expectVector(extremizedMean(latest, 1), [0.3391344, 0.3217312, 0.3391344]);
  });

  it('agrees with the multiple-choice form for two outcomes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.001, max: 0.999, noNaN: true }), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        (ps, a) => {
          const [p] = extremizedMean(
            ps.map((x, k) => at(k, yes(x))),
            a,
          )!;
          // exp(a mean ln p) / (exp(a mean ln p) + exp(a mean ln(1-p)))
          const g1 = Math.exp((a * ps.reduce((s, x) => s + Math.log(x), 0)) / ps.length);
          const g0 = Math.exp((a * ps.reduce((s, x) => s + Math.log(1 - x), 0)) / ps.length);
          expect(p).toBeCloseTo(g1 / (g1 + g0), 9);
        },
      ),
    );
  });
});

describe('communityTimeline', () => {
  it('gives the median of each user’s latest forecast after every forecast', () => {
    const points = communityTimeline([
      { userId: 'u1', t: 1, probabilities: yes(0.2) },
      { userId: 'u2', t: 2, probabilities: yes(0.6) },
      // u1 replaces 0.2 and becomes the newest: {0.6, 0.8} unweighted → 0.7
      { userId: 'u1', t: 3, probabilities: yes(0.8) },
      // Oldest to newest u2 0.6 (2.7183), u1 0.8 (4.1133), u3 0.1 (5.6522); half 6.2419.
      // Sorted 0.1 (5.6522), 0.6 (8.3705) → 0.6
      { userId: 'u3', t: 4, probabilities: yes(0.1) },
    ]);
    expect(points.map((p) => p.t)).toEqual([1, 2, 3, 4]);
    const expected = [0.2, 0.4, 0.7, 0.6];
    points.forEach((p, k) => {
      expectVector(p.probabilities, yes(expected[k]!), 12);
    });
  });

  it('is empty without forecasts', () => {
    expect(communityTimeline([])).toEqual([]);
  });

  it('equals communityMedian replayed after every forecast', () => {
    const replay = (forecasts: { userId: string; t: number; probabilities: number[] }[]) => {
      const latest = new Map<string, StandingForecast>();
      return forecasts.map((f) => {
        latest.delete(f.userId);
        latest.set(f.userId, { t: f.t, probabilities: f.probabilities });
        return communityMedian([...latest.values()])!;
      });
    };
    const forecast = (n: number) =>
      fc
        .array(fc.integer({ min: 0, max: 20 }), { minLength: n, maxLength: n })
        .filter((xs) => xs.some((x) => x > 0))
        .map((xs) => {
          const sum = xs.reduce((s, x) => s + x, 0);
          // Coarse values, so that ties between forecasters are common.
          return n === 2 ? yes(xs[0]! / 20) : xs.map((x) => x / sum);
        });
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }).chain((n) =>
          fc.array(
            fc.record({ user: fc.integer({ min: 0, max: 7 }), probabilities: forecast(n) }),
            {
              maxLength: 40,
            },
          ),
        ),
        (raw) => {
          const forecasts = raw.map((f, k) => ({
            userId: `u${f.user}`,
            t: k,
            probabilities: f.probabilities,
          }));
          const expected = replay(forecasts);
          const points = communityTimeline(forecasts);
          expect(points.length).toBe(forecasts.length);
          points.forEach((p, k) => {
            expect(p.t).toBe(forecasts[k]!.t);
            expectVector(p.probabilities, expected[k]!, 12);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('throws a RangeError when forecasts of one question differ in length', () => {
    expect(() =>
      communityTimeline([
        { userId: 'u1', t: 1, probabilities: [0.5, 0.5] },
        { userId: 'u2', t: 2, probabilities: [0.2, 0.3, 0.5] },
      ]),
    ).toThrow(RangeError);
  });
});
