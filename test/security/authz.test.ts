import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, FeedJoinAck, MeUpdate, SubscribeAck } from '../../shared/schemas/index.ts';
import { fullSnapshot, snapshotDiff } from '../fuzz/harness.ts';
import {
  discordKeys,
  discordSigned,
  type SignedRequest,
  slackSigned as signedBySlack,
} from '../helpers/chatSigning.ts';
import {
  ADMIN,
  type ApiResult,
  adminClient,
  Client,
  startServer,
  type TestServer,
} from '../helpers/server.ts';
import { expressApiRoutes, ROUTES, route, routeKey } from './routes.ts';

/**
 * The authorization matrix: every endpoint and socket event against every kind of caller, with
 * the status each must get, written out as a table. A refused call changes nothing; an allowed
 * one answers what its schema says. Then cross-site writes, and what one user can see of
 * another.
 */

const SLACK_SECRET = 'authz-slack-secret';
const PASSWORD = 'password-123';
const SESSION_TTL_MS = 30 * 24 * 3_600_000;
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

const WHO = [
  'anonymous',
  'trader',
  'other',
  'admin',
  'bearer',
  'revoked',
  'expired',
  'adminToken',
] as const;
type Who = (typeof WHO)[number];

/**
 * anonymous: no credential. trader: tina's session cookie (same origin). other: another
 * trader's session. admin: the admin's session. bearer: tina's API token, without Origin, as a
 * bot sends it. revoked: a token of tina's that she revoked. expired: a session cookie past its
 * 30-day lifetime. adminToken: the admin's API token.
 */
