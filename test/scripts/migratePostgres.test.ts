import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookRow } from '../../server/store/integrationsStore.ts';
import { PgStore } from '../../server/store/postgres/pgStore.ts';
import type { InviteRow, ProposalRow, SpaceRow } from '../../server/store/spacesStore.ts';
import { SqliteStore } from '../../server/store/sqliteStore.ts';
import type { MarketRow, UserRow } from '../../server/store/store.ts';
import {
  adminQuery,
  dropSchema,
  PG_ENABLED,
  PG_URL,
  requirePostgres,
  uniqueSchema,
} from '../helpers/postgres.ts';

/** `npm run migrate:postgres` as a child process: its exit code and what it printed. */
function migrate(
  args: string[],
  env: Record<string, string | undefined> = { DATABASE_URL: PG_URL },
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', 'scripts/migratePostgres.ts', ...args],
      { env: { ...process.env, ...env }, cwd: process.cwd() },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, out: stdout, err: stderr });
      },
    );
  });
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parity-migrate-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const at = (s: number) => new Date(Date.UTC(2030, 0, 1) + s * 1000).toISOString();

const alice: UserRow = {
  id: 'u_alice',
  username: 'alice',
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$abc',
  role: 'admin',
  bot: false,
  createdAt: at(0),
};
const bot: UserRow = { ...alice, id: 'u_bot', username: 'bot "1"', role: 'trader', bot: true };
const mkt: MarketRow = {
  id: 'rain',
  question: 'Will it rain?',
  description: 'Quotes "and" back\\slashes, {braces}, ünïcødé, NULL',
  criteria: '',
  tags: ['weather'],
  type: 'binary',
  outcomes: [
    { id: 'yes', label: 'Yes' },
    { id: 'no', label: 'No' },
  ],
  q: [0.1 + 0.2, 1 / 3],
  liquidity: 100 / 7,
  status: 'open',
  createdAt: at(1),
  closesAt: at(1000),
  closedAt: null,
  volumeCents: 250,
  seq: 1,
  resolution: null,
  claims: [],
  createdBy: alice.id,
  spaceId: null,
  proposedBy: null,
};
const hook: WebhookRow = {
  id: 'wh_1',
  kind: 'discord',
  url: 'https://discord.example/api/webhooks/1',
  mode: 'live',
  events: ['created', 'moved'],
  minMove: 0.05,
  marketIds: [mkt.id],
  secret: 'shh',
  createdAt: at(2),
  spaceId: null,
};

const team: Omit<SpaceRow, 'members'> = {
  id: 'sp_team',
  name: 'Team "Zoë"',
  visibility: 'private',
  createdBy: alice.id,
  createdAt: at(1),
};
const teamMkt: MarketRow = {
  ...mkt,
  id: 'team-rain',
  question: 'Will it rain on the team?',
  volumeCents: 0,
  seq: 0,
  spaceId: team.id,
  proposedBy: bot.username,
};
const teamHook: WebhookRow = {
  ...hook,
  id: 'wh_team',
  kind: 'generic',
  mode: 'post',
  marketIds: null,
  spaceId: team.id,
};
const invite: Omit<InviteRow, 'uses'> = {
  tokenHash: 'inv_hash',
  spaceId: team.id,
  role: 'moderator',
  createdBy: alice.id,
  createdAt: at(2),
  expiresAt: at(1000),
  maxUses: 5,
};
const approved: Omit<ProposalRow, 'proposer'> = {
  id: 'pr_approved00000000',
  proposerId: bot.id,
  status: 'approved',
  question: 'Will it rain on the team?',
  normalized: 'will it rain on the team',
  description: 'ünïcødé "quoted"',
  criteria: 'The team says so',
  type: 'binary',
  outcomes: ['Yes', 'No'],
  closesAt: at(1000),
  spaceId: team.id,
  sources: ['https://example.com/a'],
  marketId: teamMkt.id,
  reason: null,
  createdAt: at(2),
  updatedAt: at(3),
  decidedAt: at(3),
  decidedBy: alice.username,
};
const pending: Omit<ProposalRow, 'proposer'> = {
  ...approved,
  id: 'pr_pending000000000',
  status: 'pending',
  type: 'multiple',
  outcomes: ['Red', 'Blue'],
  spaceId: null,
  sources: [],
  marketId: null,
  decidedAt: null,
  decidedBy: null,
};

