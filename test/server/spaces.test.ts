import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditResponse, InviteResponse, SpaceResponse } from '../../shared/schemas/index.ts';
import { slackSigned } from '../helpers/chatSigning.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { adminClient, Client, startServer, type TestServer } from '../helpers/server.ts';

/**
 * Spaces end to end: membership by invite, roles and the last owner, leaving and removal (which
 * ends access at once, sockets included), scoped tokens and webhooks, signed embeds of private
 * markets, and chat that never shows a private market to someone outside it.
 */

const SLACK_SECRET = 'spaces-slack-secret';
const PASSWORD = 'password-123';
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: TestServer;
let admin: Client;
let rx: Receiver;
let clockMs = 0;
const sockets: Socket[] = [];

beforeAll(async () => {
  rx = await startReceiver();
  server = await startServer({
    env: {
      SEED: 'off',
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_POLL_MS: '20',
      WEBHOOK_RETRY_BASE_MS: '50',
    },
    now: () => new Date(Date.now() + clockMs),
  });
  admin = await adminClient(server.url);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.close();
  await rx?.close();
});

let serial = 0;
async function user(prefix: string): Promise<Client & { username: string }> {
  const c = new Client(server.url) as Client & { username: string };
  c.username = `${prefix}_${++serial}`;
  await c.register(c.username, PASSWORD);
  return c;
}

async function space(owner: Client, visibility: 'public' | 'private', name = 'The team') {
  const r = await owner.post('/api/spaces', { name, visibility });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return SpaceResponse.parse(r.body).space;
}

async function invite(by: Client, spaceId: string, body: Record<string, unknown> = {}) {
  const r = await by.post(`/api/spaces/${spaceId}/invites`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return InviteResponse.parse(r.body).invite;
}

async function join(c: Client, spaceId: string, by: Client, role?: 'member' | 'moderator') {
  const inv = await invite(by, spaceId, role ? { role } : {});
  const r = await c.post(`/api/invites/${inv.token}/accept`, {});
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

async function market(by: Client, spaceId: string, question: string): Promise<string> {
  const r = await by.post('/api/markets', { question, closesAt: inDays(30), spaceId });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body.market.spaceId).toBe(spaceId);
  return r.body.market.id;
}

function connect(c: Client | undefined, auth?: { token: string }): Promise<Socket> {
  const socket = io(server.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...(auth
      ? { auth }
      : { extraHeaders: { origin: server.url, ...(c?.cookie ? { cookie: c.cookie } : {}) } }),
  });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function audit(): Promise<{ action: string; detail: any }[]> {
  return AuditResponse.parse((await admin.get('/api/audit?limit=200')).body).entries as never;
}

describe('membership', () => {
  it('the creator owns the space; members join by invite with the invite’s role', async () => {
    const olga = await user('olga');
    const s = await space(olga, 'private', 'Forecasting guild');
    expect(s).toMatchObject({
      name: 'Forecasting guild',
      visibility: 'private',
      role: 'owner',
      members: 1,
    });
    const mo = await user('mo');
    await join(mo, s.id, olga, 'moderator');
    const mem = await user('mem');
    await join(mem, s.id, mo);
    const members = (await olga.get(`/api/spaces/${s.id}/members`)).body.members;
    expect(members.map((m: any) => [m.username, m.role])).toEqual([
      [olga.username, 'owner'],
      [mo.username, 'moderator'],
      [mem.username, 'member'],
    ]);
    expect((await mem.get('/api/spaces')).body.spaces).toEqual([
      expect.objectContaining({ id: s.id, role: 'member', members: 3 }),
    ]);
    // A moderator invites members, not moderators.
    expect((await mo.post(`/api/spaces/${s.id}/invites`, { role: 'moderator' })).status).toBe(403);
    // A member invites nobody.
    expect((await mem.post(`/api/spaces/${s.id}/invites`, {})).status).toBe(403);
    const actions = (await audit()).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['space.create', 'space.invite', 'space.join']));
  });

  it('an invite works its number of times and until it expires, then answers 404', async () => {
    const olga = await user('olga');
    const s = await space(olga, 'private');
    const inv = await invite(olga, s.id, { maxUses: 2, expiresAt: inDays(1) });
    expect(inv.url).toMatch(new RegExp(`/invite/${inv.token}$`));
    const preview = await new Client(server.url).get(`/api/invites/${inv.token}`);
    expect(preview.body).toEqual({
      space: { id: s.id, name: s.name, visibility: 'private' },
      role: 'member',
    });
    const [a, b, c] = [await user('a'), await user('b'), await user('c')];
    expect((await a.post(`/api/invites/${inv.token}/accept`, {})).status).toBe(200);
    // Accepting again changes nothing and does not use the invite up.
    expect((await a.post(`/api/invites/${inv.token}/accept`, {})).status).toBe(200);
    expect((await b.post(`/api/invites/${inv.token}/accept`, {})).status).toBe(200);
    const used = await c.post(`/api/invites/${inv.token}/accept`, {});
    expect(used.status).toBe(404);
    expect(used.body.error.code).toBe('not_found');
    expect((await new Client(server.url).get(`/api/invites/${inv.token}`)).status).toBe(404);

    const soon = await invite(olga, s.id, {
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    clockMs = 120_000;
    try {
      expect((await c.post(`/api/invites/${soon.token}/accept`, {})).status).toBe(404);
    } finally {
      clockMs = 0;
    }
    expect((await olga.post(`/api/spaces/${s.id}/invites`, { expiresAt: inDays(-1) })).status).toBe(
      400,
    );
    const members = (await olga.get(`/api/spaces/${s.id}/members`)).body.members;
    expect(members.map((m: any) => m.username).sort()).toEqual(
      [olga.username, a.username, b.username].sort(),
    );
  });

  it('never leaves a space without an owner', async () => {
    const olga = await user('olga');
    const s = await space(olga, 'public');
    const mo = await user('mo');
    await join(mo, s.id, olga);
    const leave = await olga.delete(`/api/spaces/${s.id}/members/${olga.username}`);
    expect(leave.status).toBe(409);
    expect(leave.body.error.details).toEqual({ reason: 'last_owner' });
    const demote = await olga.patch(`/api/spaces/${s.id}/members/${olga.username}`, {
      role: 'member',
    });
    expect(demote.status).toBe(409);
    expect(
      (await olga.patch(`/api/spaces/${s.id}/members/${mo.username}`, { role: 'owner' })).status,
    ).toBe(200);
    expect((await olga.delete(`/api/spaces/${s.id}/members/${olga.username}`)).status).toBe(204);
    const members = (await mo.get(`/api/spaces/${s.id}/members`)).body.members;
    expect(members).toEqual([expect.objectContaining({ username: mo.username, role: 'owner' })]);
    const actions = (await audit()).filter((e) => e.detail?.spaceId === s.id).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['space.role', 'space.leave']));
  });
});

