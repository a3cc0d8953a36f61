import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminClient,
  Client,
  ledgerInvariants,
  startServer,
  type TestServer,
} from '../helpers/server.ts';

let server: TestServer;
let admin: Client;

beforeAll(async () => {
  server = await startServer();
  admin = await adminClient(server.url);
});
afterAll(() => server.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function botTrades(): Promise<any[]> {
  const { markets } = (await admin.get('/api/markets')).body;
  const all = await Promise.all(
    markets.map(
      async (m: any) => (await admin.get(`/api/markets/${m.id}/trades?limit=1000`)).body.trades,
    ),
  );
  return all.flat();
}

describe('live bots', () => {
  it('is off in tests until an admin turns it on', async () => {
    const s = await admin.get('/api/admin/simulation');
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ running: false, seed: 1 });
    expect(await botTrades()).toEqual([]);
  });

  it('trades the open markets as bot accounts through the normal trade path, and stops', async () => {
    const on = await admin.post('/api/admin/simulation', {
      running: true,
      tradesPerMinute: 3000,
      seed: 7,
    });
    expect(on.body).toEqual({ running: true, seed: 7, tradesPerMinute: 3000 });
    await sleep(1500);
    const off = await admin.post('/api/admin/simulation', { running: false });
    expect(off.body.running).toBe(false);
    const trades = await botTrades();
    expect(trades.length).toBeGreaterThan(5);
    expect(trades.every((t) => t.username.startsWith('bot_'))).toBe(true);
    // The article's people trade as themselves.
    const names = new Set(trades.map((t) => t.username));
    expect([...names].some((n) => /musk|tang_jie|stanford|artificial_analysis/.test(n))).toBe(true);
    const bot = await admin.get(`/api/users/${trades[0].username}`);
    expect(bot.status).toBe(200);
    // Bots cannot sign in.
    const login = await new Client(server.url).post('/api/auth/login', {
      username: trades[0].username,
      password: 'password-123',
    });
    expect(login.status).toBe(401);
    await sleep(200);
    const settled = (await botTrades()).length;
    await sleep(300);
    expect((await botTrades()).length).toBe(settled);
    expect(await ledgerInvariants(server.parity)).toMatchObject({
      total: 0,
      negativeUsers: 0,
      negativeMarkets: 0,
    });
    const audit = await admin.get('/api/audit');
    expect(audit.body.entries.some((e: any) => e.action === 'simulation.set')).toBe(true);
  });

  it('refuses bad settings and non-admins', async () => {
    expect((await admin.post('/api/admin/simulation', { running: 'yes' })).status).toBe(400);
    expect(
      (await admin.post('/api/admin/simulation', { running: true, tradesPerMinute: 0 })).status,
    ).toBe(400);
    const trader = new Client(server.url);
    await trader.register('not_admin');
    expect((await trader.get('/api/admin/simulation')).status).toBe(403);
  });
});
