import type { Express } from 'express';
import { z } from 'zod';
import {
  ApproveProposalResponse,
  AuditQuery,
  AuditResponse,
  ChatSettingsResponse,
  CommentId,
  CommentResponse,
  CommentsResponse,
  CreateCommentRequest,
  CreateInviteRequest,
  CreateMarketRequest,
  CreateProposalRequest,
  CreateSpaceRequest,
  CreateWebhookRequest,
  Credentials,
  DeliveriesQuery,
  DeliveriesResponse,
  EmbedLinkResponse,
  ForecastRequest,
  ForecastResponse,
  ForecastsResponse,
  HealthResponse,
  HistoryResponse,
  InvitePreviewResponse,
  InviteResponse,
  InviteToken,
  LeaderboardQuery,
  LeaderboardResponse,
  LinkCode,
  LinkPreviewResponse,
  LinkResponse,
  MarketId,
  MarketListQuery,
  MarketResponse,
  MarketsResponse,
  MemberResponse,
  MembersResponse,
  MeResponse,
  NoteRequest,
  ProfileResponse,
  ProposalId,
  ProposalResponse,
  ProposalsQuery,
  ProposalsResponse,
  QuoteResponse,
  RejectProposalRequest,
  RemindersRequest,
  ResolveRequest,
  ResolveResponse,
  ScoresResponse,
  SimulationRequest,
  SimulationResponse,
  SpaceCalibrationResponse,
  SpaceId,
  SpaceResponse,
  SpacesResponse,
  TradeRequest,
  TradeResponse,
  TradesQuery,
  TradesResponse,
  UpdateMemberRequest,
  UpdateProposalRequest,
  UserForecastsQuery,
  UserForecastsResponse,
  Username,
  UserResponse,
  WebhookResponse,
  WebhooksResponse,
} from '../../shared/schemas/index.ts';

/**
 * Every HTTP endpoint the server has, with who may call it and the schemas that say what a
 * valid request and a successful answer look like. The authorization matrix and the fuzz suite
 * are driven from this table, and a test checks it against the routes Express really has, so
 * an endpoint added without an entry here fails the build instead of going unchecked.
 */

/**
 * `public`: anyone; `user`: any signed-in user; `admin`: admins; `slack`: a signed Slack
 * request; `discord`: a signed Discord interaction.
 */
export type Access = 'public' | 'user' | 'admin' | 'slack' | 'discord';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path as Express declares it, with the /api prefix. */
  path: string;
  access: Access;
  /** The status of a successful call. */
  okStatus: number;
  /** The body of a successful answer; undefined when it has none (204). */
  response?: z.ZodType;
  /** The request body's schema: the oracle for whether a generated body is valid. */
  body?: z.ZodType;
  /** The query string's schema (after Node's querystring.parse, Express 5's default parser). */
  query?: z.ZodType;
  /** Path parameters and their schemas. */
  params?: Record<string, z.ZodType>;
}

/** Token revocation and the token request take these shapes (server/http/authRoutes.ts). */
export const TokenRequest = z.object({ spaceId: SpaceId.optional() }).strict();
export const TokenCreated = z.object({ token: z.string().min(20), id: z.string() }).strict();
export const WebhookId = z.string().regex(/^wh_[A-Za-z0-9_-]{1,40}$/);

/** What the Slack slash command answers. */
export const SlackReply = z.object({
  response_type: z.literal('ephemeral'),
  text: z.string(),
  blocks: z.array(z.object({ type: z.string() })),
});

const marketParams = { id: MarketId };

/** What Slack's interactions endpoint answers: nothing (an ack), or a `response_action`. */
export const SlackInteractionReply = z.union([
  z.undefined(),
  z.object({ response_action: z.enum(['errors', 'update', 'push', 'clear']) }).passthrough(),
]);

/** What Discord's interactions endpoint answers: an interaction response with its type. */
export const DiscordReply = z.object({ type: z.number().int().min(1).max(12) }).passthrough();