// biome-ignore format: the table reads best as a table
const MATRIX: [string, ...Record<Who, number>[keyof Record<Who, number>][]][] = [
  //                                          anon trader other admin bearer revoked expired adminToken
  ['GET /api/health',                          200, 200,  200,  200,  200,   401,    200,    200],
  ['GET /api/openapi.json',                    200, 200,  200,  200,  200,   401,    200,    200],
  ['GET /api/docs',                            200, 200,  200,  200,  200,   401,    200,    200],
  ['POST /api/auth/register',                  201, 201,  201,  201,  201,   401,    201,    201],
  ['POST /api/auth/login',                     200, 200,  200,  200,  200,   401,    200,    200],
  ['POST /api/auth/logout',                    401, 204,  204,  204,  204,   401,    401,    204],
  ['GET /api/me',                              401, 200,  200,  200,  200,   401,    401,    200],
  ['POST /api/me/tokens',                      401, 201,  201,  201,  201,   401,    401,    201],
  // The token revoked is tina's: only tina (by session or by another of her tokens) may.
  ['DELETE /api/me/tokens/:id',                401, 204,  404,  404,  204,   401,    401,    404],
  ['GET /api/markets',                         200, 200,  200,  200,  200,   401,    200,    200],
  ['POST /api/markets',                        401, 403,  403,  201,  403,   401,    401,    201],
  ['GET /api/markets/:id',                     200, 200,  200,  200,  200,   401,    200,    200],
  ['GET /api/markets/:id/history',             200, 200,  200,  200,  200,   401,    200,    200],
  ['GET /api/markets/:id/trades',              200, 200,  200,  200,  200,   401,    200,    200],
  ['POST /api/markets/:id/quote',              200, 200,  200,  200,  200,   401,    200,    200],
  ['POST /api/markets/:id/trades',             401, 200,  200,  200,  200,   401,    401,    200],
  ['POST /api/markets/:id/forecasts',          401, 201,  201,  201,  201,   401,    401,    201],
  ['GET /api/markets/:id/forecasts',           200, 200,  200,  200,  200,   401,    200,    200],
  ['POST /api/markets/:id/close',              401, 403,  403,  200,  403,   401,    401,    200],
  ['POST /api/markets/:id/resolve',            401, 403,  403,  200,  403,   401,    401,    200],
  ['POST /api/markets/:id/unresolve',          401, 403,  403,  200,  403,   401,    401,    200],
  ['GET /api/markets/:id/scores',              200, 200,  200,  200,  200,   401,    200,    200],
  ['GET /api/leaderboard',                     200, 200,  200,  200,  200,   401,    200,    200],
  ['GET /api/users/:username',                 200, 200,  200,  200,  200,   401,    200,    200],
  ['GET /api/users/:username/forecasts',       200, 200,  200,  200,  200,   401,    200,    200],
  ['GET /api/audit',                           401, 403,  403,  200,  403,   401,    401,    200],
  ['GET /api/admin/simulation',                401, 403,  403,  200,  403,   401,    401,    200],
  ['POST /api/admin/simulation',               401, 403,  403,  200,  403,   401,    401,    200],
  ['GET /api/integrations/webhooks',           401, 403,  403,  200,  403,   401,    401,    200],
  ['POST /api/integrations/webhooks',          401, 403,  403,  201,  403,   401,    401,    201],
  ['DELETE /api/integrations/webhooks/:id',    401, 403,  403,  204,  403,   401,    401,    204],
  ['GET /api/integrations/deliveries',         401, 403,  403,  200,  403,   401,    401,    200],
  // Slack's signature, not a session, authenticates the command; a bad token is still a 401.
  ['POST /api/integrations/slack/command',     200, 200,  200,  200,  200,   401,    200,    200],
  ['POST /api/integrations/slack/interactions',200, 200,  200,  200,  200,   401,    200,    200],
  // Discord's Ed25519 signature likewise.
  ['POST /api/integrations/discord/interactions',200,200, 200,  200,  200,   401,    200,    200],
  // Opening a link needs a signed-in user; whoever opens it is who the chat identity binds to.
  ['GET /api/integrations/links/:code',        401, 200,  200,  200,  200,   401,    401,    200],
  ['POST /api/integrations/links/:code',       401, 200,  200,  200,  200,   401,    401,    200],
  ['GET /api/me/chat',                         401, 200,  200,  200,  200,   401,    401,    200],
  ['PUT /api/me/chat/reminders',               401, 200,  200,  200,  200,   401,    401,    200],
  // The link removed is tina's: anyone else is told there is no such link.
  ['DELETE /api/me/chat/links/:platform/:teamId/:externalUserId',
                                               401, 204,  404,  404,  204,   401,    401,    404],
  // Spaces: tina owns a private space otto is not in; to him (and to nobody) it does not exist.
  ['POST /api/spaces',                         401, 201,  201,  201,  201,   401,    401,    201],
  ['GET /api/spaces',                          200, 200,  200,  200,  200,   401,    200,    200],
  ['GET /api/spaces/:id',                      404, 200,  404,  200,  200,   401,    404,    200],
  ['POST /api/spaces/:id/invites',             401, 201,  404,  201,  201,   401,    401,    201],
  ['GET /api/invites/:token',                  200, 200,  200,  200,  200,   401,    200,    200],
  ['POST /api/invites/:token/accept',          401, 200,  200,  200,  200,   401,    401,    200],
  ['GET /api/spaces/:id/members',              404, 200,  404,  200,  200,   401,    404,    200],
  ['GET /api/spaces/:id/calibration',          404, 200,  404,  200,  200,   401,    404,    200],
  ['PATCH /api/spaces/:id/members/:username',  401, 200,  404,  200,  200,   401,    401,    200],
  ['DELETE /api/spaces/:id/members/:username', 401, 204,  404,  204,  204,   401,    401,    204],
  // Proposals: tina's, to the public site, whose reviewers are the admins.
  ['POST /api/proposals',                      401, 201,  201,  201,  201,   401,    401,    201],
  ['GET /api/proposals',                       401, 200,  200,  200,  200,   401,    401,    200],
  ['PATCH /api/proposals/:id',                 401, 200,  404,  200,  200,   401,    401,    200],
  ['POST /api/proposals/:id/approve',          401, 403,  404,  200,  403,   401,    401,    200],
  ['POST /api/proposals/:id/reject',           401, 403,  404,  200,  403,   401,    401,    200],
  // Comments on a public market; the one deleted is tina's.
  ['GET /api/markets/:id/comments',            200, 200,  200,  200,  200,   401,    200,    200],
  ['POST /api/markets/:id/comments',           401, 201,  201,  201,  201,   401,    401,    201],
  ['DELETE /api/comments/:id',                 401, 204,  403,  204,  204,   401,    401,    204],
  ['POST /api/markets/:id/embed',              401, 201,  201,  201,  201,   401,    401,    201],
  // CSV exports: a market's to anyone, everything to admins.
  ['GET /api/markets/:id/trades.csv',          200, 200,  200,  200,  200,   401,    200,    200],
  ['GET /api/markets/:id/forecasts.csv',       200, 200,  200,  200,  200,   401,    200,    200],
  ['GET /api/markets/:id/scores.csv',          200, 200,  200,  200,  200,   401,    200,    200],
  ['GET /api/users/:username/forecasts.csv',   200, 200,  200,  200,  200,   401,    200,    200],
  ['GET /api/admin/export/trades.csv',         401, 403,  403,  200,  403,   401,    401,    200],
  ['GET /api/admin/export/forecasts.csv',      401, 403,  403,  200,  403,   401,    401,    200],
  ['GET /api/admin/export/ledger.csv',         401, 403,  403,  200,  403,   401,    401,    200],
];

let server: TestServer;
let clockOffsetMs = 0;
let admin: Client;
let tina: Client;
let otto: Client;
const tokens: Partial<Record<'tina' | 'revoked' | 'admin', string>> = {};
let expiredCookie: string;
/** Tina's private space, which otto never joins. */
let spaceId: string;
/** Another of tina's spaces, whose invites the matrix accepts. */
let lobbyId: string;
let serial = 0;
const next = () => ++serial;

