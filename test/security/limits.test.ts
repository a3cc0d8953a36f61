import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubscribeAck } from '../../shared/schemas/index.ts';
import { adminClient, startServer, type TestServer } from '../helpers/server.ts';

/**
 * What one socket may hold: a bounded number of subscriptions, so a client cannot make the
 * server fan every market's updates out to it many times over, or grow its room table
 * without end.
 */

let server: TestServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await startServer({
    env: { SEED: 'off' },
    socketLimits: { maxSubscriptions: 3, eventsPerSecond: 1000, maxMessageBytes: 16 * 1024 },
  });
  const admin = await adminClient(server.url);
  for (const id of ['lim-a', 'lim-b', 'lim-c', 'lim-d', 'lim-e']) {
    const r = await admin.post('/api/markets', {
      id,
      question: `Limit ${id}?`,
      closesAt: new Date(Date.now() + 60 * 86_400_000).toISOString(),
    });
    expect(r.status).toBe(201);
  }
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.close();
});

async function connect(): Promise<Socket> {
  const s = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
  sockets.push(s);
  await new Promise<void>((r) => s.once('connect', () => r()));
  return s;
}

const subscribe = async (s: Socket, id: string) =>
  SubscribeAck.parse(await s.timeout(2000).emitWithAck('subscribe', id));

describe('subscriptions per socket', () => {
  it('refuses a subscription past the limit with rate_limited, counting only real markets once', async () => {
    const s = await connect();
    expect((await subscribe(s, 'no-such-market')).ok).toBe(false);
    for (const id of ['lim-a', 'lim-b', 'lim-c', 'lim-a'])
      expect((await subscribe(s, id)).ok).toBe(true);
    expect(await subscribe(s, 'lim-d')).toEqual({
      ok: false,
      error: { code: 'rate_limited', message: 'at most 3 subscriptions' },
    });
    // Leaving one makes room for another.
    s.emit('unsubscribe', 'lim-b');
    expect((await subscribe(s, 'lim-d')).ok).toBe(true);
    expect((await subscribe(s, 'lim-e')).ok).toBe(false);
    // The limit is per socket: a second one starts with none.
    const other = await connect();
    expect((await subscribe(other, 'lim-e')).ok).toBe(true);
  });

  it('sends a market update once to a socket that subscribed to it twice', async () => {
    const s = await connect();
    expect((await subscribe(s, 'lim-e')).ok).toBe(true);
    expect((await subscribe(s, 'lim-e')).ok).toBe(true);
    const updates: unknown[] = [];
    s.on('market:update', (u: unknown) => updates.push(u));
    const admin = await adminClient(server.url);
    expect(
      (await admin.post('/api/markets/lim-e/trades', { outcomeId: 'yes', shares: 1 })).status,
    ).toBe(200);
    const end = Date.now() + 2000;
    while (updates.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 150));
    expect(updates).toHaveLength(1);
  });
});
