import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  ServerToClientEvents,
  SubscribeAck,
} from '../../shared/schemas/index.ts';

/** Helpers of the multi-node suites (test/cluster/). */

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface HttpAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
  /** How long the answer took, ms. */
  ms: number;
}

/**
 * One JSON request with a bearer token, from the server's own origin, that gives up after
 * `timeoutMs`. A network failure (the node was killed) or the time limit rejects.
 */
export async function http<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { origin: baseUrl };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const started = Date.now();
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T, headers: res.headers, ms: Date.now() - started };
}

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) {
      throw new Error(
        `${what}: not within ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}`,
      );
    }
    await sleep(everyMs);
  }
}

/** Deletes every Redis key under `prefix` (SCAN, then DEL in batches). */
export async function deleteRedisKeys(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** A socket.io client on the websocket transport that does not reconnect by itself. */
export function connectSocket(url: string, timeoutMs = 5000): Promise<ClientSocket> {
  const s: ClientSocket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: timeoutMs,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.close();
      reject(new Error(`socket to ${url}: no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('connect_error', (err) => {
      clearTimeout(timer);
      s.close();
      reject(err);
    });
  });
}

/** Subscribes to a market; rejects on an error ack or no ack within `timeoutMs`. */
export function subscribe(
  s: ClientSocket,
  marketId: string,
  timeoutMs = 5000,
): Promise<Extract<SubscribeAck, { ok: true }>['market']> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no subscribe ack for ${marketId}`)),
      timeoutMs,
    );
    s.emit('subscribe', marketId, (ack: SubscribeAck) => {
      clearTimeout(timer);
      if (ack.ok) resolve(ack.market);
      else reject(new Error(`subscribe ${marketId}: ${ack.error.code} ${ack.error.message}`));
    });
  });
}

/** A free TCP port on 127.0.0.1 where nothing listens (it was free a moment ago). */
export async function unusedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
