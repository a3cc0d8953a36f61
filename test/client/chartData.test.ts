import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ChartInput,
  chartColumns,
  claimMarkers,
  claimPoints,
  claimProbabilityOf,
} from '../../client/src/lib/chartData.ts';
import type { Claim } from '../../shared/schemas/index.ts';

const binary = {
  type: 'binary' as const,
  outcomes: [
    { id: 'yes', label: 'Yes', probability: 0.6, shares: 0 },
    { id: 'no', label: 'No', probability: 0.4, shares: 0 },
  ],
  createdAt: '2026-01-01T00:00:00.000Z',
  status: 'open' as const,
  resolution: null,
};

const claim = (date: string, outcomeId: string, probability: number): Claim => ({
  who: 'Someone',
  said: 'It will.',
  source: 'Somewhere',
  date,
  outcomeId,
  probability,
});

const T0 = Date.parse('2026-01-01T00:00:00.000Z') / 1000;

describe('chartColumns', () => {
  it('holds each line at its last value and stops at now', () => {
    const input: ChartInput = {
      market: binary,
      history: [
        { t: '2026-01-01T00:00:00.000Z', probabilities: [0.5, 0.5] },
        { t: '2026-01-01T00:01:40.000Z', probabilities: [0.6, 0.4] },
      ],
      community: [{ t: (T0 + 50) * 1000, probabilities: [0.7, 0.3] }],
      claims: [],
      now: (T0 + 200) * 1000,
    };
    const [xs, market, crowd, claims] = chartColumns(input, { outcomes: [0], focus: 0 });
    // Times: open, the forecast at +50 s, the trade at +100 s, now at +200 s.
    expect(xs).toEqual([T0, T0 + 50, T0 + 100, T0 + 200]);
    expect(market).toEqual([0.5, 0.5, 0.6, 0.6]);
    expect(crowd).toEqual([null, 0.7, 0.7, 0.7]);
    expect(claims).toEqual([null, null, null, null]);
  });

  it('places claims at noon of their day, reading a No claim as 1 - p for P(yes)', () => {
    const input: ChartInput = {
      market: binary,
      history: [{ t: '2026-01-01T00:00:00.000Z', probabilities: [0.5, 0.5] }],
      community: [],
      claims: [claim('2025-12-31', 'no', 0.8), claim('2025-12-31', 'yes', 0.3)],
      now: T0 * 1000,
    };
    const cols = chartColumns(input, { outcomes: [0], focus: 0 });
    const noon = T0 - 12 * 3600;
    // Two claims on one day: the second sits one second later so both are drawn.
    expect(cols[0]).toEqual([noon, noon + 1, T0]);
    expect(cols[3]?.[0]).toBeCloseTo(0.2, 12);
    expect(cols[3]?.[1]).toBe(0.3);
    // No market line before the market existed.
    expect(cols[1]).toEqual([null, null, 0.5]);
  });
});

describe('claimProbabilityOf', () => {
  const multiple = {
    type: 'multiple' as const,
    outcomes: ['a', 'b', 'c'].map((id) => ({ id, label: id, probability: 1 / 3, shares: 0 })),
  };
  it('gives the claim only for its own outcome in a multiple-choice market', () => {
    expect(claimProbabilityOf(claim('2026-01-01', 'b', 0.4), multiple, 1)).toBe(0.4);
    expect(claimProbabilityOf(claim('2026-01-01', 'b', 0.4), multiple, 0)).toBeNull();
    expect(claimMarkers([claim('2026-01-01', 'b', 0.4)], multiple, 0)).toEqual([]);
  });
});

describe('claimPoints', () => {
  const multiple = {
    type: 'multiple' as const,
    outcomes: [
      { id: 'a', label: 'A', probability: 0.5, shares: 0 },
      { id: 'b', label: 'B', probability: 0.3, shares: 0 },
      { id: 'c', label: 'C', probability: 0.2, shares: 0 },
    ],
  };

  it('draws every claim of a binary market on the Yes line, a No claim as 1 - p', () => {
    const pts = claimPoints(
      [claim('2026-01-02', 'no', 0.8), claim('2026-01-01', 'yes', 0.3)],
      binary,
      [0],
    );
    // Oldest first; noon UTC of each day; No at 80% is Yes at 20%.
    expect(pts.map((p) => [p.x, p.outcomeIndex])).toEqual([
      [T0 + 12 * 3600, 0],
      [T0 + 36 * 3600, 0],
    ]);
    expect(pts[0]!.probability).toBeCloseTo(0.3, 12);
    expect(pts[1]!.probability).toBeCloseTo(0.2, 12);
  });

  it('draws a multiple-choice claim on its own outcome line, skipping lines not drawn', () => {
    const claims = [claim('2026-01-01', 'b', 0.4), claim('2026-01-01', 'c', 0.1)];
    expect(claimPoints(claims, multiple, [0, 1, 2]).map((p) => p.outcomeIndex)).toEqual([1, 2]);
    expect(claimPoints(claims, multiple, [0, 1]).map((p) => p.outcomeIndex)).toEqual([1]);
  });

  it('keeps same-day claims a second apart and in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 28 }), fc.constantFrom('a', 'b', 'c')), {
          maxLength: 30,
        }),
        (days) => {
          const claims = days.map(([d, o]) =>
            claim(`2026-02-${String(d).padStart(2, '0')}`, o, 0.5),
          );
          const pts = claimPoints(claims, multiple, [0, 1, 2]);
          expect(pts).toHaveLength(claims.length);
          for (let i = 1; i < pts.length; i++) expect(pts[i]!.x).toBeGreaterThan(pts[i - 1]!.x);
        },
      ),
    );
  });
});
