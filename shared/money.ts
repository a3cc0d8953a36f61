/**
 * Credits to integer cents. Every rounding favours the market, so rounding can never create
 * money: a buyer pays ceil, a seller receives floor, a winning position is paid floor.
 */

/** Cents below this distance from an integer are treated as that integer (float noise). */
const EPSILON_CENTS = 1e-7;

/** Cents a buyer pays for a cost of `credits` (> 0): rounded up. */
export function buyerPaysCents(credits: number): number {
  const cents = credits * 100;
  const r = Math.round(cents);
  // Float noise such as 512.4950000000001 must not cost an extra cent when it is exact;
  // but anything bought costs at least a cent, so no trade is free.
  const paid = Math.abs(cents - r) < EPSILON_CENTS ? r : Math.ceil(cents);
  return credits > 0 ? Math.max(1, paid) : paid;
}

/** Cents a seller receives for proceeds of `credits` (> 0): rounded down. */
export function sellerGetsCents(credits: number): number {
  const cents = credits * 100;
  const r = Math.round(cents);
  return Math.abs(cents - r) < EPSILON_CENTS ? r : Math.floor(cents);
}

/**
 * Signed cents for an LMSR cost in credits: a positive cost (a buy) is rounded up, a negative
 * cost (a sell's proceeds) is rounded towards minus infinity in magnitude terms, i.e. the
 * seller gets floor(proceeds). The result is what the trader's balance loses.
 */
export function tradeCostCents(credits: number): number {
  const cents = credits >= 0 ? buyerPaysCents(credits) : -sellerGetsCents(-credits);
  // A sell worth under a cent would otherwise come out as -0.
  return cents === 0 ? 0 : cents;
}

/** Cents paid for `shares` winning shares (1 share = 100 cents): rounded down. */
export function payoutCents(shares: number): number {
  if (shares <= 0) return 0;
  return sellerGetsCents(shares);
}

/** The house's subsidy for a market, ceil(100 * b * ln n) cents: its worst-case loss. */
export function subsidyCents(liquidity: number, outcomes: number): number {
  return Math.ceil(100 * liquidity * Math.log(outcomes) - EPSILON_CENTS);
}

/** Format cents as credits with two decimals, e.g. 12345 → "123.45". */
export function formatCredits(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}
