import fc from 'fast-check';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedJoinAck, MarketId, SubscribeAck } from '../../shared/schemas/index.ts';
import { adminClient, Client } from '../helpers/server.ts';
import { hostileJson, hostileString, jsonText } from './arbitraries.ts';
import {
  expectServerIntact,
  type FuzzServer,
  fcParams,
  fullSnapshot,
  snapshotDiff,
  startFuzzServer,
} from './harness.ts';

/**
 * Property-based fuzzing of the socket events: `subscribe`, `unsubscribe`, `feed:join`,
 * `feed:leave`, unknown and reserved event names, wrong arities, binary payloads, and raw
 * socket.io packets the client library would never send. An ack, when the arity gives the
 * server one to call, matches its schema and says ok only for a real market; the socket keeps
 * working after anything it may legally send; a malformed packet costs at most its own
 * connection; nothing changes in the database; nothing is logged as an error.
 */

const MARKETS = ['fz-sock-a', 'fz-sock-b'];
const EVENTS = ['subscribe', 'unsubscribe', 'feed:join', 'feed:leave'] as const;

let s: FuzzServer;
let cookie: string;
let token: string;
const open: Socket[] = [];
const counts = new Map<string, number>();
const count = (family: string) => counts.set(family, (counts.get(family) ?? 0) + 1);

function connect(auth: 'anonymous' | 'cookie' | 'token' = 'anonymous'): Promise<Socket> {
  const socket = io(s.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: { origin: s.url, ...(auth === 'cookie' ? { cookie } : {}) },
    ...(auth === 'token' ? { auth: { token } } : {}),
  });
  open.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** The socket still answers: a subscribe to a real market acks ok. */
async function alive(socket: Socket): Promise<boolean> {
  if (!socket.connected) return false;
  try {
    // Generous: on a loaded machine (the PostgreSQL suites in parallel) an answer can take seconds.
    const ack = await socket.timeout(10_000).emitWithAck('subscribe', MARKETS[0]);
    return SubscribeAck.parse(ack).ok;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  // A generous event rate, so the fuzzing itself is not mistaken for a flood.
  s = await startFuzzServer({
    env: { SEED: 'off' },
    socketLimits: { maxSubscriptions: 100, eventsPerSecond: 100_000, maxMessageBytes: 16 * 1024 },
  });
  const admin = await adminClient(s.url);
  for (const id of MARKETS) {
    const r = await admin.post('/api/markets', {
      id,
      question: `Socket fuzz ${id}?`,
      closesAt: new Date(Date.now() + 60 * 86_400_000).toISOString(),
    });
    expect(r.status).toBe(201);
  }
  const trader = new Client(s.url);
  await trader.register('fz_sock');
  cookie = trader.cookie!;
  token = (await trader.post('/api/me/tokens', {})).body.token;
});

