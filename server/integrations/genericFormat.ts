import { createHmac } from 'node:crypto';
import type { Notification } from './notification.ts';

/**
 * Generic webhooks: the notification as JSON, signed so the receiver can check it came from
 * this server and is fresh: `X-Parity-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`
 * with the webhook's secret, and `X-Parity-Timestamp: <unix seconds>`.
 */

export interface GenericBody {
  /** The delivery id: the same on every retry, so a receiver can drop duplicates. */
  id: string;
  event: Notification['event'];
  /** True when this is an update of a live view of the market rather than a one-off post. */
  live: boolean;
  at: string;
  market: {
    id: string;
    question: string;
    url: string;
    type: Notification['market']['type'];
    status: Notification['market']['status'];
    closesAt: string;
    volumeCents: number;
    outcomes: { id: string; label: string; probability: number }[];
    resolution: Notification['market']['resolution'];
  };
  from?: number[];
  closesInSeconds?: number;
  gainers?: { username: string; profitCents: number }[];
}

export function genericBody(n: Notification, deliveryId: string, live: boolean): GenericBody {
  const m = n.market;
  const body: GenericBody = {
    id: deliveryId,
    event: n.event,
    live,
    at: n.at,
    market: {
      id: m.id,
      question: m.question,
      url: n.link,
      type: m.type,
      status: m.status,
      closesAt: m.closesAt,
      volumeCents: m.volumeCents,
      outcomes: m.outcomes.map((o) => ({ id: o.id, label: o.label, probability: o.probability })),
      resolution: m.resolution,
    },
  };
  if (n.from) body.from = n.from;
  if (n.closesInMs !== undefined) body.closesInSeconds = Math.round(n.closesInMs / 1000);
  if (n.gainers) body.gainers = n.gainers;
  return body;
}

/** The signature header's value for a body sent at `timestamp` (unix seconds). */
export function signatureOf(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function signedHeaders(secret: string, body: string, now: Date): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'x-parity-timestamp': String(timestamp),
    'x-parity-signature': signatureOf(secret, timestamp, body),
  };
}
