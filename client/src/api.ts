import type { z } from 'zod';
import {
  ApproveProposalResponse,
  AuditResponse,
  type ChatIdentity,
  ChatSettingsResponse,
  CommentResponse,
  CommentsResponse,
  type CreateCommentRequest,
  type CreateInviteRequest,
  type CreateMarketRequest,
  type CreateProposalRequest,
  type CreateSpaceRequest,
  type CreateWebhookRequest,
  DeliveriesResponse,
  type DeliveryStatus,
  EmbedLinkResponse,
  type ForecastRequest,
  ForecastResponse,
  ForecastsResponse,
  HistoryResponse,
  InvitePreviewResponse,
  InviteResponse,
  type LeaderboardMetric,
  LeaderboardResponse,
  LinkPreviewResponse,
  LinkResponse,
  type Market,
  MarketResponse,
  MarketsResponse,
  MemberResponse,
  MembersResponse,
  MeResponse,
  ProfileResponse,
  ProposalResponse,
  type ProposalStatus,
  ProposalsResponse,
  QuoteResponse,
  type RemindersRequest,
  type ResolveRequest,
  ResolveResponse,
  ScoresResponse,
  type SimulationRequest,
  SimulationResponse,
  SpaceCalibrationResponse,
  SpaceResponse,
  type SpaceRole,
  SpacesResponse,
  TokenResponse,
  type TradeRequest,
  TradeResponse,
  TradesResponse,
  type UpdateProposalRequest,
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
  extraHeaders: Record<string, string> = {},
): Promise<z.infer<S>> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/api${path}`, {
    method,
    credentials: 'same-origin',
    headers,
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
const patch = <S extends z.ZodType>(path: string, body: unknown, schema: S) =>
  request('PATCH', path, schema, body);
const del = (path: string) => request('DELETE', path, null);
const enc = encodeURIComponent;

/**
 * A signed embed of a private market reads with its token in this header (on GETs only: the
 * token grants reading that one market and nothing else).
 */
const embedHeaders = (token: string | undefined): Record<string, string> =>
  token ? { 'X-Parity-Embed': token } : {};

type MarketStatusFilter = 'open' | 'closed' | 'resolved' | 'cancelled' | 'all';

/**
 * Which page of a list: at most `limit` items (1–1000; absent, the list's own default), older
 * than `before`, an earlier answer's `nextCursor` (absent: the newest).
 */
export type PageRequest = { limit?: number | undefined; before?: string | undefined };

/** A query string of the parameters that are set (`''` when none is). */
function queryOf(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

type DeliveryFilter = { status?: DeliveryStatus; webhookId?: string };

// The paged lists, whole answers with their `nextCursor`; `api` below also has each as an array.
const marketsPage = (status: MarketStatusFilter, spaceId?: string, page: PageRequest = {}) =>
  get(`/markets${queryOf({ status, spaceId, ...page })}`, MarketsResponse);
const tradesPage = (id: string, page: PageRequest = {}) =>
  get(`/markets/${enc(id)}/trades${queryOf(page)}`, TradesResponse);
const userForecastsPage = (username: string, page: PageRequest = {}) =>
  get(`/users/${enc(username)}/forecasts${queryOf(page)}`, UserForecastsResponse);
const proposalsPage = (status?: ProposalStatus, page: PageRequest = {}) =>
  get(`/proposals${queryOf({ status, ...page })}`, ProposalsResponse);
const commentsPage = (marketId: string, page: PageRequest = {}) =>
  get(`/markets/${enc(marketId)}/comments${queryOf(page)}`, CommentsResponse);
const auditPage = (page: PageRequest = {}) => get(`/audit${queryOf(page)}`, AuditResponse);
/** The outbox, newest first, optionally only one status or one webhook. */
const deliveriesPage = (q: DeliveryFilter = {}, page: PageRequest = {}) =>
  get(`/integrations/deliveries${queryOf({ ...q, ...page })}`, DeliveriesResponse);

/** The one typed API module: every call parses its answer with the shared schema. */
export const api = {
  /** Markets by status; `spaceId` narrows to one space's, or `public` to the public site's. */
  markets: (status: MarketStatusFilter = 'open', spaceId?: string, page: PageRequest = {}) =>
    marketsPage(status, spaceId, page).then((r) => r.markets),
  /** Every market of a status the caller may see, following the pages to the end. */
  allMarkets: async (status: MarketStatusFilter = 'all') => {
    const out: Market[] = [];
    let before: string | undefined;
    do {
      const r = await marketsPage(status, undefined, { limit: 1000, before });
      out.push(...r.markets);
      before = r.nextCursor ?? undefined;
    } while (before);
    return out;
  },
  marketsPage,
  /** A market; `embedToken` reads a private one from its signed embed URL. */
  market: (id: string, embedToken?: string) =>
    request('GET', `/markets/${enc(id)}`, MarketResponse, undefined, embedHeaders(embedToken)).then(
      (r) => r.market,
    ),
  history: (id: string, embedToken?: string) =>
    request(
      'GET',
      `/markets/${enc(id)}/history`,
      HistoryResponse,
      undefined,
      embedHeaders(embedToken),
    ).then((r) => r.points),
  trades: (id: string, limit = 50, before?: string) =>
    tradesPage(id, { limit, before }).then((r) => r.trades),
  tradesPage,
  /** A page of the market's forecasts, with the community forecast of them all. */
  forecasts: (id: string, page: PageRequest = {}) =>
    get(`/markets/${enc(id)}/forecasts${queryOf(page)}`, ForecastsResponse),
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
  createToken: (spaceId?: string) => post('/me/tokens', spaceId ? { spaceId } : {}, TokenResponse),
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
  leaderboard: (metric: LeaderboardMetric, spaceId?: string) =>
    get(
      `/leaderboard?metric=${metric}${spaceId ? `&spaceId=${enc(spaceId)}` : ''}`,
      LeaderboardResponse,
    ).then((r) => r.entries),
  profile: (username: string) => get(`/users/${enc(username)}`, ProfileResponse),
  userForecasts: (username: string, limit = 1000, before?: string) =>
    userForecastsPage(username, { limit, before }).then((r) => r.forecasts),
  userForecastsPage,
  // spaces, invites and members
  spaces: () => get('/spaces', SpacesResponse).then((r) => r.spaces),
  space: (id: string) => get(`/spaces/${enc(id)}`, SpaceResponse).then((r) => r.space),
  spaceCalibration: (id: string) => get(`/spaces/${enc(id)}/calibration`, SpaceCalibrationResponse),
  createSpace: (body: CreateSpaceRequest) =>
    post('/spaces', body, SpaceResponse).then((r) => r.space),
  createInvite: (spaceId: string, body: CreateInviteRequest) =>
    post(`/spaces/${enc(spaceId)}/invites`, body, InviteResponse).then((r) => r.invite),
  /** What an invite link would join; 404 `not_found` once expired or used up. */
  invitePreview: (token: string) => get(`/invites/${enc(token)}`, InvitePreviewResponse),
  acceptInvite: (token: string) =>
    post(`/invites/${enc(token)}/accept`, {}, SpaceResponse).then((r) => r.space),
  members: (spaceId: string) =>
    get(`/spaces/${enc(spaceId)}/members`, MembersResponse).then((r) => r.members),
  setMemberRole: (spaceId: string, username: string, role: SpaceRole) =>
    patch(`/spaces/${enc(spaceId)}/members/${enc(username)}`, { role }, MemberResponse).then(
      (r) => r.member,
    ),
  /** Removes a member (owners), or leaves the space when `username` is the caller's own. */
  removeMember: (spaceId: string, username: string) =>
    del(`/spaces/${enc(spaceId)}/members/${enc(username)}`),
  // proposals
  proposals: (status?: ProposalStatus, page: PageRequest = {}) =>
    proposalsPage(status, page).then((r) => r.proposals),
  proposalsPage,
  propose: (body: CreateProposalRequest) =>
    post('/proposals', body, ProposalResponse).then((r) => r.proposal),
  updateProposal: (id: string, body: UpdateProposalRequest) =>
    patch(`/proposals/${enc(id)}`, body, ProposalResponse).then((r) => r.proposal),
  approveProposal: (id: string, edits: UpdateProposalRequest = {}) =>
    post(`/proposals/${enc(id)}/approve`, edits, ApproveProposalResponse),
  rejectProposal: (id: string, reason: string) =>
    post(`/proposals/${enc(id)}/reject`, { reason }, ProposalResponse).then((r) => r.proposal),
  // comments and embeds
  comments: (marketId: string, page: PageRequest = {}) =>
    commentsPage(marketId, page).then((r) => r.comments),
  commentsPage,
  postComment: (marketId: string, body: CreateCommentRequest) =>
    post(`/markets/${enc(marketId)}/comments`, body, CommentResponse).then((r) => r.comment),
  deleteComment: (id: string) => del(`/comments/${enc(id)}`),
  /** A signed URL that shows a private market's card to people outside its space. */
  embedLink: (marketId: string) => post(`/markets/${enc(marketId)}/embed`, {}, EmbedLinkResponse),
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
  audit: (page: PageRequest = {}) => auditPage(page).then((r) => r.entries),
  auditPage,
  webhooks: () => get('/integrations/webhooks', WebhooksResponse).then((r) => r.webhooks),
  createWebhook: (body: CreateWebhookRequest) =>
    post('/integrations/webhooks', body, WebhookResponse),
  deleteWebhook: (id: string) => del(`/integrations/webhooks/${enc(id)}`),
  deliveries: (page: PageRequest = { limit: 50 }) =>
    deliveriesPage({}, page).then((r) => r.deliveries),
  /** The outbox, newest first, optionally only one status or one webhook. */
  deliveriesWhere: (q: DeliveryFilter & PageRequest) => {
    const { limit = 100, before, ...filter } = q;
    return deliveriesPage(filter, { limit, before }).then((r) => r.deliveries);
  },
  deliveriesPage,
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