afterAll(async () => {
  console.log(`fuzz sockets: ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  for (const socket of open) socket.close();
  await s?.stop();
});

/** An argument as socket.io would carry it: JSON values (with prototype keys), or binary. */
const argument: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: hostileJson(['marketId']).map((j) => JSON.parse(jsonText(j)) as unknown),
  },
  { weight: 2, arbitrary: hostileString },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...MARKETS, 'no-such-market', 'FZ-SOCK-A', 'fz-sock-a '),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 16 })
      .map((b) => ({ marketId: Buffer.from(b), nested: [Buffer.from(b)] })),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, 0, -0, Number.NaN, 1e308, true, [], {}) },
);

/** Whether the server has an ack to call, given the arguments before it. */
function acks(event: string, args: unknown[]): boolean {
  if (event === 'subscribe') return args.length === 1;
  if (event === 'feed:join') return args.length === 0;
  return false;
}

describe('generated socket events', () => {
  it('acks subscribe and feed:join per their schemas, ignores the rest, and keeps the socket', async () => {
    const sockets = await Promise.all([connect('anonymous'), connect('cookie'), connect('token')]);
    const before = await fullSnapshot(s.parity);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 }),
        fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(...EVENTS) },
          {
            weight: 2,
            arbitrary: hostileString.filter(
              (e) =>
                ![
                  ...EVENTS,
                  'connect',
                  'connect_error',
                  'disconnect',
                  'disconnecting',
                  'newListener',
                  'removeListener',
                ].includes(e) && e.length < 2000,
            ),
          },
        ),
        // Under the 16 KB message limit (past it the connection closes; tested below).
        fc
          .array(argument, { maxLength: 4 })
          .filter((args) => Buffer.byteLength(JSON.stringify(args) ?? '') < 12_000),
        fc.boolean(),
        async (who, event, args, withAck) => {
          const socket = sockets[who]!;
          count(`event ${EVENTS.includes(event as (typeof EVENTS)[number]) ? event : 'unknown'}`);
          if (withAck && acks(event, args)) {
            const ack = await socket.timeout(2000).emitWithAck(event, ...args);
            if (event === 'subscribe') {
              const parsed = SubscribeAck.parse(ack);
              const real =
                typeof args[0] === 'string' &&
                MarketId.safeParse(args[0]).success &&
                MARKETS.includes(args[0]);
              expect(parsed.ok).toBe(real);
              if (parsed.ok) expect(parsed.market.id).toBe(args[0]);
              else expect(['validation_failed', 'not_found']).toContain(parsed.error.code);
            } else {
              const parsed = FeedJoinAck.parse(ack);
              expect(parsed.ok).toBe(true);
            }
          } else {
            socket.emit(event, ...args);
          }
          expect(await alive(socket)).toBe(true);
        },
      ),
      fcParams(400),
    );
    expect(snapshotDiff(before, await fullSnapshot(s.parity))).toEqual([]);
  }, 60_000);

  it('answers a binary or oversized marketId with an error ack', async () => {
    const socket = await connect('cookie');
    for (const payload of [
      Buffer.from('fz-sock-a'),
      new Uint8Array([0, 1, 2]),
      new ArrayBuffer(8),
      { marketId: 'fz-sock-a' },
      ['fz-sock-a'],
      'x'.repeat(10_000),
    ]) {
      const ack = SubscribeAck.parse(await socket.timeout(2000).emitWithAck('subscribe', payload));
      count('binary or oversized');
      expect(ack).toEqual({
        ok: false,
        error: { code: 'validation_failed', message: 'marketId must be a market id' },
      });
    }
    expect(await alive(socket)).toBe(true);
  });
});

describe('raw packets', () => {
  // socket.io packet types: 0 CONNECT, 1 DISCONNECT, 2 EVENT, 3 ACK, 4 CONNECT_ERROR,
  // 5 BINARY_EVENT, 6 BINARY_ACK; then an optional attachment count, namespace and ack id.
  const packet = fc.oneof(
    fc
      .tuple(
        fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '9', ''),
        fc.constantFrom('', '1-', '2-', '99999999999-', '-'),
        fc.constantFrom('', '/,', '/admin,', '/x,', '/\u0000,', '/__proto__,'),
        fc.constantFrom('', '1', '42', '99999999999999999999', '-1'),
        fc.oneof(
          hostileJson(['subscribe']).map(jsonText),
          fc
            .tuple(
              fc.constantFrom(...EVENTS, 'disconnect', 'connect', 'newListener', '__proto__'),
              hostileJson(),
            )
            .map(([e, j]) => `[${JSON.stringify(e)},${jsonText(j)}]`),
          fc.constantFrom('[', '["subscribe"', '[]', '[1]', '[null]', '{"a":1}', 'garbage'),
          fc.constantFrom(
            `["subscribe",${'['.repeat(7000)}${']'.repeat(7000)}]`,
            `["subscribe",{"_placeholder":true,"num":0}]`,
            `["subscribe",{"_placeholder":true,"num":-1}]`,
            `["subscribe",{"_placeholder":true,"num":"0"}]`,
          ),
        ),
      )
      .map(([type, att, nsp, id, data]) => `${type}${att}${nsp}${id}${data}`),
    hostileString,
  );

  it('never lets a malformed packet crash the server or disturb another socket', async () => {
    const observer = await connect('cookie');
    const before = await fullSnapshot(s.parity);
    await fc.assert(
      fc.asyncProperty(
        packet,
        fc.option(fc.uint8Array({ maxLength: 32 })),
        async (text, binary) => {
          const socket = await connect('anonymous');
          const engine = (socket.io as any).engine;
          engine.write(text);
          if (binary) engine.write(Buffer.from(binary));
          count('raw packet');
          // The socket either survives or is closed on its own; the server takes new ones.
          await new Promise((r) => setTimeout(r, 5));
          const fresh = await connect('anonymous');
          expect(await alive(fresh)).toBe(true);
          fresh.close();
          socket.close();
        },
      ),
      fcParams(150),
    );
    expect(await alive(observer)).toBe(true);
    expect(snapshotDiff(before, await fullSnapshot(s.parity))).toEqual([]);
  }, 60_000);

  it('closes a connection that sends more than 16 KB in one message, and only that one', async () => {
    const observer = await connect('cookie');
    for (const size of [17 * 1024, 1024 * 1024]) {
      const socket = await connect('anonymous');
      const closed = new Promise<string>((r) => socket.once('disconnect', (reason) => r(reason)));
      socket.emit('subscribe', 'x'.repeat(size));
      count('oversized message');
      expect(await closed).toBe('transport close');
    }
    expect(await alive(observer)).toBe(true);
  });
});

describe('after the run', () => {
  it('logged no error, raised no unhandled rejection and still answers', async () => {
    await expectServerIntact(s);
  });
});
