import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatLinkRow, LinkCodeRow } from '../../../server/store/chatStore.ts';
import type { NewDelivery, WebhookRow } from '../../../server/store/integrationsStore.ts';
import { checkReachable, PgStore } from '../../../server/store/postgres/pgStore.ts';
import type {
  CommentRow,
  InviteRow,
  MemberRow,
  ProposalRow,
  SpaceRow,
} from '../../../server/store/spacesStore.ts';
import { SqliteStore } from '../../../server/store/sqliteStore.ts';
import type { MarketRow, Store, UserRow } from '../../../server/store/store.ts';
import { DomainError } from '../../../shared/errors.ts';
import type {
  ChatPlatform,
  ProposalStatus,
  SpaceRole,
  SpaceVisibility,
} from '../../../shared/schemas/index.ts';
import {
  adminQuery,
  dropSchema,
  PG_ENABLED,
  PG_URL,
  requirePostgres,
  uniqueSchema,
} from '../../helpers/postgres.ts';

/**
 * One suite, two engines: every method of the storage port must answer the same on SQLite and
 * on PostgreSQL (values, orderings, null vs undefined, errors). The stores are shared by the
 * tests of an engine, so each test makes its own rows (unique ids) and counts in deltas.
 */

interface Opened {
  store: Store;
  cleanup(): Promise<void>;
}

interface Engine {
  name: 'sqlite' | 'postgres';
  enabled: boolean;
  open(): Promise<Opened>;
}

const PG_SCHEMA = uniqueSchema('conf');

const ENGINES: Engine[] = [
  {
    name: 'sqlite',
    enabled: true,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'parity-conf-'));
      const store = new SqliteStore(join(dir, 'parity.db'));
      return {
        store,
        async cleanup() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    enabled: PG_ENABLED,
    async open() {
      await requirePostgres();
      const store = await PgStore.open({ connectionString: PG_URL, schema: PG_SCHEMA });
      return {
        store,
        async cleanup() {
          await store.close();
          await dropSchema(PG_SCHEMA);
        },
      };
    },
  },
];

const BASE = Date.UTC(2030, 0, 1);
/** A timestamp `s` seconds after the suite's epoch. */
const iso = (s: number) => new Date(BASE + s * 1000).toISOString();
const FAR = '2999-01-01T00:00:00.000Z';

let counter = 0;
const RUN = Math.random().toString(36).slice(2, 8);
const uid = (prefix: string) => `${prefix}_${RUN}_${String(++counter).padStart(4, '0')}`;

function user(over: Partial<UserRow> = {}): UserRow {
  const id = uid('u');
  return {
    id,
    username: `name_${id}`,
    passwordHash: `hash-${id}`,
    role: 'trader',
    bot: false,
    createdAt: iso(0),
    ...over,
  };
}

function market(over: Partial<MarketRow> = {}): MarketRow {
  return {
    id: uid('m'),
    question: 'Will it rain?',
    description: 'A question about "weather" — with ünïcødé',
    criteria: 'Met office',
    tags: ['weather', 'uk'],
    type: 'binary',
    outcomes: [
      { id: 'yes', label: 'Yes' },
      { id: 'no', label: 'No' },
    ],
    // Doubles that a lossy round trip would change.
    q: [0.1 + 0.2, 1 / 3, 1e-300, -2.5e-17],
    liquidity: 100 / 7,
    status: 'open',
    createdAt: iso(0),
    closesAt: FAR,
    closedAt: null,
    volumeCents: 0,
    seq: 0,
    resolution: null,
    claims: [],
    createdBy: null,
    spaceId: null,
    proposedBy: null,
    ...over,
  };
}

