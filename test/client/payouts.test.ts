import { describe, expect, it } from 'vitest';
import { payoutPreview } from '../../client/src/lib/payouts.ts';
import type { Trade } from '../../shared/schemas/index.ts';

let n = 0;
function trade(username: string, outcomeId: string, shares: number, costCents: number): Trade {
  n += 1;
  return {
    id: String(n),
    marketId: 'm',
    userId: `u_${username}`,
    username,
    outcomeId,
    shares,
    costCents,
    probabilities: [0.5, 0.5],
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('payoutPreview', () => {
  const trades = [
    trade('ann', 'yes', 10.5, 600),
    trade('ann', 'yes', -2.25, -150),
    trade('bob', 'no', 20, 900),
    trade('cid', 'yes', 3.339, 200),
    trade('cid', 'no', 4, 300),
  ];

  it('pays floor(100 × net winning shares) to each holder of the winning outcome', () => {
    // ann: 10.5 - 2.25 = 8.25 shares → 825 cents; cid: 3.339 → floor(333.9) = 333; bob holds no.
    expect(payoutPreview(trades, { outcomeId: 'yes' })).toEqual([
      { username: 'ann', amountCents: 825 },
      { username: 'cid', amountCents: 333 },
    ]);
  });

  it('refunds each trader net cost on a cancel, never below zero', () => {
    // ann 600 - 150 = 450; bob 900; cid 200 + 300 = 500; dee sold for more than she paid: 0.
    const withProfit = [...trades, trade('dee', 'yes', 5, 100), trade('dee', 'yes', -5, -180)];
    expect(payoutPreview(withProfit, { cancel: true })).toEqual([
      { username: 'bob', amountCents: 900 },
      { username: 'cid', amountCents: 500 },
      { username: 'ann', amountCents: 450 },
    ]);
  });
});