const ChatLinkParams = {
  platform: z.enum(['slack', 'discord']),
  teamId: z.string().min(1).max(64),
  externalUserId: z.string().min(1).max(64),
};

export const ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/api/health', access: 'public', okStatus: 200, response: HealthResponse },
  {
    method: 'POST',
    path: '/api/auth/register',
    access: 'public',
    okStatus: 201,
    response: UserResponse,
    body: Credentials,
  },
  {
    method: 'POST',
    path: '/api/auth/login',
    access: 'public',
    okStatus: 200,
    response: UserResponse,
    body: Credentials,
  },
  {
    method: 'POST',
    path: '/api/auth/logout',
    access: 'user',
    okStatus: 204,
    body: NoteRequest.partial(),
  },
  { method: 'GET', path: '/api/me', access: 'user', okStatus: 200, response: MeResponse },
  {
    method: 'POST',
    path: '/api/me/tokens',
    access: 'user',
    okStatus: 201,
    response: TokenCreated,
    body: TokenRequest,
  },
  {
    method: 'DELETE',
    path: '/api/me/tokens/:id',
    access: 'user',
    okStatus: 204,
    params: { id: z.string() },
  },
  {
    method: 'GET',
    path: '/api/markets',
    access: 'public',
    okStatus: 200,
    response: MarketsResponse,
    query: MarketListQuery,
  },
  {
    method: 'POST',
    path: '/api/markets',
    access: 'admin',
    okStatus: 201,
    response: MarketResponse,
    body: CreateMarketRequest,
  },
  {
    method: 'GET',
    path: '/api/markets/:id',
    access: 'public',
    okStatus: 200,
    response: MarketResponse,
    params: marketParams,
  },
  {
    method: 'GET',
    path: '/api/markets/:id/history',
    access: 'public',
    okStatus: 200,
    response: HistoryResponse,
    params: marketParams,
  },
  {
    method: 'GET',
    path: '/api/markets/:id/trades',
    access: 'public',
    okStatus: 200,
    response: TradesResponse,
    query: TradesQuery,
    params: marketParams,
  },
  {
    method: 'POST',
    path: '/api/markets/:id/quote',
    access: 'public',
    okStatus: 200,
    response: QuoteResponse,
    body: TradeRequest,
    params: marketParams,
  },
  {
    method: 'POST',
    path: '/api/markets/:id/trades',
    access: 'user',
    okStatus: 200,
    response: TradeResponse,
    body: TradeRequest,
    params: marketParams,
  },
  {
    method: 'POST',
    path: '/api/markets/:id/forecasts',
    access: 'user',
    okStatus: 201,
    response: ForecastResponse,
    body: ForecastRequest,
    params: marketParams,
  },
  {
    method: 'GET',
    path: '/api/markets/:id/forecasts',
    access: 'public',
    okStatus: 200,
    response: ForecastsResponse,
    params: marketParams,
  },
  {
    method: 'POST',
    path: '/api/markets/:id/close',
    access: 'admin',
    okStatus: 200,
    response: MarketResponse,
    body: NoteRequest,
    params: marketParams,
  },
  {
    method: 'POST',
    path: '/api/markets/:id/resolve',
    access: 'admin',
    okStatus: 200,
    response: ResolveResponse,
    body: ResolveRequest,
    params: marketParams,
  },
  {
    method: 'POST',
    path: '/api/markets/:id/unresolve',
    access: 'admin',
    okStatus: 200,
    response: MarketResponse,
    body: NoteRequest,
    params: marketParams,
  },
  {
    method: 'GET',
    path: '/api/markets/:id/scores',
    access: 'public',
    okStatus: 200,
    response: ScoresResponse,
    params: marketParams,
  },
  {
    method: 'GET',
    path: '/api/leaderboard',
    access: 'public',
    okStatus: 200,
    response: LeaderboardResponse,
    query: LeaderboardQuery,
  },
  {
    method: 'GET',
    path: '/api/users/:username',
    access: 'public',
    okStatus: 200,
    response: ProfileResponse,
    params: { username: Username },
  },
  {
    method: 'GET',
    path: '/api/users/:username/forecasts',
    access: 'public',
    okStatus: 200,
    response: UserForecastsResponse,
    query: UserForecastsQuery,
    params: { username: Username },
  },
  {
    method: 'GET',
    path: '/api/audit',
    access: 'admin',
    okStatus: 200,
    response: AuditResponse,
    query: AuditQuery,
  },
  {
    method: 'GET',
    path: '/api/admin/simulation',
    access: 'admin',
    okStatus: 200,
    response: SimulationResponse,
  },
  {
    method: 'POST',
    path: '/api/admin/simulation',
    access: 'admin',
    okStatus: 200,
    response: SimulationResponse,
    body: SimulationRequest,
  },
  {
    method: 'GET',
    path: '/api/integrations/webhooks',
    access: 'admin',
    okStatus: 200,
    response: WebhooksResponse,
  },
  {
    method: 'POST',
    path: '/api/integrations/webhooks',
    access: 'admin',
    okStatus: 201,
    response: WebhookResponse,
    body: CreateWebhookRequest,
  },
  {
    method: 'DELETE',
    path: '/api/integrations/webhooks/:id',
    access: 'admin',
    okStatus: 204,
    params: { id: WebhookId },
  },
  {
    method: 'GET',
    path: '/api/integrations/deliveries',
    access: 'admin',
    okStatus: 200,
    response: DeliveriesResponse,
    query: DeliveriesQuery,
  },
  {
    method: 'POST',
    path: '/api/integrations/slack/command',
    access: 'slack',
    okStatus: 200,
    response: SlackReply,
  },
  {
    method: 'POST',
    path: '/api/integrations/slack/interactions',
    access: 'slack',
    okStatus: 200,
    response: SlackInteractionReply,
  },
  {
    method: 'POST',
    path: '/api/integrations/discord/interactions',
    access: 'discord',
    okStatus: 200,
    response: DiscordReply,
  },
  {
    method: 'GET',
    path: '/api/integrations/links/:code',
    access: 'user',
    okStatus: 200,
    response: LinkPreviewResponse,
    params: { code: LinkCode },
  },
  {
    method: 'POST',
    path: '/api/integrations/links/:code',
    access: 'user',
    okStatus: 200,
    response: LinkResponse,
    body: z.object({}).strict(),
    params: { code: LinkCode },
  },
  {
    method: 'GET',
    path: '/api/me/chat',
    access: 'user',
    okStatus: 200,
    response: ChatSettingsResponse,
  },
  {
    method: 'PUT',
    path: '/api/me/chat/reminders',
    access: 'user',
    okStatus: 200,
    response: ChatSettingsResponse,
    body: RemindersRequest,
  },
  {
    method: 'DELETE',
    path: '/api/me/chat/links/:platform/:teamId/:externalUserId',
    access: 'user',
    okStatus: 204,
    params: ChatLinkParams,
  },
  // ---- spaces, proposals, comments, signed embeds
  {
    method: 'POST',
    path: '/api/spaces',
    access: 'user',
    okStatus: 201,
    response: SpaceResponse,
    body: CreateSpaceRequest,
  },
  { method: 'GET', path: '/api/spaces', access: 'public', okStatus: 200, response: SpacesResponse },
  {
    method: 'GET',
    path: '/api/spaces/:id',
    access: 'public',
    okStatus: 200,
    response: SpaceResponse,
    params: { id: SpaceId },
  },
  {
    method: 'GET',
    path: '/api/spaces/:id/calibration',
    access: 'public',
    okStatus: 200,
    response: SpaceCalibrationResponse,
    params: { id: SpaceId },
  },
  {
    method: 'POST',
    path: '/api/spaces/:id/invites',
    access: 'user',
    okStatus: 201,
    response: InviteResponse,
    body: CreateInviteRequest,
    params: { id: SpaceId },
  },
  {
    method: 'GET',
    path: '/api/invites/:token',
    access: 'public',
    okStatus: 200,
    response: InvitePreviewResponse,
    params: { token: InviteToken },
  },
  {
    method: 'POST',
    path: '/api/invites/:token/accept',
    access: 'user',
    okStatus: 200,
    response: SpaceResponse,
    params: { token: InviteToken },
  },
  {
    method: 'GET',
    path: '/api/spaces/:id/members',
    access: 'public',
    okStatus: 200,
    response: MembersResponse,
    params: { id: SpaceId },
  },
  {
    method: 'PATCH',
    path: '/api/spaces/:id/members/:username',
    access: 'user',
    okStatus: 200,
    response: MemberResponse,
    body: UpdateMemberRequest,
    params: { id: SpaceId, username: Username },
  },
  {
    method: 'DELETE',
    path: '/api/spaces/:id/members/:username',
    access: 'user',
    okStatus: 204,
    params: { id: SpaceId, username: Username },
  },
  {
    method: 'POST',
    path: '/api/proposals',
    access: 'user',
    okStatus: 201,
    response: ProposalResponse,
    body: CreateProposalRequest,
  },
  {
    method: 'GET',
    path: '/api/proposals',
    access: 'user',
    okStatus: 200,
    response: ProposalsResponse,
    query: ProposalsQuery,
  },
  {
    method: 'PATCH',
    path: '/api/proposals/:id',
    access: 'user',
    okStatus: 200,
    response: ProposalResponse,
    body: UpdateProposalRequest,
    params: { id: ProposalId },
  },
  {
    method: 'POST',
    path: '/api/proposals/:id/approve',
    access: 'user',
    okStatus: 200,
    response: ApproveProposalResponse,
    body: UpdateProposalRequest,
    params: { id: ProposalId },
  },
  {
    method: 'POST',
    path: '/api/proposals/:id/reject',
    access: 'user',
    okStatus: 200,
    response: ProposalResponse,
    body: RejectProposalRequest,
    params: { id: ProposalId },
  },
  {
    method: 'GET',
    path: '/api/markets/:id/comments',
    access: 'public',
    okStatus: 200,
    response: CommentsResponse,
    params: marketParams,
  },
  {
    method: 'POST',
    path: '/api/markets/:id/comments',
    access: 'user',
    okStatus: 201,
    response: CommentResponse,
    body: CreateCommentRequest,
    params: marketParams,
  },
  {
    method: 'DELETE',
    path: '/api/comments/:id',
    access: 'user',
    okStatus: 204,
    params: { id: CommentId },
  },
  {
    method: 'POST',
    path: '/api/markets/:id/embed',
    access: 'user',
    okStatus: 201,
    response: EmbedLinkResponse,
    params: marketParams,
  },
];

export const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>) => `${r.method} ${r.path}`;

export function route(key: string): RouteSpec {
  const r = ROUTES.find((x) => routeKey(x) === key);
  if (!r) throw new Error(`no route ${key} in the table`);
  return r;
}

/** Fills a path's parameters: `/api/markets/:id` with `{id: 'x'}` → `/api/markets/x`. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/:([a-z]+)/gi, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for :${name} in ${path}`);
    return v;
  });
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  matchers?: ((path: string) => unknown)[];
}

/**
 * The API routes Express really serves, as `METHOD /api/path`, read from the router stack
 * (Express 5: each `Router` is a layer whose handle has its own stack).
 */
export function expressApiRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all')
            out.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
        }
      } else if (layer.handle?.stack) {
        // A mounted router: the API one answers under /api; nested ones have no path of their own.
        const mountedAtApi = prefix === '' && Boolean(layer.matchers?.[0]?.('/api/health'));
        walk(layer.handle.stack, mountedAtApi ? '/api' : prefix);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out.filter((r) => r.includes(' /api/')).sort();
}
