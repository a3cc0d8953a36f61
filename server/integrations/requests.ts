import { assertNever } from '../../shared/errors.ts';
import { discordComponents } from '../chat/discord/components.ts';
import { marketActions } from '../chat/slack/blocks.ts';
import type { DeliveryRow, WebhookRow } from '../store/integrationsStore.ts';
import type { Answer, LiveTarget } from './attempt.ts';
import type { ChannelCtx } from './channelCtx.ts';
import { discordMessage } from './discordFormat.ts';
import { genericBody, signedHeaders } from './genericFormat.ts';
import type { Notification } from './notification.ts';
import { BlockedAddressError, type OutgoingRequest, type OutgoingResponse } from './safeRequest.ts';
import { slackMessage } from './slackFormat.ts';
import { teamsMessage } from './teamsFormat.ts';
import { discordWebhookPath, slackChannelOf } from './webhooks.ts';

/** Each destination's wire protocol: the request to make, and how to read its answer. */

const USER_AGENT = 'Parity-Webhooks/1';
const JSON_TYPE = 'application/json; charset=utf-8';

/** Discord's own hosts: their webhook URLs are sent to DISCORD_API_URL, so a test can stand in. */
const DISCORD_HOSTS = new Set([
  'discord.com',
  'discordapp.com',
  'ptb.discord.com',
  'canary.discord.com',
]);

/** Where a Discord webhook's requests go: DISCORD_API_URL + /webhooks/<id>/<token> for Discord's
 *  own URLs, the URL as given otherwise. Query parameters (thread_id) are kept. */
export function discordEndpoint(c: ChannelCtx, url: string): URL {
  const u = new URL(url);
  const path = discordWebhookPath(url);
  if (!path || !DISCORD_HOSTS.has(u.hostname)) return u;
  const rebased = new URL(`${c.settings.discordApiUrl}${path}`);
  rebased.search = u.search;
  return rebased;
}

function json(
  url: string,
  method: OutgoingRequest['method'],
  body: unknown,
  c: ChannelCtx,
  extra: Record<string, string> = {},
): OutgoingRequest {
  return {
    method,
    url,
    headers: { 'content-type': JSON_TYPE, 'user-agent': USER_AGENT, ...extra },
    // Generic posts pass the body already serialised: the signature covers those exact bytes.
    body: typeof body === 'string' ? body : JSON.stringify(body),
    timeoutMs: c.settings.timeoutMs,
    allowPrivate: c.settings.allowPrivate,
  };
}

export function renderRequest(
  c: ChannelCtx,
  w: WebhookRow,
  row: DeliveryRow,
  n: Notification,
  live: LiveTarget | null,
  now: Date,
): { request: OutgoingRequest; api: 'webhook' | 'slack-api' } | { refused: string } {
  switch (w.kind) {
    case 'slack': {
      const message = slackMessage(n, live !== null);
      const actions = c.settings.slackInteractive ? marketActions(n.market) : undefined;
      // A live edit replaces the buttons too: a settled market's message keeps none.
      if (actions) message.blocks.push(actions);
      if (!live) return { request: json(w.url, 'POST', message, c), api: 'webhook' };
      const token = c.settings.slackBotToken;
      if (!token) return { refused: 'SLACK_BOT_TOKEN is not set' };
      const auth = { authorization: `Bearer ${token}` };
      if (live.message) {
        const body = { channel: live.message.channel, ts: live.message.messageId, ...message };
        return {
          request: json(`${c.settings.slackApiUrl}/chat.update`, 'POST', body, c, auth),
          api: 'slack-api',
        };
      }
      const channel = slackChannelOf(w.url);
      if (!channel) return { refused: 'the webhook URL names no channel' };
      live.channel = channel;
      const body = { channel, ...message, unfurl_links: false, unfurl_media: false };
      return {
        request: json(`${c.settings.slackApiUrl}/chat.postMessage`, 'POST', body, c, auth),
        api: 'slack-api',
      };
    }
    case 'discord': {
      const endpoint = discordEndpoint(c, w.url);
      const message = {
        ...discordMessage(n, live !== null),
        components: c.settings.discordInteractive ? discordComponents(n.market) : [],
      };
      if (live?.message) {
        endpoint.pathname = `${endpoint.pathname.replace(/\/+$/, '')}/messages/${encodeURIComponent(live.message.messageId)}`;
        return { request: json(endpoint.toString(), 'PATCH', message, c), api: 'webhook' };
      }
      // wait=true: Discord answers with the message, whose id later edits need.
      if (live) endpoint.searchParams.set('wait', 'true');
      return { request: json(endpoint.toString(), 'POST', message, c), api: 'webhook' };
    }
    case 'teams':
      return { request: json(w.url, 'POST', teamsMessage(n), c), api: 'webhook' };
    case 'generic': {
      const body = JSON.stringify(genericBody(n, String(row.id), false));
      const headers = {
        ...signedHeaders(w.secret, body, now),
        'x-parity-event': n.event,
        'x-parity-delivery': String(row.id),
      };
      return { request: json(w.url, 'POST', body, c, headers), api: 'webhook' };
    }
    default:
      return assertNever(w.kind);
  }
}