beforeAll(async () => {
  server = await startServer({
    env: {
      SEED: 'off',
      LOGINS_PER_15_MIN: '100000',
      PROPOSALS_PER_DAY: '100000',
      COMMENTS_PER_MINUTE: '100000',
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      DISCORD_PUBLIC_KEY,
    },
    now: () => new Date(Date.now() + clockOffsetMs),
  });
  admin = await adminClient(server.url);
  tina = new Client(server.url);
  await tina.register('tina', PASSWORD);
  otto = new Client(server.url);
  await otto.register('otto', PASSWORD);
  tokens.tina = (await tina.post('/api/me/tokens', {})).body.token;
  tokens.admin = (await admin.post('/api/me/tokens', {})).body.token;
  const doomed = await tina.post('/api/me/tokens', {});
  tokens.revoked = doomed.body.token;
  expect((await tina.delete(`/api/me/tokens/${doomed.body.id}`)).status).toBe(204);
  // A session opened 30 days and an hour ago has run out by now.
  clockOffsetMs = -(SESSION_TTL_MS + 3_600_000);
  const old = new Client(server.url);
  await old.login('tina', PASSWORD);
  expiredCookie = old.cookie!;
  clockOffsetMs = 0;

  const made = await tina.post('/api/spaces', { name: 'AZ private', visibility: 'private' });
  expect(made.status).toBe(201);
  spaceId = made.body.space.id;
  lobbyId = (await tina.post('/api/spaces', { name: 'AZ lobby', visibility: 'private' })).body.space
    .id;

  await createMarket('az-open');
  await createMarket('az-quiet');
  await createMarket('az-resolved');
  expect(
    (await tina.post('/api/markets/az-open/trades', { outcomeId: 'yes', shares: 10 })).status,
  ).toBe(200);
  expect(
    (await otto.post('/api/markets/az-open/trades', { outcomeId: 'no', shares: 4 })).status,
  ).toBe(200);
  expect((await tina.post('/api/markets/az-open/forecasts', { probability: 0.7 })).status).toBe(
    201,
  );
  expect(
    (await tina.post('/api/markets/az-resolved/trades', { outcomeId: 'yes', shares: 3 })).status,
  ).toBe(200);
  expect((await otto.post('/api/markets/az-resolved/forecasts', { probability: 0.2 })).status).toBe(
    201,
  );
  expect((await admin.post('/api/markets/az-resolved/resolve', { outcomeId: 'yes' })).status).toBe(
    200,
  );
});

afterAll(() => server?.close());

async function createMarket(id: string): Promise<void> {
  const r = await admin.post('/api/markets', {
    id,
    question: `Authz market ${id}?`,
    closesAt: inDays(60),
  });
  expect(r.status).toBe(201);
}

const discord = discordKeys();
const DISCORD_PUBLIC_KEY = discord.publicKeyHex;

/** A Discord PING, signed as Discord signs it; each one distinct, so none is a replay. */
function discordPing(n: number): SignedRequest {
  const body = JSON.stringify({
    id: String(1_230_000_000_000_000_000n + BigInt(n)),
    application_id: '1105548120487460914',
    type: 1,
    token: `ping-${n}`,
    version: 1,
  });
  return discordSigned(discord.privateKey, body);
}

/** A fresh one-time link code for a new Slack member, through a signed `/parity link`. */
async function linkCode(n: number): Promise<{ code: string; member: string }> {
  const member = `UAZ${n}`;
  const body = new URLSearchParams({
    command: '/parity',
    text: 'link',
    team_id: 'TAUTHZ',
    user_id: member,
    user_name: `member${n}`,
  }).toString();
  const res = await new Client(server.url).raw('POST', '/api/integrations/slack/command', {
    origin: false,
    body,
    headers: slackSigned(body),
  });
  expect(res.status).toBe(200);
  const code = /\/link\/([A-Za-z0-9_-]{32})/.exec(JSON.stringify(res.body))?.[1];
  expect(code, JSON.stringify(res.body)).toBeDefined();
  return { code: code!, member };
}

function slackSigned(body: string): Record<string, string> {
  return signedBySlack(SLACK_SECRET, body).headers;
}

/**
 * A caller: how it authenticates and what Origin it sends. A header given as '' is left out
 * (Client.raw sends our own Origin unless told not to).
 */
type Caller = (
  method: string,
  path: string,
  body?: string,
  headers?: Record<string, string>,
) => Promise<ApiResult<any>>;

function send(
  c: Client,
  method: string,
  path: string,
  body: string | undefined,
  headers: Record<string, string>,
  withOrigin: boolean,
): Promise<ApiResult<any>> {
  const kept = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ''));
  return c.raw(method, path, {
    origin: withOrigin && headers.origin !== '',
    ...(body === undefined ? {} : { body }),
    headers: { 'content-type': 'application/json', ...kept },
  });
}

function cookieCaller(cookie: string | undefined): Caller {
  return (method, path, body, headers = {}) => {
    const c = new Client(server.url);
    c.cookie = cookie;
    return send(c, method, path, body, headers, true);
  };
}

function tokenCaller(token: string): Caller {
  return (method, path, body, headers = {}) => {
    const c = new Client(server.url);
    c.token = token;
    return send(c, method, path, body, headers, false);
  };
}

function callerFor(who: Who): Caller {
  switch (who) {
    case 'anonymous':
      return cookieCaller(undefined);
    case 'trader':
      return cookieCaller(tina.cookie);
    case 'other':
      return cookieCaller(otto.cookie);
    case 'admin':
      return cookieCaller(admin.cookie);
    case 'bearer':
      return tokenCaller(tokens.tina!);
    case 'revoked':
      return tokenCaller(tokens.revoked!);
    case 'expired':
      return cookieCaller(expiredCookie);
    case 'adminToken':
      return tokenCaller(tokens.admin!);
  }
}

