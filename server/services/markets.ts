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
import type { MarketRow, OutcomeDef } from '../store/store.ts';
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
}

/** Turns a create request into a market definition, checking what the schema cannot. */
export function marketFromRequest(ctx: Ctx, req: CreateMarketRequest): NewMarket {
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
    for (let n = 2; ctx.store.market(id); n++) id = `${base}-${n}`;
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
  };
}

/**
 * Creates a market with the house's subsidy (its worst-case loss, rounded up), in one
 * transaction. `actor` is the admin's username, or 'seed'.
 */
export function createMarket(ctx: Ctx, actor: string, def: NewMarket): Market {
  const ids = new Set(def.outcomes.map((o) => o.id));
  for (const c of def.claims) {
    if (!ids.has(c.outcomeId)) {
      throw new DomainError('validation_failed', `claim by ${c.who} names unknown outcome`, {
        outcomeId: c.outcomeId,
      });
    }
  }
  return inTransaction(ctx, (events) => {
    if (ctx.store.market(def.id)) {
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
    ctx.store.insertMarket(row);
    ctx.store.ensureAccount(HOUSE);
    ctx.store.post({ kind: 'subsidy', marketId: row.id, at }, [
      { account: HOUSE, amountCents: -subsidyCents(row.liquidity, row.outcomes.length) },
      {
        account: marketAccount(row.id),
        amountCents: subsidyCents(row.liquidity, row.outcomes.length),
      },
    ]);
    ctx.store.appendHistory(row.id, 0, at, prices(row.q, row.liquidity));
    ctx.store.insertAudit({
      at,
      actor,
      action: 'market.create',
      marketId: row.id,
      detail: { question: row.question, liquidity: row.liquidity, closesAt: row.closesAt },
    });
    const market = marketView(row);
    events.push({ type: 'market.created', market });
    return market;
  });
}

/** Loads a market or throws not_found. */
export function requireMarket(ctx: Ctx, id: string): MarketRow {
  const m = ctx.store.market(id);
  if (!m) throw new DomainError('not_found', `no market ${id}`);
  return m;
}

/** Records a state change: seq + 1, a history point, a `market.changed` event. */
export function saveChange(ctx: Ctx, m: MarketRow, at: string, events: DomainEvent[]): Market {
  m.seq += 1;
  ctx.store.saveMarketState(m);
  ctx.store.appendHistory(m.id, m.seq, at, prices(m.q, m.liquidity));
  const market = marketView(m);
  events.push({ type: 'market.changed', market });
  return market;
}

/** Closes an open market (an admin, or the clock at `closesAt`). */
export function closeMarket(ctx: Ctx, actor: string, id: string, note?: string): Market {
  return inTransaction(ctx, (events) =>
    closeInTx(ctx, requireMarket(ctx, id), actor, events, note),
  );
}

function closeInTx(
  ctx: Ctx,
  m: MarketRow,
  actor: string,
  events: DomainEvent[],
  note?: string,
): Market {
  m.status = nextStatus(m.status, 'close');
  const at = isoNow(ctx);
  // A market closed by the clock closed at its scheduled time, whenever we noticed.
  m.closedAt = actor === 'system' && m.closesAt < at ? m.closesAt : at;
  ctx.store.insertAudit({ at, actor, action: 'market.close', marketId: m.id, detail: { note } });
  return saveChange(ctx, m, at, events);
}

/** Closes every open market whose close time has passed; returns their ids. */
export function closeOverdue(ctx: Ctx): string[] {
  const ids = ctx.store.overdueMarkets(isoNow(ctx));
  for (const id of ids) {
    inTransaction(ctx, (events) => {
      const m = ctx.store.market(id);
      if (m?.status === 'open') closeInTx(ctx, m, 'system', events);
    });
  }
  return ids;
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

export function listMarkets(ctx: Ctx, status: MarketStatus | 'all'): Market[] {
  return ctx.store.markets(status).map(marketView);
}