/** Milliseconds a 429 asks us to wait: Retry-After (seconds or a date), or Discord's JSON. */
export function retryAfterMs(res: OutgoingResponse, now: Date): number | undefined {
  const header = res.headers['retry-after'];
  const value = Array.isArray(header) ? header[0] : header;
  let ms: number | undefined;
  if (value && /^\d+(\.\d+)?$/.test(value.trim())) ms = Number(value) * 1000;
  else if (value && !Number.isNaN(Date.parse(value))) ms = Date.parse(value) - now.getTime();
  if (ms === undefined) {
    const body = parseJson(res.body) as { retry_after?: unknown } | undefined;
    if (typeof body?.retry_after === 'number') ms = body.retry_after * 1000;
  }
  return ms === undefined ? undefined : Math.min(Math.max(ms, 0), 3_600_000);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Slack Web API errors that no retry will fix. */
const SLACK_PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'no_permission',
  'invalid_blocks',
  'msg_too_long',
  'restricted_action',
]);
const SLACK_MESSAGE_GONE = new Set([
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
]);

function excerpt(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 199)}…` : t;
}

/** Reads an HTTP answer: 2xx delivered; 429 waits as asked; 408, 425 and 5xx retry; other 4xx and 3xx give up. */
export function readAnswer(
  res: OutgoingResponse,
  api: 'webhook' | 'slack-api',
  editing: boolean,
  now: Date,
): Answer {
  const status = res.status;
  const body = parseJson(res.body) as Record<string, unknown> | undefined;
  if (status >= 200 && status < 300) {
    if (api === 'slack-api') {
      if (body?.ok === true) {
        const answer: Answer = { ok: true, httpStatus: status };
        if (typeof body.ts === 'string') answer.messageId = body.ts;
        if (typeof body.channel === 'string') answer.channel = body.channel;
        return answer;
      }
      const code = typeof body?.error === 'string' ? body.error : 'unreadable answer';
      return {
        ok: false,
        httpStatus: status,
        error: `Slack API: ${code}`,
        permanent: SLACK_PERMANENT.has(code),
        messageGone: editing && SLACK_MESSAGE_GONE.has(code),
      };
    }
    const answer: Answer = { ok: true, httpStatus: status };
    if (typeof body?.id === 'string') answer.messageId = body.id;
    return answer;
  }
  const error = `HTTP ${status}${res.body ? `: ${excerpt(res.body)}` : ''}`;
  if (status === 429) {
    const wait = retryAfterMs(res, now);
    return wait === undefined
      ? { ok: false, httpStatus: status, error, permanent: false }
      : { ok: false, httpStatus: status, error, permanent: false, retryAfterMs: wait };
  }
  if (status === 404 && editing)
    return { ok: false, httpStatus: status, error, permanent: false, messageGone: true };
  const transient = status === 408 || status === 425 || status >= 500;
  return { ok: false, httpStatus: status, error, permanent: !transient };
}

/** A request that never got an answer: refused addresses are permanent, network errors are not. */
export function networkFailure(err: unknown): Answer {
  const message = err instanceof Error ? err.message : String(err);
  return {
    ok: false,
    httpStatus: null,
    error: message,
    permanent: err instanceof BlockedAddressError,
  };
}
