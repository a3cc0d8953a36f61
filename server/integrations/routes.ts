import type { IncomingMessage } from 'node:http';
import express, { Router } from 'express';
import { z } from 'zod';
import { DomainError } from '../../shared/errors.ts';
import {
  CreateWebhookRequest,
  DeliveriesQuery,
  type DeliveriesResponse,
  type Delivery,
  type WebhooksResponse,
} from '../../shared/schemas/index.ts';
import { requireAdmin } from '../http/auth.ts';
import { parse } from '../http/errors.ts';
import type { DeliveryWithKind } from '../store/integrationsStore.ts';
import type { ChannelCtx } from './channelCtx.ts';
import {
  moversReply,
  oddsReply,
  type SignatureCheck,
  verifySlackSignature,
} from './slashCommand.ts';
import { webhookView } from './webhooks.ts';

const WebhookId = z.string().regex(/^wh_[A-Za-z0-9_-]{1,40}$/, 'a webhook id');

/** The fields of Slack's slash-command form that we read; Slack sends more, which are ignored. */
const SlackCommandForm = z.object({
  command: z.string().max(100).optional(),
  text: z.string().max(4000).default(''),
});

type WithRawBody = IncomingMessage & { rawBody?: Buffer };

/** Parses Slack's urlencoded form for this one route, keeping the exact bytes for the signature. */
const slackForm = express.urlencoded({
  extended: false,
  limit: '16kb',
  verify: (req, _res, buf) => {
    (req as WithRawBody).rawBody = Buffer.from(buf);
  },
});

const REFUSALS: Record<Exclude<SignatureCheck, 'ok'>, string> = {
  missing: 'the request carries no Slack signature',
  stale: 'the request is more than five minutes old (or from the future)',
  mismatch: 'the Slack signature does not match',
};

export function deliveryView(d: DeliveryWithKind): Delivery {
  return {
    id: String(d.id),
    webhookId: d.webhookId,
    kind: d.kind,
    event: d.event,
    marketId: d.marketId,
    live: d.live,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError,
    lastStatus: d.lastStatus,
    nextAttemptAt: d.nextAttemptAt,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    deliveredAt: d.deliveredAt,
  };
}

/** Webhook administration, the delivery log, and Slack's slash command. */
export function integrationRoutes(c: ChannelCtx): Router {
  const { ctx } = c;
  const r = Router();

  r.get('/integrations/webhooks', async (_req, res) => {
    requireAdmin(res);
    const body: WebhooksResponse = { webhooks: (await c.webhooks.list()).map(webhookView) };
    res.json(body);
  });

  r.post('/integrations/webhooks', async (req, res) => {
    const admin = requireAdmin(res);
    const body = parse(CreateWebhookRequest, req.body);
    res.status(201).json(await c.webhooks.create(ctx, admin.username, body));
  });

  r.delete('/integrations/webhooks/:id', async (req, res) => {
    const admin = requireAdmin(res);
    const id = WebhookId.safeParse(req.params.id);
    if (!id.success) throw new DomainError('not_found', 'no such webhook');
    await c.webhooks.delete(ctx, admin.username, id.data);
    res.status(204).end();
  });

  r.get('/integrations/deliveries', async (req, res) => {
    requireAdmin(res);
    const q = parse(DeliveriesQuery, req.query);
    const body: DeliveriesResponse = {
      deliveries: (await c.store.deliveries(q)).map(deliveryView),
    };
    res.json(body);
  });

  // Slack signs the body instead of sending a cookie or an Origin, so the CSRF check lets it
  // through and the signature is what authenticates it.
  r.post('/integrations/slack/command', slackForm, async (req, res) => {
    const secret = ctx.config.SLACK_SIGNING_SECRET;
    if (!secret) {
      throw new DomainError(
        'forbidden',
        'Slack commands are off: set SLACK_SIGNING_SECRET to the Slack app signing secret',
      );
    }
    const now = ctx.now();
    const check = verifySlackSignature(
      secret,
      req.get('x-slack-request-timestamp'),
      req.get('x-slack-signature'),
      (req as WithRawBody).rawBody ?? Buffer.alloc(0),
      now,
    );
    if (check !== 'ok')
      throw new DomainError('unauthenticated', REFUSALS[check], { reason: check });
    const form = parse(SlackCommandForm, req.body ?? {});
    res.json(await (form.text.trim() ? oddsReply(c, form.text) : moversReply(c, now)));
  });

  return r;
}
