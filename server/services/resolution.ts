import { DomainError } from '../../shared/errors.ts';
import { nextStatus } from '../../shared/lifecycle.ts';
import { payoutCents } from '../../shared/money.ts';
import type { Market, Payout, ResolveRequest } from '../../shared/schemas/index.ts';
import type { LedgerEntry, MarketRow, Tx } from '../store/store.ts';
import { type Ctx, inTransaction, isoNow } from './context.ts';
import type { DomainEvent } from './events.ts';
import { lockMarket, saveChange } from './markets.ts';
import { HOUSE, marketAccount, userAccount, userView } from './views.ts';

/** What each user is owed when a market resolves to `outcomeId`, or is cancelled (null). */
async function amountsOwed(
  tx: Tx,
  m: MarketRow,
  outcomeId: string | null,
): Promise<Map<string, number>> {
  const owed = new Map<string, number>();
  for (const p of await tx.positionsOfMarket(m.id)) {
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

async function emitBalances(
  tx: Tx,
  userIds: Iterable<string>,
  events: DomainEvent[],
): Promise<void> {
  for (const row of await tx.usersByIds([...userIds])) {
    events.push({ type: 'balance', user: await userView(tx, row) });
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
): Promise<{ market: Market; payouts: Payout[] }> {
  return inTransaction(ctx, async (tx, events) => {
    const m = await lockMarket(tx, marketId);
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
    const owed = await amountsOwed(tx, m, outcomeId);
    const total = [...owed.values()].reduce((a, b) => a + b, 0);
    const account = marketAccount(m.id);
    const held = await tx.balanceForUpdate(account);
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
    await tx.post({ kind: 'resolution', marketId: m.id, ref: `seq:${m.seq + 1}`, at }, entries);
    if (!m.closedAt) m.closedAt = at;
    const note = req.note ?? '';
    m.resolution = { outcomeId, resolvedAt: at, note, knownAt };
    await tx.insertAudit({
      at,
      actor,
      action: cancel ? 'market.cancel' : 'market.resolve',
      marketId: m.id,
      detail: { outcomeId, note, knownAt, paidCents: total, houseTopUpCents: topUp, leftover },
    });
    const market = await saveChange(tx, m, at, events);
    const users = await tx.usersByIds([...owed.keys()]);
    const names = new Map(users.map((u) => [u.id, u.username]));
    const payouts: Payout[] = [...owed].map(([userId, amountCents]) => ({
      userId,
      username: names.get(userId) ?? userId,
      amountCents,
    }));
    events.push({ type: 'market.resolved', market, payouts });
    await emitBalances(tx, owed.keys(), events);
    return { market, payouts };
  });
}

/**
 * Undoes a resolution or cancellation: the payouts are reversed by a compensating ledger
 * transaction (nothing is deleted) and the market returns to `closed`. A balance taken below
 * zero blocks buying until it is positive again.
 */
export function unresolveMarket(
  ctx: Ctx,
  actor: string,
  marketId: string,
  note?: string,
): Promise<Market> {
  return inTransaction(ctx, async (tx, events) => {
    const m = await lockMarket(tx, marketId);
    const previous = m.resolution;
    m.status = nextStatus(m.status, 'unresolve');
    const posted = await tx.ledgerEntriesOfMarket(m.id, ['resolution', 'unresolve']);
    const last = posted[0];
    if (last?.kind !== 'resolution') throw new DomainError('conflict', 'no resolution to undo');
    const entries = posted
      .filter((e) => e.txId === last.txId)
      .map((e) => ({ account: e.account, amountCents: -e.amountCents }));
    const at = isoNow(ctx);
    await tx.post({ kind: 'unresolve', marketId: m.id, ref: `tx:${last.txId}`, at }, entries);
    m.resolution = null;
    await tx.insertAudit({
      at,
      actor,
      action: 'market.unresolve',
      marketId: m.id,
      detail: { note: note ?? '', previous },
    });
    const market = await saveChange(tx, m, at, events);
    const users = entries
      .map((e) => e.account)
      .filter((a) => a.startsWith('user:'))
      .map((a) => a.slice(5));
    await emitBalances(tx, users, events);
    return market;
  });
}
