import { z } from 'zod';
import { IsoTime, MarketId } from './common.ts';
import { WebhookEvent, WebhookKind } from './objects.ts';

/** The outbox of team-channel notifications, as the admin console shows it. */

/**
 * `pending`: not tried yet (or waiting for its slot); `retrying`: failed, another attempt is
 * scheduled; `delivered`: the destination acknowledged it (2xx); `failed`: gave up (attempts
 * exhausted or a permanent refusal); `skipped`: nothing left to say when its turn came (a move
 * that reverted, a market no longer open).
 */
export const DeliveryStatus = z.enum(['pending', 'retrying', 'delivered', 'failed', 'skipped']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const Delivery = z.object({
  id: z.string(),
  webhookId: z.string(),
  kind: WebhookKind,
  event: WebhookEvent,
  marketId: MarketId,
  /** True when it posts or edits the webhook's live message for the market. */
  live: z.boolean(),
  status: DeliveryStatus,
  attempts: z.number().int().nonnegative(),
  /** The last failure: an HTTP status and message, or a network error. */
  lastError: z.string().nullable(),
  lastStatus: z.number().int().nullable(),
  /** When the next attempt is due; null once delivered, failed or skipped. */
  nextAttemptAt: IsoTime.nullable(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  deliveredAt: IsoTime.nullable(),
});
export type Delivery = z.infer<typeof Delivery>;

export const DeliveriesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    before: z.string().min(1).max(200).optional(),
    status: DeliveryStatus.optional(),
    webhookId: z.string().max(100).optional(),
  })
  .strict();
export type DeliveriesQuery = z.infer<typeof DeliveriesQuery>;

export const DeliveriesResponse = z.object({
  deliveries: z.array(Delivery),
  nextCursor: z.string().nullable(),
});
export type DeliveriesResponse = z.infer<typeof DeliveriesResponse>;
