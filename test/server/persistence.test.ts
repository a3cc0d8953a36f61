import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ADMIN,
  adminClient,
  Client,
  ledgerInvariants,
  startServer,
  stateSnapshot,
} from '../helpers/server.ts';

const future = (ms = 30 * 86400_000) => new Date(Date.now() + ms).toISOString();

/** What a restart must keep, read over HTTP. */
async function everything(admin: Client, traders: Client[]) {
  const markets = (await admin.get('/api/markets?status=all')).body.markets;
  const perMarket: Record<string, unknown> = {};
  for (const m of markets) {
    perMarket[m.id] = {
      history: (await admin.get(`/api/markets/${m.id}/history`)).body,
      trades: (await admin.get(`/api/markets/${m.id}/trades?limit=1000`)).body,
      forecasts: (await admin.get(`/api/markets/${m.id}/forecasts`)).body,
    };
  }
  return {
    markets,
    perMarket,
    me: await Promise.all(traders.map(async (t) => (await t.get('/api/me')).body)),
    admin: (await admin.get('/api/me')).body,
    audit: (await admin.get('/api/audit?limit=1000')).body,
    leaderboard: (await admin.get('/api/leaderboard')).body,
    brier: (await admin.get('/api/leaderboard?metric=brier')).body,
    profile: (await admin.get('/api/users/pia')).body,
    scores: (await admin.get('/api/markets/persist-resolved/scores')).body,
  };
}