describe('privacy', () => {
  it('a removed member loses the space at once: requests answer 404 and joined sockets go quiet', async () => {
    const olga = await user('olga');
    const s = await space(olga, 'private');
    const mem = await user('mem');
    await join(mem, s.id, olga);
    const id = await market(olga, s.id, 'Will the secret launch slip?');
    const socket = await connect(mem);
    const ack = await socket.timeout(3000).emitWithAck('subscribe', id);
    expect(ack.ok).toBe(true);
    const feed = await socket.timeout(3000).emitWithAck('feed:join');
    expect(JSON.stringify(feed)).toContain(id);
    const heard: string[] = [];
    for (const e of ['trade', 'market:update', 'forecast', 'comment', 'market:created']) {
      socket.on(e, (x: unknown) => heard.push(`${e} ${JSON.stringify(x)}`));
    }
    expect(
      (await olga.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: 3 })).status,
    ).toBe(200);
    for (let i = 0; i < 100 && !heard.some((h) => h.startsWith('trade')); i++) await sleep(20);
    expect(heard.some((h) => h.startsWith('trade'))).toBe(true);

    expect((await olga.delete(`/api/spaces/${s.id}/members/${mem.username}`)).status).toBe(204);
    expect((await mem.get(`/api/markets/${id}`)).status).toBe(404);
    expect((await mem.get(`/api/spaces/${s.id}`)).status).toBe(404);
    expect(
      (await mem.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: 1 })).status,
    ).toBe(404);
    await sleep(100);
    heard.length = 0;
    expect(
      (await olga.post(`/api/markets/${id}/trades`, { outcomeId: 'no', shares: 2 })).status,
    ).toBe(200);
    expect(
      (await olga.post(`/api/markets/${id}/comments`, { text: 'after you left' })).status,
    ).toBe(201);
    await market(olga, s.id, 'Will the next secret slip?');
    await sleep(400);
    expect(heard).toEqual([]);
    const again = await socket.timeout(3000).emitWithAck('subscribe', id);
    expect(again).toEqual({ ok: false, error: { code: 'not_found', message: `no market ${id}` } });
    expect(
      (await audit()).some(
        (e) => e.action === 'space.remove' && e.detail.username === mem.username,
      ),
    ).toBe(true);
  });

  it('a member who joins while on the feed starts receiving the space’s markets', async () => {
    const olga = await user('olga');
    const s = await space(olga, 'private');
    const late = await user('late');
    const socket = await connect(late);
    await socket.timeout(3000).emitWithAck('feed:join');
    const created: string[] = [];
    socket.on('market:created', (m: any) => created.push(m.id));
    const before = await market(olga, s.id, 'Will it happen before joining?');
    await join(late, s.id, olga);
    await sleep(100);
    const after = await market(olga, s.id, 'Will it happen after joining?');
    for (let i = 0; i < 100 && !created.includes(after); i++) await sleep(20);
    expect(created).toEqual([after]);
    expect(created).not.toContain(before);
  });

  it('a public space is readable by all, tradable by any user, and run by its moderators', async () => {
    const olga = await user('olga');
    const s = await space(olga, 'public');
    const id = await market(olga, s.id, 'Will the open club meet in June?');
    const stranger = await user('stranger');
    expect((await new Client(server.url).get(`/api/markets/${id}`)).status).toBe(200);
    expect(
      (await stranger.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: 1 })).status,
    ).toBe(200);
    expect((await stranger.post(`/api/markets/${id}/close`, {})).status).toBe(403);
    expect((await olga.post(`/api/markets/${id}/resolve`, { outcomeId: 'yes' })).status).toBe(200);
    // The public site's list shows it (anyone may see it); ?spaceId=public does not.
    const all = (await new Client(server.url).get('/api/markets?status=all')).body.markets;
    expect(all.map((m: any) => m.id)).toContain(id);
    const site = (await new Client(server.url).get('/api/markets?status=all&spaceId=public')).body
      .markets;
    expect(site.map((m: any) => m.id)).not.toContain(id);
  });

  it('a token scoped to a space sees that space and the public site, and no other space', async () => {
    const olga = await user('olga');
    const first = await space(olga, 'private', 'First');
    const second = await space(olga, 'private', 'Second');
    const inFirst = await market(olga, first.id, 'Will the first thing happen?');
    const inSecond = await market(olga, second.id, 'Will the second thing happen?');
    const made = await olga.post('/api/me/tokens', { spaceId: first.id });
    expect(made.status).toBe(201);
    const bot = new Client(server.url);
    bot.token = made.body.token;
    expect((await bot.get(`/api/markets/${inFirst}`)).status).toBe(200);
    expect((await bot.get(`/api/markets/${inSecond}`)).status).toBe(404);
    expect((await bot.get(`/api/spaces/${second.id}`)).status).toBe(404);
    expect((await bot.get('/api/spaces')).body.spaces.map((x: any) => x.id)).toEqual([first.id]);
    expect(
      (await bot.post(`/api/markets/${inFirst}/trades`, { outcomeId: 'yes', shares: 1 })).status,
    ).toBe(200);
    expect(
      (await bot.post(`/api/markets/${inSecond}/trades`, { outcomeId: 'yes', shares: 1 })).status,
    ).toBe(404);
    // It cannot mint itself a wider token.
    expect((await bot.post('/api/me/tokens', {})).status).toBe(403);
    expect((await bot.post('/api/me/tokens', { spaceId: first.id })).status).toBe(201);
    // Nor can a token be scoped to a space its user is not in.
    const stranger = await user('stranger');
    expect((await stranger.post('/api/me/tokens', { spaceId: first.id })).status).toBe(404);
    // Its socket follows only what it may see.
    const socket = await connect(undefined, { token: made.body.token });
    expect((await socket.timeout(3000).emitWithAck('subscribe', inFirst)).ok).toBe(true);
    expect((await socket.timeout(3000).emitWithAck('subscribe', inSecond)).ok).toBe(false);
  });

  it('a signed embed URL reads one private market, and nothing else', async () => {
    const olga = await user('olga');
    const s = await space(olga, 'private');
    const id = await market(olga, s.id, 'Will the embedded thing ship?');
    const other = await market(olga, s.id, 'Will the other thing ship?');
    const made = await olga.post(`/api/markets/${id}/embed`, {});
    expect(made.status).toBe(201);
    expect(made.body.url).toContain(`/embed/${id}?token=`);
    const token = made.body.token as string;
    const frame = new Client(server.url);
    const header = { 'x-parity-embed': token };
    expect((await frame.raw('GET', `/api/markets/${id}`, { headers: header })).status).toBe(200);
    expect((await frame.raw('GET', `/api/markets/${id}/history`, { headers: header })).status).toBe(
      200,
    );
    expect((await frame.raw('GET', `/api/markets/${other}`, { headers: header })).status).toBe(404);
    expect((await frame.raw('GET', `/api/markets/${id}`)).status).toBe(404);
    const forged = `${token.slice(0, -4)}AAAA`;
    expect(
      (await frame.raw('GET', `/api/markets/${id}`, { headers: { 'x-parity-embed': forged } }))
        .status,
    ).toBe(404);
    // It only reads: a trade with it, even signed in, is refused as for a market not there.
    const stranger = await user('stranger');
    const trade = await stranger.raw('POST', `/api/markets/${id}/trades`, {
      headers: { ...header, 'content-type': 'application/json' },
      body: JSON.stringify({ outcomeId: 'yes', shares: 1 }),
    });
    expect(trade.status).toBe(404);
    // The card and its history, not the trades, forecasts, comments or scores under it.
    for (const below of ['trades', 'forecasts', 'comments']) {
      const r = await frame.raw('GET', `/api/markets/${id}/${below}`, { headers: header });
      expect(r.status, below).toBe(404);
    }
    const socket = await connect(undefined);
    expect((await socket.timeout(3000).emitWithAck('subscribe', { marketId: id, token })).ok).toBe(
      true,
    );
    const heard: string[] = [];
    for (const e of ['market:update', 'trade', 'forecast', 'comment']) {
      socket.on(e, () => heard.push(e));
    }
    expect(
      (await olga.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: 4 })).status,
    ).toBe(200);
    expect(
      (await olga.post(`/api/markets/${id}/comments`, { text: 'not for the wiki' })).status,
    ).toBe(201);
    for (let i = 0; i < 100 && !heard.includes('market:update'); i++) await sleep(20);
    await sleep(200);
    expect([...new Set(heard)]).toEqual(['market:update']);
    expect(
      (await socket.timeout(3000).emitWithAck('subscribe', { marketId: other, token })).ok,
    ).toBe(false);
    expect((await socket.timeout(3000).emitWithAck('subscribe', id)).ok).toBe(false);
    // Only someone who may see the market can make one.
    expect((await stranger.post(`/api/markets/${id}/embed`, {})).status).toBe(404);
  });

  it('a webhook posts only the markets of its own space', async () => {
    const olga = await user('olga');
    const s = await space(olga, 'private', 'Hooked team');
    const site = await admin.post('/api/integrations/webhooks', {
      kind: 'generic',
      url: `${rx.url}/site`,
      events: ['created'],
    });
    const team = await admin.post('/api/integrations/webhooks', {
      kind: 'generic',
      url: `${rx.url}/team`,
      events: ['created'],
      spaceId: s.id,
    });
    expect([site.status, team.status]).toEqual([201, 201]);
    expect(team.body.webhook.spaceId).toBe(s.id);
    const secret = await market(olga, s.id, 'Will the hooked secret ship?');
    const open = await admin.post('/api/markets', {
      question: 'Will the open thing ship?',
      closesAt: inDays(30),
    });
    expect(open.status).toBe(201);
    await rx.waitFor(
      (rs) => rs.some((r) => r.path === '/site') && rs.some((r) => r.path === '/team'),
    );
    await sleep(200);
    const siteBodies = rx
      .to('/site')
      .map((r) => r.body)
      .join('\n');
    const teamBodies = rx
      .to('/team')
      .map((r) => r.body)
      .join('\n');
    expect(siteBodies).toContain(open.body.market.id);
    expect(siteBodies).not.toContain(secret);
    expect(siteBodies).not.toContain('hooked secret');
    expect(teamBodies).toContain(secret);
    expect(teamBodies).not.toContain(open.body.market.id);
    // A webhook's markets must belong to its space.
    const mixed = await admin.post('/api/integrations/webhooks', {
      kind: 'generic',
      url: `${rx.url}/mixed`,
      marketIds: [open.body.market.id],
      spaceId: s.id,
    });
    expect(mixed.status).toBe(400);
    for (const w of [site.body.webhook.id, team.body.webhook.id]) {
      expect((await admin.delete(`/api/integrations/webhooks/${w}`)).status).toBe(204);
    }
  });
});

