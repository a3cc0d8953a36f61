import { LogLevel, WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import { DomainError } from '../../shared/errors.ts';
import type { ChatIdentity } from '../../shared/schemas/index.ts';
import { RateLimiter } from '../http/rateLimit.ts';
import type { ChannelCtx } from '../integrations/channelCtx.ts';
import { safeRequest } from '../integrations/safeRequest.ts';
import type { Ctx } from '../services/context.ts';
import { isoNow } from '../services/context.ts';

/** What the chat modules share: the services, the Slack Web API client, limits. */
export interface ChatCtx {
  ctx: Ctx;
  channels: ChannelCtx;
  /** The Slack Web API as the bot (SLACK_BOT_TOKEN), at SLACK_API_URL. */
  slack: WebClient | undefined;
  /** Actions per chat member per minute, shared by every node when Redis is there. */
  limiter: RateLimiter;
  baseUrl(): string;
}

/** Actions one chat member may take per minute (commands, button presses, submissions). */
export const ACTIONS_PER_MINUTE = 30;
/** Slack and Discord wait 3 s for an answer; past this the answer comes as a follow-up. */
export const ACK_MS = 2500;

export function createChatCtx(channels: ChannelCtx, redis?: Redis): ChatCtx {
  const { ctx } = channels;
  const token = ctx.config.SLACK_BOT_TOKEN;
  return {
    ctx,
    channels,
    slack: token
      ? new WebClient(token, {
          slackApiUrl: `${channels.settings.slackApiUrl}/`,
          // One retry: a member is waiting; the worker's own deliveries retry for longer.
          retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 500 },
          rejectRateLimitedCalls: true,
          timeout: channels.settings.timeoutMs,
          logLevel: LogLevel.ERROR,
        })
      : undefined,
    limiter: new RateLimiter(ACTIONS_PER_MINUTE, 60_000, {
      redis,
      prefix: `${ctx.config.REDIS_PREFIX}:rl:chat`,
    }),
    baseUrl: channels.baseUrl,
  };
}

/** Counts one action of a member; over the limit it is refused. */
export async function countAction(c: ChatCtx, id: ChatIdentity): Promise<void> {
  const hit = await c.limiter.hit(`${id.platform}:${id.teamId}:${id.externalUserId}`);
  if (!hit.ok) {
    throw new DomainError(
      'rate_limited',
      'too many actions from this chat account',
      undefined,
      hit.retryAfterSeconds,
    );
  }
}

/**
 * Records that a signed request was seen. A second request with the same signature is a
 * replay (a retry is signed anew, or says so in a header) and is refused before it does
 * anything.
 */
export async function firstSighting(c: ChatCtx, key: string): Promise<boolean> {
  return c.ctx.store.transaction((tx) => tx.recordReceipt(key, isoNow(c.ctx)));
}

export type Raced<T> = { done: true; value: T } | { done: false; later: Promise<T> };

/** Waits for `work` at most `ms`; then hands back the promise for a follow-up answer. */
export async function within<T>(work: Promise<T>, ms = ACK_MS): Promise<Raced<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  const first = await Promise.race([work.then((value) => ({ value })), late]);
  clearTimeout(timer);
  return first === 'late' ? { done: false, later: work } : { done: true, value: first.value };
}

/** Posts a follow-up (Slack's `response_url`, Discord's interaction webhook) as JSON. */
export async function followUp(
  c: ChatCtx,
  method: 'POST' | 'PATCH',
  url: string,
  body: unknown,
): Promise<void> {
  const res = await safeRequest({
    method,
    url,
    headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Parity-Chat/1' },
    body: JSON.stringify(body),
    timeoutMs: c.channels.settings.timeoutMs,
    allowPrivate: c.channels.settings.allowPrivate,
  });
  if (res.status >= 300) {
    c.ctx.log.warn({ status: res.status, body: res.body.slice(0, 200) }, 'chat follow-up refused');
  }
}
