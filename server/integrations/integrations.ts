import { Router } from 'express';
import type { Redis } from 'ioredis';
import { type ChatCtx, createChatCtx } from '../chat/chatCtx.ts';
import { startReminders } from '../chat/reminders.ts';
import { chatRoutes } from '../chat/routes.ts';
import type { Ctx } from '../services/context.ts';
import { type ChannelCtx, settingsOf } from './channelCtx.ts';
import { outboxHook } from './outbox.ts';
import { integrationRoutes } from './routes.ts';
import { WebhookRegistry } from './webhooks.ts';
import { startWorker } from './worker.ts';

export interface Integrations {
  /** Routes under /api: webhook admin, the delivery log, Slack and Discord both ways. */
  router: Router;
  channels: ChannelCtx;
  chat: ChatCtx;
  /** Stops the worker after the requests in flight are answered and recorded. */
  stop(): Promise<void>;
}

/**
 * Team channels: registers the outbox transaction hook and starts the delivery worker.
 * `baseUrl` gives the address people reach Parity at, for links in posts.
 */
export function createIntegrations(
  ctx: Ctx,
  baseUrl: () => string,
  isLeader: () => boolean = () => true,
  redis?: Redis,
): Integrations {
  const channels: ChannelCtx = {
    ctx,
    store: ctx.store,
    webhooks: new WebhookRegistry(ctx.store),
    settings: settingsOf(ctx.config),
    baseUrl,
  };
  ctx.txHooks.push(outboxHook(channels));
  const worker = startWorker(channels, isLeader);
  const chat = createChatCtx(channels, redis);
  const router = Router();
  router.use(integrationRoutes(channels), chatRoutes(chat));
  const reminders = startReminders(chat, isLeader);
  return {
    router,
    channels,
    chat,
    stop: async () => {
      await Promise.all([worker.stop(), reminders.stop()]);
    },
  };
}