/** Whose identity a caller carries, for endpoints that act on "me". */
const identity: Partial<Record<Who, { username: string; password: string }>> = {
  trader: { username: 'tina', password: PASSWORD },
  other: { username: 'otto', password: PASSWORD },
  admin: ADMIN,
};

interface Cell {
  path: string;
  body?: string;
  headers?: Record<string, string>;
  /** A fresh session cookie of the same user, for logout, which ends the session it uses. */
  cookie?: string;
}

/** A valid request for the endpoint, with whatever it acts on made fresh for this cell. */
async function prepare(key: string, who: Who): Promise<Cell> {
  const n = next();
  const json = (x: unknown) => JSON.stringify(x);
  switch (key) {
    case 'POST /api/auth/register':
      return {
        path: '/api/auth/register',
        body: json({ username: `az_new_${n}`, password: PASSWORD }),
      };
    case 'POST /api/auth/login':
      return { path: '/api/auth/login', body: json({ username: 'otto', password: PASSWORD }) };
    case 'POST /api/auth/logout': {
      const id = identity[who];
      if (!id) return { path: '/api/auth/logout', body: '{}' };
      const fresh = new Client(server.url);
      await fresh.login(id.username, id.password);
      return { path: '/api/auth/logout', body: '{}', cookie: fresh.cookie! };
    }
    case 'POST /api/me/tokens':
      return { path: '/api/me/tokens', body: '{}' };
    case 'DELETE /api/me/tokens/:id': {
      const made = await tina.post('/api/me/tokens', {});
      return { path: `/api/me/tokens/${made.body.id}` };
    }
    case 'POST /api/markets':
      return {
        path: '/api/markets',
        body: json({ id: `az-new-${n}`, question: 'A matrix market?', closesAt: inDays(60) }),
      };
    case 'POST /api/markets/:id/quote':
    case 'POST /api/markets/:id/trades':
      return {
        path: key.split(' ')[1]!.replace(':id', 'az-open'),
        body: json({ outcomeId: 'yes', shares: 1 }),
      };
    case 'POST /api/markets/:id/forecasts':
      return { path: '/api/markets/az-open/forecasts', body: json({ probability: 0.55 }) };
    case 'POST /api/markets/:id/close':
    case 'POST /api/markets/:id/resolve':
    case 'POST /api/markets/:id/unresolve': {
      const id = `az-life-${n}`;
      await createMarket(id);
      if (key.endsWith('unresolve')) {
        expect((await admin.post(`/api/markets/${id}/resolve`, { outcomeId: 'no' })).status).toBe(
          200,
        );
      }
      const body = key.endsWith('/resolve')
        ? { outcomeId: 'yes', note: 'matrix' }
        : { note: 'matrix' };
      return { path: key.split(' ')[1]!.replace(':id', id), body: json(body) };
    }
    case 'GET /api/markets/:id/scores':
    case 'GET /api/markets/:id/scores.csv':
      return { path: key.split(' ')[1]!.replace(':id', 'az-resolved') };
    case 'GET /api/users/:username/forecasts.csv':
      return { path: '/api/users/tina/forecasts.csv' };
    case 'GET /api/users/:username':
      return { path: '/api/users/tina' };
    case 'GET /api/users/:username/forecasts':
      return { path: '/api/users/tina/forecasts' };
    case 'POST /api/admin/simulation':
      return { path: '/api/admin/simulation', body: json({ running: false }) };
    case 'POST /api/integrations/webhooks':
      return { path: '/api/integrations/webhooks', body: json(quietWebhook()) };
    case 'DELETE /api/integrations/webhooks/:id': {
      const made = await admin.post('/api/integrations/webhooks', quietWebhook());
      expect(made.status).toBe(201);
      return { path: `/api/integrations/webhooks/${made.body.webhook.id}` };
    }
    case 'POST /api/integrations/slack/command': {
      // Each cell is its own request: the same signed body twice is refused as a replay.
      const body = new URLSearchParams({ command: '/odds', text: 'authz', trigger_id: `t${n}` });
      return {
        path: '/api/integrations/slack/command',
        body: body.toString(),
        headers: slackSigned(body.toString()),
      };
    }
    case 'POST /api/integrations/slack/interactions': {
      const payload = json({ type: 'view_closed', team: { id: 'TAUTHZ' }, user: { id: `U${n}` } });
      const body = new URLSearchParams({ payload }).toString();
      return { path: '/api/integrations/slack/interactions', body, headers: slackSigned(body) };
    }
    case 'POST /api/integrations/discord/interactions':
      return { path: '/api/integrations/discord/interactions', ...discordPing(n) };
    case 'GET /api/integrations/links/:code':
    case 'POST /api/integrations/links/:code': {
      const { code } = await linkCode(n);
      const path = `/api/integrations/links/${code}`;
      return key.startsWith('GET') ? { path } : { path, body: '{}' };
    }
    case 'PUT /api/me/chat/reminders':
      return { path: '/api/me/chat/reminders', body: json({ enabled: true }) };
    case 'POST /api/spaces':
      return { path: '/api/spaces', body: json({ name: `AZ space ${n}`, visibility: 'private' }) };
    case 'GET /api/spaces/:id':
      return { path: `/api/spaces/${spaceId}` };
    case 'GET /api/spaces/:id/members':
    case 'GET /api/spaces/:id/calibration':
      return { path: key.split(' ')[1]!.replace(':id', spaceId) };
    case 'POST /api/spaces/:id/invites':
      return { path: `/api/spaces/${spaceId}/invites`, body: json({ maxUses: 1 }) };
    case 'GET /api/invites/:token':
    case 'POST /api/invites/:token/accept': {
      const token = await inviteToken(lobbyId);
      const path = `/api/invites/${token}${key.startsWith('POST') ? '/accept' : ''}`;
      return key.startsWith('GET') ? { path } : { path, body: '{}' };
    }
    case 'PATCH /api/spaces/:id/members/:username':
    case 'DELETE /api/spaces/:id/members/:username': {
      const username = await newMember(n);
      const path = `/api/spaces/${spaceId}/members/${username}`;
      return key.startsWith('PATCH') ? { path, body: json({ role: 'moderator' }) } : { path };
    }
    case 'POST /api/proposals':
      return { path: '/api/proposals', body: json(proposalBody(n)) };
    case 'GET /api/proposals':
      return { path: '/api/proposals?status=pending' };
    case 'PATCH /api/proposals/:id':
    case 'POST /api/proposals/:id/approve':
    case 'POST /api/proposals/:id/reject': {
      const made = await tina.post('/api/proposals', proposalBody(n));
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      const id = made.body.proposal.id;
      if (key.startsWith('PATCH')) {
        return { path: `/api/proposals/${id}`, body: json({ question: `Edited question ${n}?` }) };
      }
      return key.endsWith('approve')
        ? { path: `/api/proposals/${id}/approve`, body: '{}' }
        : { path: `/api/proposals/${id}/reject`, body: json({ reason: 'Out of scope.' }) };
    }
    case 'POST /api/markets/:id/comments':
      return { path: '/api/markets/az-open/comments', body: json({ text: `Comment ${n}` }) };
    case 'DELETE /api/comments/:id': {
      const made = await tina.post('/api/markets/az-open/comments', { text: `Doomed ${n}` });
      expect(made.status).toBe(201);
      return { path: `/api/comments/${made.body.comment.id}` };
    }
    case 'POST /api/markets/:id/embed':
      return { path: '/api/markets/az-open/embed', body: '{}' };
    case 'DELETE /api/me/chat/links/:platform/:teamId/:externalUserId': {
      const { code, member } = await linkCode(n);
      expect((await tina.post(`/api/integrations/links/${code}`, {})).status).toBe(200);
      return { path: `/api/me/chat/links/slack/TAUTHZ/${member}` };
    }
    default: {
      const path = key.split(' ')[1]!.replace(':id', 'az-open');
      return key.startsWith('POST') ? { path, body: '{}' } : { path };
    }
  }
}

