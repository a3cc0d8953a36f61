import { randomBytes } from 'node:crypto';
import { DomainError } from '../../shared/errors.ts';
import type {
  CreateWebhookRequest,
  Webhook,
  WebhookEvent,
  WebhookResponse,
} from '../../shared/schemas/index.ts';
import type { Ctx } from '../services/context.ts';
import type { WebhookRow } from '../store/integrationsStore.ts';
import type { Store, Tx } from '../store/store.ts';
import { checkUrlShape } from './safeRequest.ts';

export const DEFAULT_MIN_MOVE = 0.05;
/** How long the webhook list is trusted before it is read again. */
const CACHE_MS = 5000;
const ALL_EVENTS: WebhookEvent[] = ['created', 'moved', 'closing', 'resolved'];

/** A Discord webhook URL: `/api[/v10]/webhooks/<id>/<token>`. */
const DISCORD_WEBHOOK_PATH = /^(?:\/api(?:\/v\d+)?)?\/webhooks\/(\d+)\/([\w-]+)\/?$/;

export function webhookView(w: WebhookRow): Webhook {
  return {
    id: w.id,
    kind: w.kind,
    url: w.url,
    mode: w.mode,
    events: w.events,
    minMove: w.minMove,
    marketIds: w.marketIds,
    spaceId: w.spaceId,
    createdAt: w.createdAt,
  };
}

/**
 * Whether a webhook wants an event about a market: a webhook posts the markets of its space
 * (or, unscoped, the public site's) and nothing else, so a private market never reaches a
 * channel that was not set up for its space.
 */
export function wants(
  w: WebhookRow,
  event: WebhookEvent,
  m: { id: string; spaceId?: string | null },
): boolean {
  return (
    (w.spaceId ?? null) === (m.spaceId ?? null) &&
    w.events.includes(event) &&
    (w.marketIds === null || w.marketIds.includes(m.id))
  );
}

/** The channel a live Slack webhook posts to: the `channel` query parameter of its URL. */
export function slackChannelOf(url: string): string | undefined {
  return new URL(url).searchParams.get('channel') ?? undefined;
}

/** The path of a Discord webhook URL (`/webhooks/<id>/<token>`), or undefined. */
export function discordWebhookPath(url: string): string | undefined {
  const m = DISCORD_WEBHOOK_PATH.exec(new URL(url).pathname);
  return m ? `/webhooks/${m[1]}/${m[2]}` : undefined;
}

function invalid(message: string, field = 'url'): DomainError {
  return new DomainError('validation_failed', message, { field });
}

/**
 * The webhooks, cached in memory: the transaction hook reads them on every change, and only
 * this registry writes them. A change on any node drops every node's cache (`webhooks.changed`
 * on the bus).
 */
export class WebhookRegistry {
  private cache: Promise<WebhookRow[]> | undefined;
  private loadedAt = 0;
  /** How many webhooks the last read found (undefined before the first). */
  private lastCount: number | undefined;

  constructor(private readonly store: Store) {}

  /**
   * The webhooks, from the cache while it is fresh. Inside a transaction pass it as `q`: a stale
   * cache is then re-read on the transaction's own connection, never on the pool (on
   * PostgreSQL, transactions that each wait for a pool connection while holding one would
   * starve the pool).
   */
  list(q?: Tx): Promise<readonly WebhookRow[]> {
    // A few seconds at most: a change another node announced while this one was cut off from
    // it (Redis away) is seen all the same.
    if (this.cache && Date.now() - this.loadedAt > CACHE_MS) this.cache = undefined;
    if (this.cache) return this.cache;
    const loading = (q ?? this.store).webhooks();
    if (q) {
      // Not shared: the transaction may yet fail, and others must not fail with it.
      return loading.then((rows) => {
        if (!this.cache) this.remember(Promise.resolve(rows));
        return rows;
      });
    }
    this.remember(loading);
    return loading;
  }

