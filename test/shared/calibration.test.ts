import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calibrationBins,
  murphyDecomposition,
  type Outcome01,
  toBinaryPoints,
  wilsonInterval,
} from '../../shared/calibration.ts';
import { CalibrationBin } from '../../shared/schemas/index.ts';

describe('wilsonInterval', () => {
  it('gives [0.4902, 0.9433] for 8 of 10 at z = 1.96', () => {
    // p = 0.8, z²/n = 0.38416: centre (0.8 + 0.19208) / 1.38416 = 0.716738,
    // half (1.96 / 1.38416) sqrt(0.016 + 0.009604) = 1.416022 * 0.160012 = 0.226581
    const { low, high } = wilsonInterval(8, 10);
    expect(low).toBeCloseTo(0.4902, 4);
    expect(high).toBeCloseTo(0.9433, 4);
  });

  it('gives [0.4038, 0.5962] for 50 of 100', () => {
    // centre 0.5; half (1.96 / 1.038416) sqrt(0.0025 + 0.00009604) = 1.887490 * 0.050951 = 0.096170
    const { low, high } = wilsonInterval(50, 100);
    expect(low).toBeCloseTo(0.40383, 5);
    expect(high).toBeCloseTo(0.59617, 5);
  });

  it('stays inside [0, 1] at 0 of 10 and is wide open without data', () => {
    // 0 of 10: centre = half = 0.19208 / 1.38416 = 0.138770 → [0, 0.277540]
    const none = wilsonInterval(0, 10);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.27754, 5);
    const all = wilsonInterval(10, 10);
    expect(all.low).toBeCloseTo(1 - 0.27754, 5);
    expect(all.high).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('narrows with a smaller z and always contains the observed frequency', () => {
    // 8 of 10 at z = 1: centre (0.8 + 0.05) / 1.1 = 0.772727, half (1 / 1.1) sqrt(0.016 + 0.0025)
    // = 0.909091 * 0.136015 = 0.123650 → [0.649077, 0.896377]
    const { low, high } = wilsonInterval(8, 10, 1);
    expect(low).toBeCloseTo(0.649077, 5);
    expect(high).toBeCloseTo(0.896377, 5);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, f) => {
          const k = Math.round(f * n);
          const w = wilsonInterval(k, n);
          expect(w.low).toBeGreaterThanOrEqual(0);
          expect(w.high).toBeLessThanOrEqual(1);
          expect(w.low).toBeLessThanOrEqual(k / n + 1e-12);
          expect(w.high).toBeGreaterThanOrEqual(k / n - 1e-12);
        },
      ),
    );
  });
});

describe('calibrationBins', () => {
  it('buckets points by stated probability and returns only the non-empty buckets', () => {
    const points: Outcome01[] = [
      { p: 0.05, outcome: 0 },
      { p: 0.15, outcome: 1 },
      { p: 0.12, outcome: 0 },
      { p: 0.7, outcome: 1 },
      { p: 1, outcome: 1 },
    ];
    const bins = calibrationBins(points);
    expect(bins.map((b) => [b.from, b.to, b.count])).toEqual([
      [0, 0.1, 1],
      [0.1, 0.2, 2],
      // 0.7 * 10 = 7.000000000000001 and 0.7 itself belong to [0.7, 0.8).
      [0.7, 0.8, 1],
      // p = 1 closes the last bucket.
      [0.9, 1, 1],
    ]);
    // [0.1, 0.2): predicted (0.15 + 0.12) / 2 = 0.135, observed 1/2; Wilson(1, 2):
    // centre 0.5, half (1.96 / 2.9208) sqrt(0.125 + 0.2401) = 0.671049 * 0.604235 = 0.405471
    expect(bins[1]!.predicted).toBeCloseTo(0.135, 12);
    expect(bins[1]!.observed).toBe(0.5);
    expect(bins[1]!.low).toBeCloseTo(0.094529, 5);
    expect(bins[1]!.high).toBeCloseTo(0.905471, 5);
    // [0, 0.1): 0 of 1 → Wilson [0, 0.793457]
    expect(bins[0]!.observed).toBe(0);
    expect(bins[0]!.high).toBeCloseTo(0.793457, 5);
    for (const bin of bins) expect(CalibrationBin.safeParse(bin).success).toBe(true);
  });

  it('takes another number of buckets', () => {
    const bins = calibrationBins(
      [
        { p: 0.1, outcome: 0 },
        { p: 0.3, outcome: 1 },
        { p: 0.5, outcome: 1 },
        { p: 0.9, outcome: 1 },
      ],
      2,
    );
    expect(bins.map((b) => [b.from, b.to, b.count, b.observed])).toEqual([
      [0, 0.5, 2, 0.5],
      [0.5, 1, 2, 1],
    ]);
    expect(calibrationBins([])).toEqual([]);
  });

  it('accounts for every point exactly once', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            p: fc.double({ min: 0, max: 1, noNaN: true }),
            outcome: fc.constantFrom(0 as const, 1 as const),
          }),
        ),
        fc.integer({ min: 1, max: 20 }),
        (points, n) => {
          const bins = calibrationBins(points, n);
          expect(bins.reduce((s, b) => s + b.count, 0)).toBe(points.length);
          for (const b of bins) {
            expect(b.predicted).toBeGreaterThanOrEqual(b.from - 1e-9);
            expect(b.predicted).toBeLessThanOrEqual(b.to + 1e-9);
          }
        },
      ),
    );
  });
});

