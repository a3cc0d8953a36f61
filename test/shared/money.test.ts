import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buyerPaysCents,
  formatCredits,
  payoutCents,
  sellerGetsCents,
  subsidyCents,
  tradeCostCents,
} from '../../shared/money.ts';

describe('rounding in the market’s favour', () => {
  it('rounds a buyer’s cost up to the next cent', () => {
    // 5.124947951 credits = 512.4947951 cents → 513
    expect(buyerPaysCents(5.124947951362563)).toBe(513);
    // 0.123 credits = 12.3 cents → 13
    expect(buyerPaysCents(0.123)).toBe(13);
    expect(buyerPaysCents(7)).toBe(700);
  });

  it('does not charge an extra cent for float noise on an exact amount', () => {
    // 0.1 + 0.2 = 0.30000000000000004 credits: 30.000000000000004 cents is 30, not 31.
    expect(buyerPaysCents(0.1 + 0.2)).toBe(30);
    expect(sellerGetsCents(0.7 - 0.4)).toBe(30);
  });

  it('rounds a seller’s proceeds down', () => {
    // 0.129 credits = 12.9 cents → 12; 5.124947951 → 512
    expect(sellerGetsCents(0.129)).toBe(12);
    expect(sellerGetsCents(5.124947951362563)).toBe(512);
  });

  it('signs trade costs: a buy costs cents, a sell returns cents, zero is +0', () => {
    expect(tradeCostCents(5.124947951362563)).toBe(513);
    expect(tradeCostCents(-5.124947951362563)).toBe(-512);
    // 0.001 credits = 0.1 cent of proceeds: nothing, and not -0.
    expect(Object.is(tradeCostCents(-0.001), 0)).toBe(true);
    expect(tradeCostCents(0)).toBe(0);
  });

  it('pays winning shares rounded down and nothing for no shares', () => {
    // 10.505 shares = 1050.5 cents → 1050
    expect(payoutCents(10.505)).toBe(1050);
    expect(payoutCents(10.5)).toBe(1050);
    expect(payoutCents(0)).toBe(0);
    expect(payoutCents(-3)).toBe(0);
  });

  it('subsidises a market with ceil(100 b ln n) cents', () => {
    // 100 * 100 * ln 2 = 6931.47 → 6932; 100 * 100 * ln 3 = 10986.12 → 10987
    expect(subsidyCents(100, 2)).toBe(6932);
    expect(subsidyCents(100, 3)).toBe(10987);
    // 100 * 1 * ln 20 = 299.57 → 300
    expect(subsidyCents(1, 20)).toBe(300);
  });

  it('formats cents as credits with two decimals and thousands separators', () => {
    expect(formatCredits(12345)).toBe('123.45');
    expect(formatCredits(5)).toBe('0.05');
    expect(formatCredits(-5)).toBe('-0.05');
    expect(formatCredits(0)).toBe('0.00');
    expect(formatCredits(123456789)).toBe('1,234,567.89');
  });
});

describe('rounding properties', () => {
  const credits = fc.double({ min: 1e-6, max: 1e7, noNaN: true });

  it('charges a buyer at least the exact cost and less than a cent more', () => {
    fc.assert(
      fc.property(credits, (c) => {
        const cents = buyerPaysCents(c);
        expect(Number.isInteger(cents)).toBe(true);
        expect(cents).toBeGreaterThanOrEqual(c * 100 - 1e-7);
        expect(cents).toBeLessThan(c * 100 + 1);
      }),
    );
  });

  it('pays a seller at most the exact proceeds and less than a cent short', () => {
    fc.assert(
      fc.property(credits, (c) => {
        const cents = sellerGetsCents(c);
        expect(Number.isInteger(cents)).toBe(true);
        expect(cents).toBeLessThanOrEqual(c * 100 + 1e-7);
        expect(cents).toBeGreaterThan(c * 100 - 1);
      }),
    );
  });

  it('never lets a round trip of equal cost and proceeds gain a cent', () => {
    fc.assert(
      fc.property(credits, (c) => {
        expect(tradeCostCents(c) + tradeCostCents(-c)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('covers the LMSR worst-case loss with the subsidy', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.integer({ min: 2, max: 20 }),
        (b, n) => {
          const cents = subsidyCents(b, n);
          expect(Number.isInteger(cents)).toBe(true);
          expect(cents).toBeGreaterThanOrEqual(100 * b * Math.log(n) - 1e-6);
          expect(cents).toBeLessThan(100 * b * Math.log(n) + 1);
        },
      ),
    );
  });
});