/** A small but complete Parity database, written through the SQLite store itself. */
async function buildSqlite(
  dir: string,
): Promise<{ tradeId: number; forecastId: number; commentIds: number[] }> {
  const s = new SqliteStore(join(dir, 'parity.db'));
  for (const u of [alice, bot]) await s.insertUser(u);
  await s.insertSpace(team);
  await s.saveMember({ spaceId: team.id, userId: alice.id, role: 'owner', joinedAt: at(1) });
  await s.saveMember({ spaceId: team.id, userId: bot.id, role: 'member', joinedAt: at(2) });
  await s.insertInvite(invite);
  await s.spendInvite(invite.tokenHash, at(2));
  await s.insertApiToken('tok_team', alice.id, 'tok_team_hash', at(2), team.id);
  await s.ensureAccount('house');
  await s.post({ kind: 'grant', ref: alice.id, at: at(1) }, [
    { account: 'house', amountCents: -10_000 },
    { account: `user:${alice.id}`, amountCents: 10_000 },
  ]);
  await s.insertMarket(mkt);
  await s.insertMarket(teamMkt);
  await s.insertProposal(approved);
  await s.insertProposal(pending);
  const root = await s.insertComment({
    marketId: teamMkt.id,
    userId: alice.id,
    text: 'Root <b>comment</b>',
    replyTo: null,
    createdAt: at(4),
    position: null,
    forecast: null,
  });
  const reply = await s.insertComment({
    marketId: teamMkt.id,
    userId: bot.id,
    text: 'A reply, "quoted"',
    replyTo: root,
    createdAt: at(5),
    position: { outcomeId: 'yes', shares: 2.5 },
    forecast: [0.4, 0.6],
  });
  await s.deleteComment(root, at(6));
  // A third comment, removed by hand: SQLite's id counter stands at 3, its max id at 2.
  const removed = await s.insertComment({
    marketId: teamMkt.id,
    userId: bot.id,
    text: 'gone',
    replyTo: null,
    createdAt: at(6),
    position: null,
    forecast: null,
  });
  s.db.prepare('DELETE FROM comments WHERE id = ?').run(removed);
  const txId = await s.post({ kind: 'trade', marketId: mkt.id, ref: alice.id, at: at(3) }, [
    { account: `user:${alice.id}`, amountCents: -250 },
    { account: `market:${mkt.id}`, amountCents: 250 },
  ]);
  await s.savePosition({
    userId: alice.id,
    marketId: mkt.id,
    outcomeId: 'yes',
    shares: 2.5,
    costCents: 250,
  });
  const tradeId = await s.insertTrade(
    {
      marketId: mkt.id,
      userId: alice.id,
      outcomeId: 'yes',
      shares: 2.5,
      costCents: 250,
      probabilities: [0.6, 0.4],
      createdAt: at(3),
      idempotencyKey: 'key-1',
    },
    txId,
  );
  await s.appendHistory(mkt.id, 1, at(3), [0.6, 0.4]);
  const forecastId = await s.insertForecast({
    marketId: mkt.id,
    userId: bot.id,
    probabilities: [1 / 3, 2 / 3],
    comment: null,
    createdAt: at(4),
  });
  await s.insertAudit({
    at: at(5),
    actor: alice.id,
    action: 'market.create',
    marketId: mkt.id,
    detail: { a: 1 },
  });
  await s.setMeta('seeded', '1');
  await s.insertWebhook(hook);
  await s.insertWebhook(teamHook);
  const delivery = {
    webhookId: hook.id,
    marketId: mkt.id,
    event: 'created' as const,
    live: true,
    payload: { n: 1 },
    nextAttemptAt: at(6),
    createdAt: at(6),
  };
  await s.enqueue(delivery);
  // A second delivery, finished and pruned: SQLite's id counter stands at 2, its max id at 1.
  const gone = await s.enqueue({ ...delivery, live: false });
  await s.recordAttempt(gone, { status: 'delivered', at: at(7), httpStatus: 204 });
  await s.pruneDeliveries(at(8));
  await s.close();
  return { tradeId, forecastId, commentIds: [root, reply] };
}

