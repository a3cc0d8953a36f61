import { Router } from 'express';
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
import { idBefore, idCursor, pageOf } from '../services/paging.ts';
import type { DeliveryWithKind } from '../store/integrationsStore.ts';
import type { ChannelCtx } from './channelCtx.ts';
import { webhookView } from './webhooks.ts';

const WebhookId = z.string().regex(/^wh_[A-Za-z0-9_-]{1,40}$/, 'a webhook id');

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

/** Webhook administration and the delivery log. */
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
    const { before, ...q } = parse(DeliveriesQuery, req.query);
    const rows = await c.store.deliveries({ ...q, limit: q.limit + 1, beforeId: idBefore(before) });
    const page = pageOf(rows, q.limit, (d) => idCursor(d.id));
    const body: DeliveriesResponse = {
      deliveries: page.items.map(deliveryView),
      nextCursor: page.nextCursor,
    };
    res.json(body);
  });

  return r;
}
