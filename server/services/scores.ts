import { calibrationBins, type Outcome01, toBinaryPoints } from '../../shared/calibration.ts';
import { communityTimeline } from '../../shared/community.ts';
import { DomainError } from '../../shared/errors.ts';
import { priceOf } from '../../shared/lmsr.ts';
import type {
  Claim,
  LeaderboardMetric,
  LeaderboardResponse,
  ProfileResponse,
  Scores,
  ScoresResponse,
  SpaceCalibrationResponse,
} from '../../shared/schemas/index.ts';
import {
  type ScoreSet,
  type ScoringWindow,
  scoreTimelines,
  type Timeline,
} from '../../shared/scoring.ts';
import type { MarketRow } from '../store/store.ts';
import { ANONYMOUS, type Viewer, visibleOnly } from './access.ts';
import type { Ctx } from './context.ts';
import { requireMarket } from './markets.ts';
import { userAccount } from './views.ts';

/** A claim as a probability vector: its probability on its outcome, the rest spread evenly. */
export function claimVector(claim: Claim, outcomeIds: readonly string[]): number[] {
  const rest = (1 - claim.probability) / (outcomeIds.length - 1);
  return outcomeIds.map((id) => (id === claim.outcomeId ? claim.probability : rest));
}

export function scoringWindow(m: MarketRow): ScoringWindow {
  const openAt = Date.parse(m.createdAt);
  const closeAt = Date.parse(m.closesAt);
  let cutoffAt = m.closedAt ? Date.parse(m.closedAt) : closeAt;
  const knownAt = m.resolution?.knownAt;
  if (knownAt) cutoffAt = Math.min(cutoffAt, Date.parse(knownAt));
  return { openAt, closeAt, cutoffAt: Math.min(cutoffAt, closeAt) };
}

interface MarketScoring {
  response: ScoresResponse;
  /** Per user id, for leaderboards and profiles. */
  byUser: Map<string, ScoreSet>;
  outcomeIndex: number;
}

const NULL_SCORES: Scores = { brier: null, log: null, baseline: null, peer: null };

// Scores of a resolved market change only with its state; seq identifies the state.
const cache = new WeakMap<Ctx, Map<string, { seq: number; scoring: MarketScoring }>>();

async function computeScoring(ctx: Ctx, m: MarketRow): Promise<MarketScoring> {
  const outcomeId = m.resolution?.outcomeId;
  const outcomeIndex = m.outcomes.findIndex((o) => o.id === outcomeId);
  const window = scoringWindow(m);
  const rows = await ctx.store.forecastsOfMarket(m.id);
  const byUserPoints = new Map<
    string,
    { username: string; points: { t: number; probabilities: number[] }[] }
  >();
  for (const f of rows) {
    let e = byUserPoints.get(f.userId);
    if (!e) {
      e = { username: f.username, points: [] };
      byUserPoints.set(f.userId, e);
    }
    e.points.push({ t: Date.parse(f.createdAt), probabilities: f.probabilities });
  }
  const users: Timeline[] = [...byUserPoints].map(([id, e]) => ({ id, points: e.points }));
  const byUser = scoreTimelines(users, outcomeIndex, window);
  const marketLine: Timeline = {
    id: 'market',
    points: (await ctx.store.history(m.id)).map((h) => ({
      t: Date.parse(h.t),
      probabilities: h.probabilities,
    })),
  };
  const communityLine: Timeline = {
    id: 'community',
    points: communityTimeline(
      rows.map((f) => ({
        userId: f.userId,
        t: Date.parse(f.createdAt),
        probabilities: f.probabilities,
      })),
    ),
  };
  const ids = m.outcomes.map((o) => o.id);
  const claimLines: Timeline[] = m.claims.map((c, i) => ({
    id: `claim:${i}`,
    points: [{ t: Date.parse(`${c.date}T00:00:00Z`), probabilities: claimVector(c, ids) }],
  }));
  // The market, the crowd and each claim are scored as one more forecaster among the users.
  const others = new Map<string, ScoreSet>();
  for (const line of [marketLine, communityLine, ...claimLines]) {
    const s = scoreTimelines([line], outcomeIndex, window, users).get(line.id);
    if (s) others.set(line.id, s);
  }
  const response: ScoresResponse = {
    market: others.get('market') ?? NULL_SCORES,
    community: others.get('community') ?? NULL_SCORES,
    claims: m.claims.map((c, i) => ({ who: c.who, ...(others.get(`claim:${i}`) ?? NULL_SCORES) })),
    users: [...byUserPoints]
      .map(([id, e]) => ({ username: e.username, ...(byUser.get(id) ?? NULL_SCORES) }))
      .sort((a, b) => (b.peer ?? -Infinity) - (a.peer ?? -Infinity)),
  };
  return { response, byUser, outcomeIndex };
}

