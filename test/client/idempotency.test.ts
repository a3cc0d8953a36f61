import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxCostFor, newIdempotencyKey } from '../../client/src/lib/idempotency.ts';

describe('maxCostFor', () => {
  it('allows 1% above a buy quote, rounded up to the cent', () => {
    // 1 234 cents × 1% = 12.34 → 13 cents of room: 1 247.
    expect(maxCostFor(1234)).toBe(1247);
    // 10 000 cents × 1% = exactly 100.
    expect(maxCostFor(10_000)).toBe(10_100);
  });

  it('allows at least one cent on tiny quotes', () => {
    // 37 × 1% = 0.37 → 1 cent; 0 → 1 cent.
    expect(maxCostFor(37)).toBe(38);
    expect(maxCostFor(0)).toBe(1);
  });

  it('accepts 1% less on a sell', () => {
    // Proceeds of 2 500 cents (cost −2 500): at least 2 475 accepted, i.e. cost ≤ −2 475.
    expect(maxCostFor(-2500)).toBe(-2475);
  });

  it('stays between one cent and 1% plus one cent above the quote', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), (q) => {
        const room = maxCostFor(q) - q;
        expect(room).toBeGreaterThanOrEqual(1);
        expect(room).toBeGreaterThanOrEqual(Math.abs(q) / 100);
        expect(room).toBeLessThanOrEqual(Math.abs(q) / 100 + 1);
      }),
    );
  });
});

describe('newIdempotencyKey', () => {
  it('returns a different version-4 UUID each call', () => {
    const a = newIdempotencyKey();
    const b = newIdempotencyKey();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });
});
