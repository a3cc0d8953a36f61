import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Proposal } from '../../shared/schemas/index.ts';
import {
  adminClient,
  Client,
  sqlAll,
  startServer,
  stateSnapshot,
  type TestServer,
} from '../helpers/server.ts';

/**
 * Question proposals over HTTP: who may propose where, who sees and edits what, approval (the
 * market opens in the space) and rejection, duplicates for reviewers, and the daily limit.
 */

let server: TestServer;
let admin: Client;
// The server's clock: fixed, moved by the tests, so that times in bodies are exact.
let clock = Date.parse('2031-03-01T12:00:00.000Z');
const now = () => new Date(clock).toISOString();
const inDays = (d: number) => new Date(clock + d * 86_400_000).toISOString();
/** Moves the clock on by a second, so that what is written next is newer. */
const tick = () => {
  clock += 1000;
};

let n = 0;
/** A question no other test asks (duplicates are looked for across the whole server). */
const question = (what = 'rain') => `Will it ${what} in Lyon on day ${++n}?`;
const ask = (over: Record<string, unknown> = {}) => ({
  question: question(),
  criteria: 'Météo-France records it',
  closesAt: inDays(30),
  ...over,
});

async function user(name: string): Promise<Client> {
  const c = new Client(server.url);
  await c.register(name);
  return c;
}

async function newSpace(owner: Client, visibility: 'public' | 'private'): Promise<string> {
  const r = await owner.post('/api/spaces', { name: `Team ${++n}`, visibility });
  expect(r.status).toBe(201);
  return r.body.space.id;
}

/** `who` joins the space through an invite of the owner's, with `role`. */
async function join(
  owner: Client,
  spaceId: string,
  who: Client,
  role: 'member' | 'moderator',
): Promise<void> {
  const inv = await owner.post(`/api/spaces/${spaceId}/invites`, { role });
  expect(inv.status).toBe(201);
  const r = await who.post(`/api/invites/${inv.body.invite.token}/accept`);
  expect(r.status).toBe(200);
}

async function propose(c: Client, over: Record<string, unknown> = {}): Promise<Proposal> {
  const r = await c.post('/api/proposals', ask(over));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.proposal;
}

const listOf = async (c: Client, query = ''): Promise<Proposal[]> => {
  const r = await c.get(`/api/proposals${query}`);
  expect(r.status).toBe(200);
  return r.body.proposals;
};

const proposalCount = async () =>
  Number((await sqlAll<{ n: number }>(server.parity, 'SELECT COUNT(*) AS n FROM proposals'))[0]!.n);

const errorOf = (code: string) => ({ error: expect.objectContaining({ code }) });

/** A team: a private space with an owner, a moderator and a member, and an outsider. */
interface Team {
  id: string;
  owner: Client;
  mod: Client;
  member: Client;
  outsider: Client;
}
let team: Team;

beforeAll(async () => {
  server = await startServer({
    env: { SEED: 'off', PROPOSALS_PER_DAY: '1000' },
    now: () => new Date(clock),
  });
  admin = await adminClient(server.url);
  const [owner, mod, member, outsider] = await Promise.all([
    user('team_owner'),
    user('team_mod'),
    user('team_member'),
    user('outsider'),
  ]);
  const id = await newSpace(owner, 'private');
  await join(owner, id, mod, 'moderator');
  await join(owner, id, member, 'member');
  team = { id, owner, mod, member, outsider };
});
afterAll(() => server.close());

