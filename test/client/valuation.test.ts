import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { valuePortfolio } from '../../client/src/components/portfolio/valuation.ts';
import type { Market, Position } from '../../shared/schemas/index.ts';

function market(
  id: string,
  status: Market['status'],
  probabilities: number[],
  winner: string | null = null,
): Market {
  const ids = probabilities.length === 2 ? ['yes', 'no'] : probabilities.map((_, i) => `o${i}`);
  return {
    id,
    question: `Question ${id}?`,
    description: '',
    type: probabilities.length === 2 ? 'binary' : 'multiple',
    outcomes: probabilities.map((p, i) => ({
      id: ids[i]!,
      label: ids[i] === 'yes' ? 'Yes' : ids[i] === 'no' ? 'No' : `Outcome ${i}`,
      probability: p,
      shares: 0,
    })),
    liquidity: 100,
    status,
    createdAt: '2026-01-01T00:00:00.000Z',
    closesAt: '2026-06-01T00:00:00.000Z',
    volumeCents: 0,
    seq: 0,
    resolution:
      status === 'resolved' || status === 'cancelled'
        ? { outcomeId: winner, resolvedAt: '2026-06-02T00:00:00.000Z', note: '' }
        : null,
    claims: [],
  };
}

const pos = (marketId: string, outcomeId: string, shares: number, costCents: number): Position => ({
  marketId,
  outcomeId,
  shares,
  costCents,
});

describe('valuePortfolio', () => {
  const markets = new Map(
    [
      market('open', 'open', [0.6, 0.4]),
      market('shut', 'closed', [0.25, 0.75]),
      market('won', 'resolved', [0.9, 0.1], 'yes'),
      market('void', 'cancelled', [0.5, 0.5]),
      market('void2', 'cancelled', [0.5, 0.5]),
    ].map((m) => [m.id, m]),
  );

  it('values open and closed positions at current prices and groups them by market', () => {
    const p = valuePortfolio(
      [pos('open', 'no', 5, 200), pos('shut', 'yes', 8, 300), pos('open', 'yes', 10, 550)],
      markets,
    );
    // open: yes 10 × 0.6 = 600 (P&L +50), no 5 × 0.4 = 200 (P&L 0), yes listed first.
    // shut: 8 × 0.25 = 200 against 300 paid: P&L -100.
    expect(p.open.map((g) => g.marketId)).toEqual(['open', 'shut']);
    expect(p.open[0]!.lines.map((l) => [l.label, l.valueCents, l.pnlCents])).toEqual([
      ['Yes', 600, 50],
      ['No', 200, 0],
    ]);
    expect(p.open[0]).toMatchObject({ costCents: 750, valueCents: 800, pnlCents: 50 });
    expect(p.open[1]).toMatchObject({ costCents: 300, valueCents: 200, pnlCents: -100 });
    expect(p.openTotals).toEqual({ costCents: 1050, valueCents: 1000, pnlCents: -50 });
    expect(p.settled).toEqual([]);
  });

  it('counts a resolved market at its payout: floor(100 × winning shares), losers nothing', () => {
    const p = valuePortfolio([pos('won', 'yes', 12.345, 700), pos('won', 'no', 3, 100)], markets);
    // 12.345 shares pay floor(1234.5) = 1234 cents; the 3 "no" shares pay 0.
    const g = p.settled[0]!;
    expect(g.lines.map((l) => [l.outcomeId, l.valueCents, l.pnlCents])).toEqual([
      ['yes', 1234, 534],
      ['no', 0, -100],
    ]);
    expect(g).toMatchObject({ settled: true, costCents: 800, valueCents: 1234, pnlCents: 434 });
    expect(p.openTotals).toEqual({ costCents: 0, valueCents: 0, pnlCents: 0 });
  });

  it('refunds net cost on a cancelled market, never less than zero', () => {
    const p = valuePortfolio(
      [
        pos('void', 'yes', 4, 300),
        pos('void', 'no', 2, -50),
        // Sold for 80 more than paid: the refund is 0, so the 80 is kept as profit.
        pos('void2', 'yes', 1, -80),
      ],
      markets,
    );
    expect(p.settled.map((g) => [g.marketId, g.valueCents, g.pnlCents])).toEqual([
      ['void', 250, 0],
      ['void2', 0, 80],
    ]);
    expect(p.settled[0]!.lines.every((l) => l.valueCents === null)).toBe(true);
    expect(p.settledTotals).toEqual({ costCents: 170, valueCents: 250, pnlCents: 80 });
  });

  it('leaves a market it cannot see out of the totals rather than valuing it at zero', () => {
    const p = valuePortfolio([pos('gone', 'yes', 3, 150), pos('open', 'yes', 1, 50)], markets);
    expect(p.open[0]).toMatchObject({ marketId: 'gone', valueCents: null, pnlCents: null });
    expect(p.openTotals).toEqual({ costCents: 50, valueCents: 60, pnlCents: 10 });
  });

  it('puts every position in exactly one group and keeps totals equal to their parts', () => {
    const ids = ['open', 'shut', 'won', 'void', 'void2', 'gone'];
    const arb = fc.array(
      fc.record({
        marketId: fc.constantFrom(...ids),
        outcomeId: fc.constantFrom('yes', 'no'),
        shares: fc.double({ min: 0.001, max: 1e5, noNaN: true }),
        costCents: fc.integer({ min: -1e6, max: 1e7 }),
      }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(arb, (positions) => {
        const p = valuePortfolio(positions, markets);
        const groups = [...p.open, ...p.settled];
        expect(groups.reduce((a, g) => a + g.lines.length, 0)).toBe(positions.length);
        expect(new Set(groups.map((g) => g.marketId)).size).toBe(groups.length);
        for (const t of [p.openTotals, p.settledTotals])
          expect(t.pnlCents).toBe(t.valueCents - t.costCents);
        const known = p.open.filter((g) => g.valueCents != null);
        expect(p.openTotals.valueCents).toBe(known.reduce((a, g) => a + g.valueCents!, 0));
        for (const g of p.settled) expect(g.valueCents).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
