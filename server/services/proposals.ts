import { DomainError } from '../../shared/errors.ts';
import type {
  CreateProposalRequest,
  Market,
  Proposal,
  ProposalStatus,
  UpdateProposalRequest,
} from '../../shared/schemas/index.ts';
import { normalizeQuestion } from '../../shared/slug.ts';
import type { ProposalRow } from '../store/spacesStore.ts';
import type { MarketRow, Tx, UserRow } from '../store/store.ts';
import { hasRole, requireRole, type Viewer } from './access.ts';
import { randomId } from './accounts.ts';
import { type Ctx, inTransaction, isoNow } from './context.ts';
import { insertMarketInTx, marketFromRequest } from './markets.ts';
import { pageOf, timeBefore, timeCursor } from './paging.ts';

/**
 * Question proposals: any signed-in user proposes a question to the public site or to a space
 * they belong to; the space's moderators and owners (admins for the public site, and admins
 * everywhere) review them: edit, approve (the market opens in the same transaction) or reject
 * with a reason.
 */

type Stored = Omit<ProposalRow, 'proposer'>;

/** Whether the viewer reviews proposals of this space (null: the public site). */
export function reviews(v: Viewer, spaceId: string | null): boolean {
  if (v.admin) return true;
  return spaceId !== null && hasRole(v, spaceId, 'moderator');
}

function canSee(v: Viewer, p: ProposalRow): boolean {
  return p.proposerId === v.user?.id || reviews(v, p.spaceId);
}

function notFound(id: string): DomainError {
  return new DomainError('not_found', `no proposal ${id}`);
}

/** Open and closed markets by normalised question: what a pending proposal may repeat. */
type OpenQuestions = Map<string, MarketRow[]>;

async function openQuestions(ctx: Ctx): Promise<OpenQuestions> {
  const out: OpenQuestions = new Map();
  for (const m of await ctx.store.markets('all')) {
    if (m.status !== 'open' && m.status !== 'closed') continue;
    const key = normalizeQuestion(m.question);
    out.set(key, [...(out.get(key) ?? []), m]);
  }
  return out;
}

async function duplicatesOf(
  ctx: Ctx,
  p: ProposalRow,
  questions: OpenQuestions,
): Promise<NonNullable<Proposal['duplicates']>> {
  const out: NonNullable<Proposal['duplicates']> = [];
  for (const m of questions.get(p.normalized) ?? []) {
    if ((m.spaceId ?? null) === p.spaceId) {
      out.push({ kind: 'market', id: m.id, question: m.question });
    }
  }
  for (const o of await ctx.store.pendingProposalsLike(p.normalized)) {
    if (o.id !== p.id && o.spaceId === p.spaceId) {
      out.push({ kind: 'proposal', id: o.id, question: o.question });
    }
  }
  return out;
}

/**
 * A proposal as the viewer sees it; a reviewer also gets its look-alikes (`questions`, read
 * once for a whole list, else here).
 */