describe('proposing', () => {
  it('opens a pending proposal to the public site for any user', async () => {
    const alice = await user('alice');
    const q = question();
    const r = await alice.post('/api/proposals', {
      question: `  ${q}  `,
      criteria: 'Météo-France records it',
      closesAt: inDays(30),
      sources: ['https://example.com/forecast'],
    });
    expect(r.status).toBe(201);
    expect(r.body).toStrictEqual({
      proposal: {
        id: expect.stringMatching(/^pr_[A-Za-z0-9_-]{16}$/),
        proposer: 'alice',
        status: 'pending',
        question: q,
        description: '',
        criteria: 'Météo-France records it',
        type: 'binary',
        outcomes: ['Yes', 'No'],
        closesAt: inDays(30),
        spaceId: null,
        sources: ['https://example.com/forecast'],
        createdAt: now(),
        updatedAt: now(),
      },
    });
    // Outcomes alone make it multiple choice.
    const multi = await propose(alice, { outcomes: ['Lyon', 'Paris', 'Nice'] });
    expect(multi).toMatchObject({ type: 'multiple', outcomes: ['Lyon', 'Paris', 'Nice'] });
  });

  it('answers 404 for a private space the user is not in, 403 for a public one, 201 for their own', async () => {
    const before = await proposalCount();
    const r = await team.outsider.post('/api/proposals', ask({ spaceId: team.id }));
    expect(r.status).toBe(404);
    expect(r.body).toStrictEqual(errorOf('not_found'));
    const openId = await newSpace(team.owner, 'public');
    const open = await team.outsider.post('/api/proposals', ask({ spaceId: openId }));
    expect(open.status).toBe(403);
    expect(open.body).toStrictEqual(errorOf('forbidden'));
    expect(await proposalCount()).toBe(before);

    const mine = await propose(team.member, { spaceId: team.id });
    expect(mine).toMatchObject({ proposer: 'team_member', status: 'pending', spaceId: team.id });
    expect(await proposalCount()).toBe(before + 1);
  });

  it('answers 401 to an anonymous caller everywhere', async () => {
    const anon = new Client(server.url);
    const p = await propose(team.member);
    for (const r of [
      await anon.post('/api/proposals', ask()),
      await anon.get('/api/proposals'),
      await anon.patch(`/api/proposals/${p.id}`, { question: question() }),
      await anon.post(`/api/proposals/${p.id}/approve`),
      await anon.post(`/api/proposals/${p.id}/reject`, { reason: 'not from you' }),
    ]) {
      expect(r.status).toBe(401);
      expect(r.body).toStrictEqual(errorOf('unauthenticated'));
    }
  });

  it('refuses closesAt in the past or now, and stores nothing', async () => {
    const lena = await user('lena');
    const before = await stateSnapshot(server.parity);
    const count = await proposalCount();
    for (const closesAt of [inDays(-1), now()]) {
      const r = await lena.post('/api/proposals', ask({ closesAt }));
      expect(r.status).toBe(400);
      expect(r.body).toStrictEqual({
        error: {
          code: 'validation_failed',
          message: 'closesAt must be in the future',
          details: { field: 'closesAt' },
        },
      });
    }
    expect(await proposalCount()).toBe(count);
    expect(await stateSnapshot(server.parity)).toStrictEqual(before);
  });

  it('refuses a bad body with 400 and stores nothing', async () => {
    const bob = await user('bob');
    const before = await stateSnapshot(server.parity);
    const count = await proposalCount();
    const bodies = [
      { ...ask(), unknown: 1 },
      ask({ type: 'multiple' }),
      ask({ type: 'binary', outcomes: ['A', 'B'] }),
      ask({ outcomes: ['Same', 'same'] }),
      ask({ question: 'Why' }),
      ask({ criteria: undefined }),
      ask({ sources: ['javascript:alert(1)'] }),
      ask({ spaceId: 'not a space' }),
      'not json',
    ];
    for (const body of bodies) {
      const r = await bob.post('/api/proposals', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toStrictEqual(errorOf('validation_failed'));
    }
    expect(await proposalCount()).toBe(count);
    expect(await stateSnapshot(server.parity)).toStrictEqual(before);
    expect(await listOf(bob)).toStrictEqual([]);
  });
});

describe('who sees proposals', () => {
  it('shows users their own, reviewers those of their spaces, admins all', async () => {
    const carol = await user('carol');
    tick();
    const publicOne = await propose(carol);
    tick();
    const inTeam = await propose(team.member, { spaceId: team.id });
    tick();
    const byMod = await propose(team.mod);
    tick();
    const modInTeam = await propose(team.mod, { spaceId: team.id });

    const all = await listOf(admin);
    const ids = (ps: Proposal[]) => ps.map((p) => p.id);
    // Newest first.
    expect(ids(all).slice(0, 4)).toStrictEqual([modInTeam.id, byMod.id, inTeam.id, publicOne.id]);
    expect(ids(await listOf(carol))).toStrictEqual([publicOne.id]);
    // A member of the team (not a reviewer) sees only their own.
    const memberSees = ids(await listOf(team.member));
    expect(memberSees).toStrictEqual(ids(all.filter((p) => p.proposer === 'team_member')));
    expect(memberSees).toContain(inTeam.id);
    expect(memberSees).not.toContain(modInTeam.id);
    // The team's reviewers: every proposal of the team, and their own.
    for (const [c, name] of [
      [team.mod, 'team_mod'],
      [team.owner, 'team_owner'],
    ] as const) {
      const expected = all.filter((p) => p.spaceId === team.id || p.proposer === name);
      expect(ids(await listOf(c))).toStrictEqual(ids(expected));
    }
    expect(ids(await listOf(team.mod))).toContain(byMod.id);
    expect(ids(await listOf(team.owner))).toContain(modInTeam.id);
    expect(ids(await listOf(team.owner))).not.toContain(byMod.id);
    expect(ids(await listOf(team.outsider))).toStrictEqual([]);
  });

  it('filters by ?status= and refuses an unknown status', async () => {
    const dave = await user('dave');
    const [a, b, c] = [await propose(dave), await propose(dave), await propose(dave)];
    expect((await admin.post(`/api/proposals/${a.id}/approve`)).status).toBe(200);
    expect(
      (await admin.post(`/api/proposals/${b.id}/reject`, { reason: 'too vague' })).status,
    ).toBe(200);
    const statusOf = async (s: string) => (await listOf(dave, `?status=${s}`)).map((p) => p.id);
    expect(await statusOf('approved')).toStrictEqual([a.id]);
    expect(await statusOf('rejected')).toStrictEqual([b.id]);
    expect(await statusOf('pending')).toStrictEqual([c.id]);
    for (const p of await listOf(admin, '?status=pending')) expect(p.status).toBe('pending');
    const bad = await dave.get('/api/proposals?status=draft');
    expect(bad.status).toBe(400);
    expect(bad.body).toStrictEqual(errorOf('validation_failed'));
  });
});

describe('editing', () => {
  it('lets the proposer edit while pending, and hides the proposal from other users', async () => {
    const erin = await user('erin');
    const p = await propose(erin);
    tick();
    const edits = {
      question: question('snow'),
      description: 'More detail',
      outcomes: ['Snow', 'Sleet', 'Neither'],
      closesAt: inDays(60),
      sources: ['https://example.com/a', 'https://example.com/b'],
    };
    const r = await erin.patch(`/api/proposals/${p.id}`, edits);
    expect(r.status).toBe(200);
    expect(r.body).toStrictEqual({
      proposal: { ...p, ...edits, type: 'multiple', updatedAt: now() },
    });
    expect((await listOf(erin)).find((x) => x.id === p.id)).toStrictEqual(r.body.proposal);

    const other = await erin.patch(`/api/proposals/${p.id}`, { type: 'binary' });
    expect(other.status).toBe(200);
    expect(other.body.proposal).toMatchObject({ type: 'binary', outcomes: ['Yes', 'No'] });

    const frank = await user('frank');
    const theirs = await frank.patch(`/api/proposals/${p.id}`, { question: question() });
    expect(theirs.status).toBe(404);
    expect(theirs.body).toStrictEqual(errorOf('not_found'));
    const missing = await erin.patch('/api/proposals/pr_0000000000000000', { description: 'x' });
    expect(missing.status).toBe(404);
    const bad = await erin.patch(`/api/proposals/${p.id}`, { status: 'approved' });
    expect(bad.status).toBe(400);
    const past = await erin.patch(`/api/proposals/${p.id}`, { closesAt: inDays(-1) });
    expect(past.status).toBe(400);
    expect((await listOf(erin)).find((x) => x.id === p.id)).toStrictEqual(other.body.proposal);
  });

  it("lets a reviewer edit a proposal of their space, and an admin one of the public site's", async () => {
    const p = await propose(team.member, { spaceId: team.id });
    tick();
    const r = await team.mod.patch(`/api/proposals/${p.id}`, { criteria: 'The team agrees' });
    expect(r.status).toBe(200);
    expect(r.body.proposal).toMatchObject({
      id: p.id,
      proposer: 'team_member',
      criteria: 'The team agrees',
      updatedAt: now(),
    });
    const pub = await propose(team.member);
    expect(
      (await team.mod.patch(`/api/proposals/${pub.id}`, { criteria: 'Nope, not mine' })).status,
    ).toBe(404);
    const byAdmin = await admin.patch(`/api/proposals/${pub.id}`, { criteria: 'Admin says' });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.proposal.criteria).toBe('Admin says');
  });
});

