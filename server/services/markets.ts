import { DomainError } from '../../shared/errors.ts';
import { nextStatus } from '../../shared/lifecycle.ts';
import { prices } from '../../shared/lmsr.ts';
import { subsidyCents } from '../../shared/money.ts';
import type {
  Claim,
  CreateMarketRequest,
  Market,
  MarketStatus,
} from '../../shared/schemas/index.ts';
import { outcomeIdsOf, slugify } from '../../shared/slug.ts';
import type { MarketRow, OutcomeDef, Queries, Tx } from '../store/store.ts';
import { type Viewer, visibleOnly } from './access.ts';
import { type Ctx, inTransaction, isoNow } from './context.ts';
import type { DomainEvent } from './events.ts';
import { HOUSE, marketAccount, marketView } from './views.ts';

export const DEFAULT_LIQUIDITY = 100;

function outcomeDefs(req: { type?: 'binary' | 'multiple'; outcomes?: string[] }): OutcomeDef[] {
  if (!req.outcomes) {
    return [
      { id: 'yes', label: 'Yes' },
      { id: 'no', label: 'No' },
    ];
  }
  const ids = outcomeIdsOf(req.outcomes);
  return req.outcomes.map((label, i) => ({ id: ids[i]!, label }));
}

export interface NewMarket {
  id: string;
  question: string;
  description: string;
  criteria: string;
  tags: string[];
  type: 'binary' | 'multiple';
  outcomes: OutcomeDef[];
  liquidity: number;
  closesAt: string;
  claims: Claim[];
  /** The space it belongs to; null: the public site. */
  spaceId: string | null;
  /** Who proposed it, when it opens from a proposal. */
  proposedBy?: string;
}

/** Turns a create request into a market definition, checking what the schema cannot. */
export async function marketFromRequest(
  ctx: Ctx,
  req: CreateMarketRequest,
  q: Pick<Queries, 'market'> = ctx.store,
): Promise<NewMarket> {
  const closesAt = new Date(req.closesAt);
  if (closesAt.getTime() <= ctx.now().getTime()) {
    throw new DomainError('validation_failed', 'closesAt must be in the future', {
      field: 'closesAt',
    });
  }
  const outcomes = outcomeDefs(req);
  let id = req.id;
  if (!id) {
    const base = slugify(req.question);
    id = base;
    for (let n = 2; await q.market(id); n++) id = `${base}-${n}`;
  }
  return {
    id,
    question: req.question,
    description: req.description ?? '',
    criteria: req.criteria ?? '',
    tags: req.tags ?? [],
    type: req.outcomes ? 'multiple' : (req.type ?? 'binary'),
    outcomes,
    liquidity: req.liquidity ?? DEFAULT_LIQUIDITY,
    closesAt: closesAt.toISOString(),
    claims: req.claims ?? [],
    spaceId: req.spaceId ?? null,
  };
}

/**
 * Creates a market with the house's subsidy (its worst-case loss, rounded up), in one
 * transaction. `actor` is the admin's username, or 'seed'.
 */
export async function createMarket(ctx: Ctx, actor: string, def: NewMarket): Promise<Market> {
  try {
    return await createMarketOnce(ctx, actor, def);
  } catch (err) {
    // Two creations of one id at once (nodes seeding together): the later hits the primary key.
    if (!(err instanceof DomainError) && (await ctx.store.market(def.id))) {
      throw new DomainError('conflict', `a market with id ${def.id} exists`, { id: def.id });
    }
    throw err;
  }
}

async function createMarketOnce(ctx: Ctx, actor: string, def: NewMarket): Promise<Market> {
  return inTransaction(ctx, (tx, events) => insertMarketInTx(ctx, tx, events, actor, def));
}

/**
 * Inserts a market with the house's subsidy inside the caller's transaction (a creation, or
 * the approval of a proposal, which opens its market in the same transaction).
 */