export async function proposalView(
  ctx: Ctx,
  v: Viewer,
  p: ProposalRow,
  questions?: () => Promise<OpenQuestions>,
): Promise<Proposal> {
  const out: Proposal = {
    id: p.id,
    proposer: p.proposer,
    status: p.status,
    question: p.question,
    description: p.description,
    criteria: p.criteria,
    type: p.type,
    outcomes: p.outcomes,
    closesAt: p.closesAt,
    spaceId: p.spaceId,
    sources: p.sources,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
  if (p.marketId) out.marketId = p.marketId;
  if (p.reason) out.reason = p.reason;
  if (p.decidedAt) out.decidedAt = p.decidedAt;
  if (p.decidedBy) out.decidedBy = p.decidedBy;
  if (p.status === 'pending' && reviews(v, p.spaceId)) {
    out.duplicates = await duplicatesOf(ctx, p, await (questions ?? (() => openQuestions(ctx)))());
  }
  return out;
}

function requireFuture(ctx: Ctx, closesAt: string): string {
  const t = new Date(closesAt);
  if (t.getTime() <= ctx.now().getTime()) {
    throw new DomainError('validation_failed', 'closesAt must be in the future', {
      field: 'closesAt',
    });
  }
  return t.toISOString();
}

function outcomesOf(type: 'binary' | 'multiple', outcomes: string[] | undefined): string[] {
  return type === 'binary' ? ['Yes', 'No'] : (outcomes ?? []);
}

export async function createProposal(
  ctx: Ctx,
  v: Viewer,
  user: UserRow,
  req: CreateProposalRequest,
): Promise<Proposal> {
  const spaceId = req.spaceId ?? null;
  if (spaceId) await requireRole(ctx.store, v, spaceId, 'member');
  else if (v.scope) throw new DomainError('not_found', 'this token is scoped to a space');
  const closesAt = requireFuture(ctx, req.closesAt);
  const type = req.type ?? (req.outcomes ? 'multiple' : 'binary');
  const row = await inTransaction(ctx, async (tx) => {
    const at = isoNow(ctx);
    const since = new Date(ctx.now().getTime() - 86_400_000).toISOString();
    const limit = ctx.config.PROPOSALS_PER_DAY;
    if ((await tx.proposalsSince(user.id, since)) >= limit) {
      throw new DomainError('rate_limited', `at most ${limit} proposals a day`, { limit }, 3600);
    }
    const p: Stored = {
      id: randomId('pr_'),
      proposerId: user.id,
      status: 'pending',
      question: req.question,
      normalized: normalizeQuestion(req.question),
      description: req.description ?? '',
      criteria: req.criteria,
      type,
      outcomes: outcomesOf(type, req.outcomes),
      closesAt,
      spaceId,
      sources: req.sources ?? [],
      marketId: null,
      reason: null,
      createdAt: at,
      updatedAt: at,
      decidedAt: null,
      decidedBy: null,
    };
    await tx.insertProposal(p);
    await tx.insertAudit({
      at,
      actor: user.username,
      action: 'proposal.create',
      marketId: null,
      detail: { proposalId: p.id, question: p.question, ...(spaceId ? { spaceId } : {}) },
    });
    return (await tx.proposal(p.id))!;
  });
  return proposalView(ctx, v, row);
}

/** A page of the proposals the viewer may see (their own, and all they review), newest first. */
export async function listProposals(
  ctx: Ctx,
  v: Viewer,
  q: { status?: ProposalStatus; limit: number; before?: string },
): Promise<{ proposals: Proposal[]; nextCursor: string | null }> {
  const reviewed = [...v.roles].filter(([, role]) => role !== 'member').map(([id]) => id);
  const rows = await ctx.store.proposalsFor(
    {
      status: q.status,
      before: timeBefore(q.before),
      all: v.admin,
      proposerId: v.user?.id ?? null,
      spaceIds: reviewed,
    },
    q.limit + 1,
  );
  const page = pageOf(rows, q.limit, (p) => timeCursor(p.createdAt, p.id));
  const proposals: Proposal[] = [];
  let questions: Promise<OpenQuestions> | undefined;
  const once = () => {
    questions ??= openQuestions(ctx);
    return questions;
  };
  for (const p of page.items) proposals.push(await proposalView(ctx, v, p, once));
  return { proposals, nextCursor: page.nextCursor };
}

async function lockPending(tx: Tx, v: Viewer, id: string): Promise<ProposalRow> {
  const p = await tx.proposalForUpdate(id);
  if (!p || !canSee(v, p)) throw notFound(id);
  if (p.status !== 'pending') {
    throw new DomainError('conflict', `the proposal is ${p.status}`, { status: p.status });
  }
  return p;
}

function edited(ctx: Ctx, p: ProposalRow, req: UpdateProposalRequest, at: string): Stored {
  const type = req.type ?? (req.outcomes ? 'multiple' : p.type);
  const outcomes =
    req.type !== undefined || req.outcomes !== undefined
      ? outcomesOf(type, req.outcomes)
      : p.outcomes;
  const question = req.question ?? p.question;
  return {
    ...p,
    question,
    normalized: normalizeQuestion(question),
    description: req.description ?? p.description,
    criteria: req.criteria ?? p.criteria,
    type,
    outcomes,
    closesAt: req.closesAt ? requireFuture(ctx, req.closesAt) : p.closesAt,
    sources: req.sources ?? p.sources,
    updatedAt: at,
  };
}

/** The proposer edits their pending proposal; a reviewer may too, before deciding. */
export async function updateProposal(
  ctx: Ctx,
  v: Viewer,
  id: string,
  req: UpdateProposalRequest,
): Promise<Proposal> {
  const row = await inTransaction(ctx, async (tx) => {
    const p = await lockPending(tx, v, id);
    const at = isoNow(ctx);
    const next = edited(ctx, p, req, at);
    await tx.saveProposal(next);
    await tx.insertAudit({
      at,
      actor: v.user!.username,
      action: 'proposal.edit',
      marketId: null,
      detail: { proposalId: id, fields: Object.keys(req) },
    });
    return (await tx.proposal(id))!;
  });
  return proposalView(ctx, v, row);
}

function requireReviewer(v: Viewer, p: ProposalRow): void {
  if (!reviews(v, p.spaceId)) {
    throw new DomainError('forbidden', "only the space's moderators (or admins) review proposals");
  }
}

/**
 * Approves a pending proposal, with the reviewer's last edits: its market opens in the same
 * transaction, created by the reviewer and credited to the proposer (`proposedBy`).
 */
export async function approveProposal(
  ctx: Ctx,
  v: Viewer,
  id: string,
  req: UpdateProposalRequest,
): Promise<{ proposal: Proposal; market: Market }> {
  // Two approvals of look-alike questions at once may pick the same market id: the later one
  // finds it taken and tries again with the next.
  for (let attempt = 1; ; attempt++) {
    try {
      const { row, market } = await approveOnce(ctx, v, id, req);
      return { proposal: await proposalView(ctx, v, row), market };
    } catch (err) {
      const idTaken =
        !(err instanceof DomainError) ||
        (err.code === 'conflict' && (err.details as { id?: string } | undefined)?.id !== undefined);
      if (!idTaken || attempt >= 3) throw err;
      const p = await ctx.store.proposal(id);
      if (p?.status !== 'pending') throw err;
    }
  }
}

/** The approval in one transaction: the proposal locked, its market made from what it says then. */
function approveOnce(
  ctx: Ctx,
  v: Viewer,
  id: string,
  req: UpdateProposalRequest,
): Promise<{ row: ProposalRow; market: Market }> {
  return inTransaction(ctx, async (tx, events) => {
    const p = await lockPending(tx, v, id);
    requireReviewer(v, p);
    const at = isoNow(ctx);
    const next = edited(ctx, p, req, at);
    const def = await marketFromRequest(
      ctx,
      {
        question: next.question,
        description: next.description,
        criteria: next.criteria,
        closesAt: next.closesAt,
        ...(next.type === 'multiple' ? { type: 'multiple', outcomes: next.outcomes } : {}),
        ...(next.spaceId ? { spaceId: next.spaceId } : {}),
      },
      tx,
    );
    const market = await insertMarketInTx(ctx, tx, events, v.user?.username ?? 'system', {
      ...def,
      proposedBy: p.proposer,
    });
    await tx.saveProposal({
      ...next,
      status: 'approved',
      marketId: market.id,
      decidedAt: at,
      decidedBy: v.user?.username ?? 'system',
    });
    await tx.insertAudit({
      at,
      actor: v.user?.username ?? 'system',
      action: 'proposal.approve',
      marketId: market.id,
      detail: { proposalId: id, proposer: p.proposer, edited: Object.keys(req) },
    });
    return { row: (await tx.proposal(id))!, market };
  });
}

export async function rejectProposal(
  ctx: Ctx,
  v: Viewer,
  id: string,
  reason: string,
): Promise<Proposal> {
  const row = await inTransaction(ctx, async (tx) => {
    const p = await lockPending(tx, v, id);
    requireReviewer(v, p);
    const at = isoNow(ctx);
    await tx.saveProposal({
      ...p,
      status: 'rejected',
      reason,
      updatedAt: at,
      decidedAt: at,
      decidedBy: v.user?.username ?? 'system',
    });
    await tx.insertAudit({
      at,
      actor: v.user?.username ?? 'system',
      action: 'proposal.reject',
      marketId: null,
      detail: { proposalId: id, proposer: p.proposer, reason },
    });
    return (await tx.proposal(id))!;
  });
  return proposalView(ctx, v, row);
}