/** A fresh single-use invite to one of tina's spaces. */
async function inviteToken(space = spaceId): Promise<string> {
  const r = await tina.post(`/api/spaces/${space}/invites`, { maxUses: 1 });
  expect(r.status).toBe(201);
  return r.body.invite.token;
}

/** A new user who joined tina's space through an invite. */
async function newMember(n: number): Promise<string> {
  const username = `az_member_${n}`;
  const c = new Client(server.url);
  await c.register(username, PASSWORD);
  expect((await c.post(`/api/invites/${await inviteToken()}/accept`, {})).status).toBe(200);
  return username;
}

function proposalBody(n: number) {
  return {
    question: `Will matrix proposal ${n} pass review?`,
    criteria: 'Resolves Yes if the reviewer approves it.',
    closesAt: inDays(90),
  };
}

/** A webhook that no event ever reaches: only `resolved` of a market that never resolves. */
function quietWebhook() {
  return {
    kind: 'generic',
    url: 'https://hooks.example.com/parity',
    events: ['resolved'],
    marketIds: ['az-quiet'],
  };
}

describe('the matrix', () => {
  it('lists every API route Express serves, and nothing it does not', () => {
    expect(expressApiRoutes(server.parity.app)).toEqual(ROUTES.map(routeKey).sort());
    expect(MATRIX.map((row) => row[0]).sort()).toEqual(ROUTES.map(routeKey).sort());
    for (const row of MATRIX) expect(row.length).toBe(WHO.length + 1);
  });

  for (const [key, ...statuses] of MATRIX) {
    it(`answers ${key} as the table says for each kind of caller`, async () => {
      const r = route(key);
      const got: Record<string, number> = {};
      const want: Record<string, number> = {};
      for (const [i, who] of WHO.entries()) {
        const cell = await prepare(key, who);
        const call = cell.cookie ? cookieCaller(cell.cookie) : callerFor(who);
        const before = await fullSnapshot(server.parity);
        const res = await call(r.method, cell.path, cell.body, cell.headers);
        const after = await fullSnapshot(server.parity);
        got[who] = res.status;
        want[who] = statuses[i]!;
        if (res.status >= 400) {
          expect(ErrorBody.safeParse(res.body).success, `${key} as ${who}`).toBe(true);
          expect(snapshotDiff(before, after), `${key} as ${who} changed state`).toEqual([]);
        } else if (r.response) {
          const parsed = r.response.safeParse(res.body);
          expect(parsed.success, `${key} as ${who}: ${parsed.error?.message}`).toBe(true);
        }
        if (key === 'GET /api/me' && res.status === 200) {
          const me = {
            trader: 'tina',
            bearer: 'tina',
            other: 'otto',
            admin: 'admin',
            adminToken: 'admin',
          } as Record<string, string>;
          expect(res.body.user.username).toBe(me[who]);
        }
      }
      expect(got).toEqual(want);
    });
  }

  it('refuses an unsigned, stale or forged Slack command whoever sends it', async () => {
    const body = new URLSearchParams({ command: '/odds', text: 'authz' }).toString();
    const stale = slackSigned(body);
    stale['x-slack-request-timestamp'] = String(Math.floor(Date.now() / 1000) - 3600);
    const forged = { ...slackSigned(body), 'x-slack-signature': `v0=${'0'.repeat(64)}` };
    const unsigned = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const who of WHO) {
      for (const headers of [unsigned, stale, forged]) {
        const res = await callerFor(who)('POST', '/api/integrations/slack/command', body, headers);
        expect(res.status, who).toBe(401);
      }
    }
  });
});