  private remember(loading: Promise<WebhookRow[]>): void {
    this.loadedAt = Date.now();
    this.cache = loading;
    loading.then(
      (rows) => {
        this.lastCount = rows.length;
      },
      // A failed read is not cached: the next call tries again.
      () => {
        if (this.cache === loading) this.cache = undefined;
      },
    );
  }

  async get(id: string): Promise<WebhookRow | undefined> {
    return (await this.list()).find((w) => w.id === id);
  }

  /** False only when the last read found no webhook (so there is nothing to deliver). */
  maybeAny(): boolean {
    return this.lastCount !== 0 || this.cache === undefined;
  }

  /** Forgets the cache (a webhook changed, here or on another node). */
  invalidate(): void {
    this.cache = undefined;
  }

  /** Creates a webhook; the secret is returned here and never again. */
  async create(ctx: Ctx, actor: string, req: CreateWebhookRequest): Promise<WebhookResponse> {
    const allowPrivate = ctx.config.WEBHOOK_ALLOW_PRIVATE;
    const refused = checkUrlShape(req.url, allowPrivate);
    if (refused) throw invalid(`the webhook URL is refused: ${refused}`);
    const mode = req.mode ?? 'post';
    if (req.kind === 'slack' && mode === 'live') {
      if (!slackChannelOf(req.url)) {
        throw invalid(
          'a live Slack webhook names its channel in the URL: add ?channel=<channel id> to the incoming-webhook URL',
        );
      }
      if (!ctx.config.SLACK_BOT_TOKEN) {
        throw invalid('live Slack messages are sent with a bot token: set SLACK_BOT_TOKEN', 'mode');
      }
    }
    if (req.kind === 'discord' && mode === 'live' && !discordWebhookPath(req.url)) {
      throw invalid('a live Discord webhook needs a webhook URL ending in /webhooks/<id>/<token>');
    }
    const spaceId = req.spaceId ?? null;
    if (spaceId && !(await ctx.store.space(spaceId)))
      throw invalid(`no space ${spaceId}`, 'spaceId');
    for (const id of req.marketIds ?? []) {
      const m = await ctx.store.market(id);
      if (!m) throw invalid(`no market ${id}`, 'marketIds');
      if (m.spaceId !== spaceId) {
        throw invalid(`market ${id} is not in the webhook's space`, 'marketIds');
      }
    }
    const row: WebhookRow = {
      id: `wh_${randomBytes(9).toString('base64url')}`,
      kind: req.kind,
      url: req.url,
      mode,
      events: ALL_EVENTS.filter((e) => (req.events ?? ALL_EVENTS).includes(e)),
      minMove: req.minMove ?? DEFAULT_MIN_MOVE,
      marketIds: req.marketIds ? [...new Set(req.marketIds)] : null,
      spaceId,
      secret: randomBytes(32).toString('hex'),
      createdAt: ctx.now().toISOString(),
    };
    await ctx.store.transaction(async (tx) => {
      await tx.insertWebhook(row);
      await tx.insertAudit({
        at: row.createdAt,
        actor,
        action: 'webhook.create',
        marketId: null,
        // The URL itself is a credential for Slack and Discord: only its host is logged.
        detail: { id: row.id, kind: row.kind, mode: row.mode, host: new URL(row.url).host },
      });
    });
    this.changed(ctx);
    return { webhook: webhookView(row), secret: row.secret };
  }

  /** Deletes a webhook with its queued deliveries and live-message records. */
  async delete(ctx: Ctx, actor: string, id: string): Promise<void> {
    await ctx.store.transaction(async (tx) => {
      const row = await tx.webhook(id);
      if (!row || !(await tx.deleteWebhook(id)))
        throw new DomainError('not_found', `no webhook ${id}`);
      await tx.insertAudit({
        at: ctx.now().toISOString(),
        actor,
        action: 'webhook.delete',
        marketId: null,
        detail: { id, kind: row.kind, host: new URL(row.url).host },
      });
    });
    this.changed(ctx);
  }

  private changed(ctx: Ctx): void {
    this.invalidate();
    ctx.bus.publish({ type: 'webhooks.changed', origin: ctx.nodeId });
  }
}
