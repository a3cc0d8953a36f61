import type { z } from 'zod';
import {
  AuditResponse,
  type ChatIdentity,
  ChatSettingsResponse,
  type CreateMarketRequest,
  type CreateWebhookRequest,
  DeliveriesResponse,
  type DeliveryStatus,
  type ForecastRequest,
  ForecastResponse,
  ForecastsResponse,
  HistoryResponse,
  type LeaderboardMetric,
  LeaderboardResponse,
  LinkPreviewResponse,
  LinkResponse,
  MarketResponse,
  MarketsResponse,
  MeResponse,
  ProfileResponse,
  QuoteResponse,
  type RemindersRequest,
  type ResolveRequest,
  ResolveResponse,
  ScoresResponse,
  type SimulationRequest,
  SimulationResponse,
  TokenResponse,
  type TradeRequest,
  TradeResponse,
  TradesResponse,
  UserForecastsResponse,
  UserResponse,
  WebhookResponse,
  WebhooksResponse,
} from '../../shared/schemas/index.ts';

/** An error answer from the API, with its code (insufficient_funds, slippage, …). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function request<S extends z.ZodType>(
  method: string,
  path: string,
  schema: S | null,
  body?: unknown,
): Promise<z.infer<S>> {
  const res = await fetch(`/api${path}`, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as z.infer<S>;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; details?: unknown } } | null)
      ?.error;
    throw new ApiError(
      res.status,
      err?.code ?? 'internal',
      err?.message ?? `request failed (${res.status})`,
      err?.details,
    );
  }
  if (!schema) return data as z.infer<S>;
  const parsed = schema.safeParse(data);
  if (!parsed.success)
    throw new ApiError(res.status, 'bad_response', 'unexpected answer from the server');
  return parsed.data;
}

const get = <S extends z.ZodType>(path: string, schema: S) => request('GET', path, schema);
const post = <S extends z.ZodType>(path: string, body: unknown, schema: S | null) =>
  request('POST', path, schema, body);
const put = <S extends z.ZodType>(path: string, body: unknown, schema: S | null) =>
  request('PUT', path, schema, body);
const enc = encodeURIComponent;

/** The one typed API module: every call parses its answer with the shared schema. */
export const api = {
  markets: (status: 'open' | 'closed' | 'resolved' | 'cancelled' | 'all' = 'open') =>
    get(`/markets?status=${status}`, MarketsResponse).then((r) => r.markets),
  market: (id: string) => get(`/markets/${enc(id)}`, MarketResponse).then((r) => r.market),
  history: (id: string) =>
    get(`/markets/${enc(id)}/history`, HistoryResponse).then((r) => r.points),
  trades: (id: string, limit = 50) =>
    get(`/markets/${enc(id)}/trades?limit=${limit}`, TradesResponse).then((r) => r.trades),
  forecasts: (id: string) => get(`/markets/${enc(id)}/forecasts`, ForecastsResponse),
  scores: (id: string) => get(`/markets/${enc(id)}/scores`, ScoresResponse),
  quote: (id: string, body: TradeRequest) => post(`/markets/${enc(id)}/quote`, body, QuoteResponse),
  trade: (id: string, body: TradeRequest) =>
    post(`/markets/${enc(id)}/trades`, body, TradeResponse),
  forecast: (id: string, body: ForecastRequest) =>
    post(`/markets/${enc(id)}/forecasts`, body, ForecastResponse).then((r) => r.forecast),
  me: () => get('/me', MeResponse),
  login: (username: string, password: string) =>
    post('/auth/login', { username, password }, UserResponse).then((r) => r.user),
  register: (username: string, password: string) =>
    post('/auth/register', { username, password }, UserResponse).then((r) => r.user),
  logout: () => post('/auth/logout', undefined, null),
  createToken: () => post('/me/tokens', {}, TokenResponse),
  // chat accounts (Slack, Discord)
  /** What opening a `/parity link` URL would bind; 404 `not_found` once used or expired. */
  linkPreview: (code: string) => get(`/integrations/links/${enc(code)}`, LinkPreviewResponse),
  confirmLink: (code: string) =>
    post(`/integrations/links/${enc(code)}`, {}, LinkResponse).then((r) => r.link),
  chatSettings: () => get('/me/chat', ChatSettingsResponse),
  setReminders: (enabled: boolean) =>
    put('/me/chat/reminders', { enabled } satisfies RemindersRequest, ChatSettingsResponse),
  unlinkChat: (link: ChatIdentity) =>
    request(
      'DELETE',
      `/me/chat/links/${enc(link.platform)}/${enc(link.teamId)}/${enc(link.externalUserId)}`,
      null,
    ),
  leaderboard: (metric: LeaderboardMetric) =>
    get(`/leaderboard?metric=${metric}`, LeaderboardResponse).then((r) => r.entries),
  profile: (username: string) => get(`/users/${enc(username)}`, ProfileResponse),
  userForecasts: (username: string, limit = 1000) =>
    get(`/users/${enc(username)}/forecasts?limit=${limit}`, UserForecastsResponse).then(
      (r) => r.forecasts,
    ),
  // admin
  createMarket: (body: CreateMarketRequest) =>
    post('/markets', body, MarketResponse).then((r) => r.market),
  close: (id: string, note?: string) =>
    post(`/markets/${enc(id)}/close`, note ? { note } : {}, MarketResponse).then((r) => r.market),
  resolve: (id: string, body: ResolveRequest) =>
    post(`/markets/${enc(id)}/resolve`, body, ResolveResponse),
  unresolve: (id: string, note?: string) =>
    post(`/markets/${enc(id)}/unresolve`, note ? { note } : {}, MarketResponse).then(
      (r) => r.market,
    ),
  audit: () => get('/audit', AuditResponse).then((r) => r.entries),
  webhooks: () => get('/integrations/webhooks', WebhooksResponse).then((r) => r.webhooks),
  createWebhook: (body: CreateWebhookRequest) =>
    post('/integrations/webhooks', body, WebhookResponse),
  deleteWebhook: (id: string) => request('DELETE', `/integrations/webhooks/${enc(id)}`, null),
  deliveries: () =>
    get('/integrations/deliveries?limit=50', DeliveriesResponse).then((r) => r.deliveries),
  /** The outbox, newest first, optionally only one status or one webhook. */
  deliveriesWhere: (q: { status?: DeliveryStatus; webhookId?: string; limit?: number }) => {
    const params = new URLSearchParams({ limit: String(q.limit ?? 100) });
    if (q.status) params.set('status', q.status);
    if (q.webhookId) params.set('webhookId', q.webhookId);
    return get(`/integrations/deliveries?${params}`, DeliveriesResponse).then((r) => r.deliveries);
  },
  simulation: () => get('/admin/simulation', SimulationResponse),
  setSimulation: (body: SimulationRequest) => post('/admin/simulation', body, SimulationResponse),
};

/** A human sentence for an API error code. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'insufficient_funds':
        return 'Not enough credits for this trade.';
      case 'insufficient_shares':
        return "You don't hold that many shares to sell.";
      case 'market_not_open':
        return 'This market is not open for trading.';
      case 'slippage':
        return 'The price moved since your quote. Check the new quote and try again.';
      case 'unauthenticated':
        return e.message === 'sign in first' ? 'Sign in to do that.' : e.message;
      case 'rate_limited':
        return 'Too many attempts. Wait a little and try again.';
      case 'forbidden':
        return e.message === 'admins only' ? 'Only admins can do that.' : e.message;
      default:
        return e.message;
    }
  }
  return e instanceof Error ? e.message : String(e);
}