async function scoring(ctx: Ctx, m: MarketRow): Promise<MarketScoring> {
  let perCtx = cache.get(ctx);
  if (!perCtx) {
    perCtx = new Map();
    cache.set(ctx, perCtx);
  }
  const hit = perCtx.get(m.id);
  if (hit && hit.seq === m.seq) return hit.scoring;
  const s = await computeScoring(ctx, m);
  perCtx.set(m.id, { seq: m.seq, scoring: s });
  return s;
}

/** GET /markets/:id/scores — resolved markets only. */
export async function marketScores(ctx: Ctx, marketId: string): Promise<ScoresResponse> {
  const m = await requireMarket(ctx.store, marketId);
  if (m.status !== 'resolved') {
    throw new DomainError('conflict', 'scores exist once the market resolves', {
      status: m.status,
    });
  }
  return (await scoring(ctx, m)).response;
}

/**
 * The markets a leaderboard or profile counts: one space's, or (no space) those anyone may see,
 * so a private space's results never show outside it.
 */
async function scopeMarkets(
  ctx: Ctx,
  v: Viewer,
  spaceId: string | undefined,
): Promise<MarketRow[]> {
  const all = await ctx.store.markets('all');
  if (spaceId) return all.filter((m) => m.spaceId === spaceId);
  return visibleOnly(ctx.store, v, all);
}

const SETTLED = new Set(['resolved', 'cancelled']);
const MONEY_KINDS = ['trade', 'resolution', 'unresolve'] as const;

/**
 * Profit over a set of markets, per user: what they paid and were paid in those markets'
 * transactions, plus their open positions at current prices (mark to market). Over every
 * market it is their balance minus their grants plus open positions.
 */
async function profits(
  ctx: Ctx,
  markets: readonly MarketRow[],
): Promise<Map<string, { sum: number; count: number }>> {
  const flows = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const m of markets) {
    const traders = new Set<string>();
    for (const p of await ctx.store.positionsOfMarket(m.id)) {
      traders.add(p.userId);
      if (SETTLED.has(m.status) || p.shares <= 0) continue;
      const i = m.outcomes.findIndex((o) => o.id === p.outcomeId);
      const value = p.shares * priceOf(m.q, m.liquidity, i) * 100;
      flows.set(p.userId, (flows.get(p.userId) ?? 0) + value);
    }
    for (const u of traders) counts.set(u, (counts.get(u) ?? 0) + 1);
    for (const e of await ctx.store.ledgerEntriesOfMarket(m.id, MONEY_KINDS)) {
      if (!e.account.startsWith('user:')) continue;
      const u = e.account.slice('user:'.length);
      flows.set(u, (flows.get(u) ?? 0) + e.amountCents);
    }
  }
  const out = new Map<string, { sum: number; count: number }>();
  for (const [u, count] of counts) out.set(u, { sum: Math.round(flows.get(u) ?? 0), count });
  return out;
}

/**
 * One user's profit over the markets a viewer sees: balance minus grants (every market's
 * flows), less the flows of the markets the viewer does not see, plus open positions.
 */
async function profitOfUser(
  ctx: Ctx,
  userId: string,
  visible: readonly MarketRow[],
): Promise<number> {
  const account = userAccount(userId);
  const byId = new Map(visible.map((m) => [m.id, m]));
  let cents =
    (await ctx.store.balanceOf(account)) - (await ctx.store.receivedOfKind(account, 'grant'));
  const hidden = new Set<string>();
  for (const p of await ctx.store.positionsOfUser(userId)) {
    const m = byId.get(p.marketId);
    if (!m) {
      if (hidden.has(p.marketId)) continue;
      hidden.add(p.marketId);
      for (const e of await ctx.store.ledgerEntriesOfMarket(p.marketId, MONEY_KINDS)) {
        if (e.account === account) cents -= e.amountCents;
      }
      continue;
    }
    if (SETTLED.has(m.status) || p.shares <= 0) continue;
    const i = m.outcomes.findIndex((o) => o.id === p.outcomeId);
    cents += p.shares * priceOf(m.q, m.liquidity, i) * 100;
  }
  return Math.round(cents);
}