export async function insertMarketInTx(
  ctx: Ctx,
  tx: Tx,
  events: DomainEvent[],
  actor: string,
  def: NewMarket,
): Promise<Market> {
  const ids = new Set(def.outcomes.map((o) => o.id));
  for (const c of def.claims) {
    if (!ids.has(c.outcomeId)) {
      throw new DomainError('validation_failed', `claim by ${c.who} names unknown outcome`, {
        outcomeId: c.outcomeId,
      });
    }
  }
  if (await tx.market(def.id)) {
    throw new DomainError('conflict', `a market with id ${def.id} exists`, { id: def.id });
  }
  const at = isoNow(ctx);
  const row: MarketRow = {
    ...def,
    q: def.outcomes.map(() => 0),
    status: 'open',
    createdAt: at,
    closedAt: null,
    volumeCents: 0,
    seq: 0,
    resolution: null,
    createdBy: actor,
  };
  await tx.insertMarket(row);
  await tx.ensureAccount(HOUSE);
  await tx.post({ kind: 'subsidy', marketId: row.id, at }, [
    { account: HOUSE, amountCents: -subsidyCents(row.liquidity, row.outcomes.length) },
    {
      account: marketAccount(row.id),
      amountCents: subsidyCents(row.liquidity, row.outcomes.length),
    },
  ]);
  await tx.appendHistory(row.id, 0, at, prices(row.q, row.liquidity));
  await tx.insertAudit({
    at,
    actor,
    action: 'market.create',
    marketId: row.id,
    detail: {
      question: row.question,
      liquidity: row.liquidity,
      closesAt: row.closesAt,
      ...(row.spaceId ? { spaceId: row.spaceId } : {}),
    },
  });
  const market = marketView(row);
  events.push({ type: 'market.created', market });
  return market;
}

/** Loads a market or throws not_found. */
export async function requireMarket(q: Queries, id: string): Promise<MarketRow> {
  const m = await q.market(id);
  if (!m) throw new DomainError('not_found', `no market ${id}`);
  return m;
}

/** Loads and locks a market inside a transaction, or throws not_found. */
export async function lockMarket(tx: Tx, id: string): Promise<MarketRow> {
  const m = await tx.marketForUpdate(id);
  if (!m) throw new DomainError('not_found', `no market ${id}`);
  return m;
}

/** Records a state change: seq + 1, a history point, a `market.changed` event. */
export async function saveChange(
  tx: Tx,
  m: MarketRow,
  at: string,
  events: DomainEvent[],
): Promise<Market> {
  m.seq += 1;
  await tx.saveMarketState(m);
  await tx.appendHistory(m.id, m.seq, at, prices(m.q, m.liquidity));
  const market = marketView(m);
  events.push({ type: 'market.changed', market });
  return market;
}

/** Closes an open market (an admin, or the clock at `closesAt`). */
export function closeMarket(ctx: Ctx, actor: string, id: string, note?: string): Promise<Market> {
  return inTransaction(ctx, async (tx, events) =>
    closeInTx(ctx, tx, await lockMarket(tx, id), actor, events, note),
  );
}

async function closeInTx(
  ctx: Ctx,
  tx: Tx,
  m: MarketRow,
  actor: string,
  events: DomainEvent[],
  note?: string,
): Promise<Market> {
  m.status = nextStatus(m.status, 'close');
  const at = isoNow(ctx);
  // A market closed by the clock closed at its scheduled time, whenever we noticed.
  m.closedAt = actor === 'system' && m.closesAt < at ? m.closesAt : at;
  await tx.insertAudit({ at, actor, action: 'market.close', marketId: m.id, detail: { note } });
  return saveChange(tx, m, at, events);
}

/**
 * Closes every open market whose close time has passed; returns the ids this call closed.
 * Each is locked and checked again, so two nodes (or a trade and the clock) never close one
 * market twice.
 */
export async function closeOverdue(ctx: Ctx): Promise<string[]> {
  const ids = await ctx.store.overdueMarkets(isoNow(ctx));
  const closed: string[] = [];
  for (const id of ids) {
    await inTransaction(ctx, async (tx, events) => {
      const m = await tx.marketForUpdate(id);
      if (m?.status === 'open' && Date.parse(m.closesAt) <= ctx.now().getTime()) {
        await closeInTx(ctx, tx, m, 'system', events);
        closed.push(id);
      }
    });
  }
  return closed;
}

/**
 * Throws market_not_open unless the market takes trades now. A market past its close time is
 * closed on the spot (outside the caller's transaction), so the answer and the state agree.
 */
export function requireOpen(ctx: Ctx, m: MarketRow): void {
  if (m.status !== 'open') {
    throw new DomainError('market_not_open', `the market is ${m.status}`, { status: m.status });
  }
  if (Date.parse(m.closesAt) <= ctx.now().getTime()) {
    throw new DomainError('market_not_open', 'the market closed at its close time', {
      status: 'closed',
      closesAt: m.closesAt,
    });
  }
}

/**
 * The markets the viewer may see, of a status; `spaceId` narrows to one space's (`public`: the
 * public site's only).
 */
export async function listMarkets(
  ctx: Ctx,
  v: Viewer,
  status: MarketStatus | 'all',
  spaceId?: string,
): Promise<Market[]> {
  let rows = await ctx.store.markets(status);
  if (spaceId) rows = rows.filter((m) => (m.spaceId ?? 'public') === spaceId);
  return (await visibleOnly(ctx.store, v, rows)).map(marketView);
}