describe('a space’s record', () => {
  it('its leaderboard and calibration count its markets only', async () => {
    const olga = await user('olga');
    const s = await space(olga, 'private');
    const mem = await user('mem');
    await join(mem, s.id, olga);
    const id = await market(olga, s.id, 'Will the record be counted?');
    expect((await mem.post(`/api/markets/${id}/forecasts`, { probability: 0.9 })).status).toBe(201);
    expect(
      (await mem.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', amountCents: 1000 })).status,
    ).toBe(200);
    expect((await olga.post(`/api/markets/${id}/resolve`, { outcomeId: 'yes' })).status).toBe(200);
    const cal = await mem.get(`/api/spaces/${s.id}/calibration`);
    expect(cal.body).toMatchObject({ forecasts: 1, resolved: 1 });
    expect(cal.body.brier).toBeCloseTo(0.01, 6);
    const board = (await mem.get(`/api/leaderboard?metric=profit&spaceId=${s.id}`)).body.entries;
    expect(board.map((e: any) => e.username)).toEqual([mem.username]);
    expect(board[0].value).toBeGreaterThan(0);
    // The site's leaderboard does not count it.
    const site = (await mem.get('/api/leaderboard?metric=brier')).body.entries;
    expect(site.map((e: any) => e.username)).not.toContain(mem.username);
  });
});

describe('chat and spaces', () => {
  async function command(command: string, text: string, slackUser: string) {
    const body = new URLSearchParams({
      command,
      text,
      team_id: 'TSPACES',
      user_id: slackUser,
      user_name: slackUser.toLowerCase(),
      channel_id: 'C1',
      trigger_id: `t${++serial}`,
    }).toString();
    return new Client(server.url).raw('POST', '/api/integrations/slack/command', {
      origin: false,
      body,
      headers: slackSigned(SLACK_SECRET, body).headers,
    });
  }

  async function link(slackUser: string, c: Client): Promise<void> {
    const r = await command('/parity', 'link', slackUser);
    const code = /\/link\/([A-Za-z0-9_-]{32})/.exec(JSON.stringify(r.body))![1];
    expect((await c.post(`/api/integrations/links/${code}`, {})).status).toBe(200);
  }

  it('/odds never lists a private market, and /forecast on one works only for its members', async () => {
    const olga = await user('olga');
    const s = await space(olga, 'private');
    const id = await market(olga, s.id, 'Will the zeppelin prototype fly?');
    const mem = await user('mem');
    await join(mem, s.id, olga);
    const outsider = await user('out');
    await link('USPMEM', mem);
    await link('USPOUT', outsider);
    const odds = await command('/odds', 'zeppelin prototype', 'USPMEM');
    expect(JSON.stringify(odds.body)).not.toContain(id);
    // The outsider typed the id; the answer is the one for an id that does not exist.
    const refused = await command('/forecast', `${id} 70%`, 'USPOUT');
    const ghost = await command('/forecast', 'will-the-zeppelin-prototype-sink 70%', 'USPOUT');
    expect(JSON.stringify(refused.body)).not.toContain('Will the zeppelin');
    expect(JSON.stringify(refused.body).replaceAll(id, 'X')).toBe(
      JSON.stringify(ghost.body).replaceAll('will-the-zeppelin-prototype-sink', 'X'),
    );
    const byWords = await command('/forecast', 'zeppelin prototype 70%', 'USPOUT');
    expect(JSON.stringify(byWords.body)).not.toContain(id);
    const ok = await command('/forecast', `${id} 70%`, 'USPMEM');
    expect(JSON.stringify(ok.body)).toMatch(/Recorded your forecast/);
    const forecasts = (await olga.get(`/api/markets/${id}/forecasts`)).body.forecasts;
    expect(forecasts.map((f: any) => f.username)).toEqual([mem.username]);
  });
});