describe('murphyDecomposition', () => {
  it('decomposes a hand-sized example', () => {
    // (0.8, yes), (0.8, no), (0.2, no), (0.2, no):
    // brier (0.04 + 0.64 + 0.04 + 0.04) / 4 = 0.19; base rate 0.25, uncertainty 0.1875;
    // reliability (2 (0.8 - 0.5)² + 2 (0.2 - 0)²) / 4 = (0.18 + 0.08) / 4 = 0.065;
    // resolution (2 (0.5 - 0.25)² + 2 (0 - 0.25)²) / 4 = 0.25 / 4 = 0.0625;
    // 0.065 - 0.0625 + 0.1875 = 0.19
    const d = murphyDecomposition([
      { p: 0.8, outcome: 1 },
      { p: 0.8, outcome: 0 },
      { p: 0.2, outcome: 0 },
      { p: 0.2, outcome: 0 },
    ]);
    expect(d.brier).toBeCloseTo(0.19, 12);
    expect(d.reliability).toBeCloseTo(0.065, 12);
    expect(d.resolution).toBeCloseTo(0.0625, 12);
    expect(d.uncertainty).toBeCloseTo(0.1875, 12);
  });

  it('is all zero without points', () => {
    expect(murphyDecomposition([])).toEqual({
      brier: 0,
      reliability: 0,
      resolution: 0,
      uncertainty: 0,
    });
  });

  it('satisfies brier = reliability - resolution + uncertainty', () => {
    const p = fc.oneof(
      fc.constantFrom(0, 0.1, 0.25, 0.5, 0.75, 0.9, 1),
      fc.double({ min: 0, max: 1, noNaN: true }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ p, outcome: fc.constantFrom(0 as const, 1 as const) }), {
          minLength: 1,
          maxLength: 200,
        }),
        (points) => {
          const d = murphyDecomposition(points);
          expect(d.reliability).toBeGreaterThanOrEqual(0);
          expect(d.resolution).toBeGreaterThanOrEqual(0);
          expect(Math.abs(d.brier - (d.reliability - d.resolution + d.uncertainty))).toBeLessThan(
            1e-12,
          );
        },
      ),
    );
  });
});

describe('toBinaryPoints', () => {
  it('turns a multiple-choice forecast into one point per outcome', () => {
    expect(toBinaryPoints([0.2, 0.5, 0.3], 1)).toEqual([
      { p: 0.2, outcome: 0 },
      { p: 0.5, outcome: 1 },
      { p: 0.3, outcome: 0 },
    ]);
  });

  it('throws a RangeError for an outcome the forecast does not have', () => {
    expect(() => toBinaryPoints([0.5, 0.5], 2)).toThrow(RangeError);
    expect(() => toBinaryPoints([0.5, 0.5], -1)).toThrow(RangeError);
  });
});