describe('approving and rejecting', () => {
  it('approves two proposals of the same question at once, each with a market of its own', async () => {
    const same = question('sleet');
    const [a, b] = [
      await propose(team.member, { question: same }),
      await propose(team.outsider, { question: same }),
    ];
    const [ra, rb] = await Promise.all([
      admin.post(`/api/proposals/${a.id}/approve`, {}),
      admin.post(`/api/proposals/${b.id}/approve`, {}),
    ]);
    expect([ra.status, rb.status], JSON.stringify([ra.body, rb.body])).toEqual([200, 200]);
    expect(ra.body.market.id).not.toBe(rb.body.market.id);
    expect([ra.body.market.question, rb.body.market.question]).toEqual([same, same]);
  });

  it("opens the market in the space when the space's moderator approves, with their edits", async () => {
    const p = await propose(team.member, { spaceId: team.id, description: 'Original' });

    const bySelf = await team.member.post(`/api/proposals/${p.id}/approve`);
    expect(bySelf.status).toBe(403);
    expect(bySelf.body).toStrictEqual(errorOf('forbidden'));
    const byOutsider = await team.outsider.post(`/api/proposals/${p.id}/approve`);
    expect(byOutsider.status).toBe(404);

    tick();
    const edits = {
      question: question('hail'),
      criteria: 'The team records hail',
      outcomes: ['Hail', 'Rain', 'Dry'],
      closesAt: inDays(45),
    };
    const r = await team.mod.post(`/api/proposals/${p.id}/approve`, edits);
    expect(r.status).toBe(200);
    const { proposal, market } = r.body;
    expect(proposal).toStrictEqual({
      ...p,
      ...edits,
      type: 'multiple',
      status: 'approved',
      marketId: market.id,
      updatedAt: now(),
      decidedAt: now(),
      decidedBy: 'team_mod',
    });
    expect(market).toMatchObject({
      question: edits.question,
      description: 'Original',
      criteria: edits.criteria,
      type: 'multiple',
      closesAt: edits.closesAt,
      status: 'open',
      spaceId: team.id,
      proposedBy: 'team_member',
      seq: 0,
      createdAt: now(),
    });
    expect(market.outcomes.map((o: { label: string }) => o.label)).toStrictEqual(edits.outcomes);

    const seen = await team.member.get(`/api/markets/${market.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.market).toStrictEqual(market);
    expect((await team.outsider.get(`/api/markets/${market.id}`)).status).toBe(404);

    const audit = (await admin.get('/api/audit?limit=20')).body.entries as {
      action: string;
      actor: string;
      marketId: string | null;
      detail: Record<string, unknown>;
    }[];
    expect(audit.find((e) => e.action === 'proposal.approve' && e.marketId === market.id)).toEqual({
      at: now(),
      actor: 'team_mod',
      action: 'proposal.approve',
      marketId: market.id,
      detail: {
        proposalId: p.id,
        proposer: 'team_member',
        edited: ['question', 'criteria', 'outcomes', 'closesAt'],
      },
    });
    // Created by the reviewer; the proposer is credited with the question (proposedBy).
    expect(audit.find((e) => e.action === 'market.create' && e.marketId === market.id)).toEqual({
      at: now(),
      actor: 'team_mod',
      action: 'market.create',
      marketId: market.id,
      detail: {
        question: edits.question,
        liquidity: 100,
        closesAt: edits.closesAt,
        spaceId: team.id,
      },
    });

    // Decided: no second decision, no more edits.
    const again = [
      await team.mod.post(`/api/proposals/${p.id}/approve`),
      await team.mod.post(`/api/proposals/${p.id}/reject`, { reason: 'changed my mind' }),
      await team.mod.patch(`/api/proposals/${p.id}`, { description: 'late' }),
      await team.member.patch(`/api/proposals/${p.id}`, { description: 'late' }),
    ];
    for (const x of again) {
      expect(x.status).toBe(409);
      expect(x.body).toStrictEqual({
        error: {
          code: 'conflict',
          message: 'the proposal is approved',
          details: { status: 'approved' },
        },
      });
    }
    expect((await listOf(team.member)).find((x) => x.id === p.id)).toStrictEqual(proposal);
  });

  it('lets an admin approve a public-site proposal into a public market', async () => {
    const gina = await user('gina');
    const p = await propose(gina);
    const r = await admin.post(`/api/proposals/${p.id}/approve`);
    expect(r.status).toBe(200);
    expect(r.body.proposal).toMatchObject({ status: 'approved', decidedBy: 'admin' });
    expect(r.body.market.spaceId).toBeUndefined();
    expect(r.body.market).toMatchObject({ question: p.question, proposedBy: 'gina' });
    const seen = await new Client(server.url).get(`/api/markets/${r.body.market.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.market).toStrictEqual(r.body.market);
  });

  it('rejects with a reason that the proposer sees, only by a reviewer', async () => {
    const hank = await user('hank');
    const p = await propose(hank);
    for (const body of [undefined, {}, { reason: 'no' }, { reason: 'ok ok', extra: 1 }]) {
      const r = await admin.post(`/api/proposals/${p.id}/reject`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toStrictEqual(errorOf('validation_failed'));
    }
    const bySelf = await hank.post(`/api/proposals/${p.id}/reject`, { reason: 'never mind' });
    expect(bySelf.status).toBe(403);
    tick();
    const r = await admin.post(`/api/proposals/${p.id}/reject`, {
      reason: '  Already asked, see the <b>other</b> one  ',
    });
    expect(r.status).toBe(200);
    const rejected = {
      ...p,
      status: 'rejected',
      reason: 'Already asked, see the <b>other</b> one',
      updatedAt: now(),
      decidedAt: now(),
      decidedBy: 'admin',
    };
    expect(r.body).toStrictEqual({ proposal: rejected });
    expect(await listOf(hank)).toStrictEqual([rejected]);
    for (const x of [
      await admin.post(`/api/proposals/${p.id}/approve`),
      await admin.post(`/api/proposals/${p.id}/reject`, { reason: 'again and again' }),
      await hank.patch(`/api/proposals/${p.id}`, { description: 'please' }),
    ]) {
      expect(x.status).toBe(409);
      expect(x.body).toStrictEqual(errorOf('conflict'));
    }
  });
});

describe('duplicates', () => {
  it('lists pending proposals and open markets with the same question to reviewers only', async () => {
    const [ivy, jack, kim] = [await user('ivy'), await user('jack'), await user('kim')];
    const year = 2040 + ++n;
    const text = `Will the Seine flood Paris in ${year}?`;
    const first = await propose(ivy, { question: text });
    tick();
    // The same question but for case, punctuation and accents.
    const second = await propose(jack, {
      question: `will the SÉINE flood... paris in ${year}!!`,
    });
    tick();
    // Elsewhere (a space), the same question is no duplicate of the public site's.
    const inTeam = await propose(team.member, { spaceId: team.id, question: text });

    expect(first.duplicates).toBeUndefined();
    expect(second.duplicates).toBeUndefined();
    for (const c of [ivy, jack]) {
      for (const p of await listOf(c)) expect(p).not.toHaveProperty('duplicates');
    }
    const byId = async (c: Client) => new Map((await listOf(c)).map((p) => [p.id, p]));
    const seen = await byId(admin);
    expect(seen.get(first.id)?.duplicates).toStrictEqual([
      { kind: 'proposal', id: second.id, question: second.question },
    ]);
    expect(seen.get(second.id)?.duplicates).toStrictEqual([
      { kind: 'proposal', id: first.id, question: first.question },
    ]);
    expect((await byId(team.mod)).get(inTeam.id)?.duplicates).toStrictEqual([]);

    // An open market with that question is a duplicate too; a reviewer proposing sees it at once.
    const m = await admin.post('/api/markets', {
      question: text.toUpperCase(),
      closesAt: inDays(10),
    });
    expect(m.status).toBe(201);
    tick();
    const third = await propose(kim, { question: text });
    expect(third.duplicates).toBeUndefined();
    expect((await byId(admin)).get(third.id)?.duplicates).toStrictEqual([
      { kind: 'market', id: m.body.market.id, question: m.body.market.question },
      { kind: 'proposal', id: first.id, question: first.question },
      { kind: 'proposal', id: second.id, question: second.question },
    ]);
    tick();
    const byAdmin = await admin.post('/api/proposals', ask({ question: text }));
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body.proposal.duplicates).toHaveLength(4);
    // Decided proposals are no longer duplicates.
    expect((await admin.post(`/api/proposals/${first.id}/reject`, { reason: 'dupe' })).status).toBe(
      200,
    );
    expect((await byId(admin)).get(second.id)?.duplicates?.map((d) => d.id)).toStrictEqual([
      m.body.market.id,
      third.id,
      byAdmin.body.proposal.id,
    ]);
  });
});

describe('the daily limit', () => {
  let limited: TestServer;
  let t = Date.parse('2031-06-01T08:00:00.000Z');
  beforeAll(async () => {
    limited = await startServer({
      env: { SEED: 'off', PROPOSALS_PER_DAY: '3' },
      now: () => new Date(t),
    });
  });
  afterAll(() => limited.close());

  it('answers the fourth proposal of a day with 429 rate_limited and stores nothing', async () => {
    const c = new Client(limited.url);
    await c.register('prolific');
    const body = (i: number) => ({
      question: `Will limit test ${i} pass?`,
      criteria: 'It passes',
      closesAt: new Date(t + 30 * 86_400_000).toISOString(),
    });
    for (let i = 1; i <= 3; i++) {
      expect((await c.post('/api/proposals', body(i))).status).toBe(201);
      t += 60_000;
    }
    const count = async () =>
      Number(
        (await sqlAll<{ n: number }>(limited.parity, 'SELECT COUNT(*) AS n FROM proposals'))[0]!.n,
      );
    const before = await stateSnapshot(limited.parity);
    const r = await c.post('/api/proposals', body(4));
    expect(r.status).toBe(429);
    expect(r.body).toStrictEqual({
      error: { code: 'rate_limited', message: 'at most 3 proposals a day', details: { limit: 3 } },
    });
    expect(r.headers.get('retry-after')).toBe('3600');
    expect(await count()).toBe(3);
    expect(await stateSnapshot(limited.parity)).toStrictEqual(before);

    // The limit is per user.
    const other = new Client(limited.url);
    await other.register('other_user');
    expect((await other.post('/api/proposals', body(5))).status).toBe(201);
    // A day after the first proposal, one more fits (the window slides).
    t += 86_400_000 - 3 * 60_000;
    expect((await c.post('/api/proposals', body(6))).status).toBe(429);
    t += 1;
    expect((await c.post('/api/proposals', body(7))).status).toBe(201);
    expect((await c.post('/api/proposals', body(8))).status).toBe(429);
  });
});
