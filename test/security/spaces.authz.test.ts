import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../shared/schemas/index.ts';
import { fullSnapshot, snapshotDiff } from '../fuzz/harness.ts';
import {
  type ApiResult,
  adminClient,
  Client,
  startServer,
  type TestServer,
} from '../helpers/server.ts';
import { ROUTES, route, routeKey } from './routes.ts';

/**
 * The authorisation matrix of spaces: every endpoint that reads or acts on a space, or on a
 * market or anything under one, against each kind of caller, for a public and a private space.
 * Each cell is a real request whose status the table states; a refused one changes nothing;
 * an allowed one answers its schema. Then: nothing a non-member receives, over HTTP or a
 * socket, names the private space's market, its question or the space itself.
 */

const PASSWORD = 'password-123';
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

const WHO = ['anonymous', 'nonMember', 'member', 'moderator', 'owner', 'admin'] as const;
type Who = (typeof WHO)[number];
const KINDS = ['public', 'private'] as const;
type Kind = (typeof KINDS)[number];

// biome-ignore format: the table reads best as a table
const MATRIX: [string, Record<Kind, [number, number, number, number, number, number]>][] = [
  //                                                anon  non  mem  mod  own  admin
  ['GET /api/spaces/:id',                   { public: [200, 200, 200, 200, 200, 200], private: [404, 404, 200, 200, 200, 200] }],
  ['GET /api/spaces/:id/calibration',       { public: [200, 200, 200, 200, 200, 200], private: [404, 404, 200, 200, 200, 200] }],
  ['GET /api/spaces/:id/members',           { public: [200, 200, 200, 200, 200, 200], private: [404, 404, 200, 200, 200, 200] }],
  ['POST /api/spaces/:id/invites',          { public: [401, 403, 403, 201, 201, 201], private: [401, 404, 403, 201, 201, 201] }],
  ['PATCH /api/spaces/:id/members/:username',{ public: [401, 403, 403, 403, 200, 200], private: [401, 404, 403, 403, 200, 200] }],
  ['DELETE /api/spaces/:id/members/:username',{ public: [401, 403, 403, 403, 204, 204], private: [401, 404, 403, 403, 204, 204] }],
  ['GET /api/markets',                      { public: [200, 200, 200, 200, 200, 200], private: [404, 404, 200, 200, 200, 200] }],
  ['POST /api/markets',                     { public: [401, 403, 403, 201, 201, 201], private: [401, 404, 403, 201, 201, 201] }],
  ['GET /api/markets/:id',                  { public: [200, 200, 200, 200, 200, 200], private: [404, 404, 200, 200, 200, 200] }],
  ['GET /api/markets/:id/history',          { public: [200, 200, 200, 200, 200, 200], private: [404, 404, 200, 200, 200, 200] }],
  ['GET /api/markets/:id/trades',           { public: [200, 200, 200, 200, 200, 200], private: [404, 404, 200, 200, 200, 200] }],
  ['POST /api/markets/:id/quote',           { public: [200, 200, 200, 200, 200, 200], private: [404, 404, 200, 200, 200, 200] }],
  ['POST /api/markets/:id/trades',          { public: [401, 200, 200, 200, 200, 200], private: [401, 404, 200, 200, 200, 200] }],
  ['POST /api/markets/:id/forecasts',       { public: [401, 201, 201, 201, 201, 201], private: [401, 404, 201, 201, 201, 201] }],
  ['GET /api/markets/:id/forecasts',        { public: [200, 200, 200, 200, 200, 200], private: [404, 404, 200, 200, 200, 200] }],
  ['POST /api/markets/:id/close',           { public: [401, 403, 403, 200, 200, 200], private: [401, 404, 403, 200, 200, 200] }],
  ['POST /api/markets/:id/resolve',         { public: [401, 403, 403, 200, 200, 200], private: [401, 404, 403, 200, 200, 200] }],
  ['POST /api/markets/:id/unresolve',       { public: [401, 403, 403, 200, 200, 200], private: [401, 404, 403, 200, 200, 200] }],
  ['GET /api/markets/:id/scores',           { public: [200, 200, 200, 200, 200, 200], private: [404, 404, 200, 200, 200, 200] }],
  ['GET /api/markets/:id/comments',         { public: [200, 200, 200, 200, 200, 200], private: [404, 404, 200, 200, 200, 200] }],
  ['POST /api/markets/:id/comments',        { public: [401, 201, 201, 201, 201, 201], private: [401, 404, 201, 201, 201, 201] }],
  // The comment deleted is another member's: moderators, owners and admins may.
  ['DELETE /api/comments/:id',              { public: [401, 403, 403, 204, 204, 204], private: [401, 404, 403, 204, 204, 204] }],
  ['POST /api/markets/:id/embed',           { public: [401, 201, 201, 201, 201, 201], private: [401, 404, 201, 201, 201, 201] }],
  ['GET /api/leaderboard',                  { public: [200, 200, 200, 200, 200, 200], private: [404, 404, 200, 200, 200, 200] }],
  ['POST /api/proposals',                   { public: [401, 403, 201, 201, 201, 201], private: [401, 404, 201, 201, 201, 201] }],
  ['GET /api/proposals',                    { public: [401, 200, 200, 200, 200, 200], private: [401, 200, 200, 200, 200, 200] }],
  // The proposal is another member's: only the space's reviewers (and admins) see it at all.
  ['PATCH /api/proposals/:id',              { public: [401, 404, 404, 200, 200, 200], private: [401, 404, 404, 200, 200, 200] }],
  ['POST /api/proposals/:id/approve',       { public: [401, 404, 404, 200, 200, 200], private: [401, 404, 404, 200, 200, 200] }],
  ['POST /api/proposals/:id/reject',        { public: [401, 404, 404, 200, 200, 200], private: [401, 404, 404, 200, 200, 200] }],
  ['POST /api/me/tokens',                   { public: [401, 403, 201, 201, 201, 201], private: [401, 404, 201, 201, 201, 201] }],
  ['POST /api/integrations/webhooks',       { public: [401, 403, 403, 403, 403, 201], private: [401, 403, 403, 403, 403, 201] }],
  ['GET /api/markets/:id/trades.csv',       { public: [200, 200, 200, 200, 200, 200], private: [404, 404, 200, 200, 200, 200] }],
  ['GET /api/markets/:id/forecasts.csv',    { public: [200, 200, 200, 200, 200, 200], private: [404, 404, 200, 200, 200, 200] }],
  ['GET /api/markets/:id/scores.csv',       { public: [200, 200, 200, 200, 200, 200], private: [404, 404, 200, 200, 200, 200] }],
  ['GET /api/users/:username/forecasts.csv',{ public: [200, 200, 200, 200, 200, 200], private: [200, 200, 200, 200, 200, 200] }],
  ['GET /api/users/:username',              { public: [200, 200, 200, 200, 200, 200], private: [200, 200, 200, 200, 200, 200] }],
  ['GET /api/users/:username/forecasts',    { public: [200, 200, 200, 200, 200, 200], private: [200, 200, 200, 200, 200, 200] }],
  ['POST /api/spaces',                      { public: [401, 201, 201, 201, 201, 201], private: [401, 201, 201, 201, 201, 201] }],
  ['GET /api/spaces',                       { public: [200, 200, 200, 200, 200, 200], private: [200, 200, 200, 200, 200, 200] }],
];

