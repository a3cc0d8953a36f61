import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ClientToServerEvents,
  Comment,
  CommentDeleted,
  ServerToClientEvents,
  SubscribeAck,
} from '../../shared/schemas/index.ts';
import { adminClient, Client, sqlAll, startServer, type TestServer } from '../helpers/server.ts';

/**
 * Comments over HTTP and socket.io: posting, threading, the author's position and forecast,
 * soft deletion and who may delete, privacy of a space's markets, the per-minute limit, and the
 * live `comment` and `comment:deleted` events.
 */

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let server: TestServer;
let admin: Client;
// The server's clock: fixed, moved by the tests, so that times in bodies are exact.
let clock = Date.parse('2031-03-01T12:00:00.000Z');
const now = () => new Date(clock).toISOString();
const tick = () => {
  clock += 1000;
};
const inDays = (d: number) => new Date(clock + d * 86_400_000).toISOString();
const sockets: ClientSocket[] = [];

async function user(name: string): Promise<Client> {
  const c = new Client(server.url);
  await c.register(name);
  return c;
}

async function newMarket(by: Client, id: string, spaceId?: string): Promise<void> {
  const r = await by.post('/api/markets', {
    question: `Comments test ${id}?`,
    id,
    closesAt: inDays(30),
    ...(spaceId ? { spaceId } : {}),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

async function comment(c: Client, marketId: string, text: string, replyTo?: string) {
  const r = await c.post(`/api/markets/${marketId}/comments`, {
    text,
    ...(replyTo ? { replyTo } : {}),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.comment as Comment;
}

/** A market's comments, oldest first as these tests read them (the API answers newest first). */
async function commentsOf(c: Client, marketId: string): Promise<Comment[]> {
  const r = await c.get(`/api/markets/${marketId}/comments`);
  expect(r.status).toBe(200);
  expect(r.body.nextCursor).toBeNull();
  return [...r.body.comments].reverse();
}

const errorOf = (code: string) => ({ error: expect.objectContaining({ code }) });

/** A private space with an owner, a moderator and a member, its market, and an outsider. */
const team = {} as {
  id: string;
  marketId: string;
  owner: Client;
  mod: Client;
  member: Client;
  outsider: Client;
};

beforeAll(async () => {
  // The clock hardly moves: the per-minute limit is tested on a server of its own.
  server = await startServer({
    env: { SEED: 'off', COMMENTS_PER_MINUTE: '1000' },
    now: () => new Date(clock),
  });
  admin = await adminClient(server.url);
  await newMarket(admin, 'talk');
  await newMarket(admin, 'other-talk');
  team.owner = await user('team_owner');
  team.mod = await user('team_mod');
  team.member = await user('team_member');
  team.outsider = await user('outsider');
  const s = await team.owner.post('/api/spaces', { name: 'The team', visibility: 'private' });
  expect(s.status).toBe(201);
  team.id = s.body.space.id;
  for (const [who, role] of [
    [team.mod, 'moderator'],
    [team.member, 'member'],
  ] as const) {
    const inv = await team.owner.post(`/api/spaces/${team.id}/invites`, { role });
    expect(inv.status).toBe(201);
    expect((await who.post(`/api/invites/${inv.body.invite.token}/accept`)).status).toBe(200);
  }
  team.marketId = 'team-talk';
  await newMarket(team.owner, team.marketId, team.id);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server.close();
});

describe('posting and listing', () => {
  it('posts a comment (201) and lists the comments newest first, page by page', async () => {
    const alice = await user('alice');
    const r = await alice.post('/api/markets/talk/comments', { text: 'First thoughts' });
    expect(r.status).toBe(201);
    expect(r.body).toStrictEqual({
      comment: {
        id: expect.stringMatching(/^[1-9][0-9]*$/),
        marketId: 'talk',
        username: 'alice',
        text: 'First thoughts',
        createdAt: now(),
      },
    });
    tick();
    const second = await comment(team.outsider, 'talk', 'Second thoughts');
    tick();
    const third = await comment(alice, 'talk', 'Third thoughts');
    expect(Number(second.id)).toBeGreaterThan(Number(r.body.comment.id));
    const listed = await commentsOf(new Client(server.url), 'talk');
    expect(listed.slice(-3)).toStrictEqual([r.body.comment, second, third]);
    // The API itself: newest first, two a page, every one once.
    const pages: Comment[][] = [];
    let path = '/api/markets/talk/comments?limit=2';
    for (;;) {
      const page = await alice.get(path);
      expect(page.status).toBe(200);
      pages.push(page.body.comments);
      if (!page.body.nextCursor) break;
      path = `/api/markets/talk/comments?limit=2&before=${page.body.nextCursor}`;
    }
    expect(pages.flat()).toStrictEqual([...listed].reverse());
    expect(pages.every((p) => p.length <= 2)).toBe(true);
    const bad = await alice.get('/api/markets/talk/comments?before=not-a-cursor');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual({ field: 'before' });
    expect(await commentsOf(alice, 'other-talk')).toStrictEqual([]);
    const missing = await alice.get('/api/markets/no-such-market/comments');
    expect(missing.status).toBe(404);
    expect((await alice.post('/api/markets/no-such-market/comments', { text: 'hi' })).status).toBe(
      404,
    );
  });

  it('trims the text and takes 1 to 4000 characters', async () => {
    const bob = await user('bob');
    const trimmed = await comment(bob, 'other-talk', '  \n padded text \t ');
    expect(trimmed.text).toBe('padded text');
    const longest = await comment(bob, 'other-talk', 'x'.repeat(4000));
    expect(longest.text).toHaveLength(4000);
    const count = (await commentsOf(bob, 'other-talk')).length;
    for (const body of [
      { text: '' },
      { text: '   ' },
      { text: 'x'.repeat(4001) },
      { text: 'bell \u0007' },
      {},
      { text: 42 },
      { text: 'ok', extra: true },
      { text: 'ok', replyTo: 'abc' },
    ]) {
      const r = await bob.post('/api/markets/other-talk/comments', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toStrictEqual(errorOf('validation_failed'));
    }
    expect(await commentsOf(bob, 'other-talk')).toHaveLength(count);
  });

  it('returns HTML in the text verbatim, as JSON text', async () => {
    const carol = await user('carol');
    const html = '<img src=x onerror="alert(1)"><script>alert(2)</script> & <b>bold</b>';
    const posted = await comment(carol, 'talk', html);
    expect(posted.text).toBe(html);
    const r = await carol.get('/api/markets/talk/comments');
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.body.comments.find((c: Comment) => c.id === posted.id).text).toBe(html);
  });

  it('threads a reply to a comment of the same market, and refuses one to another market', async () => {
    const dave = await user('dave');
    const root = await comment(dave, 'talk', 'A root');
    tick();
    const reply = await comment(team.outsider, 'talk', 'A reply', root.id);
    expect(reply).toStrictEqual({
      id: expect.any(String),
      marketId: 'talk',
      username: 'outsider',
      text: 'A reply',
      replyTo: root.id,
      createdAt: now(),
    });
    const count = (await commentsOf(dave, 'other-talk')).length;
    for (const replyTo of [root.id, '999999']) {
      const r = await dave.post('/api/markets/other-talk/comments', { text: 'astray', replyTo });
      expect(r.status).toBe(400);
      expect(r.body).toStrictEqual({
        error: {
          code: 'validation_failed',
          message: 'replyTo names no comment of this market',
          details: { field: 'replyTo' },
        },
      });
    }
    expect(await commentsOf(dave, 'other-talk')).toHaveLength(count);
    expect((await commentsOf(dave, 'talk')).slice(-2)).toStrictEqual([root, reply]);
  });

  it("shows each author's largest position and latest forecast as of the comment", async () => {
    const erin = await user('erin');
    const before = await comment(erin, 'talk', 'Before trading');
    expect(before).not.toHaveProperty('position');
    expect(before).not.toHaveProperty('forecast');
    const trade = async (outcomeId: string, shares: number) =>
      expect((await erin.post('/api/markets/talk/trades', { outcomeId, shares })).status).toBe(200);
    await trade('yes', 10);
    await trade('no', 3);
    tick();
    const traded = await comment(erin, 'talk', 'Holding yes');
    expect(traded.position).toStrictEqual({ outcomeId: 'yes', shares: 10 });
    expect(traded).not.toHaveProperty('forecast');

    const forecast = async (probability: number) => {
      const r = await erin.post('/api/markets/talk/forecasts', { probability });
      expect(r.status).toBe(201);
      return r.body.forecast.probabilities as number[];
    };
    await forecast(0.7);
    tick();
    const latest = await forecast(0.25);
    expect(latest).toStrictEqual([0.25, 0.75]);
    // Selling 8 of the 10 yes: the 3 no are now the largest holding.
    await trade('yes', -8);
    tick();
    const after = await comment(erin, 'talk', 'Now holding no');
    expect(after.position).toStrictEqual({ outcomeId: 'no', shares: 3 });
    expect(after.forecast).toStrictEqual(latest);

    // The list shows each comment with her stake as it was when she wrote it.
    const mine = (await commentsOf(new Client(server.url), 'talk')).filter(
      (c) => c.username === 'erin',
    );
    expect(mine).toStrictEqual([before, traded, after]);
  });

  it('answers 401 to an anonymous post or delete, and lets anyone read a public market', async () => {
    const anon = new Client(server.url);
    const c = await comment(team.outsider, 'talk', 'Public words');
    const post = await anon.post('/api/markets/talk/comments', { text: 'anonymous words' });
    expect(post.status).toBe(401);
    expect(post.body).toStrictEqual(errorOf('unauthenticated'));
    const del = await anon.delete(`/api/comments/${c.id}`);
    expect(del.status).toBe(401);
    expect((await commentsOf(anon, 'talk')).map((x) => x.id)).toContain(c.id);
  });
});

describe('deleting', () => {
  it('deletes softly for its author: the comment stays in the thread without its text', async () => {
    const fay = await user('fay');
    const root = await comment(fay, 'talk', 'To be deleted');
    const reply = await comment(team.outsider, 'talk', 'Replying', root.id);
    const r = await fay.delete(`/api/comments/${root.id}`);
    expect(r.status).toBe(204);
    expect(r.body).toBeUndefined();
    const listed = await commentsOf(fay, 'talk');
    expect(listed.find((c) => c.id === root.id)).toStrictEqual({
      id: root.id,
      marketId: 'talk',
      username: 'fay',
      text: '',
      createdAt: root.createdAt,
      deleted: true,
    });
    expect(listed.find((c) => c.id === reply.id)).toStrictEqual(reply);
    const again = await fay.delete(`/api/comments/${root.id}`);
    expect(again.status).toBe(404);
    expect(again.body).toStrictEqual(errorOf('not_found'));
    expect((await fay.delete('/api/comments/999999')).status).toBe(404);
  });

  it('lets an admin delete any comment, and refuses another user', async () => {
    const gus = await user('gus');
    const c = await comment(gus, 'talk', 'Contested');
    for (const other of [team.outsider, team.mod]) {
      const r = await other.delete(`/api/comments/${c.id}`);
      expect(r.status).toBe(403);
      expect(r.body).toStrictEqual(errorOf('forbidden'));
    }
    expect((await commentsOf(gus, 'talk')).find((x) => x.id === c.id)?.text).toBe('Contested');
    expect((await admin.delete(`/api/comments/${c.id}`)).status).toBe(204);
    expect((await commentsOf(gus, 'talk')).find((x) => x.id === c.id)?.deleted).toBe(true);
  });

  it("lets a space's moderators delete on its markets, not its members", async () => {
    const a = await comment(team.member, team.marketId, 'Moderate me');
    const b = await comment(team.mod, team.marketId, 'And me');
    const byMember = await team.member.delete(`/api/comments/${b.id}`);
    expect(byMember.status).toBe(403);
    tick();
    expect((await team.mod.delete(`/api/comments/${a.id}`)).status).toBe(204);
    expect((await team.owner.delete(`/api/comments/${b.id}`)).status).toBe(204);
    const listed = await commentsOf(team.member, team.marketId);
    expect(listed.filter((c) => c.id === a.id || c.id === b.id).map((c) => c.deleted)).toEqual([
      true,
      true,
    ]);

    const audit = (await admin.get('/api/audit?limit=10')).body.entries;
    expect(
      audit.find((e: { detail: { commentId?: string } }) => e.detail.commentId === a.id),
    ).toStrictEqual({
      at: now(),
      actor: 'team_mod',
      action: 'comment.delete',
      marketId: team.marketId,
      detail: { commentId: a.id, author: 'team_member', own: false },
    });
    expect(
      audit.find((e: { detail: { commentId?: string } }) => e.detail.commentId === b.id),
    ).toMatchObject({ actor: 'team_owner', action: 'comment.delete', detail: { own: false } });
  });

  it('audits a deletion by its author', async () => {
    const hal = await user('hal');
    const c = await comment(hal, 'talk', 'Mine to delete');
    tick();
    expect((await hal.delete(`/api/comments/${c.id}`)).status).toBe(204);
    const [latest] = (await admin.get('/api/audit?limit=1')).body.entries;
    expect(latest).toStrictEqual({
      at: now(),
      actor: 'hal',
      action: 'comment.delete',
      marketId: 'talk',
      detail: { commentId: c.id, author: 'hal', own: true },
    });
  });
});

describe("a private space's market", () => {
  it('answers 404 to a non-member for GET, POST and DELETE', async () => {
    const c = await comment(team.member, team.marketId, 'Team only');
    const before = await commentsOf(team.member, team.marketId);
    expect(before.map((x) => x.id)).toContain(c.id);
    for (const who of [team.outsider, new Client(server.url)]) {
      const get = await who.get(`/api/markets/${team.marketId}/comments`);
      expect(get.status).toBe(404);
      expect(get.body).toStrictEqual(errorOf('not_found'));
    }
    const post = await team.outsider.post(`/api/markets/${team.marketId}/comments`, {
      text: 'let me in',
    });
    expect(post.status).toBe(404);
    expect(post.body).toStrictEqual(errorOf('not_found'));
    const del = await team.outsider.delete(`/api/comments/${c.id}`);
    expect(del.status).toBe(404);
    expect(del.body).toStrictEqual(errorOf('not_found'));
    expect(await commentsOf(team.member, team.marketId)).toStrictEqual(before);
    // Admins see every space.
    expect(await commentsOf(admin, team.marketId)).toStrictEqual(before);
  });
});

describe('the per-minute limit', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startServer({ env: { SEED: 'off', COMMENTS_PER_MINUTE: '2' } });
  });
  afterAll(() => limited.close());

  it('answers the third comment in a minute with 429 rate_limited and stores nothing', async () => {
    const boss = await adminClient(limited.url);
    const m = await boss.post('/api/markets', {
      question: 'Will the limit hold?',
      id: 'limit',
      closesAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(m.status).toBe(201);
    const c = new Client(limited.url);
    await c.register('chatty');
    const post = (text: string) => c.post('/api/markets/limit/comments', { text });
    const count = async () =>
      Number(
        (await sqlAll<{ n: number }>(limited.parity, 'SELECT COUNT(*) AS n FROM comments'))[0]!.n,
      );
    expect((await post('one')).status).toBe(201);
    expect((await post('two')).status).toBe(201);
    const r = await post('three');
    expect(r.status).toBe(429);
    expect(r.body).toStrictEqual({
      error: expect.objectContaining({
        code: 'rate_limited',
        message: 'at most 2 comments a minute',
      }),
    });
    // Within the minute's window.
    const retryAfter = Number(r.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await count()).toBe(2);
    // The limit is per user.
    const other = new Client(limited.url);
    await other.register('quiet');
    expect((await other.post('/api/markets/limit/comments', { text: 'mine' })).status).toBe(201);
    expect((await post('four')).status).toBe(429);
    // Newest first.
    const texts = (await c.get('/api/markets/limit/comments')).body.comments.map(
      (x: Comment) => x.text,
    );
    expect(texts).toStrictEqual(['mine', 'two', 'one']);
  });
});

describe('live comments over socket.io', () => {
  function connect(cookie?: string): Promise<ClientSocket> {
    const s: ClientSocket = io(server.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      extraHeaders: { origin: server.url, ...(cookie ? { cookie } : {}) },
    });
    sockets.push(s);
    return new Promise((resolve, reject) => {
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
  }
  const subscribe = (s: ClientSocket, id: string): Promise<SubscribeAck> =>
    new Promise((resolve) => s.emit('subscribe', id, resolve));

  /** What a socket received, in order. */
  function record(s: ClientSocket) {
    const got: (['comment', Comment] | ['comment:deleted', CommentDeleted])[] = [];
    s.on('comment', (c) => got.push(['comment', c]));
    s.on('comment:deleted', (d) => got.push(['comment:deleted', d]));
    return got;
  }

  function until(cond: () => boolean, ms = 5000): Promise<void> {
    const start = Date.now();
    return new Promise((resolve, reject) => {
      const poll = () => {
        if (cond()) resolve();
        else if (Date.now() - start > ms) reject(new Error('timed out'));
        else setTimeout(poll, 10);
      };
      poll();
    });
  }

  it("sends comment and comment:deleted to the market's subscribers, and to no one else", async () => {
    const watcher = await connect();
    expect((await subscribe(watcher, 'talk')).ok).toBe(true);
    const bystander = await connect();
    expect((await subscribe(bystander, 'other-talk')).ok).toBe(true);
    const idle = await connect();
    const insider = await connect(team.member.cookie);
    expect((await subscribe(insider, team.marketId)).ok).toBe(true);
    const snoop = await connect();
    const outsider = await connect(team.outsider.cookie);
    for (const s of [snoop, outsider]) {
      expect(await subscribe(s, team.marketId)).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
    }
    const atWatcher = record(watcher);
    const atBystander = record(bystander);
    const atIdle = record(idle);
    const atInsider = record(insider);
    const atSnoop = record(snoop);
    const atOutsider = record(outsider);

    const ivy = await user('ivy');
    const posted = await comment(ivy, 'talk', 'Live <i>words</i>');
    await until(() => atWatcher.length === 1);
    expect(atWatcher).toStrictEqual([['comment', posted]]);
    expect((await ivy.delete(`/api/comments/${posted.id}`)).status).toBe(204);
    await until(() => atWatcher.length === 2);
    expect(atWatcher[1]).toStrictEqual(['comment:deleted', { id: posted.id, marketId: 'talk' }]);

    const secret = await comment(team.member, team.marketId, 'Team secret');
    expect((await team.mod.delete(`/api/comments/${secret.id}`)).status).toBe(204);
    await until(() => atInsider.length === 2);
    expect(atInsider).toStrictEqual([
      ['comment', secret],
      ['comment:deleted', { id: secret.id, marketId: team.marketId }],
    ]);

    // A last event, and a moment more: anything sent to the others would have come by now.
    const last = await comment(ivy, 'other-talk', 'Flush');
    await until(() => atBystander.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(atBystander).toStrictEqual([['comment', last]]);
    expect(atWatcher).toHaveLength(2);
    expect(atIdle).toStrictEqual([]);
    expect(atSnoop).toStrictEqual([]);
    expect(atOutsider).toStrictEqual([]);
  });
});
