import { z } from 'zod';
import { Cents, IsoTime, MarketId, MarketStatus, OutcomeId, Probability } from './common.ts';
import { type Forecast, Market, type Trade, User } from './objects.ts';
import type { Comment, CommentDeleted } from './spaces.ts';

/** Payloads of the socket events of API.md, and the typed event maps built from them. */

/** A market id; or, from a signed embed of a private market, the id with the embed's token. */
export const SubscribePayload = z.union([
  MarketId,
  z.object({ marketId: MarketId, token: z.string().max(300) }).strict(),
]);
export type SubscribePayload = z.infer<typeof SubscribePayload>;

export const AckError = z.object({ code: z.string(), message: z.string() });
export type AckError = z.infer<typeof AckError>;

export const SubscribeAck = z.union([
  z.object({ ok: z.literal(true), market: Market }),
  z.object({ ok: z.literal(false), error: AckError }),
]);
export type SubscribeAck = z.infer<typeof SubscribeAck>;

export const FeedJoinAck = z.union([
  z.object({ ok: z.literal(true), markets: z.array(Market) }),
  z.object({ ok: z.literal(false), error: AckError }),
]);
export type FeedJoinAck = z.infer<typeof FeedJoinAck>;

/**
 * The latest state of a market. Updates are coalesced, so `seq` may rise by more than one
 * between two of them; `prevSeq` is the seq of the update sent before this one for the market,
 * so a client whose last seen seq is below `prevSeq` missed an update (a gap) and refetches.
 */
export const MarketUpdate = z.object({
  marketId: MarketId,
  seq: z.number().int(),
  prevSeq: z.number().int().optional(),
  probabilities: z.array(Probability),
  volumeCents: Cents,
  status: MarketStatus,
  at: IsoTime,
});
export type MarketUpdate = z.infer<typeof MarketUpdate>;

export const MarketResolved = z.object({
  marketId: MarketId,
  outcomeId: OutcomeId.nullable(),
  status: MarketStatus,
});
export type MarketResolved = z.infer<typeof MarketResolved>;

/** Sent only to the user concerned (a per-user room): their own balance after a change. */
export const MeUpdate = z.object({ user: User });
export type MeUpdate = z.infer<typeof MeUpdate>;

export interface ServerToClientEvents {
  'market:update': (u: MarketUpdate) => void;
  trade: (t: Trade) => void;
  forecast: (f: Forecast) => void;
  'market:created': (m: Market) => void;
  'market:resolved': (r: MarketResolved) => void;
  'me:update': (u: MeUpdate) => void;
  comment: (c: Comment) => void;
  'comment:deleted': (d: CommentDeleted) => void;
}

/**
 * Client events. Arguments are `unknown` on purpose: they are untrusted and the server parses
 * them with the schemas above; a typed client still sends the right shapes.
 */
export interface ClientToServerEvents {
  subscribe: (marketId: unknown, ack?: (a: SubscribeAck) => void) => void;
  unsubscribe: (marketId: unknown) => void;
  'feed:join': (ack?: (a: FeedJoinAck) => void) => void;
  'feed:leave': () => void;
}
