import { DomainError } from '../../shared/errors.ts';
import { nextStatus } from '../../shared/lifecycle.ts';
import { payoutCents } from '../../shared/money.ts';
import type { Market, Payout, ResolveRequest } from '../../shared/schemas/index.ts';
import type { LedgerEntry, MarketRow } from '../store/store.ts';
import { type Ctx, inTransaction, isoNow } from './context.ts';
import type { DomainEvent } from './events.ts';
import { requireMarket, saveChange } from './markets.ts';
import { HOUSE, marketAccount, userAccount, userView } from './views.ts';

/** What each user is owed when a market resolves to `outcomeId`, or is cancelled (null). */
function amountsOwed(ctx: Ctx, m: MarketRow, outcomeId: string | null): Map<string, number> {
  const owed = new Map<string, number>();
  for (const p of ctx.store.positionsOfMarket(m.id)) {
    if (outcomeId === null) {
      // Cancelled: each trader gets back what they put in, net; never less than zero.
      owed.set(p.userId, (owed.get(p.userId) ?? 0) + p.costCents);
    } else if (p.outcomeId === outcomeId) {
      owed.set(p.userId, (owed.get(p.userId) ?? 0) + payoutCents(p.shares));
    }
  }
  for (const [userId, cents] of owed) if (cents <= 0) owed.delete(userId);
  return owed;
}

function emitBalances(ctx: Ctx, userIds: Iterable<string>, events: DomainEvent[]): void {
  for (const id of userIds) {
    const row = ctx.store.userById(id);
    if (row) events.push({ type: 'balance', user: userView(ctx.store, row) });
  }
}

/**
 * Resolves a market to an outcome or cancels it, in one transaction: every owed amount is
 * paid from the market account (the house tops it up if a cancellation's refunds exceed it),
 * whatever is left returns to the house, and the audit log records who, when and why.
 */
export function resolveMarket(
  ctx: Ctx,
  actor: string,
  marketId: string,
  req: ResolveRequest,
): { market: Market; payouts: Payout[] } {
  return inTransaction(ctx, (events) => {
    const m = requireMarket(ctx, marketId);
    const cancel = 'cancel' in req;
    m.status = nextStatus(m.status, cancel ? 'cancel' : 'resolve');
    const outcomeId = cancel ? null : req.outcomeId;
    if (outcomeId !== null && !m.outcomes.some((o) => o.id === outcomeId)) {
      throw new DomainError('validation_failed', `no outcome ${outcomeId} in this market`, {
        field: 'outcomeId',
      });
    }
    const at = isoNow(ctx);
    let knownAt: string | null = null;
    if (!cancel && req.knownAt) {
      knownAt = new Date(req.knownAt).toISOString();
      if (knownAt > at || knownAt < m.createdAt) {
        throw new DomainError('validation_failed', 'knownAt must lie between creation and now', {
          field: 'knownAt',
        });
      }
    }
    const owed = amountsOwed(ctx, m, outcomeId);
    const total = [...owed.values()].reduce((a, b) => a + b, 0);
    const account = marketAccount(m.id);
    const held = ctx.store.balanceOf(account);
    const entries: LedgerEntry[] = [];
    const topUp = Math.max(0, total - held);
    if (topUp > 0) {
      entries.push({ account: HOUSE, amountCents: -topUp }, { account, amountCents: topUp });
    }
    for (const [userId, cents] of owed) {
      entries.push(
        { account, amountCents: -cents },
        { account: userAccount(userId), amountCents: cents },
      );
    }
    const leftover = held + topUp - total;
    if (leftover > 0) {
      entries.push({ account, amountCents: -leftover }, { account: HOUSE, amountCents: leftover });
    }
    ctx.store.post({ kind: 'resolution', marketId: m.id, ref: `seq:${m.seq + 1}`, at }, entries);
    if (!m.closedAt) m.closedAt = at;
    const note = req.note ?? '';
    m.resolution = { outcomeId, resolvedAt: at, note, knownAt };
    ctx.store.insertAudit({
      at,
      actor,
      action: cancel ? 'market.cancel' : 'market.resolve',
      marketId: m.id,
      detail: { outcomeId, note, knownAt, paidCents: total, houseTopUpCents: topUp, leftover },
    });
    const market = saveChange(ctx, m, at, events);
    const users = ctx.store.usersByIds([...owed.keys()]);
    const names = new Map(users.map((u) => [u.id, u.username]));
    const payouts: Payout[] = [...owed].map(([userId, amountCents]) => ({
      userId,
      username: names.get(userId) ?? userId,
      amountCents,
    }));
    events.push({ type: 'market.resolved', market, payouts });
    emitBalances(ctx, owed.keys(), events);
    return { market, payouts };
  });
}

/**
 * Undoes a resolution or cancellation: the payouts are reversed by a compensating ledger
 * transaction (nothing is deleted) and the market returns to `closed`. A balance taken below
 * zero blocks buying until it is positive again.
 */
export function unresolveMarket(ctx: Ctx, actor: string, marketId: string, note?: string): Market {
  return inTransaction(ctx, (events) => {
    const m = requireMarket(ctx, marketId);
    const previous = m.resolution;
    m.status = nextStatus(m.status, 'unresolve');
    const posted = ctx.store.ledgerEntriesOfMarket(m.id, ['resolution', 'unresolve']);
    const last = posted[0];
    if (last?.kind !== 'resolution') throw new DomainError('conflict', 'no resolution to undo');
    const entries = posted
      .filter((e) => e.txId === last.txId)
      .map((e) => ({ account: e.account, amountCents: -e.amountCents }));
    const at = isoNow(ctx);
    ctx.store.post({ kind: 'unresolve', marketId: m.id, ref: `tx:${last.txId}`, at }, entries);
    m.resolution = null;
    ctx.store.insertAudit({
      at,
      actor,
      action: 'market.unresolve',
      marketId: m.id,
      detail: { note: note ?? '', previous },
    });
    const market = saveChange(ctx, m, at, events);
    const users = entries
      .map((e) => e.account)
      .filter((a) => a.startsWith('user:'))
      .map((a) => a.slice(5));
    emitBalances(ctx, users, events);
    return market;
  });
}