export async function leaderboard(
  ctx: Ctx,
  v: Viewer,
  metric: LeaderboardMetric,
  spaceId?: string,
): Promise<LeaderboardResponse> {
  // The site's leaderboard is the same for everyone: what anyone may see.
  const markets = await scopeMarkets(ctx, spaceId ? v : ANONYMOUS, spaceId);
  let totals = new Map<string, { sum: number; count: number }>();
  if (metric === 'profit') {
    totals = await profits(ctx, markets);
  } else {
    for (const m of markets) {
      if (m.status !== 'resolved') continue;
      for (const [userId, s] of (await scoring(ctx, m)).byUser) {
        const v = s[metric];
        if (v === null) continue;
        const t = totals.get(userId) ?? { sum: 0, count: 0 };
        t.sum += v;
        t.count += 1;
        totals.set(userId, t);
      }
    }
  }
  const users = new Map((await ctx.store.usersByIds([...totals.keys()])).map((u) => [u.id, u]));
  const entries = [...totals]
    .filter(([id]) => users.has(id))
    .map(([id, t]) => ({
      username: users.get(id)!.username,
      value: metric === 'profit' ? t.sum : t.sum / t.count,
      count: t.count,
    }));
  const lowerIsBetter = metric === 'brier';
  entries.sort((a, b) => (lowerIsBetter ? a.value - b.value : b.value - a.value));
  return { entries: entries.slice(0, 100) };
}

/** A user's public profile, as the viewer may see it: only markets the viewer may see count. */
export async function userProfile(ctx: Ctx, v: Viewer, username: string): Promise<ProfileResponse> {
  const u = await ctx.store.userByUsername(username);
  if (!u) throw new DomainError('not_found', `no user ${username}`);
  const markets = await scopeMarkets(ctx, v, undefined);
  const seen = new Set(markets.map((m) => m.id));
  const forecasts = (await ctx.store.forecastsOfUser(u.id)).filter((f) => seen.has(f.marketId));
  const forecastMarkets = new Set(forecasts.map((f) => f.marketId));
  let brierSum = 0;
  let logSum = 0;
  let scored = 0;
  const points: Outcome01[] = [];
  for (const m of markets) {
    if (m.status !== 'resolved') continue;
    if (!forecastMarkets.has(m.id)) continue;
    const s = await scoring(ctx, m);
    const own = s.byUser.get(u.id);
    if (own?.brier != null && own.log != null) {
      brierSum += own.brier;
      logSum += own.log;
      scored += 1;
    }
    const cutoff = scoringWindow(m).cutoffAt ?? Date.parse(m.closesAt);
    for (const f of forecasts) {
      if (f.marketId === m.id && Date.parse(f.createdAt) < cutoff) {
        points.push(...binaryPointsOf(f.probabilities, s.outcomeIndex));
      }
    }
  }
  return {
    user: { username: u.username, role: u.role, createdAt: u.createdAt },
    stats: {
      forecasts: forecasts.length,
      resolved: scored,
      brier: scored ? brierSum / scored : null,
      log: scored ? logSum / scored : null,
      profitCents: await profitOfUser(ctx, u.id, markets),
      calibration: calibrationBins(points),
    },
  };
}

/**
 * How well a space's forecasters did together: every forecast made before the cutoff on the
 * space's resolved markets, binned, and the mean Brier score of their forecasters per market.
 */
export async function spaceCalibration(
  ctx: Ctx,
  spaceId: string,
): Promise<SpaceCalibrationResponse> {
  const points: Outcome01[] = [];
  let forecasts = 0;
  let resolved = 0;
  let brierSum = 0;
  let brierCount = 0;
  for (const m of await ctx.store.markets('resolved')) {
    if (m.spaceId !== spaceId) continue;
    resolved += 1;
    const s = await scoring(ctx, m);
    for (const score of s.byUser.values()) {
      if (score.brier === null) continue;
      brierSum += score.brier;
      brierCount += 1;
    }
    const cutoff = scoringWindow(m).cutoffAt ?? Date.parse(m.closesAt);
    for (const f of await ctx.store.forecastsOfMarket(m.id)) {
      if (Date.parse(f.createdAt) >= cutoff) continue;
      forecasts += 1;
      points.push(...binaryPointsOf(f.probabilities, s.outcomeIndex));
    }
  }
  return {
    forecasts,
    resolved,
    brier: brierCount ? brierSum / brierCount : null,
    calibration: calibrationBins(points),
  };
}

/** Binary markets give one point (P(yes)); multiple choice one per outcome. */
function binaryPointsOf(probabilities: readonly number[], outcomeIndex: number): Outcome01[] {
  if (probabilities.length === 2)
    return [{ p: probabilities[0]!, outcome: outcomeIndex === 0 ? 1 : 0 }];
  return toBinaryPoints(probabilities, outcomeIndex);
}