let server: TestServer;
let admin: Client;
const users = {} as Record<Exclude<Who, 'anonymous' | 'admin'> | 'poster', Client>;
const spaces = {} as Record<Kind, { id: string; name: string; market: string; done: string }>;
/** What a non-member must never see: the private space's name, market ids and questions. */
const secrets: string[] = [];
let serial = 0;
const next = () => ++serial;

const client = (who: Who): Client | undefined =>
  who === 'anonymous' ? undefined : who === 'admin' ? admin : users[who];

beforeAll(async () => {
  server = await startServer({
    env: { SEED: 'off', PROPOSALS_PER_DAY: '100000', COMMENTS_PER_MINUTE: '100000' },
  });
  admin = await adminClient(server.url);
  for (const name of ['owner', 'moderator', 'member', 'nonMember', 'poster'] as const) {
    const c = new Client(server.url);
    await c.register(`sp_${name.toLowerCase()}`, PASSWORD);
    users[name] = c;
  }
  for (const kind of KINDS) {
    const name = kind === 'private' ? 'Nightjar working group' : 'Open forecasting club';
    const made = await users.owner.post('/api/spaces', { name, visibility: kind });
    expect(made.status).toBe(201);
    const id = made.body.space.id as string;
    await join(id, users.moderator, 'moderator');
    await join(id, users.member, 'member');
    await join(id, users.poster, 'member');
    const market = await newMarket(
      id,
      kind === 'private' ? 'Will project Nightjar ship' : 'Will the club meet',
    );
    const done = await newMarket(
      id,
      kind === 'private' ? 'Did Nightjar pass review' : 'Did the club vote',
    );
    // Something under each market: a trade, a forecast, a comment; and a resolution.
    for (const m of [market, done]) {
      expect(
        (await users.poster.post(`/api/markets/${m}/trades`, { outcomeId: 'yes', shares: 5 }))
          .status,
      ).toBe(200);
      expect(
        (await users.poster.post(`/api/markets/${m}/forecasts`, { probability: 0.8 })).status,
      ).toBe(201);
      expect(
        (await users.poster.post(`/api/markets/${m}/comments`, { text: `Notes on ${m}` })).status,
      ).toBe(201);
    }
    expect(
      (await users.owner.post(`/api/markets/${done}/resolve`, { outcomeId: 'yes' })).status,
    ).toBe(200);
    spaces[kind] = { id, name, market, done };
    if (kind === 'private') {
      secrets.push(id, name, market, done, 'Nightjar');
    }
  }
});