describe.each(ENGINES)('store conformance: $name', (engine) => {
  describe.runIf(engine.enabled)(
    engine.enabled ? 'port' : 'port (set PARITY_TEST_POSTGRES=1)',
    () => {
      let store: Store;
      let cleanup: (() => Promise<void>) | undefined;

      beforeAll(async () => {
        ({ store, cleanup } = await engine.open());
      });
      afterAll(async () => {
        await cleanup?.();
      });

      it('reports its engine', () => {
        expect(store.engine).toBe(engine.name);
      });

      it('round-trips users, sessions and API tokens', async () => {
        const before = await store.userCount();
        const a = user({ bot: true, role: 'admin' });
        const b = user();
        await store.insertUser(a);
        await store.insertUser(b);
        expect(await store.userById(a.id)).toEqual(a);
        expect(await store.userByUsername(b.username)).toEqual(b);
        expect(await store.userById('missing')).toBeUndefined();
        expect(await store.userByUsername('missing')).toBeUndefined();
        expect(await store.userCount()).toBe(before + 2);
        expect(await store.usersByIds([b.id, 'missing', a.id])).toEqual([a, b]);
        expect(await store.usersByIds([])).toEqual([]);
        await expect(store.insertUser({ ...user(), username: a.username })).rejects.toThrow();

        const session = uid('sess');
        await store.insertSession(session, a.id, iso(0), iso(100));
        expect(await store.sessionUser(session, iso(99))).toEqual(a);
        expect(await store.sessionUser(session, iso(100))).toBeUndefined();
        await store.deleteSession(session);
        expect(await store.sessionUser(session, iso(1))).toBeUndefined();

        const tokenId = uid('tok');
        const tokenHash = uid('th');
        await store.insertApiToken(tokenId, a.id, tokenHash, iso(0));
        expect(await store.apiTokenUser(tokenHash)).toEqual(a);
        expect(await store.revokeApiToken(tokenId, b.id, iso(1))).toBe(false);
        expect(await store.revokeApiToken(tokenId, a.id, iso(1))).toBe(true);
        expect(await store.revokeApiToken(tokenId, a.id, iso(2))).toBe(false);
        expect(await store.apiTokenUser(tokenHash)).toBeUndefined();
      });

      it('posts balanced ledger transactions and reads balances and entries', async () => {
        const [a, b, c] = [uid('acct'), uid('acct'), uid('acct')];
        const m = uid('mkt');
        await store.ensureAccount(a);
        await store.ensureAccount(a);
        expect(await store.balanceOf(a)).toBe(0);
        const t1 = await store.post({ kind: 'grant', ref: 'r1', at: iso(1) }, [
          { account: a, amountCents: -1000 },
          { account: b, amountCents: 1000 },
        ]);
        // One account twice in a transaction, and a zero entry (not written).
        const t2 = await store.transaction((tx) =>
          tx.post({ kind: 'trade', marketId: m, ref: 'r2', at: iso(2) }, [
            { account: b, amountCents: -300 },
            { account: a, amountCents: 100 },
            { account: c, amountCents: 0 },
            { account: a, amountCents: 200 },
          ]),
        );
        const t3 = await store.post({ kind: 'payout', marketId: m, at: iso(3) }, [
          { account: a, amountCents: -50 },
          { account: b, amountCents: 50 },
        ]);
        expect(Number.isInteger(t1)).toBe(true);
        expect(t2).toBeGreaterThan(t1);
        expect(t3).toBeGreaterThan(t2);
        expect(await store.balanceOf(a)).toBe(-750);
        expect(await store.balanceOf(b)).toBe(750);
        expect(await store.balanceOf(c)).toBe(0);
        expect(await store.transaction((tx) => tx.balanceForUpdate(b))).toBe(750);
        expect(await store.transaction((tx) => tx.balanceForUpdate('missing'))).toBe(0);
        expect([...(await store.balancesOf([b, 'missing', a]))]).toEqual([
          [b, 750],
          ['missing', 0],
          [a, -750],
        ]);
        expect(await store.receivedOfKind(b, 'grant')).toBe(1000);
        expect(await store.receivedOfKind(a, 'trade')).toBe(300);
        expect(await store.receivedOfKind(a, 'nothing')).toBe(0);
        expect(await store.ledgerTotal()).toBe(0);
        expect(await store.ledgerEntriesOfMarket(m, ['trade'])).toEqual([
          { txId: t2, account: b, amountCents: -300, kind: 'trade', ref: 'r2' },
          { txId: t2, account: a, amountCents: 100, kind: 'trade', ref: 'r2' },
          { txId: t2, account: a, amountCents: 200, kind: 'trade', ref: 'r2' },
        ]);
        const both = await store.ledgerEntriesOfMarket(m, ['trade', 'payout']);
        expect(both.map((e) => [e.txId, e.amountCents, e.ref])).toEqual([
          [t3, -50, null],
          [t3, 50, null],
          [t2, -300, 'r2'],
          [t2, 100, 'r2'],
          [t2, 200, 'r2'],
        ]);
        expect(await store.ledgerEntriesOfMarket(m, ['grant'])).toEqual([]);
      });

      it('refuses unbalanced and non-integer ledger transactions and writes nothing', async () => {
        const [a, b] = [uid('acct'), uid('acct')];
        const m = uid('mkt');
        await expect(
          store.post({ kind: 'x', marketId: m, at: iso(1) }, [
            { account: a, amountCents: -100 },
            { account: b, amountCents: 99 },
          ]),
        ).rejects.toThrow(/unbalanced/);
        await expect(
          store.post({ kind: 'x', marketId: m, at: iso(1) }, [
            { account: a, amountCents: 0.5 },
            { account: b, amountCents: -0.5 },
          ]),
        ).rejects.toThrow(/non-integer/);
        await expect(
          store.transaction((tx) =>
            tx.post({ kind: 'x', marketId: m, at: iso(1) }, [
              { account: a, amountCents: Number.NaN },
              { account: b, amountCents: 1 },
            ]),
          ),
        ).rejects.toThrow(/non-integer/);
        expect(await store.balanceOf(a)).toBe(0);
        expect(await store.balanceOf(b)).toBe(0);
        expect(await store.ledgerEntriesOfMarket(m, ['x'])).toEqual([]);
        expect(await store.ledgerTotal()).toBe(0);
      });

      it('stores markets, their state and history', async () => {
        const creator = user();
        await store.insertUser(creator);
        // Same created_at for m2 and m3: ordered by id within it.
        const m1 = market({ closesAt: '2001-01-01T00:00:00.000Z', createdAt: iso(1) });
        const m2 = market({ createdAt: iso(5), createdBy: creator.id, type: 'multiple' });
        const m3 = market({
          createdAt: iso(5),
          status: 'closed',
          closedAt: iso(6),
          claims: [
            {
              who: 'A. Pundit',
              said: 'surely',
              source: 'https://example.com',
              date: '2030-01-01',
              outcomeId: 'yes',
              probability: 0.9,
            },
          ],
        });
        for (const m of [m1, m2, m3]) await store.insertMarket(m);
        expect(await store.market(m1.id)).toEqual(m1);
        expect(await store.market(m3.id)).toEqual(m3);
        expect(await store.market('missing')).toBeUndefined();
        expect(await store.transaction((tx) => tx.marketForUpdate(m2.id))).toEqual(m2);
        expect(await store.transaction((tx) => tx.marketForUpdate('missing'))).toBeUndefined();
        const ours = (ms: MarketRow[]) => ms.filter((m) => [m1.id, m2.id, m3.id].includes(m.id));
        expect(ours(await store.markets('all'))).toEqual([m2, m3, m1]);
        expect(ours(await store.markets('open'))).toEqual([m2, m1]);
        expect(ours(await store.markets('closed'))).toEqual([m3]);

        expect(await store.overdueMarkets('2001-06-01T00:00:00.000Z')).toEqual([m1.id]);
        expect(await store.nextCloseAt()).toBe(m1.closesAt);
        const resolved = {
          id: m1.id,
          q: [12.5, -0.000123456789012345],
          status: 'resolved' as const,
          closedAt: iso(7),
          volumeCents: 4321,
          seq: 9,
          resolution: { outcomeId: 'yes', resolvedAt: iso(8), note: 'it rained', knownAt: null },
        };
        await store.saveMarketState(resolved);
        expect(await store.market(m1.id)).toEqual({ ...m1, ...resolved });
        expect(await store.overdueMarkets('2001-06-01T00:00:00.000Z')).toEqual([]);
        await store.saveMarketState({ ...resolved, status: 'cancelled', resolution: null });
        expect((await store.market(m1.id))?.resolution).toBeNull();

        await store.appendHistory(m2.id, 2, iso(20), [0.25, 0.75]);
        await store.appendHistory(m2.id, 1, iso(10), [0.1 + 0.2, 0.7]);
        await store.appendHistory(m2.id, 3, iso(30), [1 / 3, 2 / 3]);
        expect(await store.history(m2.id)).toEqual([
          { t: iso(10), probabilities: [0.1 + 0.2, 0.7] },
          { t: iso(20), probabilities: [0.25, 0.75] },
          { t: iso(30), probabilities: [1 / 3, 2 / 3] },
        ]);
        expect(await store.history('missing')).toEqual([]);
        await expect(store.appendHistory(m2.id, 2, iso(40), [0.5, 0.5])).rejects.toThrow();
      });

      it('upserts positions and lists them in order', async () => {
        const [u1, u2] = [user(), user()];
        const [ma, mb] = [market(), market()];
        for (const u of [u1, u2]) await store.insertUser(u);
        for (const m of [ma, mb]) await store.insertMarket(m);
        const p = (u: UserRow, m: MarketRow, o: string, shares: number, costCents: number) => ({
          userId: u.id,
          marketId: m.id,
          outcomeId: o,
          shares,
          costCents,
        });
        await store.savePosition(p(u1, mb, 'yes', 1 / 3, 33));
        await store.savePosition(p(u1, ma, 'no', 2, 120));
        await store.savePosition(p(u1, ma, 'yes', 1, 50));
        await store.savePosition(p(u2, ma, 'yes', 4, 200));
        await store.transaction((tx) => tx.savePosition(p(u1, ma, 'yes', 0.1 + 0.2, 80)));
        expect(await store.position(u1.id, ma.id, 'yes')).toEqual(p(u1, ma, 'yes', 0.1 + 0.2, 80));
        expect(await store.position(u1.id, ma.id, 'maybe')).toBeUndefined();
        const byOutcome = (a: { outcomeId: string }, b: { outcomeId: string }) =>
          a.outcomeId < b.outcomeId ? -1 : 1;
        expect((await store.positionsOfUserInMarket(u1.id, ma.id)).sort(byOutcome)).toEqual([
          p(u1, ma, 'no', 2, 120),
          p(u1, ma, 'yes', 0.1 + 0.2, 80),
        ]);
        expect(await store.positionsOfUser(u1.id)).toEqual([
          p(u1, ma, 'no', 2, 120),
          p(u1, ma, 'yes', 0.1 + 0.2, 80),
          p(u1, mb, 'yes', 1 / 3, 33),
        ]);
        expect(await store.positionsOfMarket(ma.id)).toEqual([
          p(u1, ma, 'no', 2, 120),
          p(u1, ma, 'yes', 0.1 + 0.2, 80),
          p(u2, ma, 'yes', 4, 200),
        ]);
      });

      it('records trades, unique per user and idempotency key', async () => {
        const [u1, u2] = [user(), user()];
        const m = market();
        for (const u of [u1, u2]) await store.insertUser(u);
        await store.insertMarket(m);
        const ledgerTx = await store.post({ kind: 'trade', marketId: m.id, at: iso(1) }, []);
        const before = await store.tradeCount();
        const row = (u: UserRow, key: string | null, shares: number) => ({
          marketId: m.id,
          userId: u.id,
          outcomeId: 'yes',
          shares,
          costCents: 57,
          probabilities: [0.1 + 0.2, 0.7],
          createdAt: iso(2),
          idempotencyKey: key,
        });
        const id1 = await store.insertTrade(row(u1, 'k1', 1.5), ledgerTx);
        const id2 = await store.insertTrade(row(u1, null, -0.25), ledgerTx);
        const id3 = await store.insertTrade(row(u1, null, 2), ledgerTx);
        const id4 = await store.insertTrade(row(u2, 'k1', 3), ledgerTx);
        expect([id2 - id1, id3 - id2, id4 - id3].every((d) => d > 0)).toBe(true);
        const t1 = { id: id1, username: u1.username, ...row(u1, 'k1', 1.5) };
        expect(await store.trade(id1)).toEqual(t1);
        expect(await store.trade(id2)).toEqual({
          id: id2,
          username: u1.username,
          ...row(u1, null, -0.25),
        });
        expect(await store.trade(-1)).toBeUndefined();
        expect(await store.tradeByIdempotencyKey(u1.id, 'k1')).toEqual(t1);
        expect((await store.tradeByIdempotencyKey(u2.id, 'k1'))?.id).toBe(id4);
        expect(await store.tradeByIdempotencyKey(u1.id, 'k2')).toBeUndefined();
        await expect(store.insertTrade(row(u1, 'k1', 9), ledgerTx)).rejects.toThrow();
        await expect(
          store.transaction((tx) => tx.insertTrade(row(u1, 'k1', 9), ledgerTx)),
        ).rejects.toThrow();
        expect((await store.trades(m.id, 2)).map((t) => t.id)).toEqual([id4, id3]);
        expect((await store.trades(m.id, 10)).map((t) => t.id)).toEqual([id4, id3, id2, id1]);
        expect(await store.tradeCount()).toBe(before + 4);
      });

      it('posts a trade and its ledger transaction together, or neither', async () => {
        const u = user();
        const m = market();
        await store.insertUser(u);
        await store.insertMarket(m);
        const trade = {
          marketId: m.id,
          userId: u.id,
          outcomeId: 'yes',
          shares: 2.5,
          costCents: 140,
          probabilities: [0.55, 0.45],
          createdAt: iso(3),
          idempotencyKey: 'pt-1',
        };
        const entries = [
          { account: `user:${u.id}`, amountCents: -140 },
          { account: `market:${m.id}`, amountCents: 140 },
        ];
        const { ledgerTxId, tradeId } = await store.transaction((tx) =>
          tx.postTrade({ kind: 'trade', marketId: m.id, ref: u.id, at: iso(3) }, entries, trade),
        );
        expect(await store.trade(tradeId)).toEqual({ id: tradeId, username: u.username, ...trade });
        expect(await store.balanceOf(`user:${u.id}`)).toBe(-140);
        expect(await store.balanceOf(`market:${m.id}`)).toBe(140);
        const posted = await store.ledgerEntriesOfMarket(m.id, ['trade']);
        expect(posted.map((e) => [e.txId, e.account, e.amountCents])).toEqual([
          [ledgerTxId, `user:${u.id}`, -140],
          [ledgerTxId, `market:${m.id}`, 140],
        ]);
        // The same idempotency key again: the trade row is refused, and its money with it.
        const count = await store.tradeCount();
        await expect(
          store.transaction((tx) =>
            tx.postTrade({ kind: 'trade', marketId: m.id, at: iso(4) }, entries, trade),
          ),
        ).rejects.toThrow();
        expect(await store.tradeCount()).toBe(count);
        expect(await store.balanceOf(`user:${u.id}`)).toBe(-140);
        // Unbalanced: refused before anything is written.
        await expect(
          store.postTrade({ kind: 'trade', marketId: m.id, at: iso(5) }, entries.slice(0, 1), {
            ...trade,
            idempotencyKey: 'pt-2',
          }),
        ).rejects.toThrow(/unbalanced/);
        expect(await store.tradeCount()).toBe(count);
      });

      it('lists forecasts by market and user, oldest or newest first', async () => {
        const [u1, u2] = [user(), user()];
        const [ma, mb] = [market(), market()];
        for (const u of [u1, u2]) await store.insertUser(u);
        for (const m of [ma, mb]) await store.insertMarket(m);
        const f = (u: UserRow, m: MarketRow, comment: string | null, s: number) => ({
          marketId: m.id,
          userId: u.id,
          probabilities: [1 / 3, 2 / 3],
          comment,
          createdAt: iso(s),
        });
        const id1 = await store.insertForecast(f(u1, ma, 'first', 1));
        const id2 = await store.insertForecast(f(u1, mb, null, 2));
        const id3 = await store.insertForecast(f(u2, ma, 'other', 3));
        const view = (id: number, u: UserRow, row: ReturnType<typeof f>) => ({
          id,
          username: u.username,
          ...row,
        });
        expect(await store.forecast(id2)).toEqual(view(id2, u1, f(u1, mb, null, 2)));
        expect(await store.forecast(-1)).toBeUndefined();
        expect((await store.forecastsOfMarket(ma.id)).map((x) => x.id)).toEqual([id1, id3]);
        expect(await store.forecastsOfUser(u1.id)).toEqual([
          view(id1, u1, f(u1, ma, 'first', 1)),
          view(id2, u1, f(u1, mb, null, 2)),
        ]);
        expect((await store.recentForecastsOfUser(u1.id, 1)).map((x) => x.id)).toEqual([id2]);
        expect((await store.recentForecastsOfUser(u1.id, 5)).map((x) => x.id)).toEqual([id2, id1]);
      });

      it('keeps the audit log newest first', async () => {
        const m = uid('mkt');
        await store.insertAudit({
          at: iso(1),
          actor: 'a',
          action: 'one',
          marketId: m,
          detail: { n: 1 },
        });
        await store.insertAudit({
          at: iso(2),
          actor: 'b',
          action: 'two',
          marketId: null,
          detail: undefined,
        });
        await store.insertAudit({
          at: iso(3),
          actor: 'c',
          action: 'three',
          marketId: null,
          detail: { nested: { list: [1, 'x', null] } },
        });
        const all = await store.audit(3);
        expect(all.map(({ id: _, ...e }) => e)).toEqual([
          {
            at: iso(3),
            actor: 'c',
            action: 'three',
            marketId: null,
            detail: { nested: { list: [1, 'x', null] } },
          },
          { at: iso(2), actor: 'b', action: 'two', marketId: null, detail: {} },
          { at: iso(1), actor: 'a', action: 'one', marketId: m, detail: { n: 1 } },
        ]);
        expect((await store.audit(1)).map((a) => a.action)).toEqual(['three']);
        // Paging: the ids fall, and `beforeId` starts after one.
        const ids = all.map((e) => e.id!);
        expect(ids[0]! > ids[1]! && ids[1]! > ids[2]!).toBe(true);
        expect((await store.audit(5, ids[0])).map((a) => a.action)).toEqual(['two', 'one']);
        expect((await store.audit(5, ids[2])).every((e) => e.id! < ids[2]!)).toBe(true);
      });

      it('sets meta keys and claims them once', async () => {
        const [k1, k2] = [uid('meta'), uid('meta')];
        expect(await store.getMeta(k1)).toBeUndefined();
        await store.setMeta(k1, 'v1');
        expect(await store.getMeta(k1)).toBe('v1');
        await store.setMeta(k1, 'v2');
        expect(await store.getMeta(k1)).toBe('v2');
        expect(await store.claimMeta(k1, 'v3')).toBe(false);
        expect(await store.getMeta(k1)).toBe('v2');
        expect(await store.claimMeta(k2, 'a')).toBe(true);
        expect(await store.transaction((tx) => tx.claimMeta(k2, 'b'))).toBe(false);
        expect(await store.getMeta(k2)).toBe('a');
      });

      const webhook = (over: Partial<WebhookRow> = {}): WebhookRow => ({
        id: uid('wh'),
        kind: 'slack',
        url: 'https://hooks.example.com/x',
        mode: 'post',
        events: ['created', 'moved'],
        minMove: 0.05,
        marketIds: null,
        secret: 'shh',
        createdAt: iso(0),
        spaceId: null,
        ...over,
      });

      it('creates, lists and deletes webhooks, with their rows going too', async () => {
        const m = market();
        await store.insertMarket(m);
        const w1 = webhook({ createdAt: iso(2) });
        const w2 = webhook({ kind: 'discord', mode: 'live', marketIds: [m.id], createdAt: iso(1) });
        await store.insertWebhook(w1);
        await store.insertWebhook(w2);
        expect(await store.webhook(w1.id)).toEqual(w1);
        expect(await store.webhook(w2.id)).toEqual(w2);
        expect(await store.webhook('missing')).toBeUndefined();
        expect((await store.webhooks()).filter((w) => w.id === w1.id || w.id === w2.id)).toEqual([
          w2,
          w1,
        ]);
        const d = await store.enqueue({
          webhookId: w1.id,
          marketId: m.id,
          event: 'created',
          live: false,
          payload: {},
          nextAttemptAt: iso(0),
          createdAt: iso(0),
        });
        await store.saveMarketPost({
          webhookId: w1.id,
          marketId: m.id,
          probabilities: [0.5, 0.5],
          postedAt: null,
        });
        await store.saveLiveMessage({
          webhookId: w1.id,
          marketId: m.id,
          messageId: 'msg',
          channel: null,
          seq: 1,
          sentAt: iso(0),
        });
        expect(await store.deleteWebhook(w1.id)).toBe(true);
        expect(await store.deleteWebhook(w1.id)).toBe(false);
        expect(await store.webhook(w1.id)).toBeUndefined();
        expect(await store.delivery(d)).toBeUndefined();
        expect(await store.marketPost(w1.id, m.id)).toBeUndefined();
        expect(await store.liveMessage(w1.id, m.id)).toBeUndefined();
        expect(await store.deleteWebhook(w2.id)).toBe(true);
      });

      it('runs the delivery outbox: enqueue, claim with leases, attempts, postpone, skip, prune', async () => {
        const m = market();
        await store.insertMarket(m);
        const wa = webhook();
        const wb = webhook({ kind: 'discord' });
        await store.insertWebhook(wa);
        await store.insertWebhook(wb);
        const nd = (w: WebhookRow, over: Partial<NewDelivery>): NewDelivery => ({
          webhookId: w.id,
          marketId: m.id,
          event: 'moved',
          live: false,
          payload: { from: [0.1 + 0.2, 0.7] },
          nextAttemptAt: iso(10),
          createdAt: iso(0),
          ...over,
        });
        const a1 = await store.enqueue(nd(wa, {}));
        const a2 = await store.enqueue(
          nd(wa, {
            event: 'created',
            live: true,
            payload: {},
            nextAttemptAt: iso(11),
            createdAt: iso(1),
          }),
        );
        const b1 = await store.enqueue(
          nd(wb, { event: 'closing', payload: { hours: 24 }, createdAt: iso(2) }),
        );
        const a3 = await store.enqueue(
          nd(wa, { event: 'resolved', nextAttemptAt: iso(100), createdAt: iso(3) }),
        );
        expect(await store.delivery(a1)).toEqual({
          id: a1,
          webhookId: wa.id,
          marketId: m.id,
          event: 'moved',
          live: false,
          payload: { from: [0.1 + 0.2, 0.7] },
          status: 'pending',
          attempts: 0,
          nextAttemptAt: iso(10),
          lastError: null,
          lastStatus: null,
          createdAt: iso(0),
          updatedAt: iso(0),
          deliveredAt: null,
        });
        expect(await store.delivery(-1)).toBeUndefined();
        expect((await store.openDelivery(wa.id, m.id, { live: true }))?.id).toBe(a2);
        expect((await store.openDelivery(wa.id, m.id, { live: false, event: 'moved' }))?.id).toBe(
          a1,
        );
        expect(
          await store.openDelivery(wa.id, m.id, { live: false, event: 'closing' }),
        ).toBeUndefined();
        expect((await store.dueDeliveries(iso(20), 10)).map((d) => d.id)).toEqual([a1, b1, a2]);
        expect((await store.dueDeliveries(iso(20), 1)).map((d) => d.id)).toEqual([a1]);
        expect(await store.nextDueAt()).toBe(iso(10));

        // One row per webhook, oldest first; the lease is on the row returned.
        const first = await store.claimDeliveries(iso(20), 10, iso(50));
        expect(first.map((d) => d.id)).toEqual([a1, b1]);
        expect(first[0]).toEqual(await store.delivery(a1));
        // A webhook with a leased row gets nothing more; leased rows are not claimed again.
        expect(await store.claimDeliveries(iso(20), 10, iso(50))).toEqual([]);
        expect((await store.dueDeliveries(iso(20), 10)).map((d) => d.id)).toEqual([a1, b1, a2]);

        await store.recordAttempt(a1, { status: 'delivered', at: iso(21), httpStatus: 200 });
        expect(await store.delivery(a1)).toMatchObject({
          status: 'delivered',
          attempts: 1,
          nextAttemptAt: null,
          lastError: null,
          lastStatus: 200,
          updatedAt: iso(21),
          deliveredAt: iso(21),
        });
        // The attempt ended a1's lease: wa's next row is claimable; b1 is still leased.
        expect((await store.claimDeliveries(iso(22), 10, iso(60))).map((d) => d.id)).toEqual([a2]);
        // b1's lease expired at 50: claimable again; a2's runs to 60.
        expect((await store.claimDeliveries(iso(55), 10, iso(90))).map((d) => d.id)).toEqual([b1]);
        await store.recordAttempt(b1, {
          status: 'retrying',
          at: iso(56),
          nextAttemptAt: iso(70),
          error: 'HTTP 500',
          httpStatus: 500,
        });
        expect(await store.delivery(b1)).toMatchObject({
          status: 'retrying',
          attempts: 1,
          nextAttemptAt: iso(70),
          lastError: 'HTTP 500',
          lastStatus: 500,
          deliveredAt: null,
        });
        await store.postpone(a2, iso(80), iso(57));
        expect(await store.delivery(a2)).toMatchObject({
          nextAttemptAt: iso(80),
          updatedAt: iso(57),
          attempts: 0,
        });
        expect(await store.nextDueAt()).toBe(iso(70));
        // Both leases ended (attempt, postpone): both rows claimable, in due order.
        expect((await store.claimDeliveries(iso(81), 10, iso(95))).map((d) => d.id)).toEqual([
          b1,
          a2,
        ]);
        await store.skip(a2, 'market closed', iso(82));
        expect(await store.delivery(a2)).toMatchObject({
          status: 'skipped',
          nextAttemptAt: null,
          lastError: 'market closed',
          updatedAt: iso(82),
          attempts: 0,
        });
        await store.recordAttempt(b1, {
          status: 'failed',
          at: iso(83),
          error: 'gone',
          httpStatus: null,
        });
        expect(await store.delivery(b1)).toMatchObject({
          status: 'failed',
          attempts: 2,
          nextAttemptAt: null,
          lastError: 'gone',
          lastStatus: null,
        });
        // postpone leaves finished rows alone.
        await store.postpone(a1, iso(99), iso(84));
        expect(await store.delivery(a1)).toMatchObject({ nextAttemptAt: null, updatedAt: iso(21) });

        const listed = await store.deliveries({ limit: 10, webhookId: wa.id });
        expect(listed.map((d) => [d.id, d.kind])).toEqual([
          [a3, 'slack'],
          [a2, 'slack'],
          [a1, 'slack'],
        ]);
        expect(listed[2]).toEqual({ ...(await store.delivery(a1)), kind: 'slack' });
        expect(
          (await store.deliveries({ limit: 10, status: 'failed', webhookId: wb.id })).map((d) => [
            d.id,
            d.kind,
          ]),
        ).toEqual([[b1, 'discord']]);
        expect(
          (await store.deliveries({ limit: 10, status: 'pending', webhookId: wa.id })).map(
            (d) => d.id,
          ),
        ).toEqual([a3]);
        expect((await store.deliveries({ limit: 2 })).map((d) => d.id)).toEqual([a3, b1]);

        expect(await store.pruneDeliveries(iso(83))).toBe(2);
        expect(await store.delivery(a1)).toBeUndefined();
        expect(await store.delivery(a2)).toBeUndefined();
        expect(await store.pruneDeliveries(iso(84))).toBe(1);
        expect((await store.delivery(a3))?.status).toBe('pending');
        await store.deleteWebhook(wa.id);
        await store.deleteWebhook(wb.id);
        expect(await store.nextDueAt()).toBeUndefined();
      });

      it('claims deliveries inside a caller transaction too', async () => {
        const m = market();
        await store.insertMarket(m);
        const w = webhook();
        await store.insertWebhook(w);
        const d = await store.enqueue({
          webhookId: w.id,
          marketId: m.id,
          event: 'created',
          live: false,
          payload: { a: 1 },
          nextAttemptAt: iso(1),
          createdAt: iso(0),
        });
        const claimed = await store.transaction((tx) => tx.claimDeliveries(iso(2), 5, iso(9)));
        expect(claimed.map((x) => x.id)).toEqual([d]);
        expect(await store.claimDeliveries(iso(3), 5, iso(9))).toEqual([]);
        await store.deleteWebhook(w.id);
      });

      it('gives each due row to one of many concurrent claimers, one row per webhook', async () => {
        const m = market();
        await store.insertMarket(m);
        const hooks = [webhook(), webhook(), webhook()];
        const firsts: number[] = [];
        for (const w of hooks) {
          await store.insertWebhook(w);
          for (const s of [1, 2]) {
            const id = await store.enqueue({
              webhookId: w.id,
              marketId: m.id,
              event: 'moved',
              live: false,
              payload: {},
              nextAttemptAt: iso(s),
              createdAt: iso(0),
            });
            if (s === 1) firsts.push(id);
          }
        }
        const claims = await Promise.all(
          Array.from({ length: 6 }, () => store.claimDeliveries(iso(5), 10, iso(30))),
        );
        const ids = claims.flat().map((d) => d.id);
        expect(ids.sort((a, b) => a - b)).toEqual(firsts);
        for (const w of hooks) await store.deleteWebhook(w.id);
      });

      it('saves what was posted per market and the live message', async () => {
        const m = market();
        await store.insertMarket(m);
        const w = webhook({ mode: 'live' });
        await store.insertWebhook(w);
        expect(await store.marketPost(w.id, m.id)).toBeUndefined();
        const post = {
          webhookId: w.id,
          marketId: m.id,
          probabilities: [0.1 + 0.2, 0.7],
          postedAt: null,
        };
        await store.saveMarketPost(post);
        expect(await store.marketPost(w.id, m.id)).toEqual(post);
        const again = { ...post, probabilities: [1 / 3, 2 / 3], postedAt: iso(5) };
        await store.saveMarketPost(again);
        expect(await store.marketPost(w.id, m.id)).toEqual(again);

        expect(await store.liveMessage(w.id, m.id)).toBeUndefined();
        const msg = {
          webhookId: w.id,
          marketId: m.id,
          messageId: '1234',
          channel: null,
          seq: 3,
          sentAt: iso(1),
        };
        await store.saveLiveMessage(msg);
        expect(await store.liveMessage(w.id, m.id)).toEqual(msg);
        const edited = { ...msg, messageId: '1234.5678', channel: 'C42', seq: 4, sentAt: iso(2) };
        await store.saveLiveMessage(edited);
        expect(await store.liveMessage(w.id, m.id)).toEqual(edited);
        await store.deleteLiveMessage(w.id, m.id);
        expect(await store.liveMessage(w.id, m.id)).toBeUndefined();
        await store.deleteWebhook(w.id);
      });

      it('finds probabilities before a seq and as of a time', async () => {
        const m = market();
        await store.insertMarket(m);
        const [p1, p2, p4] = [
          [0.5, 0.5],
          [0.1 + 0.2, 0.7],
          [1 / 3, 2 / 3],
        ];
        await store.appendHistory(m.id, 1, iso(10), p1);
        await store.appendHistory(m.id, 2, iso(20), p2);
        await store.appendHistory(m.id, 4, iso(40), p4);
        expect(await store.probabilitiesBefore(m.id, 1)).toBeUndefined();
        expect(await store.probabilitiesBefore(m.id, 2)).toEqual(p1);
        expect(await store.probabilitiesBefore(m.id, 3)).toEqual(p2);
        expect(await store.probabilitiesBefore(m.id, 5)).toEqual(p4);
        expect(await store.probabilitiesBefore('missing', 3)).toBeUndefined();
        expect(await store.probabilitiesAsOf(m.id, iso(5))).toEqual(p1);
        expect(await store.probabilitiesAsOf(m.id, iso(10))).toEqual(p1);
        expect(await store.probabilitiesAsOf(m.id, iso(25))).toEqual(p2);
        expect(await store.probabilitiesAsOf(m.id, iso(99))).toEqual(p4);
        expect(await store.probabilitiesAsOf('missing', iso(99))).toBeUndefined();
      });

      it('finds markets closing without a notice and records notices once', async () => {
        const base = uid('cm');
        const mk = (suffix: string, closesAt: string, status: MarketRow['status'] = 'open') =>
          market({ id: `${base}_${suffix}`, closesAt, status });
        const c1 = mk('a', iso(1100));
        const c2 = mk('b', iso(1100));
        const c3 = mk('c', iso(1200));
        const closed = mk('d', iso(1150), 'closed');
        const atNow = mk('e', iso(1050));
        const later = mk('f', iso(1201));
        for (const m of [c3, c2, c1, closed, atNow, later]) await store.insertMarket(m);
        expect(await store.marketsClosingWithoutNotice(iso(1050), iso(1200), 24)).toEqual([
          c1.id,
          c2.id,
          c3.id,
        ]);
        expect(await store.recordClosingNotice(c1.id, 24, iso(1060))).toBe(true);
        expect(await store.recordClosingNotice(c1.id, 24, iso(1061))).toBe(false);
        expect(await store.transaction((tx) => tx.recordClosingNotice(c2.id, 24, iso(1060)))).toBe(
          true,
        );
        expect(await store.marketsClosingWithoutNotice(iso(1050), iso(1200), 24)).toEqual([c3.id]);
        expect(await store.marketsClosingWithoutNotice(iso(1050), iso(1200), 1)).toEqual([
          c1.id,
          c2.id,
          c3.id,
        ]);
        for (const m of [c1, c2, c3, atNow, later])
          await store.saveMarketState({ ...m, status: 'closed' });
      });

      it('rolls back everything a transaction wrote when it throws', async () => {
        const u = user();
        const m = market();
        const key = uid('meta');
        const acct = uid('acct');
        const boom = new Error('boom');
        const auditBefore = await store.audit(1);
        await expect(
          store.transaction(async (tx) => {
            await tx.insertUser(u);
            await tx.insertMarket(m);
            await tx.post({ kind: 'grant', ref: u.id, at: iso(1) }, [
              { account: 'house_rollback', amountCents: -500 },
              { account: acct, amountCents: 500 },
            ]);
            await tx.setMeta(key, 'v');
            await tx.insertAudit({
              at: iso(1),
              actor: u.id,
              action: 'x',
              marketId: m.id,
              detail: {},
            });
            // A transaction sees its own writes.
            expect(await tx.userById(u.id)).toEqual(u);
            expect(await tx.balanceOf(acct)).toBe(500);
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect(await store.userById(u.id)).toBeUndefined();
        expect(await store.market(m.id)).toBeUndefined();
        expect(await store.getMeta(key)).toBeUndefined();
        expect(await store.balanceOf(acct)).toBe(0);
        expect(await store.balanceOf('house_rollback')).toBe(0);
        expect(await store.audit(1)).toEqual(auditBefore);
        expect(await store.ledgerTotal()).toBe(0);

        // A domain error arrives unchanged; the transactions beside it commit.
        const refused = new DomainError('conflict', 'no');
        const [k1, k2] = [uid('meta'), uid('meta')];
        const results = await Promise.allSettled([
          store.transaction(async (tx) => {
            await tx.setMeta(k1, 'one');
            return 1;
          }),
          store.transaction(async (tx) => {
            await tx.setMeta(k2, 'two');
            throw refused;
          }),
          store.transaction(async (tx) => (await tx.getMeta(k1)) ?? 'none'),
        ]);
        expect(results[0]).toEqual({ status: 'fulfilled', value: 1 });
        expect(results[1]).toEqual({ status: 'rejected', reason: refused });
        expect(results[2]?.status).toBe('fulfilled');
        expect(await store.getMeta(k1)).toBe('one');
        expect(await store.getMeta(k2)).toBeUndefined();
      });

      it('answers reads issued together in a transaction, each with its own rows', async () => {
        const u = user();
        const m = market();
        await store.insertUser(u);
        const [none, , , got] = await store.transaction(async (tx) => {
          const before = tx.market(m.id);
          await tx.insertMarket(m);
          await tx.setMeta(`seen_${m.id}`, 'yes');
          return Promise.all([
            before,
            tx.savePosition({
              userId: u.id,
              marketId: m.id,
              outcomeId: 'no',
              shares: 2,
              costCents: 3,
            }),
            tx.appendHistory(m.id, 1, iso(1), [0.5, 0.5]),
            Promise.all([
              tx.market(m.id),
              tx.userById(u.id),
              tx.getMeta(`seen_${m.id}`),
              tx.history(m.id),
            ]),
          ]);
        });
        expect(none).toBeUndefined();
        expect(got).toEqual([m, u, 'yes', [{ t: iso(1), probabilities: [0.5, 0.5] }]]);
        expect((await store.position(u.id, m.id, 'no'))?.shares).toBe(2);
      });

      it('fails a transaction with the error of a failed write, wherever it surfaces', async () => {
        const m = market();
        await store.insertMarket(m);
        await store.appendHistory(m.id, 1, iso(1), [0.5, 0.5]);
        const key = uid('meta');
        // A duplicate history point, followed by a read.
        const dup = await store
          .transaction(async (tx) => {
            await tx.setMeta(key, 'v');
            await tx.appendHistory(m.id, 1, iso(2), [0.4, 0.6]);
            return tx.getMeta(key);
          })
          .catch((e: unknown) => e);
        expect(dup).toBeInstanceOf(Error);
        expect((dup as Error).message).toMatch(/unique|duplicate/i);
        // A write to a market that does not exist, as the last statement before the commit.
        const fk = await store
          .transaction(async (tx) => {
            await tx.setMeta(key, 'v');
            await tx.savePosition({
              userId: 'nobody',
              marketId: 'nowhere',
              outcomeId: 'yes',
              shares: 1,
              costCents: 1,
            });
          })
          .catch((e: unknown) => e);
        expect((fk as Error).message).toMatch(/foreign key/i);
        expect(await store.getMeta(key)).toBeUndefined();
        expect(await store.history(m.id)).toEqual([{ t: iso(1), probabilities: [0.5, 0.5] }]);
      });

      it('serialises read-modify-writes of one market under marketForUpdate (no lost update)', async () => {
        const m = market({ q: [0, 0], seq: 0 });
        await store.insertMarket(m);
        await Promise.all(
          Array.from({ length: 20 }, () =>
            store.transaction(async (tx) => {
              const cur = (await tx.marketForUpdate(m.id))!;
              // Widen the window between read and write.
              await new Promise((r) => setTimeout(r, 2));
              await tx.saveMarketState({ ...cur, seq: cur.seq + 1, q: [cur.q[0]! + 1, cur.q[1]!] });
            }),
          ),
        );
        const after = (await store.market(m.id))!;
        expect(after.seq).toBe(20);
        expect(after.q).toEqual([20, 0]);
      });

      it('never spends the same cents twice under balanceForUpdate', async () => {
        const [from, to] = [uid('acct'), uid('acct')];
        await store.post({ kind: 'grant', at: iso(0) }, [
          { account: 'house_spend', amountCents: -10 },
          { account: from, amountCents: 10 },
        ]);
        const spent = await Promise.all(
          Array.from({ length: 25 }, () =>
            store.transaction(async (tx) => {
              const balance = await tx.balanceForUpdate(from);
              await new Promise((r) => setTimeout(r, 1));
              if (balance < 1) return false;
              await tx.post({ kind: 'spend', at: iso(1) }, [
                { account: from, amountCents: -1 },
                { account: to, amountCents: 1 },
              ]);
              return true;
            }),
          ),
        );
        expect(spent.filter(Boolean)).toHaveLength(10);
        expect(await store.balanceOf(from)).toBe(0);
        expect(await store.balanceOf(to)).toBe(10);
        expect(await store.ledgerTotal()).toBe(0);
      });

      describe('chat', () => {
        type NewLinkCode = Omit<LinkCodeRow, 'usedAt'>;
        const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
        const code = (over: Partial<NewLinkCode> = {}): NewLinkCode => ({
          codeHash: uid('code'),
          platform: 'slack',
          teamId: uid('T'),
          externalUserId: uid('U'),
          externalName: 'Zoë "the" Forecaster',
          createdAt: iso(0),
          expiresAt: iso(600),
          ...over,
        });
        const link = (u: UserRow, over: Partial<ChatLinkRow> = {}): ChatLinkRow => ({
          platform: 'discord',
          teamId: uid('G'),
          externalUserId: uid('D'),
          externalName: 'ünïcødé name',
          userId: u.id,
          createdAt: iso(0),
          ...over,
        });

        it('round-trips a link code, uses it once, and expires it exclusively', async () => {
          const c = code();
          const plain = code({ platform: 'discord', externalName: null });
          await store.insertLinkCode(c);
          await store.transaction((tx) => tx.insertLinkCode(plain));
          expect(await store.linkCode(c.codeHash, iso(1))).toStrictEqual({ ...c, usedAt: null });
          expect(
            await store.transaction((tx) => tx.linkCode(plain.codeHash, iso(1))),
          ).toStrictEqual({ ...plain, usedAt: null });
          expect(await store.linkCode('missing', iso(1))).toBeUndefined();
          expect(await store.useLinkCode('missing', iso(1))).toBeUndefined();
          // A hash is taken once; the code it names is unchanged by the refused insert.
          await expect(store.insertLinkCode({ ...code(), codeHash: c.codeHash })).rejects.toThrow(
            /unique|duplicate/i,
          );
          expect(await store.linkCode(c.codeHash, iso(1))).toStrictEqual({ ...c, usedAt: null });
          // Valid strictly before expiresAt: at it, neither read nor used.
          expect(await store.linkCode(c.codeHash, iso(599))).toStrictEqual({ ...c, usedAt: null });
          expect(await store.linkCode(c.codeHash, iso(600))).toBeUndefined();
          expect(await store.useLinkCode(c.codeHash, iso(600))).toBeUndefined();
          // Used once: the use returns the row as it now is; later uses and reads find nothing.
          expect(await store.useLinkCode(c.codeHash, iso(10))).toStrictEqual({
            ...c,
            usedAt: iso(10),
          });
          expect(await store.useLinkCode(c.codeHash, iso(11))).toBeUndefined();
          expect(
            await store.transaction((tx) => tx.useLinkCode(c.codeHash, iso(12))),
          ).toBeUndefined();
          expect(await store.linkCode(c.codeHash, iso(12))).toBeUndefined();
          // The other code is untouched by all that.
          expect(await store.linkCode(plain.codeHash, iso(12))).toStrictEqual({
            ...plain,
            usedAt: null,
          });
          expect(
            await store.transaction((tx) => tx.useLinkCode(plain.codeHash, iso(20))),
          ).toStrictEqual({ ...plain, usedAt: iso(20) });
        });

        it('gives a link code to one of many concurrent users, and not to a rolled-back one', async () => {
          const c = code();
          await store.insertLinkCode(c);
          const boom = new Error('boom');
          await expect(
            store.transaction(async (tx) => {
              expect((await tx.useLinkCode(c.codeHash, iso(1)))?.usedAt).toBe(iso(1));
              expect(await tx.linkCode(c.codeHash, iso(1))).toBeUndefined();
              throw boom;
            }),
          ).rejects.toBe(boom);
          expect(await store.linkCode(c.codeHash, iso(2))).toStrictEqual({ ...c, usedAt: null });
          const uses = await Promise.all(
            Array.from({ length: 8 }, (_, i) =>
              store.transaction(async (tx) => {
                const used = await tx.useLinkCode(c.codeHash, iso(3 + i));
                await sleep(2);
                return used;
              }),
            ),
          );
          const won = uses.filter((u) => u !== undefined);
          expect(won).toHaveLength(1);
          expect(won[0]).toMatchObject({ codeHash: c.codeHash, usedAt: expect.any(String) });
          expect(await store.linkCode(c.codeHash, iso(3))).toBeUndefined();
        });

        it('links chat identities, moves one to another user, lists and deletes them', async () => {
          const [u1, u2] = [user(), user()];
          for (const u of [u1, u2]) await store.insertUser(u);
          const team = uid('T');
          // Ties on created_at go by platform, team, then external id in byte order ('B' < 'a').
          const l1 = link(u1, {
            platform: 'slack',
            teamId: team,
            externalUserId: 'a_user',
            createdAt: iso(5),
          });
          const l2 = link(u1, {
            platform: 'slack',
            teamId: team,
            externalUserId: 'B_user',
            createdAt: iso(5),
          });
          const l3 = link(u1, { teamId: team, externalName: null, createdAt: iso(5) });
          const l4 = link(u1, { createdAt: iso(1) });
          const l5 = link(u2, { platform: 'slack', createdAt: iso(0) });
          await store.saveChatLink(l1);
          await store.saveChatLink(l2);
          await store.transaction(async (tx) => {
            await tx.saveChatLink(l3);
            await tx.saveChatLink(l4);
          });
          await store.saveChatLink(l5);
          expect(await store.chatLink('slack', team, 'a_user')).toStrictEqual(l1);
          expect(
            await store.transaction((tx) => tx.chatLink(l3.platform, team, l3.externalUserId)),
          ).toStrictEqual(l3);
          expect(await store.chatLink('slack', team, 'A_USER')).toBeUndefined();
          expect(await store.chatLink('discord', team, 'a_user')).toBeUndefined();
          expect(await store.chatLink('slack', 'missing', 'a_user')).toBeUndefined();
          expect(await store.chatLinksOfUser(u1.id)).toStrictEqual([l4, l3, l2, l1]);
          expect(await store.transaction((tx) => tx.chatLinksOfUser(u2.id))).toStrictEqual([l5]);
          expect(await store.chatLinksOfUser('missing')).toStrictEqual([]);
          const ours = (ls: ChatLinkRow[]) =>
            ls.filter((l) => l.userId === u1.id || l.userId === u2.id);
          expect(ours(await store.allChatLinks())).toStrictEqual([l4, l3, l2, l1, l5]);

          // Saving the same identity again rebinds it (name and time too): an upsert, not a second row.
          const moved = { ...l1, userId: u2.id, externalName: 'renamed', createdAt: iso(9) };
          await store.saveChatLink(moved);
          expect(await store.chatLink('slack', team, 'a_user')).toStrictEqual(moved);
          expect(await store.chatLinksOfUser(u1.id)).toStrictEqual([l4, l3, l2]);
          expect(await store.chatLinksOfUser(u2.id)).toStrictEqual([l5, moved]);
          expect(ours(await store.allChatLinks())).toStrictEqual([l4, l3, l2, l5, moved]);
          const back = { ...moved, userId: u1.id, externalName: null, createdAt: iso(2) };
          await store.transaction((tx) => tx.saveChatLink(back));
          expect(await store.chatLinksOfUser(u1.id)).toStrictEqual([l4, back, l3, l2]);
          expect(await store.chatLinksOfUser(u2.id)).toStrictEqual([l5]);

          // Bound only to a user that exists, on a known platform; a refused save changes nothing.
          await expect(store.saveChatLink({ ...l2, userId: 'nobody' })).rejects.toThrow(
            /foreign key/i,
          );
          await expect(
            store.transaction((tx) => tx.saveChatLink(link(u1, { userId: 'nobody' }))),
          ).rejects.toThrow(/foreign key/i);
          await expect(
            store.saveChatLink(link(u1, { platform: 'teams' as ChatPlatform })),
          ).rejects.toThrow(/check constraint/i);
          expect(await store.chatLink('slack', team, 'B_user')).toStrictEqual(l2);
          expect(await store.chatLinksOfUser(u1.id)).toStrictEqual([l4, back, l3, l2]);

          expect(await store.deleteChatLink(l3.platform, team, l3.externalUserId)).toBe(true);
          expect(await store.deleteChatLink(l3.platform, team, l3.externalUserId)).toBe(false);
          expect(await store.deleteChatLink('slack', team, 'A_USER')).toBe(false);
          expect(await store.chatLink(l3.platform, team, l3.externalUserId)).toBeUndefined();
          expect(
            await store.transaction((tx) =>
              tx.deleteChatLink(l4.platform, l4.teamId, l4.externalUserId),
            ),
          ).toBe(true);
          expect(await store.chatLinksOfUser(u1.id)).toStrictEqual([back, l2]);
          expect(ours(await store.allChatLinks())).toStrictEqual([back, l2, l5]);
        });

        it('records a receipt key once, across transactions, and rolls it back with its transaction', async () => {
          const [k1, k2, k3, k4] = [uid('rcpt'), uid('rcpt'), uid('rcpt'), uid('rcpt')];
          expect(await store.recordReceipt(k1, iso(1))).toBe(true);
          expect(await store.recordReceipt(k1, iso(2))).toBe(false);
          expect(await store.transaction((tx) => tx.recordReceipt(k1, iso(3)))).toBe(false);
          expect(
            await store.transaction(async (tx) => [
              await tx.recordReceipt(k2, iso(3)),
              await tx.recordReceipt(k2, iso(4)),
              await tx.recordReceipt(k1, iso(4)),
            ]),
          ).toEqual([true, false, false]);
          expect(await store.recordReceipt(k2, iso(5))).toBe(false);
          const boom = new Error('boom');
          await expect(
            store.transaction(async (tx) => {
              expect(await tx.recordReceipt(k3, iso(5))).toBe(true);
              throw boom;
            }),
          ).rejects.toBe(boom);
          expect(await store.recordReceipt(k3, iso(6))).toBe(true);
          expect(await store.recordReceipt(k3, iso(6))).toBe(false);
          const firsts = await Promise.all(
            Array.from({ length: 8 }, () =>
              store.transaction(async (tx) => {
                const first = await tx.recordReceipt(k4, iso(7));
                await sleep(2);
                return first;
              }),
            ),
          );
          expect(firsts.filter(Boolean)).toHaveLength(1);
        });

        it('prunes receipts before the cutoff and codes expired before now, keeping the rest', async () => {
          // Far before every other chat row of the suite, so that the counts are this test's own.
          const t = (s: number) => iso(-1_000_000 + s);
          const [old1, old2, atCutoff, fresh] = [
            uid('rcpt'),
            uid('rcpt'),
            uid('rcpt'),
            uid('rcpt'),
          ];
          expect(await store.recordReceipt(old1, t(0))).toBe(true);
          expect(await store.recordReceipt(old2, t(99))).toBe(true);
          expect(await store.recordReceipt(atCutoff, t(100))).toBe(true);
          expect(await store.recordReceipt(fresh, t(200))).toBe(true);
          const expired = code({ createdAt: t(0), expiresAt: t(10) });
          const usedExpired = code({ createdAt: t(0), expiresAt: t(20) });
          const expiresNow = code({ createdAt: t(0), expiresAt: t(30) });
          const usedLive = code({ createdAt: t(0), expiresAt: t(1000) });
          const live = code({ platform: 'discord', createdAt: t(0), expiresAt: t(1000) });
          for (const c of [expired, usedExpired, expiresNow, usedLive, live])
            await store.insertLinkCode(c);
          expect((await store.useLinkCode(usedExpired.codeHash, t(5)))?.usedAt).toBe(t(5));
          expect((await store.useLinkCode(usedLive.codeHash, t(5)))?.usedAt).toBe(t(5));

          // Two receipts (before t(100)) and two codes (expired before t(30)).
          expect(await store.pruneChat(t(100), t(30))).toBe(4);
          expect(await store.pruneChat(t(100), t(30))).toBe(0);
          // A pruned receipt counts as new again; a kept one is still a repeat.
          expect(await store.recordReceipt(old1, t(300))).toBe(true);
          expect(await store.recordReceipt(old2, t(300))).toBe(true);
          expect(await store.recordReceipt(atCutoff, t(300))).toBe(false);
          expect(await store.recordReceipt(fresh, t(300))).toBe(false);
          // The live code still works; pruning goes by expiry, not use: kept codes hold their
          // hash (a second insert is refused), pruned ones free it.
          expect(await store.linkCode(live.codeHash, t(40))).toStrictEqual({
            ...live,
            usedAt: null,
          });
          expect(await store.linkCode(expiresNow.codeHash, t(29))).toStrictEqual({
            ...expiresNow,
            usedAt: null,
          });
          for (const kept of [expiresNow, usedLive, live])
            await expect(store.insertLinkCode(kept)).rejects.toThrow(/unique|duplicate/i);
          const again = { ...expired, expiresAt: t(2000) };
          await store.insertLinkCode(again);
          await store.insertLinkCode(usedExpired);
          expect(await store.linkCode(again.codeHash, t(40))).toStrictEqual({
            ...again,
            usedAt: null,
          });
          expect(await store.linkCode(usedExpired.codeHash, t(15))).toStrictEqual({
            ...usedExpired,
            usedAt: null,
          });
          // In a transaction too: the four receipts now before t(301), and usedExpired again.
          expect(await store.transaction((tx) => tx.pruneChat(t(301), t(30)))).toBe(5);
          for (const k of [old1, old2, atCutoff, fresh])
            expect(await store.recordReceipt(k, t(400))).toBe(true);
          expect(await store.linkCode(usedLive.codeHash, t(40))).toBeUndefined();
          expect(await store.linkCode(live.codeHash, t(40))).toStrictEqual({
            ...live,
            usedAt: null,
          });
        });

        it('upserts reminder preferences, the last reminder time included', async () => {
          const [u, other] = [user(), user()];
          for (const x of [u, other]) await store.insertUser(x);
          expect(await store.chatPrefs(u.id)).toBeUndefined();
          expect(await store.chatPrefs('missing')).toBeUndefined();
          const off = { userId: u.id, reminders: false, lastRemindedAt: null };
          await store.saveChatPrefs(off);
          expect(await store.chatPrefs(u.id)).toStrictEqual(off);
          const reminded = { userId: u.id, reminders: true, lastRemindedAt: iso(86_400) };
          await store.transaction((tx) => tx.saveChatPrefs(reminded));
          expect(await store.chatPrefs(u.id)).toStrictEqual(reminded);
          expect(await store.transaction((tx) => tx.chatPrefs(u.id))).toStrictEqual(reminded);
          const cleared = { ...reminded, lastRemindedAt: null };
          await store.saveChatPrefs(cleared);
          expect(await store.chatPrefs(u.id)).toStrictEqual(cleared);
          const offAfter = { userId: u.id, reminders: false, lastRemindedAt: iso(2 * 86_400) };
          await store.saveChatPrefs(offAfter);
          expect(await store.chatPrefs(u.id)).toStrictEqual(offAfter);
          expect(await store.chatPrefs(other.id)).toBeUndefined();
          await expect(
            store.saveChatPrefs({ userId: 'nobody', reminders: true, lastRemindedAt: null }),
          ).rejects.toThrow(/foreign key/i);
          await expect(
            store.transaction((tx) =>
              tx.saveChatPrefs({ userId: 'nobody', reminders: true, lastRemindedAt: null }),
            ),
          ).rejects.toThrow(/foreign key/i);
          expect(await store.chatPrefs('nobody')).toBeUndefined();
        });

        it('sees its own chat writes in a transaction and rolls them all back', async () => {
          const u = user();
          await store.insertUser(u);
          const c = code();
          const l = link(u);
          const key = uid('rcpt');
          const prefs = { userId: u.id, reminders: false, lastRemindedAt: iso(1) };
          const boom = new Error('boom');
          await expect(
            store.transaction(async (tx) => {
              await tx.insertLinkCode(c);
              await tx.saveChatLink(l);
              await tx.saveChatPrefs(prefs);
              expect(await tx.recordReceipt(key, iso(1))).toBe(true);
              expect(await tx.linkCode(c.codeHash, iso(1))).toStrictEqual({ ...c, usedAt: null });
              expect(await tx.chatLink(l.platform, l.teamId, l.externalUserId)).toStrictEqual(l);
              expect(await tx.chatLinksOfUser(u.id)).toStrictEqual([l]);
              expect(await tx.chatPrefs(u.id)).toStrictEqual(prefs);
              throw boom;
            }),
          ).rejects.toBe(boom);
          expect(await store.linkCode(c.codeHash, iso(1))).toBeUndefined();
          expect(await store.chatLink(l.platform, l.teamId, l.externalUserId)).toBeUndefined();
          expect(await store.chatLinksOfUser(u.id)).toStrictEqual([]);
          expect(await store.chatPrefs(u.id)).toBeUndefined();
          expect(await store.recordReceipt(key, iso(2))).toBe(true);
        });
      });

      describe('spaces', () => {
        type NewSpace = Omit<SpaceRow, 'members'>;
        type NewProposal = Omit<ProposalRow, 'proposer'>;
        const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
        const space = (creator: UserRow, over: Partial<NewSpace> = {}): NewSpace => ({
          id: uid('sp'),
          name: 'Team "Zoë" — ünïcødé',
          visibility: 'private',
          createdBy: creator.id,
          createdAt: iso(0),
          ...over,
        });
        const join = (
          s: NewSpace,
          u: UserRow,
          role: SpaceRole,
          s2: number,
        ): Omit<MemberRow, 'username'> => ({
          spaceId: s.id,
          userId: u.id,
          role,
          joinedAt: iso(s2),
        });
        const asMember = (m: Omit<MemberRow, 'username'>, u: UserRow): MemberRow => ({
          ...m,
          username: u.username,
        });
        const invite = (
          s: NewSpace,
          creator: UserRow,
          over: Partial<Omit<InviteRow, 'uses'>> = {},
        ): Omit<InviteRow, 'uses'> => ({
          tokenHash: uid('inv'),
          spaceId: s.id,
          role: 'member',
          createdBy: creator.id,
          createdAt: iso(0),
          expiresAt: iso(100),
          maxUses: 2,
          ...over,
        });
        const proposal = (proposer: UserRow, over: Partial<NewProposal> = {}): NewProposal => ({
          id: uid('pr'),
          proposerId: proposer.id,
          status: 'pending',
          question: 'Will it snow in "June"?',
          normalized: 'will it snow in june',
          description: 'Quotes "and" back\\slashes, ünïcødé',
          criteria: 'The Met Office says so',
          type: 'binary',
          outcomes: ['Yes', 'No'],
          closesAt: FAR,
          spaceId: null,
          sources: ['https://example.com/a?b=1&c=2'],
          marketId: null,
          reason: null,
          createdAt: iso(1),
          updatedAt: iso(1),
          decidedAt: null,
          decidedBy: null,
          ...over,
        });
        const asProposal = (p: NewProposal, u: UserRow): ProposalRow => ({
          ...p,
          proposer: u.username,
        });

        it('stores spaces and reads them with their member counts', async () => {
          const [owner, other] = [user(), user()];
          for (const u of [owner, other]) await store.insertUser(u);
          // Far after every other space of the suite: allSpaces lists ours last, oldest first,
          // ties on created_at in id byte order ('B' < 'a').
          const t = (s: number) => iso(2_000_000 + s);
          const base = uid('sp');
          const a = space(owner, { id: `${base}_a`, createdAt: t(5), visibility: 'public' });
          const b = space(owner, { id: `${base}_B`, createdAt: t(5) });
          const c = space(other, { id: `${base}_0`, createdAt: t(9), name: 'x' });
          await store.insertSpace(c);
          await store.insertSpace(a);
          await store.transaction((tx) => tx.insertSpace(b));
          expect(await store.space(a.id)).toStrictEqual({ ...a, members: 0 });
          expect(await store.transaction((tx) => tx.space(b.id))).toStrictEqual({
            ...b,
            members: 0,
          });
          expect(await store.space('missing')).toBeUndefined();

          await store.saveMember(join(a, owner, 'owner', 6));
          await store.saveMember(join(a, other, 'member', 7));
          await store.saveMember(join(c, other, 'owner', 10));
          expect(await store.space(a.id)).toStrictEqual({ ...a, members: 2 });
          expect(await store.space(c.id)).toStrictEqual({ ...c, members: 1 });
          const ours = (ss: SpaceRow[]) => ss.filter((s) => s.id.startsWith(base));
          expect(ours(await store.allSpaces())).toStrictEqual([
            { ...b, members: 0 },
            { ...a, members: 2 },
            { ...c, members: 1 },
          ]);

          // An id is taken once; a space names a user who exists and a known visibility.
          await expect(store.insertSpace({ ...space(owner), id: a.id })).rejects.toThrow(
            /unique|duplicate/i,
          );
          await expect(store.insertSpace(space(owner, { createdBy: 'nobody' }))).rejects.toThrow(
            /foreign key/i,
          );
          await expect(
            store.insertSpace(space(owner, { visibility: 'secret' as SpaceVisibility })),
          ).rejects.toThrow(/check constraint/i);
          expect(await store.space(a.id)).toStrictEqual({ ...a, members: 2 });
        });

        it("lists a user's spaces in join order with their roles, and their memberships", async () => {
          const [u, other] = [user(), user()];
          for (const x of [u, other]) await store.insertUser(x);
          const base = uid('sp');
          const a = space(other, { id: `${base}_a`, createdAt: iso(1) });
          const b = space(other, { id: `${base}_B`, createdAt: iso(2), visibility: 'public' });
          const c = space(other, { id: `${base}_c`, createdAt: iso(3) });
          const d = space(other, { id: `${base}_d`, createdAt: iso(4) });
          for (const s of [a, b, c, d]) await store.insertSpace(s);
          for (const s of [a, b, c, d]) await store.saveMember(join(s, other, 'owner', 0));
          // Joined c first; a and b at one moment (then by space id: 'B' < 'a'); never d.
          await store.saveMember(join(c, u, 'member', 20));
          await store.saveMember(join(a, u, 'moderator', 30));
          await store.transaction((tx) => tx.saveMember(join(b, u, 'owner', 30)));
          expect(await store.spacesOfUser(u.id)).toStrictEqual([
            { ...c, members: 2, role: 'member' },
            { ...b, members: 2, role: 'owner' },
            { ...a, members: 2, role: 'moderator' },
          ]);
          expect(
            (await store.transaction((tx) => tx.spacesOfUser(other.id))).map((s) => s.id),
          ).toStrictEqual([a.id, b.id, c.id, d.id].sort());
          expect(await store.spacesOfUser('missing')).toStrictEqual([]);

          // membershipsOf promises no order: compared sorted.
          const bySpace = (x: { spaceId: string }, y: { spaceId: string }) =>
            x.spaceId < y.spaceId ? -1 : 1;
          expect((await store.membershipsOf(u.id)).sort(bySpace)).toStrictEqual([
            { spaceId: b.id, role: 'owner' },
            { spaceId: a.id, role: 'moderator' },
            { spaceId: c.id, role: 'member' },
          ]);
          expect(
            (await store.transaction((tx) => tx.membershipsOf(u.id))).sort(bySpace),
          ).toStrictEqual((await store.membershipsOf(u.id)).sort(bySpace));
          expect(await store.membershipsOf('missing')).toStrictEqual([]);
        });

        it('orders members owners first, then moderators, then by join time, and upserts only the role', async () => {
          const creator = user();
          const [o1, o2, mod, m1, m2, m3] = [user(), user(), user(), user(), user(), user()];
          for (const u of [creator, o1, o2, mod, m1, m2, m3]) await store.insertUser(u);
          const s = space(creator);
          const elsewhere = space(creator);
          await store.insertSpace(s);
          await store.insertSpace(elsewhere);
          const rows = {
            o1: join(s, o1, 'owner', 50),
            o2: join(s, o2, 'owner', 10),
            mod: join(s, mod, 'moderator', 5),
            m1: join(s, m1, 'member', 1),
            // m2 and m3 joined at one moment: then by username (m2's sorts first).
            m2: join(s, m2, 'member', 2),
            m3: join(s, m3, 'member', 2),
          };
          for (const r of [rows.m3, rows.o1, rows.m1, rows.mod, rows.m2, rows.o2])
            await store.saveMember(r);
          await store.saveMember(join(elsewhere, m1, 'owner', 0));
          expect(await store.membersOf(s.id)).toStrictEqual([
            asMember(rows.o2, o2),
            asMember(rows.o1, o1),
            asMember(rows.mod, mod),
            asMember(rows.m1, m1),
            asMember(rows.m2, m2),
            asMember(rows.m3, m3),
          ]);
          expect(await store.membersOf('missing')).toStrictEqual([]);
          expect(await store.member(s.id, m1.id)).toStrictEqual(asMember(rows.m1, m1));
          expect(await store.transaction((tx) => tx.member(s.id, mod.id))).toStrictEqual(
            asMember(rows.mod, mod),
          );
          expect(await store.member(s.id, creator.id)).toBeUndefined();
          expect(await store.member('missing', m1.id)).toBeUndefined();

          // Saving a member again changes the role; the join time stays the first one.
          await store.saveMember({ ...rows.m1, role: 'owner', joinedAt: iso(999) });
          await store.transaction((tx) =>
            tx.saveMember({ ...rows.o1, role: 'member', joinedAt: iso(0) }),
          );
          expect(await store.member(s.id, m1.id)).toStrictEqual({
            ...asMember(rows.m1, m1),
            role: 'owner',
          });
          expect(await store.member(elsewhere.id, m1.id)).toStrictEqual(
            asMember(join(elsewhere, m1, 'owner', 0), m1),
          );
          expect((await store.membersOf(s.id)).map((m) => [m.username, m.role])).toStrictEqual([
            [m1.username, 'owner'],
            [o2.username, 'owner'],
            [mod.username, 'moderator'],
            [m2.username, 'member'],
            [m3.username, 'member'],
            [o1.username, 'member'],
          ]);
          expect((await store.space(s.id))?.members).toBe(6);

          expect(await store.deleteMember(s.id, m2.id)).toBe(true);
          expect(await store.deleteMember(s.id, m2.id)).toBe(false);
          expect(await store.transaction((tx) => tx.deleteMember(s.id, m3.id))).toBe(true);
          expect(await store.deleteMember('missing', m1.id)).toBe(false);
          expect(await store.deleteMember(s.id, 'missing')).toBe(false);
          expect(await store.member(s.id, m2.id)).toBeUndefined();
          expect((await store.space(s.id))?.members).toBe(4);
          expect(await store.member(elsewhere.id, m1.id)).toBeDefined();

          // A member is a user who exists, of a space that exists, in a known role.
          await expect(store.saveMember({ ...rows.m2, userId: 'nobody' })).rejects.toThrow(
            /foreign key/i,
          );
          await expect(store.saveMember({ ...rows.m2, spaceId: 'nowhere' })).rejects.toThrow(
            /foreign key/i,
          );
          await expect(
            store.saveMember({ ...rows.m2, role: 'admin' as SpaceRole }),
          ).rejects.toThrow(/check constraint/i);
          expect(await store.member(s.id, m2.id)).toBeUndefined();
        });

        it('hides expired and used-up invites and counts each use', async () => {
          const creator = user();
          await store.insertUser(creator);
          const s = space(creator);
          await store.insertSpace(s);
          const limited = invite(s, creator);
          const open = invite(s, creator, { role: 'moderator', expiresAt: null, maxUses: null });
          const once = invite(s, creator, { expiresAt: iso(50), maxUses: 1 });
          await store.insertInvite(limited);
          await store.insertInvite(open);
          await store.transaction((tx) => tx.insertInvite(once));
          expect(await store.invite(limited.tokenHash, iso(1))).toStrictEqual({
            ...limited,
            uses: 0,
          });
          expect(await store.transaction((tx) => tx.invite(open.tokenHash, FAR))).toStrictEqual({
            ...open,
            uses: 0,
          });
          expect(await store.invite('missing', iso(1))).toBeUndefined();
          expect(await store.spendInvite('missing', iso(1))).toBeUndefined();
          // Usable strictly before expiresAt: at it, neither read nor spent.
          expect(await store.invite(limited.tokenHash, iso(99))).toBeDefined();
          expect(await store.invite(limited.tokenHash, iso(100))).toBeUndefined();
          expect(await store.spendInvite(limited.tokenHash, iso(100))).toBeUndefined();

          // Each use counts; the use returns the row as it now is; used up, it is gone.
          expect(await store.spendInvite(limited.tokenHash, iso(2))).toStrictEqual({
            ...limited,
            uses: 1,
          });
          expect(await store.invite(limited.tokenHash, iso(3))).toStrictEqual({
            ...limited,
            uses: 1,
          });
          expect(
            await store.transaction((tx) => tx.spendInvite(limited.tokenHash, iso(3))),
          ).toStrictEqual({ ...limited, uses: 2 });
          expect(await store.spendInvite(limited.tokenHash, iso(4))).toBeUndefined();
          expect(await store.invite(limited.tokenHash, iso(4))).toBeUndefined();

          // Without limits: any number of uses, any time.
          for (let i = 1; i <= 3; i++) {
            expect((await store.spendInvite(open.tokenHash, iso(i)))?.uses).toBe(i);
          }
          expect(await store.invite(open.tokenHash, FAR)).toStrictEqual({ ...open, uses: 3 });

          // A spend rolled back with its transaction leaves the use unspent.
          const boom = new Error('boom');
          await expect(
            store.transaction(async (tx) => {
              expect((await tx.spendInvite(once.tokenHash, iso(5)))?.uses).toBe(1);
              expect(await tx.invite(once.tokenHash, iso(5))).toBeUndefined();
              throw boom;
            }),
          ).rejects.toBe(boom);
          expect(await store.invite(once.tokenHash, iso(6))).toStrictEqual({ ...once, uses: 0 });
          // Expired before it was used.
          expect(await store.spendInvite(once.tokenHash, iso(50))).toBeUndefined();
          expect(await store.invite(once.tokenHash, iso(49))).toStrictEqual({ ...once, uses: 0 });

          // A hash is taken once; an invite names a space and user that exist, a known role.
          await expect(
            store.insertInvite({ ...invite(s, creator), tokenHash: open.tokenHash }),
          ).rejects.toThrow(/unique|duplicate/i);
          await expect(
            store.insertInvite(invite(s, creator, { spaceId: 'nowhere' })),
          ).rejects.toThrow(/foreign key/i);
          await expect(
            store.insertInvite(invite(s, creator, { role: 'owner' as 'member' })),
          ).rejects.toThrow(/check constraint/i);
          expect(await store.invite(open.tokenHash, FAR)).toStrictEqual({ ...open, uses: 3 });
        });

        it('gives the last use of an invite to exactly one of two concurrent transactions', async () => {
          const creator = user();
          await store.insertUser(creator);
          const s = space(creator);
          await store.insertSpace(s);
          const spend = (hash: string, at: string) =>
            store.transaction(async (tx) => {
              const used = await tx.spendInvite(hash, at);
              // Hold the transaction open, so that the two overlap.
              await sleep(5);
              return used;
            });
          const one = invite(s, creator, { maxUses: 1 });
          await store.insertInvite(one);
          const both = await Promise.all([
            spend(one.tokenHash, iso(1)),
            spend(one.tokenHash, iso(2)),
          ]);
          const won = both.filter((u) => u !== undefined);
          expect(won).toHaveLength(1);
          expect(won[0]).toStrictEqual({ ...one, uses: 1 });
          expect(await store.invite(one.tokenHash, iso(3))).toBeUndefined();

          // Three uses among eight at once: three win, and the count stops at three.
          const three = invite(s, creator, { maxUses: 3 });
          await store.insertInvite(three);
          const eight = await Promise.all(
            Array.from({ length: 8 }, (_, i) => spend(three.tokenHash, iso(1 + i))),
          );
          const uses = eight.flatMap((u) => (u ? [u.uses] : [])).sort();
          expect(uses).toStrictEqual([1, 2, 3]);
          expect(await store.invite(three.tokenHash, iso(10))).toBeUndefined();
          expect(await store.spendInvite(three.tokenHash, iso(10))).toBeUndefined();
        });

        it('stores proposals and saves their edits and decisions', async () => {
          const [proposer, reviewer] = [user(), user()];
          for (const u of [proposer, reviewer]) await store.insertUser(u);
          const s = space(reviewer);
          await store.insertSpace(s);
          const m = market({ spaceId: s.id });
          await store.insertMarket(m);
          const p = proposal(proposer);
          const multi = proposal(proposer, {
            type: 'multiple',
            outcomes: ['Red', 'Grün', 'Blue "sky"'],
            spaceId: s.id,
            sources: [],
            description: '',
          });
          await store.insertProposal(p);
          await store.transaction((tx) => tx.insertProposal(multi));
          expect(await store.proposal(p.id)).toStrictEqual(asProposal(p, proposer));
          expect(await store.transaction((tx) => tx.proposal(multi.id))).toStrictEqual(
            asProposal(multi, proposer),
          );
          expect(await store.proposal('missing')).toBeUndefined();

          const editedP: NewProposal = {
            ...p,
            question: 'Will it snow in July?',
            normalized: 'will it snow in july',
            description: 'edited',
            criteria: 'edited criteria',
            closesAt: iso(5000),
            sources: ['https://example.com/1', 'https://example.com/2'],
            updatedAt: iso(2),
          };
          await store.saveProposal(editedP);
          expect(await store.proposal(p.id)).toStrictEqual(asProposal(editedP, proposer));
          const approved: NewProposal = {
            ...multi,
            status: 'approved',
            type: 'binary',
            outcomes: ['Yes', 'No'],
            marketId: m.id,
            updatedAt: iso(3),
            decidedAt: iso(3),
            decidedBy: reviewer.username,
          };
          await store.transaction((tx) => tx.saveProposal(approved));
          expect(await store.proposal(multi.id)).toStrictEqual(asProposal(approved, proposer));
          const rejected: NewProposal = {
            ...editedP,
            status: 'rejected',
            reason: 'a duplicate of "another" one',
            updatedAt: iso(4),
            decidedAt: iso(4),
            decidedBy: reviewer.username,
          };
          await store.saveProposal(rejected);
          expect(await store.proposal(p.id)).toStrictEqual(asProposal(rejected, proposer));

          // A proposal names a user, space and market that exist, and a known status.
          await expect(
            store.insertProposal(proposal(proposer, { proposerId: 'nobody' })),
          ).rejects.toThrow(/foreign key/i);
          await expect(
            store.insertProposal(proposal(proposer, { spaceId: 'nowhere' })),
          ).rejects.toThrow(/foreign key/i);
          await expect(
            store.insertProposal(proposal(proposer, { status: 'draft' as ProposalStatus })),
          ).rejects.toThrow(/check constraint/i);
          await expect(store.insertProposal({ ...proposal(proposer), id: p.id })).rejects.toThrow(
            /unique|duplicate/i,
          );
          await expect(store.saveProposal({ ...rejected, marketId: 'nowhere' })).rejects.toThrow(
            /foreign key/i,
          );
          expect(await store.proposal(p.id)).toStrictEqual(asProposal(rejected, proposer));
        });

        it('lists proposals newest first, by status or all, and finds pending duplicates', async () => {
          const [a, b] = [user(), user()];
          for (const u of [a, b]) await store.insertUser(u);
          // Far after every other proposal of the suite: the newest of all are ours.
          const t = (s: number) => iso(3_000_000 + s);
          const base = uid('pr');
          const same = `same question ${base}`;
          const p1 = proposal(a, { id: `${base}_1`, createdAt: t(1), normalized: same });
          // p2 and p3 at one moment: the larger id first ('a' > 'B').
          const p2 = proposal(b, { id: `${base}_B`, createdAt: t(2), normalized: same });
          const p3 = proposal(a, {
            id: `${base}_a`,
            createdAt: t(2),
            status: 'rejected',
            normalized: same,
            reason: 'no',
            decidedAt: t(3),
            decidedBy: b.username,
          });
          const p4 = proposal(b, { id: `${base}_4`, createdAt: t(4), status: 'pending' });
          for (const p of [p3, p1, p4, p2]) await store.insertProposal(p);
          const [v1, v2, v3, v4] = [
            asProposal(p1, a),
            asProposal(p2, b),
            asProposal(p3, a),
            asProposal(p4, b),
          ];
          expect(await store.proposals(undefined, 3)).toStrictEqual([v4, v3, v2]);
          expect(await store.transaction((tx) => tx.proposals(undefined, 4))).toStrictEqual([
            v4,
            v3,
            v2,
            v1,
          ]);
          expect(await store.proposals('pending', 3)).toStrictEqual([v4, v2, v1]);
          expect(await store.proposals('rejected', 1)).toStrictEqual([v3]);
          const ours = (ps: ProposalRow[]) => ps.filter((p) => p.id.startsWith(base));
          expect(ours(await store.proposals('approved', 1000))).toStrictEqual([]);

          // Pending only, oldest first; the normalised text must match exactly.
          expect(await store.pendingProposalsLike(same)).toStrictEqual([v1, v2]);
          expect(await store.transaction((tx) => tx.pendingProposalsLike(same))).toStrictEqual([
            v1,
            v2,
          ]);
          expect(await store.pendingProposalsLike(`${same} `)).toStrictEqual([]);
          expect(await store.pendingProposalsLike(same.toUpperCase())).toStrictEqual([]);
          await store.saveProposal({ ...p1, status: 'approved', decidedAt: t(5) });
          expect(await store.pendingProposalsLike(same)).toStrictEqual([v2]);
        });

        it('lists the proposals a caller may see: all, or their own and those of the spaces they review', async () => {
          const [a, b] = [user(), user()];
          for (const u of [a, b]) await store.insertUser(u);
          const [s1, s2, s3] = [space(b), space(b), space(b)];
          for (const s of [s1, s2, s3]) await store.insertSpace(s);
          // Far after every other proposal of the suite: the newest of all are ours.
          const t = (s: number) => iso(4_000_000 + s);
          const pA = proposal(a, { createdAt: t(1) });
          const pB = proposal(b, { createdAt: t(2) });
          const pS1 = proposal(b, { createdAt: t(3), spaceId: s1.id, status: 'rejected' });
          const pS2 = proposal(b, { createdAt: t(4), spaceId: s2.id });
          const pAS2 = proposal(a, { createdAt: t(5), spaceId: s2.id });
          const pS3 = proposal(b, { createdAt: t(6), spaceId: s3.id });
          for (const p of [pS2, pA, pAS2, pB, pS3, pS1]) await store.insertProposal(p);
          const [vA, vB, vS1, vS2, vAS2, vS3] = [
            asProposal(pA, a),
            asProposal(pB, b),
            asProposal(pS1, b),
            asProposal(pS2, b),
            asProposal(pAS2, a),
            asProposal(pS3, b),
          ];
          const own = { all: false, proposerId: a.id, spaceIds: [] };
          expect(await store.proposalsFor(own, 10)).toStrictEqual([vAS2, vA]);
          expect(await store.proposalsFor(own, 1)).toStrictEqual([vAS2]);
          expect(await store.proposalsFor({ ...own, spaceIds: [s1.id] }, 10)).toStrictEqual([
            vAS2,
            vS1,
            vA,
          ]);
          expect(
            await store.transaction((tx) =>
              tx.proposalsFor({ ...own, spaceIds: [s1.id], status: 'pending' }, 10),
            ),
          ).toStrictEqual([vAS2, vA]);
          const reviewer = { all: false, proposerId: null, spaceIds: [s1.id, s2.id] };
          expect(await store.proposalsFor(reviewer, 10)).toStrictEqual([vAS2, vS2, vS1]);
          expect(await store.proposalsFor({ ...reviewer, status: 'rejected' }, 10)).toStrictEqual([
            vS1,
          ]);
          expect(
            await store.proposalsFor({ all: false, proposerId: null, spaceIds: [] }, 10),
          ).toStrictEqual([]);
          expect(
            await store.proposalsFor({ all: false, proposerId: 'missing', spaceIds: [] }, 10),
          ).toStrictEqual([]);
          // `all` sees everything, whatever else is asked.
          const everything = { all: true, proposerId: null, spaceIds: [] };
          expect(await store.proposalsFor(everything, 6)).toStrictEqual([
            vS3,
            vAS2,
            vS2,
            vS1,
            vB,
            vA,
          ]);
          expect(
            await store.proposalsFor({ ...everything, proposerId: a.id, status: 'rejected' }, 1),
          ).toStrictEqual([vS1]);
        });

        it('counts the proposals a user made since a time', async () => {
          const [a, b] = [user(), user()];
          for (const u of [a, b]) await store.insertUser(u);
          for (const s of [10, 20, 20, 30]) {
            await store.insertProposal(proposal(a, { createdAt: iso(s), updatedAt: iso(s) }));
          }
          await store.insertProposal(proposal(b, { createdAt: iso(25) }));
          expect(await store.proposalsSince(a.id, iso(0))).toBe(4);
          // At or after `since`.
          expect(await store.proposalsSince(a.id, iso(20))).toBe(3);
          expect(await store.transaction((tx) => tx.proposalsSince(a.id, iso(21)))).toBe(1);
          expect(await store.proposalsSince(a.id, iso(31))).toBe(0);
          expect(await store.proposalsSince(b.id, iso(0))).toBe(1);
          expect(await store.proposalsSince('missing', iso(0))).toBe(0);
        });

        it('serialises read-modify-writes of one proposal under proposalForUpdate', async () => {
          const u = user();
          await store.insertUser(u);
          const p = proposal(u, { sources: [] });
          await store.insertProposal(p);
          expect(await store.transaction((tx) => tx.proposalForUpdate(p.id))).toStrictEqual(
            asProposal(p, u),
          );
          expect(await store.transaction((tx) => tx.proposalForUpdate('missing'))).toBeUndefined();
          await Promise.all(
            Array.from({ length: 10 }, (_, i) =>
              store.transaction(async (tx) => {
                const cur = (await tx.proposalForUpdate(p.id))!;
                // Widen the window between read and write.
                await sleep(2);
                const { proposer: _, ...row } = cur;
                await tx.saveProposal({
                  ...row,
                  sources: [...cur.sources, `https://example.com/${i}`],
                  updatedAt: iso(10 + i),
                });
              }),
            ),
          );
          const after = (await store.proposal(p.id))!;
          expect(after.sources).toHaveLength(10);
          expect(new Set(after.sources).size).toBe(10);
        });

        it('keeps comments in order, threads replies and deletes softly', async () => {
          const [a, b] = [user(), user()];
          for (const u of [a, b]) await store.insertUser(u);
          const [m, other] = [market(), market()];
          for (const x of [m, other]) await store.insertMarket(x);
          const c = (u: UserRow, text: string, replyTo: number | null, s: number) => ({
            marketId: m.id,
            userId: u.id,
            text,
            replyTo,
            createdAt: iso(s),
            // The author's stake as they wrote, kept with the comment (the reply has one).
            position: replyTo === id1Hint ? { outcomeId: 'yes', shares: 12.5 } : null,
            forecast: replyTo === id1Hint ? [0.3, 0.7] : null,
          });
          let id1Hint: number | null = -1;
          const id1 = await store.insertComment(c(a, 'First! <b>bold</b> & "quoted"', null, 1));
          id1Hint = id1;
          const id2 = await store.transaction((tx) =>
            tx.insertComment(c(b, 'A reply — ünïcødé', id1, 2)),
          );
          const elsewhere = await store.insertComment({
            ...c(a, 'on another market', null, 3),
            marketId: other.id,
          });
          // Written earlier than id2 but inserted later: the list goes by id, not time.
          const id3 = await store.insertComment(c(a, 'late', id1, 0));
          expect(Number.isInteger(id1)).toBe(true);
          expect([id2 - id1, elsewhere - id2, id3 - elsewhere].every((d) => d > 0)).toBe(true);
          const view = (id: number, u: UserRow, row: ReturnType<typeof c>): CommentRow => ({
            id,
            username: u.username,
            deletedAt: null,
            ...row,
          });
          const [v1, v2, v3] = [
            view(id1, a, c(a, 'First! <b>bold</b> & "quoted"', null, 1)),
            view(id2, b, c(b, 'A reply — ünïcødé', id1, 2)),
            view(id3, a, c(a, 'late', id1, 0)),
          ];
          expect(await store.comment(id1)).toStrictEqual(v1);
          expect(await store.transaction((tx) => tx.comment(id2))).toStrictEqual(v2);
          expect(await store.comment(-1)).toBeUndefined();
          expect(await store.commentsOfMarket(m.id)).toStrictEqual([v1, v2, v3]);
          expect(await store.transaction((tx) => tx.commentsOfMarket(other.id))).toStrictEqual([
            view(elsewhere, a, { ...c(a, 'on another market', null, 3), marketId: other.id }),
          ]);
          expect(await store.commentsOfMarket('missing')).toStrictEqual([]);

          // Deleted: the text goes, the place in the thread and the replies stay; once only.
          expect(await store.deleteComment(id1, iso(10))).toBe(true);
          expect(await store.deleteComment(id1, iso(11))).toBe(false);
          expect(await store.transaction((tx) => tx.deleteComment(id1, iso(12)))).toBe(false);
          expect(await store.deleteComment(-1, iso(10))).toBe(false);
          const gone = { ...v1, text: '', deletedAt: iso(10) };
          expect(await store.comment(id1)).toStrictEqual(gone);
          expect(await store.commentsOfMarket(m.id)).toStrictEqual([gone, v2, v3]);
          expect(await store.transaction((tx) => tx.deleteComment(id3, iso(13)))).toBe(true);
          expect((await store.comment(id3))?.deletedAt).toBe(iso(13));

          // A comment is on a market that exists, by a user who exists, replying to a comment.
          await expect(
            store.insertComment({ ...c(a, 'x', null, 4), marketId: 'nowhere' }),
          ).rejects.toThrow(/foreign key/i);
          await expect(store.insertComment(c(a, 'x', -5, 4))).rejects.toThrow(/foreign key/i);
          await expect(
            store.transaction((tx) =>
              tx.insertComment({ ...c(a, 'x', null, 4), userId: 'nobody' }),
            ),
          ).rejects.toThrow(/foreign key/i);
          // A comment rolled back with its transaction is not there.
          const boom = new Error('boom');
          let rolledBack = 0;
          await expect(
            store.transaction(async (tx) => {
              rolledBack = await tx.insertComment(c(b, 'never', null, 5));
              expect((await tx.comment(rolledBack))?.text).toBe('never');
              throw boom;
            }),
          ).rejects.toBe(boom);
          expect(await store.comment(rolledBack)).toBeUndefined();
          expect((await store.commentsOfMarket(m.id)).map((x) => x.id)).toStrictEqual([
            id1,
            id2,
            id3,
          ]);
        });

        it('round-trips the space and proposer of markets, the space of webhooks and the scope of API tokens', async () => {
          const u = user();
          await store.insertUser(u);
          const s = space(u);
          await store.insertSpace(s);
          const inSpace = market({ spaceId: s.id, proposedBy: u.username });
          const publicOne = market();
          await store.insertMarket(inSpace);
          await store.transaction((tx) => tx.insertMarket(publicOne));
          expect(await store.market(inSpace.id)).toStrictEqual(inSpace);
          expect(await store.market(publicOne.id)).toStrictEqual(publicOne);
          expect(await store.transaction((tx) => tx.marketForUpdate(inSpace.id))).toStrictEqual(
            inSpace,
          );
          expect(
            (await store.markets('all')).filter(
              (m) => m.id === inSpace.id || m.id === publicOne.id,
            ),
          ).toStrictEqual([inSpace, publicOne]);
          await expect(store.insertMarket(market({ spaceId: 'nowhere' }))).rejects.toThrow(
            /foreign key/i,
          );

          const hook: WebhookRow = {
            id: uid('wh'),
            kind: 'generic',
            url: 'https://hooks.example.com/space',
            mode: 'post',
            events: ['created'],
            minMove: 0.05,
            marketIds: null,
            secret: 'shh',
            createdAt: iso(0),
            spaceId: s.id,
          };
          await store.insertWebhook(hook);
          expect(await store.webhook(hook.id)).toStrictEqual(hook);
          expect((await store.webhooks()).filter((w) => w.id === hook.id)).toStrictEqual([hook]);
          await expect(
            store.insertWebhook({ ...hook, id: uid('wh'), spaceId: 'nowhere' }),
          ).rejects.toThrow(/foreign key/i);
          expect(await store.deleteWebhook(hook.id)).toBe(true);

          const [scoped, plain, explicit] = [uid('th'), uid('th'), uid('th')];
          const scopedId = uid('tok');
          await store.insertApiToken(scopedId, u.id, scoped, iso(0), s.id);
          await store.insertApiToken(uid('tok'), u.id, plain, iso(0));
          await store.transaction((tx) =>
            tx.insertApiToken(uid('tok'), u.id, explicit, iso(0), null),
          );
          expect(await store.apiTokenUser(scoped)).toStrictEqual({ ...u, scopeSpaceId: s.id });
          expect(await store.transaction((tx) => tx.apiTokenUser(scoped))).toStrictEqual({
            ...u,
            scopeSpaceId: s.id,
          });
          // Unscoped: no scopeSpaceId key at all.
          expect(await store.apiTokenUser(plain)).toStrictEqual(u);
          expect(await store.apiTokenUser(explicit)).toStrictEqual(u);
          expect(await store.revokeApiToken(scopedId, u.id, iso(1))).toBe(true);
          expect(await store.apiTokenUser(scoped)).toBeUndefined();
          await expect(
            store.insertApiToken(uid('tok'), u.id, uid('th'), iso(0), 'nowhere'),
          ).rejects.toThrow(/foreign key/i);
        });
      });

      if (engine.name === 'postgres') postgresOnly(() => store);
    },
  );
});

/** What only PostgreSQL has: the schema's own invariants, retries, many nodes, lost connections. */
function postgresOnly(getStore: () => Store): void {
  const pgStore = () => getStore() as PgStore;

  it('enforces double entry in the schema, at commit', async () => {
    const client = await pgStore().pool.connect();
    try {
      await client.query('BEGIN');
      const tx = await client.query(
        "INSERT INTO ledger_tx (kind, created_at) VALUES ('raw', 'now') RETURNING id",
      );
      await client.query('INSERT INTO accounts (id) VALUES ($1) ON CONFLICT DO NOTHING', [
        'raw_acct',
      ]);
      await client.query(
        'INSERT INTO ledger_entries (tx_id, account, amount_cents) VALUES ($1, $2, 5)',
        [tx.rows[0]!.id, 'raw_acct'],
      );
      await expect(client.query('COMMIT')).rejects.toThrow(/unbalanced ledger transaction/);
      await client.query('BEGIN');
      await expect(
        client.query(
          "INSERT INTO ledger_entries (tx_id, account, amount_cents) VALUES (1, 'raw_acct', 0)",
        ),
      ).rejects.toMatchObject({ code: '23514' });
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });

  it('retries a deadlocked transaction and both commit', async () => {
    const store = pgStore();
    const [ma, mb] = [market(), market()];
    await store.insertMarket(ma);
    await store.insertMarket(mb);
    let locked = 0;
    let release!: () => void;
    const bothLocked = new Promise<void>((r) => {
      release = r;
    });
    let runs = 0;
    const cross = (first: MarketRow, second: MarketRow) =>
      store.transaction(async (tx) => {
        runs++;
        await tx.marketForUpdate(first.id);
        if (++locked === 2) release();
        await bothLocked;
        const m = (await tx.marketForUpdate(second.id))!;
        await tx.saveMarketState({ ...m, seq: m.seq + 1 });
      });
    await Promise.all([cross(ma, mb), cross(mb, ma)]);
    // PostgreSQL broke the deadlock by failing one; that one ran again.
    expect(runs).toBe(3);
    expect((await store.market(ma.id))!.seq + (await store.market(mb.id))!.seq).toBe(2);
  });

  it('turns a connection lost mid-transaction into store_unavailable, then recovers', async () => {
    const store = pgStore();
    const m = market();
    await store.insertMarket(m);
    const schema = (await store.pool.query('SELECT current_schema() AS s')).rows[0].s as string;
    await expect(
      store.transaction(async (tx) => {
        await tx.marketForUpdate(m.id);
        // Kill the backend holding this schema's market row lock: ours.
        const killed = await adminQuery(
          `SELECT pg_terminate_backend(l.pid) AS ok FROM pg_locks l
           JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND c.relname = 'markets' AND l.mode = 'RowShareLock'`,
          [schema],
        );
        expect(killed).toEqual([{ ok: true }]);
        await tx.market(m.id);
      }),
    ).rejects.toMatchObject({ code: 'store_unavailable', retryAfterSeconds: 2 });
    expect(await store.market(m.id)).toEqual(m);
    expect(await store.transaction((tx) => tx.market(m.id))).toEqual(m);
  });

  it('survives its idle connections being killed and reconnects', async () => {
    const store = pgStore();
    // Open several pooled connections and learn their backends.
    const pids = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const r = await store.pool.query('SELECT pg_backend_pid() AS pid, pg_sleep(0.05)');
        return r.rows[0].pid as number;
      }),
    );
    expect(store.pool.idleCount).toBeGreaterThan(0);
    await adminQuery('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
    // The pool sees the connections close (an 'error' on each idle client) and drops them.
    await new Promise((r) => setTimeout(r, 200));
    const m = market();
    await store.insertMarket(m);
    expect(await store.transaction((tx) => tx.market(m.id))).toEqual(m);
  });

  it('answers store_unavailable while the database is away, and recovers when it is back', async () => {
    // The database "goes away" behind a TCP proxy we can stop and start again on one port.
    const target = new URL(PG_URL);
    const sockets = new Set<Socket>();
    const proxy = createServer((inbound) => {
      const outbound = connect(Number(target.port || 5432), target.hostname);
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => sockets.delete(s));
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    const listen = (port: number) =>
      new Promise<number>((resolve) =>
        proxy.listen(port, '127.0.0.1', () => resolve((proxy.address() as AddressInfo).port)),
      );
    const port = await listen(0);
    const url = new URL(PG_URL);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    const away = await PgStore.open({
      connectionString: url.toString(),
      schema: PG_SCHEMA,
      max: 2,
    });
    try {
      const users = await away.userCount();
      expect(users).toBeGreaterThan(0);
      await new Promise<void>((r) => {
        proxy.close(() => r());
        for (const s of sockets) s.destroy();
      });
      const unavailable = { code: 'store_unavailable', retryAfterSeconds: 2 };
      await expect(away.userCount()).rejects.toMatchObject(unavailable);
      await expect(away.transaction((tx) => tx.userCount())).rejects.toMatchObject(unavailable);
      await expect(away.claimDeliveries(iso(0), 1, iso(1))).rejects.toMatchObject(unavailable);
      await listen(port);
      expect(await away.userCount()).toBe(users);
      expect(await away.transaction((tx) => tx.userCount())).toBe(users);
    } finally {
      await away.close();
      proxy.close();
      for (const s of sockets) s.destroy();
    }
  });

  it('fails fast with store_unavailable when nothing answers, password hidden', async () => {
    const url = 'postgres://postgres:s3cret@127.0.0.1:1/test';
    const err = await PgStore.open({ connectionString: url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'store_unavailable' });
    expect((err as Error).message).toContain('postgres://postgres:***@127.0.0.1:1/test');
    expect((err as Error).message).not.toContain('s3cret');
    await expect(checkReachable(url)).rejects.toMatchObject({ code: 'store_unavailable' });
  });

  it('migrates once when three nodes open a fresh schema at the same moment', async () => {
    const schema = uniqueSchema('conf_mig');
    try {
      const stores = await Promise.all(
        [1, 2, 3].map(() => PgStore.open({ connectionString: PG_URL, schema, max: 2 })),
      );
      const rows = await adminQuery<{ version: number; n: string }>(
        `SELECT version, COUNT(*) AS n FROM "${schema}".schema_migrations GROUP BY version ORDER BY version`,
      );
      expect(rows).toEqual([
        { version: 1, n: '1' },
        { version: 2, n: '1' },
        { version: 3, n: '1' },
        { version: 4, n: '1' },
        { version: 5, n: '1' },
      ]);
      for (const s of stores) expect(await s.userCount()).toBe(0);
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await dropSchema(schema);
    }
  });

  it('keeps BIGINT parsing to its own pool', async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      expect((await client.query('SELECT 1::bigint AS n')).rows[0].n).toBe('1');
    } finally {
      await client.end();
    }
  });
}
