import type { Ctx } from '../services/context.ts';
import type { Store } from '../store/store.ts';
import type { WebhookRegistry } from './webhooks.ts';

/** Timings and endpoints of team channels, from the configuration. */
export interface ChannelSettings {
  /** First retry delay; it doubles with each failed attempt (with jitter). */
  retryBaseMs: number;
  maxAttempts: number;
  /** How often the worker looks for due deliveries and closing markets. */
  pollMs: number;
  timeoutMs: number;
  /** At most one post per market per this interval. */
  movedIntervalMs: number;
  /** A move is posted this long after it crossed minMove: the trades of a burst ride along. */
  movedSettleMs: number;
  /** At most one edit of a live message per this interval. */
  liveEditIntervalMs: number;
  allowPrivate: boolean;
  slackApiUrl: string;
  discordApiUrl: string;
  slackBotToken: string | undefined;
  /** Posts carry buttons (Forecast, Buy, admin actions) when the app can receive them. */
  slackInteractive: boolean;
  discordInteractive: boolean;
}

/** What the integration modules share. */
export interface ChannelCtx {
  ctx: Ctx;
  /** The same store as `ctx.store`, which holds the outbox tables too. */
  store: Store;
  webhooks: WebhookRegistry;
  settings: ChannelSettings;
  /** Where people reach Parity: PUBLIC_URL, else http://localhost:<port>. */
  baseUrl(): string;
}

export function settingsOf(config: Ctx['config']): ChannelSettings {
  return {
    retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    pollMs: config.WEBHOOK_POLL_MS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    movedIntervalMs: config.WEBHOOK_MOVED_INTERVAL_MS,
    movedSettleMs: config.WEBHOOK_MOVED_SETTLE_MS,
    liveEditIntervalMs: config.LIVE_EDIT_INTERVAL_MS,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    slackApiUrl: config.SLACK_API_URL.replace(/\/+$/, ''),
    discordApiUrl: config.DISCORD_API_URL.replace(/\/+$/, ''),
    slackBotToken: config.SLACK_BOT_TOKEN || undefined,
    slackInteractive: Boolean(config.SLACK_SIGNING_SECRET),
    discordInteractive: Boolean(config.DISCORD_PUBLIC_KEY),
  };
}

/** The market's page. */
export function marketLink(c: ChannelCtx, marketId: string): string {
  return `${c.baseUrl().replace(/\/+$/, '')}/markets/${encodeURIComponent(marketId)}`;
}

/** Live messages are kept only where the destination can edit them. */
export function isLive(w: { kind: string; mode: string }): boolean {
  return w.mode === 'live' && (w.kind === 'slack' || w.kind === 'discord');
}
