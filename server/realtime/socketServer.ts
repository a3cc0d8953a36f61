import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { DomainError } from '../../shared/errors.ts';
import {
  type ClientToServerEvents,
  MarketId,
  type ServerToClientEvents,
} from '../../shared/schemas/index.ts';
import { sessionFromCookieHeader } from '../http/auth.ts';
import { userByApiToken, userBySession } from '../services/accounts.ts';
import type { Ctx } from '../services/context.ts';
import { listMarkets, requireMarket } from '../services/markets.ts';
import { marketView } from '../services/views.ts';
import { UpdateCoalescer } from './coalescer.ts';

interface SocketData {
  userId?: string;
  subscriptions: Set<string>;
  tokens: number;
  refilledAt: number;
}

type ParitySocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
export type ParityIo = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

export interface SocketLimits {
  /** Markets one socket may follow at once. */
  maxSubscriptions: number;
  /** Client events per second, sustained; bursts up to twice that. */
  eventsPerSecond: number;
  /** Largest client message, bytes. */
  maxMessageBytes: number;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = {
  maxSubscriptions: 100,
  eventsPerSecond: 20,
  maxMessageBytes: 16 * 1024,
};

const room = {
  market: (id: string) => `market:${id}`,
  user: (id: string) => `user:${id}`,
  feed: 'feed',
};

function ackError(e: unknown): { ok: false; error: { code: string; message: string } } {
  if (e instanceof DomainError) return { ok: false, error: { code: e.code, message: e.message } };
  return { ok: false, error: { code: 'validation_failed', message: 'invalid request' } };
}

/** A socket's own same-origin check: a cross-site page gets a public, anonymous socket. */
function sameOrigin(headers: Record<string, string | string[] | undefined>): boolean {
  const origin = headers.origin;
  if (typeof origin !== 'string') return true;
  try {
    return new URL(origin).host.toLowerCase() === String(headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}

/**
 * socket.io on the HTTP server: rooms per market, a `feed` room and a private room per user.
 * Every client payload is parsed; a bad one gets an error ack; a socket over its event rate is
 * disconnected without affecting others.
 */
export function createSocketServer(
  httpServer: HttpServer,
  ctx: Ctx,
  limits: SocketLimits = DEFAULT_SOCKET_LIMITS,
): { io: ParityIo; close: () => void } {
  const io: ParityIo = new Server(httpServer, {
    maxHttpBufferSize: limits.maxMessageBytes,
    serveClient: false,
    // No connectionStateRecovery: it keeps every broadcast packet in memory for its window
    // (minutes of trades under load), and clients need no replay: on reconnect they subscribe
    // again and take a fresh snapshot, and seq/prevSeq tell them of any gap.
  });

  io.use((socket, next) => {
    socket.data.subscriptions = new Set();
    socket.data.tokens = limits.eventsPerSecond * 2;
    socket.data.refilledAt = Date.now();
    const headers = socket.request.headers;
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    let userId: string | undefined;
    if (typeof auth?.token === 'string' && auth.token.length <= 200) {
      userId = userByApiToken(ctx, auth.token)?.id;
      if (!userId) {
        next(new Error('invalid API token'));
        return;
      }
    } else if (sameOrigin(headers)) {
      const token = sessionFromCookieHeader(headers.cookie);
      if (token) userId = userBySession(ctx, token)?.id;
    }
    if (userId) socket.data.userId = userId;
    next();
  });

  io.on('connection', (socket: ParitySocket) => {
    if (!socket.data.subscriptions) socket.data.subscriptions = new Set();
    if (socket.data.tokens === undefined) {
      socket.data.tokens = limits.eventsPerSecond * 2;
      socket.data.refilledAt = Date.now();
    }
    if (socket.data.userId) socket.join(room.user(socket.data.userId));

    // Token bucket over every client event, known or not.
    socket.use((_packet, next) => {
      const now = Date.now();
      const d = socket.data;
      d.tokens = Math.min(
        limits.eventsPerSecond * 2,
        d.tokens + ((now - d.refilledAt) / 1000) * limits.eventsPerSecond,
      );
      d.refilledAt = now;
      if (d.tokens < 1) {
        ctx.log.warn({ socket: socket.id }, 'socket over its event rate; disconnecting');
        socket.disconnect(true);
        return;
      }
      d.tokens -= 1;
      next();
    });

    socket.on('subscribe', (raw, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      try {
        const parsed = MarketId.safeParse(raw);
        if (!parsed.success)
          throw new DomainError('validation_failed', 'marketId must be a market id');
        const id = parsed.data;
        const subs = socket.data.subscriptions;
        if (!subs.has(id) && subs.size >= limits.maxSubscriptions) {
          throw new DomainError('rate_limited', `at most ${limits.maxSubscriptions} subscriptions`);
        }
        const market = marketView(requireMarket(ctx, id));
        subs.add(id);
        socket.join(room.market(id));
        reply({ ok: true, market });
      } catch (e) {
        reply(ackError(e));
      }
    });

    socket.on('unsubscribe', (raw) => {
      const parsed = MarketId.safeParse(raw);
      if (!parsed.success) return;
      socket.data.subscriptions.delete(parsed.data);
      socket.leave(room.market(parsed.data));
    });

    socket.on('feed:join', (ack) => {
      socket.join(room.feed);
      if (typeof ack === 'function') ack({ ok: true, markets: listMarkets(ctx, 'open') });
    });

    socket.on('feed:leave', () => {
      socket.leave(room.feed);
    });
  });

  const coalescer = new UpdateCoalescer((u) => {
    io.to([room.market(u.marketId), room.feed]).emit('market:update', u);
  });

  const off = ctx.bus.on((e) => {
    switch (e.type) {
      case 'market.changed':
        coalescer.push(e.market);
        break;
      case 'trade':
        io.to([room.market(e.trade.marketId), room.feed]).emit('trade', e.trade);
        break;
      case 'forecast':
        io.to([room.market(e.forecast.marketId), room.feed]).emit('forecast', e.forecast);
        break;
      case 'market.created':
        io.to(room.feed).emit('market:created', e.market);
        break;
      case 'market.resolved':
        io.to([room.market(e.market.id), room.feed]).emit('market:resolved', {
          marketId: e.market.id,
          outcomeId: e.market.resolution?.outcomeId ?? null,
          status: e.market.status,
        });
        break;
      case 'balance':
        io.to(room.user(e.user.id)).emit('me:update', { user: e.user });
        break;
      default: {
        const never: never = e;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  });

  return {
    io,
    close: () => {
      off();
      coalescer.close();
    },
  };
}
