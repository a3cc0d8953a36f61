import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BIG_MOVE_WINDOW_MS,
  isBigMove,
  type PricePoint,
  points,
  priceAt,
  recentMove,
} from '../../client/src/lib/moves.ts';

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
/** Points at the given minutes before NOW, oldest first. */
const at = (...pairs: [minutesAgo: number, p: number][]): PricePoint[] =>
  pairs.map(([m, p]) => ({ t: NOW - m * MIN, p }));

describe('priceAt', () => {
  it('takes the last price at or before the time', () => {
    const s = at([60, 0.4], [30, 0.5], [10, 0.6]);
    expect(priceAt(s, NOW - 30 * MIN)).toBe(0.5);
    expect(priceAt(s, NOW - 20 * MIN)).toBe(0.5);
    expect(priceAt(s, NOW)).toBe(0.6);
  });

  it('measures a market younger than the look-back from its first price', () => {
    expect(priceAt(at([30, 0.5], [10, 0.6]), NOW - 24 * 60 * MIN)).toBe(0.5);
  });

  it('has no price for an empty series', () => {
    expect(priceAt([], NOW)).toBeNull();
  });
});

describe('recentMove', () => {
  it('compares the latest price with the one standing when the window opened', () => {
    // 50% stood from 20 minutes ago until a trade 2 minutes ago took it to 70%: +20 points.
    const move = recentMove(at([20, 0.5], [2, 0.7]), NOW);
    expect(move).toBeCloseTo(0.2, 12);
    expect(isBigMove(move)).toBe(true);
    expect(points(move)).toBe(20);
  });

  it('catches a spike inside the window that came back', () => {
    // 50% → 58% → 52% within five minutes: the latest is 6 points below the spike.
    const move = recentMove(at([20, 0.5], [4, 0.58], [1, 0.52]), NOW);
    expect(move).toBeCloseTo(-0.06, 12);
    expect(isBigMove(move)).toBe(true);
  });

  it('forgets a move once it is older than the window', () => {
    // The same +20 points, but 6 minutes ago and nothing since.
    expect(recentMove(at([20, 0.5], [6, 0.7]), NOW)).toBe(0);
  });

  it('calls exactly five points big and four and a half not', () => {
    // 0.5 - 0.45 is 0.04999999999999999 in floating point, still five points.
    expect(isBigMove(recentMove(at([10, 0.45], [1, 0.5]), NOW))).toBe(true);
    expect(isBigMove(recentMove(at([10, 0.5], [1, 0.455]), NOW))).toBe(false);
  });

  it('is zero without at least two prices', () => {
    expect(recentMove([], NOW)).toBe(0);
    expect(recentMove(at([1, 0.9]), NOW)).toBe(0);
  });

  it('never exceeds the range of prices in the window and has the sign of latest minus that price', () => {
    const series = fc
      .array(
        fc.record({
          m: fc.integer({ min: 0, max: 60 }),
          p: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        { minLength: 2, maxLength: 40 },
      )
      .map((xs) => xs.sort((a, b) => b.m - a.m).map(({ m, p }) => ({ t: NOW - m * MIN, p })));
    fc.assert(
      fc.property(series, (s) => {
        const move = recentMove(s, NOW);
        const last = s.at(-1)!.p;
        const from = NOW - BIG_MOVE_WINDOW_MS;
        const standing = [priceAt(s, from)!, ...s.filter((x) => x.t > from).map((x) => x.p)];
        // The move is latest minus one of the prices that stood in the window …
        expect(standing.some((p) => last - p === move)).toBe(true);
        // … and the largest such difference.
        for (const p of standing) expect(Math.abs(last - p)).toBeLessThanOrEqual(Math.abs(move));
      }),
    );
  });
});

describe('points', () => {
  it('rounds to whole points and never prints minus zero', () => {
    expect(points(0.126)).toBe(13);
    expect(points(-0.004)).toBe(0);
    expect(Object.is(points(-0.004), 0)).toBe(true);
  });
});