describe('migrate:postgres arguments', () => {
  it('exits 2 without --from', async () => {
    const r = await migrate([]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('usage: npm run migrate:postgres -- --from <data dir>');
  });

  it('exits 2 without DATABASE_URL', async () => {
    const r = await migrate(['--from', tempDir()], { DATABASE_URL: '' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('set DATABASE_URL');
  });

  it('exits 2 when the data directory holds no database', async () => {
    const r = await migrate(['--from', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no database at .*parity\.db/);
  });
});

describe.runIf(PG_ENABLED)('migrate:postgres into PostgreSQL', () => {
  const schemas: string[] = [];
  const schema = (prefix: string) => {
    const s = uniqueSchema(prefix);
    schemas.push(s);
    return s;
  };
  beforeAll(async () => {
    await requirePostgres();
  });
  afterAll(async () => {
    for (const s of schemas) await dropSchema(s);
  });

  it('copies every table, checks the copy and refuses to copy twice', async () => {
    const dir = tempDir();
    const { tradeId, forecastId, commentIds } = await buildSqlite(dir);
    const target = schema('mig');
    const r = await migrate(['--from', dir, '--schema', target]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`(schema ${target})`);
    expect(r.out).toContain(
      [
        'users 2, spaces 1, space_members 2, space_invites 1, sessions 0, api_tokens 1',
        'accounts 3, ledger_tx 2, ledger_entries 4, markets 2, market_history 1, positions 1',
        'trades 1, forecasts 1, audit 1, meta 1, webhooks 2, webhook_deliveries 1',
        'webhook_market_posts 0, webhook_live_messages 0, closing_notices 0, chat_links 0',
        'chat_link_codes 0, chat_receipts 0, chat_prefs 0, proposals 2, comments 2\n',
      ].join(', '),
    );
    expect(r.out).toMatch(
      /checks passed: row counts equal in all 27 tables; 3 account balances equal; 2 ledger transactions balanced; ledger total 0/,
    );

    const pg = await PgStore.open({ connectionString: PG_URL, schema: target });
    try {
      expect(await pg.userById(alice.id)).toEqual(alice);
      expect(await pg.userById(bot.id)).toEqual(bot);
      expect(await pg.market(mkt.id)).toEqual(mkt);
      expect([...(await pg.balancesOf(['house', `user:${alice.id}`, `market:${mkt.id}`]))]).toEqual(
        [
          ['house', -10_000],
          [`user:${alice.id}`, 9_750],
          [`market:${mkt.id}`, 250],
        ],
      );
      expect(await pg.ledgerTotal()).toBe(0);
      expect(await pg.tradeByIdempotencyKey(alice.id, 'key-1')).toEqual({
        id: tradeId,
        marketId: mkt.id,
        userId: alice.id,
        username: alice.username,
        outcomeId: 'yes',
        shares: 2.5,
        costCents: 250,
        probabilities: [0.6, 0.4],
        createdAt: at(3),
        idempotencyKey: 'key-1',
      });
      expect(await pg.positionsOfMarket(mkt.id)).toEqual([
        { userId: alice.id, marketId: mkt.id, outcomeId: 'yes', shares: 2.5, costCents: 250 },
      ]);
      expect((await pg.forecast(forecastId))?.probabilities).toEqual([1 / 3, 2 / 3]);
      expect(await pg.history(mkt.id)).toEqual([{ t: at(3), probabilities: [0.6, 0.4] }]);
      // The entry keeps its id (the audit log pages by it).
      expect(await pg.audit(5)).toEqual([
        {
          id: 1,
          at: at(5),
          actor: alice.id,
          action: 'market.create',
          marketId: mkt.id,
          detail: { a: 1 },
        },
      ]);
      expect(await pg.getMeta('seeded')).toBe('1');
      expect(await pg.webhook(hook.id)).toEqual(hook);
      const [d] = await pg.deliveries({ limit: 5 });
      expect(d).toMatchObject({
        id: 1,
        live: true,
        status: 'pending',
        payload: { n: 1 },
        kind: 'discord',
      });
      // Ids go on after SQLite's, the pruned one included.
      const next = await pg.enqueue({
        webhookId: hook.id,
        marketId: mkt.id,
        event: 'moved',
        live: false,
        payload: {},
        nextAttemptAt: at(9),
        createdAt: at(9),
      });
      expect(next).toBe(3);
      const nextTx = await pg.post({ kind: 'grant', at: at(9) }, []);
      expect(nextTx).toBe(3);

      // Spaces, their members, invites and scopes; proposals; comments.
      expect(await pg.space(team.id)).toStrictEqual({ ...team, members: 2 });
      expect(await pg.membersOf(team.id)).toStrictEqual([
        {
          spaceId: team.id,
          userId: alice.id,
          username: alice.username,
          role: 'owner',
          joinedAt: at(1),
        },
        {
          spaceId: team.id,
          userId: bot.id,
          username: bot.username,
          role: 'member',
          joinedAt: at(2),
        },
      ]);
      expect(await pg.invite(invite.tokenHash, at(3))).toStrictEqual({ ...invite, uses: 1 });
      expect(await pg.apiTokenUser('tok_team_hash')).toStrictEqual({
        ...alice,
        scopeSpaceId: team.id,
      });
      expect(await pg.market(teamMkt.id)).toStrictEqual(teamMkt);
      expect(await pg.webhook(teamHook.id)).toStrictEqual(teamHook);
      expect(await pg.proposal(approved.id)).toStrictEqual({
        ...approved,
        proposer: bot.username,
      });
      expect(await pg.proposals('pending', 10)).toStrictEqual([
        { ...pending, proposer: bot.username },
      ]);
      const [root, reply] = commentIds as [number, number];
      expect(await pg.commentsOfMarket(teamMkt.id)).toStrictEqual([
        {
          id: root,
          marketId: teamMkt.id,
          userId: alice.id,
          username: alice.username,
          text: '',
          replyTo: null,
          createdAt: at(4),
          deletedAt: at(6),
          position: null,
          forecast: null,
        },
        {
          id: reply,
          marketId: teamMkt.id,
          userId: bot.id,
          username: bot.username,
          text: 'A reply, "quoted"',
          replyTo: root,
          createdAt: at(5),
          deletedAt: null,
          position: { outcomeId: 'yes', shares: 2.5 },
          forecast: [0.4, 0.6],
        },
      ]);
      // Comment ids go on after SQLite's too, the removed one included.
      const nextComment = await pg.insertComment({
        marketId: teamMkt.id,
        userId: bot.id,
        text: 'after the copy',
        replyTo: reply,
        createdAt: at(9),
        position: null,
        forecast: null,
      });
      expect(nextComment).toBe(4);
    } finally {
      await pg.close();
    }

    const again = await migrate(['--from', dir, '--schema', target]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already holds Parity data');
  });

  it('writes nothing and exits 1 when a check fails', async () => {
    const dir = tempDir();
    await buildSqlite(dir);
    // Books that no longer add up: a balance moved without a ledger entry (the total stays 0).
    const s = new SqliteStore(join(dir, 'parity.db'));
    s.db.prepare("UPDATE accounts SET balance_cents = balance_cents + 1 WHERE id = 'house'").run();
    s.db
      .prepare("UPDATE accounts SET balance_cents = balance_cents - 1 WHERE id = 'user:u_alice'")
      .run();
    await s.close();
    const target = schema('mig_bad');
    const r = await migrate(['--from', dir, '--schema', target]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('migration check failed; nothing was written');
    expect(r.err).toContain('account house: balance -9999, entries sum to -10000');
    const rows = await adminQuery<{ n: string }>(`SELECT COUNT(*) AS n FROM "${target}".users`);
    expect(rows).toEqual([{ n: '0' }]);
  });
});
