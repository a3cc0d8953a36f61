import { z } from 'zod';
import {
  Cents,
  IsoTime,
  MarketId,
  MarketType,
  NextCursor,
  OutcomeId,
  Probability,
  pageQuery,
  SpaceId,
  text,
  Username,
} from './common.ts';
import {
  AuditEntry,
  CalibrationBin,
  Claim,
  Forecast,
  Market,
  Position,
  Scores,
  Simulation,
  Trade,
  User,
  Webhook,
  WebhookEvent,
  WebhookKind,
} from './objects.ts';

/** Request and response bodies of every HTTP endpoint in API.md. Requests are strict. */

// ---- auth

export const Credentials = z
  .object({ username: Username, password: z.string().min(8).max(256) })
  .strict();
export type Credentials = z.infer<typeof Credentials>;

export const UserResponse = z.object({ user: User });
export type UserResponse = z.infer<typeof UserResponse>;

export const MeResponse = z.object({ user: User, positions: z.array(Position) });
export type MeResponse = z.infer<typeof MeResponse>;

export const TokenResponse = z.object({ token: z.string() });
export type TokenResponse = z.infer<typeof TokenResponse>;

export const HealthResponse = z.object({
  ok: z.literal(true),
  version: z.string(),
  /** The id of the node that answered (a new one each time a server starts). */
  node: z.string(),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

// ---- markets

export const MarketListQuery = pageQuery(1000)
  .extend({
    status: z.enum(['open', 'closed', 'resolved', 'cancelled', 'all']).default('open'),
    /** One space's markets, or `public` for the public site's only; absent: all the caller sees. */
    spaceId: z.union([SpaceId, z.literal('public')]).optional(),
  })
  .strict();
export type MarketListQuery = z.infer<typeof MarketListQuery>;

/** Newest first. */
export const MarketsResponse = z.object({ markets: z.array(Market), nextCursor: NextCursor });
export type MarketsResponse = z.infer<typeof MarketsResponse>;

export const MarketResponse = z.object({ market: Market });
export type MarketResponse = z.infer<typeof MarketResponse>;

/** A claim as an admin enters it; `outcomeId` must name one of the market's outcomes. */
export const ClaimInput = Claim.strict();
export type ClaimInput = z.infer<typeof ClaimInput>;

/**
 * A question's type and outcomes agree: multiple choice names 2–20 distinct outcomes, binary
 * names none (its outcomes are Yes and No).
 */
export function outcomesAgree(
  v: { type?: 'binary' | 'multiple'; outcomes?: string[] },
  ctx: z.RefinementCtx,
): void {
  const type = v.type ?? (v.outcomes ? 'multiple' : 'binary');
  if (type === 'multiple' && !v.outcomes) {
    ctx.addIssue({
      code: 'custom',
      path: ['outcomes'],
      message: 'multiple choice needs 2–20 outcomes',
    });
  }
  if (type === 'binary' && v.outcomes) {
    ctx.addIssue({ code: 'custom', path: ['outcomes'], message: 'binary markets have yes and no' });
  }
  if (v.outcomes && new Set(v.outcomes.map((o) => o.toLowerCase())).size !== v.outcomes.length) {
    ctx.addIssue({ code: 'custom', path: ['outcomes'], message: 'outcome labels must differ' });
  }
}

export const CreateMarketRequest = z
  .object({
    question: text(300, 5),
    description: text(10_000).optional(),
    criteria: text(5_000).optional(),
    tags: z
      .array(z.string().regex(/^[a-z0-9-]{1,30}$/))
      .max(10)
      .optional(),
    type: MarketType.optional(),
    outcomes: z.array(text(80, 1)).min(2).max(20).optional(),
    liquidity: z.number().min(1).max(1_000_000).optional(),
    closesAt: IsoTime,
    id: MarketId.optional(),
    claims: z.array(ClaimInput).max(50).optional(),
    /** The space the market belongs to (its moderators and owner may create it). */
    spaceId: SpaceId.optional(),
  })
  .strict()
  .superRefine(outcomesAgree);
export type CreateMarketRequest = z.infer<typeof CreateMarketRequest>;

export const HistoryPoint = z.object({ t: IsoTime, probabilities: z.array(Probability) });
export type HistoryPoint = z.infer<typeof HistoryPoint>;
export const HistoryResponse = z.object({ points: z.array(HistoryPoint) });
export type HistoryResponse = z.infer<typeof HistoryResponse>;

/** A list's `?limit=` query: 1 to 1000 items, `fallback` when absent; nothing else allowed. */
function limitQuery(fallback: number) {
  return pageQuery(fallback).strict();
}

export const TradesQuery = limitQuery(50);
export type TradesQuery = z.infer<typeof TradesQuery>;
export const TradesResponse = z.object({ trades: z.array(Trade), nextCursor: NextCursor });
export type TradesResponse = z.infer<typeof TradesResponse>;

/** Shares are capped so that exp(Δ/b) stays finite for any allowed b. */
const MAX_SHARES = 1e7;

/**
 * A trade or a quote: exactly one of `shares` (≠ 0, < 0 sells), `amountCents` (> 0, spend) or
 * `toProbability` (0 < t < 1, move the outcome's price there).
 */
export const TradeRequest = z
  .object({
    outcomeId: OutcomeId,
    shares: z
      .number()
      .min(-MAX_SHARES)
      .max(MAX_SHARES)
      .refine((s) => s !== 0, 'must not be 0')
      .optional(),
    amountCents: z.number().int().min(1).max(1e11).optional(),
    toProbability: z.number().gt(0).lt(1).optional(),
    maxCostCents: z.number().int().min(-1e11).max(1e11).optional(),
    idempotencyKey: z.string().min(1).max(128).optional(),
  })
  .strict()
  .refine(
    (v) => [v.shares, v.amountCents, v.toProbability].filter((x) => x !== undefined).length === 1,
    { message: 'exactly one of shares, amountCents, toProbability' },
  );
export type TradeRequest = z.infer<typeof TradeRequest>;

export const TradeResponse = z.object({ trade: Trade, market: Market, user: User });
export type TradeResponse = z.infer<typeof TradeResponse>;

export const QuoteResponse = z.object({
  shares: z.number(),
  costCents: Cents,
  probabilities: z.array(Probability),
});
export type QuoteResponse = z.infer<typeof QuoteResponse>;

// ---- forecasts

export const ForecastRequest = z
  .object({
    probability: Probability.optional(),
    probabilities: z.array(Probability).min(2).max(20).optional(),
    comment: text(1000).optional(),
  })
  .strict()
  .refine((v) => (v.probability === undefined) !== (v.probabilities === undefined), {
    message: 'exactly one of probability, probabilities',
  })
  .refine(
    (v) => !v.probabilities || Math.abs(v.probabilities.reduce((a, b) => a + b, 0) - 1) <= 1e-6,
    { message: 'probabilities must sum to 1', path: ['probabilities'] },
  );
export type ForecastRequest = z.infer<typeof ForecastRequest>;

export const ForecastResponse = z.object({ forecast: Forecast });
export type ForecastResponse = z.infer<typeof ForecastResponse>;

export const Community = z.object({
  probabilities: z.array(Probability).nullable(),
  count: z.number().int(),
  /** The extremised mean of log-odds, a second view. */
  extremized: z.array(Probability).nullable().optional(),
});
export type Community = z.infer<typeof Community>;

/** `GET /api/markets/:id/forecasts?limit=&before=`: newest first; the community is of them all. */
export const ForecastsQuery = limitQuery(1000);
export type ForecastsQuery = z.infer<typeof ForecastsQuery>;
export const ForecastsResponse = z.object({
  forecasts: z.array(Forecast),
  community: Community,
  nextCursor: NextCursor,
});
export type ForecastsResponse = z.infer<typeof ForecastsResponse>;
/** `GET /api/users/:username/forecasts?limit=`: newest first. */
export const UserForecastsQuery = limitQuery(200);
export type UserForecastsQuery = z.infer<typeof UserForecastsQuery>;
export const UserForecastsResponse = z.object({
  forecasts: z.array(Forecast),
  nextCursor: NextCursor,
});
export type UserForecastsResponse = z.infer<typeof UserForecastsResponse>;

// ---- lifecycle

export const ResolveRequest = z.union([
  z
    .object({
      outcomeId: OutcomeId,
      note: text(2000).optional(),
      knownAt: IsoTime.optional(),
    })
    .strict(),
  z.object({ cancel: z.literal(true), note: text(2000).optional() }).strict(),
]);
export type ResolveRequest = z.infer<typeof ResolveRequest>;

export const Payout = z.object({ userId: z.string(), username: Username, amountCents: Cents });
export type Payout = z.infer<typeof Payout>;

export const ResolveResponse = z.object({ market: Market, payouts: z.array(Payout) });
export type ResolveResponse = z.infer<typeof ResolveResponse>;

export const NoteRequest = z.object({ note: text(2000).optional() }).strict();
export type NoteRequest = z.infer<typeof NoteRequest>;

// ---- scores

export const NamedScores = z.object({ who: z.string() }).extend(Scores.shape);
export const UserScores = z.object({ username: Username }).extend(Scores.shape);

export const ScoresResponse = z.object({
  market: Scores,
  community: Scores,
  claims: z.array(NamedScores),
  users: z.array(UserScores),
});
export type ScoresResponse = z.infer<typeof ScoresResponse>;

export const LeaderboardMetric = z.enum(['profit', 'brier', 'log', 'baseline', 'peer']);
export type LeaderboardMetric = z.infer<typeof LeaderboardMetric>;
export const LeaderboardQuery = z
  .object({ metric: LeaderboardMetric.default('profit'), spaceId: SpaceId.optional() })
  .strict();
export type LeaderboardQuery = z.infer<typeof LeaderboardQuery>;
export const LeaderboardResponse = z.object({
  entries: z.array(z.object({ username: Username, value: z.number(), count: z.number().int() })),
});
export type LeaderboardResponse = z.infer<typeof LeaderboardResponse>;

export const ProfileResponse = z.object({
  user: z.object({ username: Username, role: z.enum(['admin', 'trader']), createdAt: IsoTime }),
  stats: z.object({
    forecasts: z.number().int(),
    resolved: z.number().int(),
    brier: z.number().nullable(),
    log: z.number().nullable(),
    profitCents: Cents,
    calibration: z.array(CalibrationBin),
  }),
});
export type ProfileResponse = z.infer<typeof ProfileResponse>;

/** `GET /api/audit?limit=`: newest first. */
export const AuditQuery = limitQuery(200);
export type AuditQuery = z.infer<typeof AuditQuery>;
export const AuditResponse = z.object({ entries: z.array(AuditEntry), nextCursor: NextCursor });
export type AuditResponse = z.infer<typeof AuditResponse>;

// ---- integrations and simulation

export const CreateWebhookRequest = z
  .object({
    kind: WebhookKind,
    url: z.url({ protocol: /^https?$/ }).max(2000),
    mode: z.enum(['post', 'live']).optional(),
    events: z.array(WebhookEvent).min(1).max(4).optional(),
    minMove: z.number().gt(0).lt(1).optional(),
    marketIds: z.array(MarketId).max(100).optional(),
    /** Post the markets of this space instead of the public site's. */
    spaceId: SpaceId.optional(),
  })
  .strict();
export type CreateWebhookRequest = z.infer<typeof CreateWebhookRequest>;

export const WebhookResponse = z.object({ webhook: Webhook, secret: z.string() });
export type WebhookResponse = z.infer<typeof WebhookResponse>;
export const WebhooksResponse = z.object({ webhooks: z.array(Webhook) });
export type WebhooksResponse = z.infer<typeof WebhooksResponse>;

export const SimulationRequest = z
  .object({
    running: z.boolean(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31)
      .optional(),
    tradesPerMinute: z.number().min(1).max(6000).optional(),
  })
  .strict();
export type SimulationRequest = z.infer<typeof SimulationRequest>;
export const SimulationResponse = Simulation;
export type SimulationResponse = z.infer<typeof SimulationResponse>;