describe('cross-site writes', () => {
  const unsafe = MATRIX.filter(([key]) => !key.startsWith('GET '));
  const foreign = 'https://evil.example';

  it('refuses every write from a foreign Origin, a foreign Referer, or neither, when a session cookie rides along', async () => {
    const failures: string[] = [];
    for (const [key] of unsafe) {
      const r = route(key);
      const shapes: [string, Who, Record<string, string>][] = [
        ['cookie, foreign Origin', 'trader', { origin: foreign }],
        ['cookie, foreign Referer', 'trader', { origin: '', referer: `${foreign}/x` }],
        ['cookie, no Origin or Referer', 'trader', { origin: '' }],
        ['cookie, Origin "null"', 'trader', { origin: 'null' }],
        ['admin cookie, foreign Origin', 'admin', { origin: foreign }],
        ['anonymous, foreign Origin', 'anonymous', { origin: foreign }],
        ['token, foreign Origin', 'bearer', { origin: foreign }],
      ];
      for (const [label, who, extra] of shapes) {
        const cell = await prepare(key, who);
        const call = cell.cookie ? cookieCaller(cell.cookie) : callerFor(who);
        const before = await fullSnapshot(server.parity);
        const res = await call(r.method, cell.path, cell.body, { ...cell.headers, ...extra });
        const code = (res.body as { error?: { code?: string } } | undefined)?.error?.code;
        if (res.status !== 403 || code !== 'forbidden') {
          failures.push(
            `${key} [${label}]: ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`,
          );
        }
        const diff = snapshotDiff(before, await fullSnapshot(server.parity));
        if (diff.length) failures.push(`${key} [${label}] changed state: ${diff.join('; ')}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('accepts the same writes from our own origin by Referer alone, and from a token without any Origin', async () => {
    for (const [key, ...statuses] of unsafe) {
      const r = route(key);
      const cell = await prepare(key, 'trader');
      const call = cell.cookie ? cookieCaller(cell.cookie) : callerFor('trader');
      const byReferer = await call(r.method, cell.path, cell.body, {
        ...cell.headers,
        origin: '',
        referer: `${server.url}/markets/az-open`,
      });
      expect(byReferer.status, `${key} by Referer`).toBe(statuses[WHO.indexOf('trader')]);
      const again = await prepare(key, 'bearer');
      const byToken = await callerFor('bearer')(r.method, again.path, again.body, again.headers);
      expect(byToken.status, `${key} by token`).toBe(statuses[WHO.indexOf('bearer')]);
    }
  });
});

const SOCKET_WHO = [...WHO, 'crossSite'] as const;
type SocketWho = (typeof SOCKET_WHO)[number];

/**
 * Socket events by caller. ok: the connection opens, or the ack says ok; refused: the
 * handshake fails; ignored: no answer, and the socket keeps working; received/none: whether
 * the caller gets tina's `me:update` when she trades. crossSite is tina's cookie sent from a
 * foreign Origin: the socket opens, but as nobody.
 */
// biome-ignore format: the table reads best as a table
const SOCKET_MATRIX: [string, ...string[]][] = [
  //                    anonymous  trader      other   admin   bearer      revoked    expired adminToken crossSite
  ['connect',           'ok',      'ok',       'ok',   'ok',   'ok',       'refused', 'ok',   'ok',      'ok'],
  ['subscribe',         'ok',      'ok',       'ok',   'ok',   'ok',       '-',       'ok',   'ok',      'ok'],
  ['unsubscribe',       'ignored', 'ignored',  'ignored', 'ignored', 'ignored', '-',  'ignored', 'ignored', 'ignored'],
  ['feed:join',         'ok',      'ok',       'ok',   'ok',   'ok',       '-',       'ok',   'ok',      'ok'],
  ['feed:leave',        'ignored', 'ignored',  'ignored', 'ignored', 'ignored', '-',  'ignored', 'ignored', 'ignored'],
  ['unknown event',     'ignored', 'ignored',  'ignored', 'ignored', 'ignored', '-',  'ignored', 'ignored', 'ignored'],
  ['me:update (tina)',  'none',    'received', 'none', 'none', 'received', '-',       'none', 'none',    'none'],
];

const sockets: Socket[] = [];
afterAll(() => {
  for (const s of sockets) s.close();
});

function openSocket(who: SocketWho): Promise<Socket | 'refused'> {
  const origin = who === 'crossSite' ? 'https://evil.example' : server.url;
  const cookie: Partial<Record<SocketWho, string>> = {
    trader: tina.cookie!,
    other: otto.cookie!,
    admin: admin.cookie!,
    expired: expiredCookie,
    crossSite: tina.cookie!,
  };
  const token: Partial<Record<SocketWho, string>> = {
    bearer: tokens.tina!,
    revoked: tokens.revoked!,
    adminToken: tokens.admin!,
  };
  const socket = io(server.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    // A bot with a token sends no browser headers at all.
    ...(token[who]
      ? { auth: { token: token[who] } }
      : { extraHeaders: { origin, ...(cookie[who] ? { cookie: cookie[who] } : {}) } }),
  });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', () => resolve('refused'));
  });
}

async function alive(socket: Socket): Promise<boolean> {
  const ack = await socket.timeout(2000).emitWithAck('subscribe', 'az-quiet');
  return SubscribeAck.parse(ack).ok;
}

describe('the socket matrix', () => {
  it('answers each socket event as the table says for each kind of caller', async () => {
    const got: Record<string, string[]> = {};
    const opened = new Map<SocketWho, Socket>();
    const updates = new Map<SocketWho, unknown[]>();
    for (const who of SOCKET_WHO) {
      const socket = await openSocket(who);
      const row: string[] = [];
      got[who] = row;
      if (socket === 'refused') {
        row.push('refused', '-', '-', '-', '-', '-');
        continue;
      }
      row.push('ok');
      opened.set(who, socket);
      const seen: unknown[] = [];
      updates.set(who, seen);
      socket.on('me:update', (u: unknown) => seen.push(u));
      const sub = SubscribeAck.parse(
        await socket.timeout(2000).emitWithAck('subscribe', 'az-open'),
      );
      row.push(sub.ok ? 'ok' : `error ${sub.error.code}`);
      socket.emit('unsubscribe', 'az-open');
      row.push((await alive(socket)) ? 'ignored' : 'dropped');
      const feed = FeedJoinAck.parse(await socket.timeout(2000).emitWithAck('feed:join'));
      row.push(feed.ok ? 'ok' : `error ${feed.error.code}`);
      socket.emit('feed:leave');
      row.push((await alive(socket)) ? 'ignored' : 'dropped');
      socket.emit('no-such-event' as never, { a: 1 });
      row.push((await alive(socket)) ? 'ignored' : 'dropped');
    }
    // tina trades: her balance changes, and only her own sockets may hear of it.
    const trade = await callerFor('bearer')(
      'POST',
      '/api/markets/az-open/trades',
      JSON.stringify({ outcomeId: 'yes', shares: 2 }),
    );
    expect(trade.status).toBe(200);
    const deadline = Date.now() + 3000;
    while (
      Date.now() < deadline &&
      !(updates.get('trader')?.length && updates.get('bearer')?.length)
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    // Long enough for a stray update to anyone else to have arrived too.
    await new Promise((r) => setTimeout(r, 200));
    for (const who of SOCKET_WHO) {
      if (!opened.has(who)) {
        got[who]!.push('-');
        continue;
      }
      const seen = updates.get(who)!;
      got[who]!.push(seen.length ? 'received' : 'none');
      for (const u of seen) {
        const parsed = MeUpdate.parse(u);
        expect(parsed.user.username).toBe('tina');
        expect(parsed.user.balanceCents).toBe(trade.body.user.balanceCents);
      }
    }
    const want = Object.fromEntries(
      SOCKET_WHO.map((who, i) => [who, SOCKET_MATRIX.map((row) => row[i + 1]!)]),
    );
    expect(got).toEqual(want);
  });

  it('lists every event the server listens for', async () => {
    const socket = await openSocket('anonymous');
    expect(socket).not.toBe('refused');
    const serverSide = [...server.parity.io.sockets.sockets.values()].find(
      (x) => x.id === (socket as Socket).id,
    )!;
    // socket.io itself listens for 'error'; the rest are ours.
    const ours = serverSide
      .eventNames()
      .map(String)
      .filter((e) => e !== 'error');
    expect(ours.sort()).toEqual(
      SOCKET_MATRIX.map((row) => row[0])
        .filter((e) => !['connect', 'unknown event', 'me:update (tina)'].includes(e))
        .sort(),
    );
  });
});

/** Every key anywhere in a JSON value, and every string. */
function walk(x: unknown, keys: Set<string>, strings: string[]): void {
  if (Array.isArray(x)) for (const v of x) walk(v, keys, strings);
  else if (x !== null && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) {
      keys.add(k);
      walk(v, keys, strings);
    }
  } else if (typeof x === 'string') strings.push(x);
}

const PRIVATE_KEYS = [
  'balanceCents',
  'positions',
  'password',
  'passwordHash',
  'token',
  'tokenHash',
  'secret',
];

describe('what one user can see of another', () => {
  it('answers /api/me about the caller only', async () => {
    const mine = (await tina.get('/api/me')).body;
    const theirs = (await otto.get('/api/me')).body;
    expect(mine.user.username).toBe('tina');
    expect(theirs.user.username).toBe('otto');
    expect(JSON.stringify(theirs)).not.toContain(mine.user.id);
    expect(JSON.stringify(mine)).not.toContain(theirs.user.id);
    // Each one's positions are exactly the sums of their own trades on the public tape.
    const tape = (await otto.get('/api/markets/az-open/trades?limit=1000')).body.trades as {
      username: string;
      outcomeId: string;
      shares: number;
    }[];
    const held = (username: string) => {
      const sums = new Map<string, number>();
      for (const t of tape.filter((x) => x.username === username)) {
        sums.set(t.outcomeId, (sums.get(t.outcomeId) ?? 0) + t.shares);
      }
      return [...sums]
        .map(([outcomeId, shares]) => ({ outcomeId, shares }))
        .sort((a, b) => (a.outcomeId < b.outcomeId ? -1 : 1));
    };
    const inOpen = (me: { positions: { marketId: string; outcomeId: string; shares: number }[] }) =>
      me.positions
        .filter((p) => p.marketId === 'az-open')
        .map((p) => ({ outcomeId: p.outcomeId, shares: p.shares }))
        .sort((a, b) => (a.outcomeId < b.outcomeId ? -1 : 1));
    expect(inOpen(theirs)).toEqual(held('otto'));
    expect(inOpen(mine)).toEqual(held('tina'));
    expect(held('otto')).not.toEqual(held('tina'));
  });

  it('shows no balance, position, password or token in any public read or broadcast', async () => {
    const anonSocket = (await openSocket('anonymous')) as Socket;
    const heard: unknown[] = [];
    for (const event of [
      'trade',
      'forecast',
      'market:update',
      'market:created',
      'market:resolved',
    ]) {
      anonSocket.on(event, (x: unknown) => heard.push(x));
    }
    await anonSocket.timeout(2000).emitWithAck('feed:join');
    await anonSocket.timeout(2000).emitWithAck('subscribe', 'az-open');
    expect(
      (await tina.post('/api/markets/az-open/trades', { outcomeId: 'yes', shares: 1 })).status,
    ).toBe(200);
    expect(
      (await tina.post('/api/markets/az-open/forecasts', { probability: 0.6, comment: 'mine' }))
        .status,
    ).toBe(201);
    await createMarket(`az-seen-${next()}`);
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && heard.length < 4) await new Promise((r) => setTimeout(r, 20));
    expect(heard.length).toBeGreaterThanOrEqual(4);

    // Every public read that anyone may make (not tina's private space, which is 404 to them).
    const open = (key: string) => {
      const row = MATRIX.find(([k]) => k === key)!;
      return row[1 + WHO.indexOf('anonymous')] === 200 && row[1 + WHO.indexOf('other')] === 200;
    };
    // The API's own description names fields such as `password` and `token`; it holds no one's.
    const described = ['GET /api/openapi.json', 'GET /api/docs'];
    const reads = ROUTES.filter(
      (r) =>
        r.method === 'GET' &&
        r.access === 'public' &&
        open(routeKey(r)) &&
        !described.includes(routeKey(r)),
    );
    const answers: unknown[] = [...heard];
    for (const r of reads) {
      const cell = await prepare(routeKey(r), 'other');
      for (const who of ['anonymous', 'other'] as const) {
        const res = await callerFor(who)('GET', cell.path);
        expect(res.status, `${routeKey(r)} as ${who}`).toBe(200);
        answers.push(res.body);
      }
    }
    const keys = new Set<string>();
    const strings: string[] = [];
    walk(answers, keys, strings);
    expect(PRIVATE_KEYS.filter((k) => keys.has(k))).toEqual([]);
    for (const secret of [tokens.tina!, tokens.admin!, tokens.revoked!, PASSWORD]) {
      expect(strings.some((x) => x.includes(secret))).toBe(false);
    }
    // The tape names who traded (API.md: Trade has username), never what they hold.
    const tape = (await otto.get('/api/markets/az-open/trades')).body.trades;
    expect(tape.some((t: { username: string }) => t.username === 'tina')).toBe(true);
  });

  it('never shows an API token again after it was created, not even to admins', async () => {
    const made = await tina.post('/api/me/tokens', {});
    const token: string = made.body.token;
    const everything = [
      await tina.get('/api/me'),
      await admin.get('/api/audit'),
      await admin.get('/api/integrations/webhooks'),
      await admin.get('/api/integrations/deliveries'),
      await admin.get('/api/admin/simulation'),
      await otto.get('/api/users/tina'),
    ];
    for (const r of everything) expect(JSON.stringify(r.body)).not.toContain(token);
  });
});