afterAll(() => server?.close());

async function join(spaceId: string, c: Client, role: 'member' | 'moderator'): Promise<void> {
  const inv = await users.owner.post(`/api/spaces/${spaceId}/invites`, { role, maxUses: 1 });
  expect(inv.status, JSON.stringify(inv.body)).toBe(201);
  expect((await c.post(`/api/invites/${inv.body.invite.token}/accept`, {})).status).toBe(200);
}

async function newMarket(spaceId: string, question: string): Promise<string> {
  const n = next();
  const r = await users.owner.post('/api/markets', {
    question: `${question} (${n})?`,
    closesAt: inDays(60),
    spaceId,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  if (question.includes('Nightjar')) secrets.push(r.body.market.id, r.body.market.question);
  return r.body.market.id;
}

interface Cell {
  path: string;
  body?: unknown;
}

/** A valid request for the endpoint in the space of `kind`, with what it acts on made fresh. */
async function prepare(key: string, kind: Kind): Promise<Cell> {
  const s = spaces[kind];
  const n = next();
  const [, path] = key.split(' ') as [string, string];
  const onMarket = (id: string) => path.replace(':id', id);
  switch (key) {
    case 'GET /api/spaces/:id':
    case 'GET /api/spaces/:id/members':
    case 'GET /api/spaces/:id/calibration':
      return { path: path.replace(':id', s.id) };
    case 'POST /api/spaces/:id/invites':
      return { path: path.replace(':id', s.id), body: { maxUses: 1 } };
    case 'PATCH /api/spaces/:id/members/:username':
    case 'DELETE /api/spaces/:id/members/:username': {
      const c = new Client(server.url);
      const username = `sp_fresh_${n}`;
      await c.register(username, PASSWORD);
      await join(s.id, c, 'member');
      const p = path.replace(':id', s.id).replace(':username', username);
      return key.startsWith('PATCH') ? { path: p, body: { role: 'moderator' } } : { path: p };
    }
    case 'GET /api/markets':
      return { path: `/api/markets?status=all&spaceId=${s.id}` };
    case 'POST /api/markets':
      return {
        path,
        body: { question: `A new space question ${n}?`, closesAt: inDays(30), spaceId: s.id },
      };
    case 'GET /api/markets/:id/scores':
    case 'GET /api/markets/:id/scores.csv':
      return { path: onMarket(s.done) };
    case 'POST /api/markets/:id/quote':
    case 'POST /api/markets/:id/trades':
      return { path: onMarket(s.market), body: { outcomeId: 'yes', shares: 1 } };
    case 'POST /api/markets/:id/forecasts':
      return { path: onMarket(s.market), body: { probability: 0.6 } };
    case 'POST /api/markets/:id/comments':
      return { path: onMarket(s.market), body: { text: `A thought ${n}` } };
    case 'POST /api/markets/:id/embed':
      return { path: onMarket(s.market), body: {} };
    case 'POST /api/markets/:id/close':
    case 'POST /api/markets/:id/resolve':
    case 'POST /api/markets/:id/unresolve': {
      const id = await newMarket(s.id, kind === 'private' ? 'Will Nightjar slip' : 'Will it slip');
      if (key.endsWith('unresolve')) {
        expect(
          (await users.owner.post(`/api/markets/${id}/resolve`, { outcomeId: 'no' })).status,
        ).toBe(200);
      }
      return { path: onMarket(id), body: key.endsWith('/resolve') ? { outcomeId: 'yes' } : {} };
    }
    case 'DELETE /api/comments/:id': {
      const made = await users.poster.post(`/api/markets/${s.market}/comments`, {
        text: `Doomed ${n}`,
      });
      expect(made.status).toBe(201);
      return { path: `/api/comments/${made.body.comment.id}` };
    }
    case 'GET /api/leaderboard':
      return { path: `/api/leaderboard?metric=profit&spaceId=${s.id}` };
    case 'POST /api/proposals':
      return { path, body: proposal(n, s.id) };
    case 'GET /api/proposals':
      return { path };
    case 'PATCH /api/proposals/:id':
    case 'POST /api/proposals/:id/approve':
    case 'POST /api/proposals/:id/reject': {
      const made = await users.poster.post('/api/proposals', proposal(n, s.id));
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      const p = path.replace(':id', made.body.proposal.id);
      if (key.startsWith('PATCH')) return { path: p, body: { question: `Sharper question ${n}?` } };
      return key.endsWith('approve')
        ? { path: p, body: {} }
        : { path: p, body: { reason: 'Too vague.' } };
    }
    case 'POST /api/me/tokens':
      return { path, body: { spaceId: s.id } };
    case 'POST /api/integrations/webhooks':
      return {
        path,
        body: {
          kind: 'generic',
          url: 'https://hooks.example.com/space',
          events: ['resolved'],
          spaceId: s.id,
        },
      };
    case 'GET /api/users/:username':
    case 'GET /api/users/:username/forecasts':
    case 'GET /api/users/:username/forecasts.csv':
      return { path: path.replace(':username', 'sp_poster') };
    case 'GET /api/spaces':
      return { path };
    case 'POST /api/spaces':
      return { path, body: { name: `Another space ${n}`, visibility: kind } };
    default:
      return { path: onMarket(s.market) };
  }
}

function proposal(n: number, spaceId: string) {
  return {
    question: kindQuestion(spaceId, n),
    criteria: 'Resolves Yes on the public announcement.',
    closesAt: inDays(90),
    spaceId,
  };
}

function kindQuestion(spaceId: string, n: number): string {
  return spaceId === spaces.private?.id
    ? `Will Nightjar proposal ${n} land?`
    : `Will proposal ${n} land?`;
}

/** Requests from callers who are not members of the private space, and what they got back. */
const outsiders: { key: string; who: Who; asked: string; body: unknown }[] = [];

function call(who: Who, method: string, cell: Cell): Promise<ApiResult<any>> {
  const c = client(who) ?? new Client(server.url);
  return c.raw(
    method,
    cell.path,
    cell.body === undefined
      ? {}
      : { body: JSON.stringify(cell.body), headers: { 'content-type': 'application/json' } },
  );
}

describe('spaces: every route × caller × visibility', () => {
  it('covers every route that takes a space, a market or what is under one', () => {
    const keys = new Set(MATRIX.map(([k]) => k));
    const spaceRoutes = ROUTES.map(routeKey).filter(
      (k) => /\/(spaces|markets\/:id|comments|proposals)/.test(k) || k === 'GET /api/leaderboard',
    );
    expect(spaceRoutes.filter((k) => !keys.has(k))).toEqual([]);
  });

  for (const [key, expected] of MATRIX) {
    for (const kind of KINDS) {
      it(`${key} in a ${kind} space`, async () => {
        const r = route(key);
        const got: Record<string, number> = {};
        const want: Record<string, number> = {};
        for (const [i, who] of WHO.entries()) {
          const cell = await prepare(key, kind);
          const before = await fullSnapshot(server.parity);
          const res = await call(who, r.method, cell);
          const after = await fullSnapshot(server.parity);
          got[who] = res.status;
          want[who] = expected[kind][i]!;
          if (res.status >= 400) {
            expect(ErrorBody.safeParse(res.body).success, `${key} as ${who}`).toBe(true);
            expect(snapshotDiff(before, after), `${key} (${kind}) as ${who} changed state`).toEqual(
              [],
            );
          } else if (r.response) {
            const parsed = r.response.safeParse(res.body);
            expect(parsed.success, `${key} as ${who}: ${parsed.error?.message}`).toBe(true);
          }
          if (who === 'anonymous' || who === 'nonMember')
            outsiders.push({ key, who, asked: JSON.stringify(cell), body: res.body });
        }
        expect(got).toEqual(want);
      });
    }
  }

  it('a private space answers its non-members exactly as a space and market that do not exist', async () => {
    const ghost = {
      space: 'sp_AAAAAAAAAAAAAAAA',
      market: 'no-such-market-here',
    };
    for (const who of ['anonymous', 'nonMember'] as const) {
      for (const [real, fake] of [
        [`/api/spaces/${spaces.private.id}`, `/api/spaces/${ghost.space}`],
        [`/api/markets/${spaces.private.market}`, `/api/markets/${ghost.market}`],
        [`/api/markets/${spaces.private.market}/trades`, `/api/markets/${ghost.market}/trades`],
      ] as const) {
        const a = await call(who, 'GET', { path: real });
        const b = await call(who, 'GET', { path: fake });
        expect(a.status).toBe(b.status);
        // Same code, and a message that differs only by the id asked for.
        expect(a.body.error.code).toBe(b.body.error.code);
        expect(a.body.error.message.replace(/\S+$/, '')).toBe(
          b.body.error.message.replace(/\S+$/, ''),
        );
      }
    }
  });
});

describe('what outsiders can read', () => {
  it('no answer to a non-member names the private space, its markets or their questions', async () => {
    // Every public read as well, with the default (whole-site) lists.
    for (const r of ROUTES.filter((x) => x.method === 'GET' && x.access === 'public')) {
      const cell = await prepare(routeKey(r), 'public');
      for (const who of ['anonymous', 'nonMember'] as const) {
        const res = await call(who, 'GET', cell);
        outsiders.push({ key: routeKey(r), who, asked: JSON.stringify(cell), body: res.body });
      }
    }
    for (const path of [
      '/api/markets?status=all',
      '/api/leaderboard?metric=profit',
      '/api/leaderboard?metric=brier',
      '/api/users/sp_poster',
      '/api/users/sp_poster/forecasts?limit=200',
      '/api/spaces',
      '/api/proposals',
    ]) {
      for (const who of ['anonymous', 'nonMember'] as const) {
        const res = await call(who, 'GET', { path });
        outsiders.push({ key: path, who, asked: path, body: res.body });
      }
    }
    // An id the caller sent may come back in its own "not found"; nothing else may.
    const leaks = outsiders.flatMap((o) => {
      const text = JSON.stringify(o.body) ?? '';
      return secrets
        .filter((s) => text.includes(s) && !o.asked.includes(s))
        .map((s) => `${o.who} ${o.key}: ${s}`);
    });
    expect(leaks).toEqual([]);
    expect(outsiders.length).toBeGreaterThan(150);
    // And members do see them: the search above would find them.
    const mine = await users.member.get('/api/markets?status=all');
    expect(JSON.stringify(mine.body)).toContain(spaces.private.market);
  });

  it('the poster’s profile counts the private market only for those who may see it', async () => {
    const outside = await users.nonMember.get('/api/users/sp_poster');
    const inside = await users.member.get('/api/users/sp_poster');
    expect(outside.status).toBe(200);
    expect(inside.body.stats.forecasts).toBeGreaterThan(outside.body.stats.forecasts);
    expect(inside.body.stats.resolved).toBeGreaterThan(outside.body.stats.resolved);
  });
});

describe('sockets', () => {
  const sockets: Socket[] = [];
  afterAll(() => {
    for (const s of sockets) s.close();
  });

  function connect(who: Who): Promise<Socket> {
    const c = client(who);
    const socket = io(server.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      extraHeaders: { origin: server.url, ...(c?.cookie ? { cookie: c.cookie } : {}) },
    });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  // biome-ignore format: a table
  const SUBSCRIBE: Record<Kind, boolean[]> = {
    //        anon   non    mem   mod   own   admin
    public:  [true,  true,  true, true, true, true],
    private: [false, false, true, true, true, true],
  };

  for (const kind of KINDS) {
    it(`subscribe to a ${kind} space's market`, async () => {
      const got: boolean[] = [];
      for (const who of WHO) {
        const s = await connect(who);
        const ack = await s.timeout(3000).emitWithAck('subscribe', spaces[kind].market);
        got.push(ack.ok);
        if (!ack.ok) expect(ack.error.code).toBe('not_found');
        s.close();
      }
      expect(got).toEqual(SUBSCRIBE[kind]);
    });
  }

  it('the feed carries a private market’s events to its members only', async () => {
    const heard = new Map<Who, string[]>();
    const feedAcks = new Map<Who, string>();
    for (const who of WHO) {
      const s = await connect(who);
      const log: string[] = [];
      heard.set(who, log);
      for (const event of [
        'trade',
        'forecast',
        'market:update',
        'market:created',
        'market:resolved',
        'comment',
      ]) {
        s.on(event, (x: unknown) => log.push(`${event} ${JSON.stringify(x)}`));
      }
      const ack = await s.timeout(3000).emitWithAck('feed:join');
      expect(ack.ok).toBe(true);
      feedAcks.set(who, JSON.stringify(ack));
    }
    const m = spaces.private.market;
    expect(
      (await users.member.post(`/api/markets/${m}/trades`, { outcomeId: 'no', shares: 2 })).status,
    ).toBe(200);
    expect(
      (await users.member.post(`/api/markets/${m}/forecasts`, { probability: 0.3 })).status,
    ).toBe(201);
    const created = await newMarket(spaces.private.id, 'Will Nightjar grow');
    const deadline = Date.now() + 3000;
    const insiders = ['member', 'moderator', 'owner', 'admin'] as const;
    while (
      Date.now() < deadline &&
      insiders.some((w) => !heard.get(w)!.some((l) => l.includes(created)))
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const who of insiders) {
      const log = heard.get(who)!.join('\n');
      expect(log, who).toContain(m);
      expect(log, who).toContain(created);
      expect(feedAcks.get(who), who).toContain(m);
    }
    // The public market's events reach everyone meanwhile: the outsiders' sockets work.
    expect(
      (
        await users.member.post(`/api/markets/${spaces.public.market}/trades`, {
          outcomeId: 'yes',
          shares: 1,
        })
      ).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    for (const who of ['anonymous', 'nonMember'] as const) {
      const all = `${heard.get(who)!.join('\n')}\n${feedAcks.get(who)}`;
      expect(all, who).toContain(spaces.public.market);
      expect(
        secrets.filter((x) => all.includes(x)),
        who,
      ).toEqual([]);
    }
  });
});
