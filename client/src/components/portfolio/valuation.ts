import { payoutCents } from '../../../../shared/money.ts';
import type { Market, Position } from '../../../../shared/schemas/index.ts';

/** One held outcome, valued. `valueCents` is null when it cannot be known (market not loaded). */
export interface PositionLine {
  outcomeId: string;
  label: string;
  shares: number;
  costCents: number;
  /** The outcome's price now (open or closed markets) or null once settled. */
  price: number | null;
  valueCents: number | null;
  pnlCents: number | null;
}

/** A market's positions together: open ones at current prices, settled ones at what they paid. */
export interface MarketGroup {
  marketId: string;
  market: Market | undefined;
  /** Resolved or cancelled: the value is money already paid, not a price. */
  settled: boolean;
  lines: PositionLine[];
  costCents: number;
  valueCents: number | null;
  pnlCents: number | null;
}

export interface Totals {
  costCents: number;
  valueCents: number;
  pnlCents: number;
}

export interface Portfolio {
  open: MarketGroup[];
  settled: MarketGroup[];
  /** Over open groups whose value is known: what `Net worth` adds to cash. */
  openTotals: Totals;
  settledTotals: Totals;
}

function lineOf(p: Position, m: Market | undefined): PositionLine {
  const o = m?.outcomes.find((x) => x.id === p.outcomeId);
  const base = { outcomeId: p.outcomeId, label: o?.label ?? p.outcomeId, shares: p.shares };
  if (!m) return { ...base, costCents: p.costCents, price: null, valueCents: null, pnlCents: null };
  if (m.status === 'resolved') {
    // One winning share paid 1 credit, rounded down (DESIGN.md); losing shares paid nothing.
    const paid = m.resolution?.outcomeId === p.outcomeId ? payoutCents(p.shares) : 0;
    return {
      ...base,
      costCents: p.costCents,
      price: null,
      valueCents: paid,
      pnlCents: paid - p.costCents,
    };
  }
  if (m.status === 'cancelled') {
    // The refund is per market (net cost, never below zero), so lines carry no value of their own.
    return { ...base, costCents: p.costCents, price: null, valueCents: null, pnlCents: null };
  }
  // Mark to market, as the server's profit figure does: shares × price, in cents.
  const price = o?.probability ?? 0;
  const valueCents = Math.round(p.shares * price * 100);
  return { ...base, costCents: p.costCents, price, valueCents, pnlCents: valueCents - p.costCents };
}

function groupOf(marketId: string, m: Market | undefined, positions: Position[]): MarketGroup {
  const order = new Map(m?.outcomes.map((o, i) => [o.id, i]) ?? []);
  const lines = positions
    .map((p) => lineOf(p, m))
    .sort((a, b) => (order.get(a.outcomeId) ?? 99) - (order.get(b.outcomeId) ?? 99));
  const costCents = lines.reduce((a, l) => a + l.costCents, 0);
  let valueCents: number | null;
  if (m?.status === 'cancelled') valueCents = Math.max(0, costCents);
  else if (lines.some((l) => l.valueCents == null)) valueCents = null;
  else valueCents = lines.reduce((a, l) => a + (l.valueCents ?? 0), 0);
  const settled = m?.status === 'resolved' || m?.status === 'cancelled';
  return {
    marketId,
    market: m,
    settled,
    lines,
    costCents,
    valueCents,
    pnlCents: valueCents == null ? null : valueCents - costCents,
  };
}

function totalsOf(groups: MarketGroup[]): Totals {
  const known = groups.filter((g) => g.valueCents != null);
  const costCents = known.reduce((a, g) => a + g.costCents, 0);
  const valueCents = known.reduce((a, g) => a + (g.valueCents ?? 0), 0);
  return { costCents, valueCents, pnlCents: valueCents - costCents };
}

/**
 * Groups positions by market (in the order they first appear) and values them: open and closed
 * markets at current prices (unrealised), resolved ones at their payout and cancelled ones at
 * their refund (realised, already in the cash balance).
 */
export function valuePortfolio(
  positions: readonly Position[],
  markets: ReadonlyMap<string, Market>,
): Portfolio {
  const byMarket = new Map<string, Position[]>();
  for (const p of positions) {
    const list = byMarket.get(p.marketId);
    if (list) list.push(p);
    else byMarket.set(p.marketId, [p]);
  }
  const groups = [...byMarket].map(([id, ps]) => groupOf(id, markets.get(id), ps));
  const open = groups.filter((g) => !g.settled);
  const settled = groups.filter((g) => g.settled);
  return { open, settled, openTotals: totalsOf(open), settledTotals: totalsOf(settled) };
}
