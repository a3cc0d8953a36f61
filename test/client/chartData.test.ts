import { describe, expect, it } from 'vitest';
import {
  type ChartInput,
  chartColumns,
  claimMarkers,
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
