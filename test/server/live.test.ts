import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveMarkets } from '../../client/src/live/liveClient.ts';
import type {
  ClientToServerEvents,
  MarketUpdate,
  ServerToClientEvents,
  SubscribeAck,
} from '../../shared/schemas/index.ts';
import { adminClient, Client, startServer, type TestServer } from '../helpers/server.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let server: TestServer;
let admin: Client;
const sockets: ClientSocket[] = [];

function connect(opts: { cookie?: string; token?: string } = {}): Promise<ClientSocket> {
  const s: ClientSocket = io(server.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: { origin: server.url, ...(opts.cookie ? { cookie: opts.cookie } : {}) },
    ...(opts.token ? { auth: { token: opts.token } } : {}),
  });
  sockets.push(s);
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

function subscribe(s: ClientSocket, id: unknown): Promise<SubscribeAck> {
  return new Promise((resolve) => s.emit('subscribe', id, resolve));
}

function until(cond: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (cond()) resolve();
      else if (Date.now() - start > ms) reject(new Error('timed out'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

async function newMarket(id: string): Promise<void> {
  const r = await admin.post('/api/markets', {
    question: `Live test ${id}?`,
    id,
    closesAt: new Date(Date.now() + 86400_000).toISOString(),
  });
  expect(r.status).toBe(201);
}

beforeAll(async () => {
  server = await startServer({ env: { SEED: 'off' } });
  admin = await adminClient(server.url);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server.close();
});

describe('live odds over socket.io', () => {
  it('answers subscribe with a snapshot, then sends the next seq with the new odds', async () => {
    await newMarket('live-one');
    const s = await connect();
    const ack = await subscribe(s, 'live-one');
    if (!ack.ok) throw new Error('subscribe failed');
    expect(ack.market.seq).toBe(0);
    const updates: MarketUpdate[] = [];
    s.on('market:update', (u) => updates.push(u));
    const trades: unknown[] = [];
    s.on('trade', (t) => trades.push(t));

    const trader = new Client(server.url);
    await trader.register('live_trader');
    const t = await trader.post('/api/markets/live-one/trades', { outcomeId: 'yes', shares: 10 });
    await until(() => updates.length === 1 && trades.length === 1);
    expect(updates[0]).toMatchObject({ marketId: 'live-one', seq: 1, prevSeq: 0, status: 'open' });
    expect(updates[0]!.probabilities).toEqual(
      t.body.market.outcomes.map((o: any) => o.probability),
    );
  });

  it('coalesces a burst of 200 trades into fewer updates that end on the exact final state', async () => {
    await newMarket('live-burst');
    const s = await connect();
    await subscribe(s, 'live-burst');
    const updates: MarketUpdate[] = [];
    s.on('market:update', (u) => updates.push(u));
    const trader = new Client(server.url);
    await trader.register('burst_trader');
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        trader.post('/api/markets/live-burst/trades', {
          outcomeId: i % 3 ? 'yes' : 'no',
          shares: 1,
        }),
      ),
    );
    const final = (await trader.get('/api/markets/live-burst')).body.market;
    expect(final.seq).toBe(200);
    await until(() => updates.at(-1)?.seq === 200);
    expect(updates.length).toBeLessThan(200);
    expect(updates.at(-1)!.probabilities).toEqual(final.outcomes.map((o: any) => o.probability));
    // Each update names the one before it: no update was lost.
    for (let i = 1; i < updates.length; i++) expect(updates[i]!.prevSeq).toBe(updates[i - 1]!.seq);
  });

  it('sends a balance change only to its owner', async () => {
    await newMarket('live-private');
    const owner = new Client(server.url);
    await owner.register('private_owner');
    const other = new Client(server.url);
    await other.register('private_other');
    const mine = await connect({ cookie: owner.cookie! });
    const theirs = await connect({ cookie: other.cookie! });
    const seen = { mine: 0, theirs: 0 };
    mine.on('me:update', () => seen.mine++);
    theirs.on('me:update', () => seen.theirs++);
    await owner.post('/api/markets/live-private/trades', { outcomeId: 'yes', shares: 1 });
    await until(() => seen.mine === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.theirs).toBe(0);
  });

  it('refuses garbage with an error ack and keeps serving the socket', async () => {
    const s = await connect();
    for (const bad of [42, null, '../etc', { id: 'x' }, 'A'.repeat(500), ['live-one']]) {
      const ack = await subscribe(s, bad);
      expect(ack.ok).toBe(false);
      if (!ack.ok) expect(ack.error.code).toBe('validation_failed');
    }
    const missing = await subscribe(s, 'no-such-market');
    expect(missing).toEqual({
      ok: false,
      error: { code: 'not_found', message: expect.any(String) },
    });
    (s as any).emit('nonsense', { a: 1 });
    s.emit('unsubscribe', { not: 'an id' });
    const ok = await subscribe(s, 'live-one');
    expect(ok.ok).toBe(true);
  });

  it('disconnects a socket that floods events and leaves its neighbours alone', async () => {
    const flooder = await connect();
    const neighbour = await connect();
    const gone = new Promise<string>((r) => flooder.once('disconnect', (reason) => r(reason)));
    for (let i = 0; i < 200; i++) flooder.emit('unsubscribe', 'live-one');
    expect(await gone).toBe('io server disconnect');
    const ack = await subscribe(neighbour, 'live-one');
    expect(ack.ok).toBe(true);
  });

  it('ends on the exact final state after a disconnect in the middle of trading', async () => {
    await newMarket('live-reconnect');
    const s: ClientSocket = io(server.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 50,
      reconnectionDelayMax: 100,
      extraHeaders: { origin: server.url },
    });
    sockets.push(s);
    const reader = new Client(server.url);
    const live = new LiveMarkets(
      s,
      async (id) => (await reader.get(`/api/markets/${id}`)).body.market,
    );
    let latest: any = null;
    live.subscribe('live-reconnect', (m) => {
      latest = m;
    });
    await until(() => latest !== null);
    const trader = new Client(server.url);
    await trader.register('reconnect_trader');
    const trade = (i: number) =>
      trader.post('/api/markets/live-reconnect/trades', {
        outcomeId: i % 2 ? 'yes' : 'no',
        shares: 1 + (i % 5),
      });
    for (let i = 0; i < 20; i++) await trade(i);
    // Drop the transport under the client: socket.io reconnects by itself.
    (s.io as any).engine.close();
    for (let i = 20; i < 60; i++) await trade(i);
    const final = (await reader.get('/api/markets/live-reconnect')).body.market;
    await until(() => latest?.seq === final.seq);
    expect(latest.outcomes.map((o: any) => o.probability)).toEqual(
      final.outcomes.map((o: any) => o.probability),
    );
    expect(latest.volumeCents).toBe(final.volumeCents);
    live.close();
  });

  it('refetches a market when an update was lost (a seq gap)', async () => {
    await newMarket('live-gap');
    const s = await connect();
    const reader = new Client(server.url);
    const live = new LiveMarkets(
      s,
      async (id) => (await reader.get(`/api/markets/${id}`)).body.market,
    );
    let latest: any = null;
    live.subscribe('live-gap', (m) => {
      latest = m;
    });
    await until(() => latest !== null);
    const trader = new Client(server.url);
    await trader.register('gap_trader');
    // Stop hearing updates for a while, as if they were lost on the way.
    const handlers = [...(s as any).listeners('market:update')];
    for (const h of handlers) s.off('market:update', h);
    await trader.post('/api/markets/live-gap/trades', { outcomeId: 'yes', shares: 5 });
    await new Promise((r) => setTimeout(r, 120));
    for (const h of handlers) s.on('market:update', h);
    await trader.post('/api/markets/live-gap/trades', { outcomeId: 'yes', shares: 5 });
    const final = (await reader.get('/api/markets/live-gap')).body.market;
    await until(() => latest?.seq === final.seq);
    expect(live.refetches).toBe(1);
    expect(latest.outcomes[0].probability).toBe(final.outcomes[0].probability);
    live.close();
  });
});
