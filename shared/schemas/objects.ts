import { z } from 'zod';
import {
  Cents,
  IsoTime,
  MarketId,
  MarketStatus,
  MarketType,
  OutcomeId,
  Probability,
  Role,
  SpaceId,
  Username,
} from './common.ts';

/** The objects of API.md, as the server sends them. */

export const User = z.object({
  id: z.string(),
  username: Username,
  role: Role,
  balanceCents: Cents,
  createdAt: IsoTime,
  /** True for simulation bots. */
  bot: z.boolean().optional(),
});
export type User = z.infer<typeof User>;

export const Outcome = z.object({
  id: OutcomeId,
  label: z.string(),
  probability: Probability,
  shares: z.number(),
});
export type Outcome = z.infer<typeof Outcome>;

export const Claim = z.object({
  who: z.string().min(1).max(200),
  said: z.string().min(1).max(2000),
  source: z.string().min(1).max(500),
  /** The day the claim was made, YYYY-MM-DD. */
  date: z.iso.date(),
  outcomeId: OutcomeId,
  /** The claim read as a forecast of `outcomeId`. */
  probability: Probability,
  /** How the words were read as a probability. */
  note: z.string().max(1000).optional(),
});
export type Claim = z.infer<typeof Claim>;

export const Resolution = z.object({
  /** null when the market was cancelled. */
  outcomeId: OutcomeId.nullable(),
  resolvedAt: IsoTime,
  note: z.string(),
  knownAt: IsoTime.nullable().optional(),
});
export type Resolution = z.infer<typeof Resolution>;

export const Market = z.object({
  id: MarketId,
  question: z.string(),
  description: z.string(),
  /** How the question will be resolved. */
  criteria: z.string().optional(),
  tags: z.array(z.string()).optional(),
  type: MarketType,
  outcomes: z.array(Outcome).min(2).max(20),
  /** b, in shares. */
  liquidity: z.number().positive(),
  status: MarketStatus,
  createdAt: IsoTime,
  closesAt: IsoTime,
  volumeCents: Cents,
  /** Count of state changes; rises by one with each. */
  seq: z.number().int().nonnegative(),
  resolution: Resolution.nullable(),
  claims: z.array(Claim),
  /** The space the market belongs to; absent or null: the public site. */
  spaceId: SpaceId.nullable().optional(),
  /** Who proposed the question, when the market opened from an approved proposal. */
  proposedBy: Username.optional(),
});
export type Market = z.infer<typeof Market>;

export const Trade = z.object({
  id: z.string(),
  marketId: MarketId,
  userId: z.string(),
  username: Username,
  outcomeId: OutcomeId,
  /** < 0 for a sell. */
  shares: z.number(),
  /** < 0: proceeds of a sell. */
  costCents: Cents,
  /** Probabilities after the trade, by outcome order. */
  probabilities: z.array(Probability),
  createdAt: IsoTime,
});
export type Trade = z.infer<typeof Trade>;

export const Forecast = z.object({
  id: z.string(),
  marketId: MarketId,
  userId: z.string(),
  username: Username,
  /** By outcome order. */
  probabilities: z.array(Probability),
  comment: z.string().optional(),
  createdAt: IsoTime,
});
export type Forecast = z.infer<typeof Forecast>;

export const Position = z.object({
  marketId: MarketId,
  outcomeId: OutcomeId,
  shares: z.number(),
  /** Net paid. */
  costCents: Cents,
});
export type Position = z.infer<typeof Position>;

/** Scores of one forecaster (or the market, the crowd, a claim) on one resolved question. */
export const Scores = z.object({
  brier: z.number().nullable(),
  log: z.number().nullable(),
  baseline: z.number().nullable(),
  peer: z.number().nullable(),
});
export type Scores = z.infer<typeof Scores>;

export const CalibrationBin = z.object({
  from: z.number(),
  to: z.number(),
  predicted: z.number(),
  observed: z.number(),
  count: z.number().int(),
  low: z.number(),
  high: z.number(),
});
export type CalibrationBin = z.infer<typeof CalibrationBin>;

export const AuditEntry = z.object({
  at: IsoTime,
  actor: z.string(),
  action: z.string(),
  marketId: z.string().nullable(),
  detail: z.unknown(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const WebhookKind = z.enum(['slack', 'discord', 'teams', 'generic']);
export type WebhookKind = z.infer<typeof WebhookKind>;
export const WebhookEvent = z.enum(['created', 'moved', 'closing', 'resolved']);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

export const Webhook = z.object({
  id: z.string(),
  kind: WebhookKind,
  url: z.string(),
  mode: z.enum(['post', 'live']),
  events: z.array(WebhookEvent),
  minMove: z.number(),
  marketIds: z.array(MarketId).nullable(),
  /** Posts only the markets of this space; null: the public site's. */
  spaceId: SpaceId.nullable().optional(),
  createdAt: IsoTime,
});
export type Webhook = z.infer<typeof Webhook>;

export const Simulation = z.object({
  running: z.boolean(),
  seed: z.number().int(),
  tradesPerMinute: z.number(),
});
export type Simulation = z.infer<typeof Simulation>;
