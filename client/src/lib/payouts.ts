import { payoutCents } from '../../../shared/money.ts';
import type { Trade } from '../../../shared/schemas/index.ts';

export interface PayoutLine {
  username: string;
  amountCents: number;
}

/**
 * What resolving (or cancelling) a market would pay, worked out from its trades: each trader's
 * net shares of the winning outcome pay floor(100 × shares) cents; a cancel refunds each trader's
 * net cost, never less than zero (DESIGN.md). Exact when `trades` holds every trade.
 */
export function payoutPreview(
  trades: readonly Trade[],
  outcome: { outcomeId: string } | { cancel: true },
): PayoutLine[] {
  const byUser = new Map<string, { shares: number; costCents: number }>();
  for (const t of trades) {
    const u = byUser.get(t.username) ?? { shares: 0, costCents: 0 };
    if ('cancel' in outcome) u.costCents += t.costCents;
    else if (t.outcomeId === outcome.outcomeId) u.shares += t.shares;
    byUser.set(t.username, u);
  }
  const lines: PayoutLine[] = [];
  for (const [username, u] of byUser) {
    const amountCents = 'cancel' in outcome ? Math.max(0, u.costCents) : payoutCents(u.shares);
    if (amountCents > 0) lines.push({ username, amountCents });
  }
  return lines.sort(
    (a, b) => b.amountCents - a.amountCents || a.username.localeCompare(b.username),
  );
}