describe('restart persistence', () => {
  it('keeps users, sessions, tokens, markets, trades, positions, balances and forecasts across a restart', async () => {
    const first = await startServer();
    const dataDir = first.dataDir;
    try {
      const admin = await adminClient(first.url);
      const pia = new Client(first.url);
      await pia.register('pia');
      const quinn = new Client(first.url);
      await quinn.register('quinn');
      const token = (await quinn.post('/api/me/tokens', {})).body.token as string;

      await admin.post('/api/markets', {
        id: 'persist-open',
        question: 'Does it persist?',
        closesAt: future(),
      });
      await admin.post('/api/markets', {
        id: 'persist-multi',
        question: 'Which lab leads?',
        closesAt: future(),
        outcomes: ['Zhipu', 'DeepSeek', 'Other'],
      });
      await admin.post('/api/markets', {
        id: 'persist-resolved',
        question: 'Is it resolved?',
        closesAt: future(),
      });
      await admin.post('/api/markets', {
        id: 'persist-soon',
        question: 'Does it close while down?',
        closesAt: future(2000),
      });

      const t1 = await pia.post('/api/markets/persist-open/trades', {
        outcomeId: 'yes',
        shares: 25,
        idempotencyKey: 'pia-1',
      });
      expect(t1.status).toBe(200);
      await quinn.post('/api/markets/persist-multi/trades', {
        outcomeId: 'deepseek',
        amountCents: 4000,
      });
      await pia.post('/api/markets/persist-resolved/trades', {
        outcomeId: 'yes',
        toProbability: 0.8,
      });
      await quinn.post('/api/markets/persist-resolved/trades', { outcomeId: 'no', shares: 10 });
      await pia.post('/api/markets/persist-resolved/forecasts', {
        probability: 0.9,
        comment: 'sure',
      });
      await quinn.post('/api/markets/persist-resolved/forecasts', { probability: 0.2 });
      await quinn.post('/api/markets/persist-multi/forecasts', { probabilities: [0.2, 0.5, 0.3] });
      await admin.post('/api/markets/persist-resolved/close', { note: 'closing' });
      expect(
        (
          await admin.post('/api/markets/persist-resolved/resolve', {
            outcomeId: 'yes',
            note: 'it did',
          })
        ).status,
      ).toBe(200);

      const before = await everything(admin, [pia, quinn]);
      const counts = await stateSnapshot(first.parity);
      const adminId = before.admin.user.id;
      expect(before.markets.length).toBeGreaterThanOrEqual(12);
      await first.close({ keepData: true });

      // Let persist-soon's close time pass while the server is down.
      await new Promise((r) => setTimeout(r, 2100));
      // A different ADMIN_PASSWORD on the second start must not touch the existing admin.
      const second = await startServer({ dataDir, env: { ADMIN_PASSWORD: 'another-password-9' } });
      try {
        // The same cookies, on the new port: the sessions survived.
        const pia2 = new Client(second.url);
        pia2.cookie = pia.cookie;
        const quinn2 = new Client(second.url);
        quinn2.cookie = quinn.cookie;
        const admin2 = new Client(second.url);
        admin2.cookie = admin.cookie;
        expect((await pia2.get('/api/me')).body.user.username).toBe('pia');

        // The market that closed while the server was down is closed by the start, nothing else moved.
        const soon = (await admin2.get('/api/markets/persist-soon')).body.market;
        expect(soon.status).toBe('closed');
        const after = await everything(admin2, [pia2, quinn2]);
        const soonBefore = before.markets.find((m: any) => m.id === 'persist-soon');
        expect(after.markets.find((m: any) => m.id === 'persist-soon')).toEqual({
          ...soonBefore,
          status: 'closed',
          seq: soonBefore.seq + 1,
        });
        const strip = (x: typeof before) => ({
          ...x,
          markets: x.markets.filter((m: any) => m.id !== 'persist-soon'),
          perMarket: { ...x.perMarket, 'persist-soon': undefined },
          audit: x.audit.entries.filter((e: any) => e.marketId !== 'persist-soon'),
        });
        expect(strip(after)).toEqual(strip(before));

        // Seeds are not inserted twice and the admin is not recreated.
        const countsAfter = await stateSnapshot(second.parity);
        expect(countsAfter.markets).toBe(counts.markets);
        expect(countsAfter.users).toBe(counts.users);
        expect(countsAfter.ledgerTx).toBe(counts.ledgerTx);
        expect(countsAfter.trades).toBe(counts.trades);
        expect(countsAfter.forecasts).toBe(counts.forecasts);
        expect(after.admin.user.id).toBe(adminId);
        expect(second.parity.generatedAdminPassword).toBeUndefined();
        await new Client(second.url).login(ADMIN.username, ADMIN.password);
        const wrong = await new Client(second.url).post('/api/auth/login', {
          username: ADMIN.username,
          password: 'another-password-9',
        });
        expect(wrong.status).toBe(401);

        // The API token still works, and an idempotency key from before the restart still holds.
        const bot = new Client(second.url);
        bot.token = token;
        expect((await bot.get('/api/me')).body.user.username).toBe('quinn');
        const retry = await pia2.post('/api/markets/persist-open/trades', {
          outcomeId: 'yes',
          shares: 25,
          idempotencyKey: 'pia-1',
        });
        expect(retry.body.trade).toEqual(t1.body.trade);
        expect((await stateSnapshot(second.parity)).trades).toBe(counts.trades);

        // Trading goes on from the persisted state: 25 yes then 5 more at b = 100.
        const more = await pia2.post('/api/markets/persist-open/trades', {
          outcomeId: 'yes',
          shares: 5,
        });
        expect(more.status).toBe(200);
        expect(Number(more.body.trade.id)).toBeGreaterThan(Number(t1.body.trade.id));
        expect(more.body.market.outcomes[0].shares).toBe(30);
        expect(await ledgerInvariants(second.parity)).toEqual({
          total: 0,
          negativeUsers: 0,
          negativeMarkets: 0,
        });
      } finally {
        await second.close({ keepData: true });
      }

      // A third start still finds one copy of every seed.
      const third = await startServer({ dataDir });
      try {
        expect((await stateSnapshot(third.parity)).markets).toBe(counts.markets);
      } finally {
        await third.close({ keepData: true });
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
