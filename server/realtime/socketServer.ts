import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import { DomainError } from '../../shared/errors.ts';
import {
  type ClientToServerEvents,
  type Market,
  MarketId,
  type ServerToClientEvents,
  SubscribePayload,
  type User,
} from '../../shared/schemas/index.ts';
import { CLUSTER_EVENT } from '../cluster/bus.ts';
import { originHost, ownHosts, sessionFromCookieHeader } from '../http/auth.ts';
import { canSeeMarket, requireVisibleMarket, type Viewer, viewerOf } from '../services/access.ts';
import { tokenHash, userByApiToken, userBySession } from '../services/accounts.ts';
import type { Ctx } from '../services/context.ts';
import { verifyEmbedToken } from '../services/embeds.ts';
import type { DomainEvent } from '../services/events.ts';
import { listMarkets } from '../services/markets.ts';
import { marketView } from '../services/views.ts';
import { UpdateCoalescer } from './coalescer.ts';

interface SocketData {
  userId?: string;
  /** What proved who the user is (hashed), checked again before their private events go out. */
  credential?: { kind: 'session' | 'token'; hash: string };
  /** The space an API token scoped to one confines the socket to. */
  scopeSpaceId?: string;
  subscriptions: Set<string>;
  /** Subscribed markets of private spaces, with their space (left at once on removal). */
  privateSubscriptions?: Map<string, string>;
  tokens: number;
  refilledAt: number;
}

/** Between nodes (through the adapter): committed domain events. */
interface InterServerEvents {
  [CLUSTER_EVENT]: (events: DomainEvent[]) => void;
}

type ParitySocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type ParityIo = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

export interface SocketLimits {
  /** Markets one socket may follow at once. */
  maxSubscriptions: number;
  /** Client events per second, sustained; bursts up to twice that. */
  eventsPerSecond: number;
  /** Largest client message, bytes. */
  maxMessageBytes: number;
  /** Connections one client address may hold at once (default: SOCKETS_PER_ADDRESS). */
  maxConnectionsPerAddress?: number;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = {
  maxSubscriptions: 100,
  eventsPerSecond: 20,
  maxMessageBytes: 16 * 1024,
};

const room = {
  market: (id: string) => `market:${id}`,
  user: (id: string) => `user:${id}`,
  /** Feed events of everything anyone may see. */
  feed: 'feed',
  /** Feed events of one private space's markets, for its members' sockets on the feed. */
  space: (id: string) => `space:${id}`,
  /** A private market's price updates, for sockets that follow it through a signed embed. */
  embed: (id: string) => `embed:${id}`,
};

function ackError(e: unknown): { ok: false; error: { code: string; message: string } } {
  if (e instanceof DomainError) return { ok: false, error: { code: e.code, message: e.message } };
  return { ok: false, error: { code: 'validation_failed', message: 'invalid request' } };
}

/**
 * A socket's own same-origin check, with the hosts the HTTP check accepts: a cross-site page
 * gets a public, anonymous socket. Clients that send no Origin are not browsers.
 */
function sameOrigin(
  headers: Record<string, string | string[] | undefined>,
  publicUrl: string | undefined,
): boolean {
  const origin = headers.origin;
  if (typeof origin !== 'string') return true;
  const host = originHost(origin);
  return Boolean(host) && ownHosts(headers.host as string | undefined, publicUrl).has(host!);
}

/** The client's address: behind a trusted proxy, the last X-Forwarded-For entry (as Express). */
function clientAddress(
  remote: string,
  forwarded: string | string[] | undefined,
  trustProxy: boolean,
): string {
  if (trustProxy) {
    const hops = String(forwarded ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    const last = hops[hops.length - 1];
    if (last) return last;
  }
  return remote;
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
  redis?: Redis,
): { io: ParityIo; resync: () => Promise<void>; close: () => void } {
  const io: ParityIo = new Server(httpServer, {
    maxHttpBufferSize: limits.maxMessageBytes,
    serveClient: false,
    // With Redis, the nodes' adapters share one stream: server-side events and room
    // operations reach every node.
    ...(redis
      ? {
          // The stream and the pub/sub channels are the deployment's own (REDIS_PREFIX): two
          // deployments on one Redis never hear each other.
          adapter: createAdapter(redis, {
            streamName: `${ctx.config.REDIS_PREFIX}:socket.io`,
            channelPrefix: `${ctx.config.REDIS_PREFIX}:socket.io`,
          }),
        }
      : {}),
    // No connectionStateRecovery: it keeps every broadcast packet in memory for its window
    // (minutes of trades under load), and clients need no replay: on reconnect they subscribe
    // again and take a fresh snapshot, and seq/prevSeq tell them of any gap.
  });

  // Connections held per client address, released when the underlying connection closes
  // (also for a socket the middleware let through but that never finished connecting).
  const maxPerAddress = limits.maxConnectionsPerAddress ?? ctx.config.SOCKETS_PER_ADDRESS;
  const perAddress = new Map<string, number>();
  const addressOf = (socket: ParitySocket) =>
    clientAddress(
      socket.handshake.address,
      socket.request.headers['x-forwarded-for'],
      ctx.config.TRUST_PROXY,
    );
  const hold = (socket: ParitySocket) => {
    const address = addressOf(socket);
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    socket.conn.once('close', () => {
      const n = (perAddress.get(address) ?? 1) - 1;
      if (n > 0) perAddress.set(address, n);
      else perAddress.delete(address);
    });
  };

  io.use(async (socket, next) => {
    if ((perAddress.get(addressOf(socket)) ?? 0) >= maxPerAddress) {
      next(new Error('too many connections from this address'));
      return;
    }
    socket.data.subscriptions = new Set();
    socket.data.tokens = limits.eventsPerSecond * 2;
    socket.data.refilledAt = Date.now();
    const headers = socket.request.headers;
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    let userId: string | undefined;
    try {
      if (typeof auth?.token === 'string' && auth.token.length <= 200) {
        const user = await userByApiToken(ctx, auth.token);
        userId = user?.id;
        if (!userId) {
          next(new Error('invalid API token'));
          return;
        }
        if (user?.scopeSpaceId) socket.data.scopeSpaceId = user.scopeSpaceId;
        socket.data.credential = { kind: 'token', hash: tokenHash(auth.token) };
      } else if (sameOrigin(headers, ctx.config.PUBLIC_URL)) {
        const token = sessionFromCookieHeader(headers.cookie);
        if (token) userId = (await userBySession(ctx, token))?.id;
        if (token && userId) socket.data.credential = { kind: 'session', hash: tokenHash(token) };
      }
    } catch {
      // The database is out of reach: the client retries the connection.
      next(new Error('the server is unavailable; try again shortly'));
      return;
    }
    if (userId) socket.data.userId = userId;
    hold(socket);
    next();
  });

  /** Whether the session or token the socket signed in with still names its user. */
  const identityHolds = async (socket: ParitySocket): Promise<boolean> => {
    const c = socket.data.credential;
    if (!c || !socket.data.userId) return false;
    const user =
      c.kind === 'token'
        ? await ctx.store.apiTokenUser(c.hash)
        : await ctx.store.sessionUser(c.hash, ctx.now().toISOString());
    return user?.id === socket.data.userId;
  };

  /** A socket whose session ended (logout, expiry) or whose token was revoked goes on as nobody. */
  const forgetIdentity = (socket: ParitySocket): void => {
    if (socket.data.userId) socket.leave(room.user(socket.data.userId));
    delete socket.data.userId;
    delete socket.data.credential;
    ctx.log.info({ socket: socket.id }, 'socket credential ended; the socket is anonymous now');
  };

  /** Who the socket is, with their spaces read now (so a removal counts from the next event). */
  const viewerOfSocket = async (socket: ParitySocket, embed?: string): Promise<Viewer> => {
    const id = socket.data.userId;
    const user = id ? await ctx.store.userById(id) : undefined;
    if (user && socket.data.scopeSpaceId) user.scopeSpaceId = socket.data.scopeSpaceId;
    return viewerOf(ctx.store, user, await verifyEmbedToken(ctx, embed));
  };

  io.on('connection', (socket: ParitySocket) => {
    if (!socket.data.subscriptions) socket.data.subscriptions = new Set();
    if (!socket.data.privateSubscriptions) socket.data.privateSubscriptions = new Map();
    if (socket.data.tokens === undefined) {
      socket.data.tokens = limits.eventsPerSecond * 2;
      socket.data.refilledAt = Date.now();
    }
    // A recovered connection skipped the middleware: it counts against its address all the same.
    if (socket.recovered) hold(socket);
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

    socket.on('subscribe', async (raw, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      try {
        const parsed = SubscribePayload.safeParse(raw);
        if (!parsed.success)
          throw new DomainError('validation_failed', 'marketId must be a market id');
        const { marketId: id, token } =
          typeof parsed.data === 'string'
            ? { marketId: parsed.data, token: undefined }
            : parsed.data;
        const subs = socket.data.subscriptions;
        if (!subs.has(id) && subs.size >= limits.maxSubscriptions) {
          throw new DomainError('rate_limited', `at most ${limits.maxSubscriptions} subscriptions`);
        }
        // A private market answers not_found to a non-member, as a market that is not there.
        const plain = await viewerOfSocket(socket);
        const found = await ctx.store.market(id);
        const member = found !== undefined && (await canSeeMarket(ctx.store, plain, found));
        // A signed embed follows the market's price only: not its trades, forecasts, comments.
        const row = member
          ? found
          : await requireVisibleMarket(ctx.store, await viewerOfSocket(socket, token), id);
        const market = marketView(row);
        subs.add(id);
        if (row.spaceId && (await isPrivate(row.spaceId))) {
          socket.data.privateSubscriptions!.set(id, row.spaceId);
        }
        socket.join(member ? room.market(id) : room.embed(id));
        reply({ ok: true, market });
      } catch (e) {
        reply(ackError(e));
      }
    });

    socket.on('unsubscribe', (raw) => {
      const parsed = MarketId.safeParse(raw);
      if (!parsed.success) return;
      socket.data.subscriptions.delete(parsed.data);
      socket.data.privateSubscriptions!.delete(parsed.data);
      socket.leave(room.market(parsed.data));
      socket.leave(room.embed(parsed.data));
    });

    socket.on('feed:join', async (ack) => {
      socket.join(room.feed);
      try {
        const v = await viewerOfSocket(socket);
        // The private spaces the socket may follow: its user's (every one, for an admin).
        const spaces = v.admin
          ? (await ctx.store.allSpaces()).map((x) => x.id)
          : [...v.roles.keys()];
        for (const id of spaces) if (await isPrivate(id)) socket.join(room.space(id));
        if (typeof ack === 'function')
          ack({ ok: true, markets: await listMarkets(ctx, v, 'open') });
      } catch (e) {
        if (typeof ack === 'function') ack(ackError(e));
      }
    });

    socket.on('feed:leave', () => {
      socket.leave(room.feed);
      for (const name of socket.rooms) if (name.startsWith('space:')) socket.leave(name);
    });
  });

  // Every node hears every committed event (the cluster bus), so each emits to its own sockets
  // only: one copy per socket, and each node's coalescer keeps its sockets' seq chain whole.
  const local = io.local;

  // A space's visibility never changes: one lookup per space per node.
  const visibility = new Map<string, Promise<boolean>>();
  const isPrivate = (spaceId: string): Promise<boolean> => {
    let p = visibility.get(spaceId);
    if (!p) {
      p = ctx.store.space(spaceId).then((x) => x?.visibility !== 'public');
      p.catch(() => visibility.delete(spaceId));
      visibility.set(spaceId, p);
    }
    return p;
  };
  /** The space of each market this node has sent updates of (null: anyone may see it). */
  const privateSpaceOf = new Map<string, string | null>();

  /**
   * The rooms an event about a market goes to: its subscribers, and the feed, which for a
   * private space's market is only its members' sockets.
   */
  const roomsOf = (marketId: string, privateSpace: string | null): string[] => [
    room.market(marketId),
    privateSpace ? room.space(privateSpace) : room.feed,
  ];
  const privateOf = async (spaceId: string | null | undefined): Promise<string | null> =>
    spaceId && (await isPrivate(spaceId)) ? spaceId : null;

  const coalescer = new UpdateCoalescer((u) => {
    const rooms = roomsOf(u.marketId, privateSpaceOf.get(u.marketId) ?? null);
    local.to([...rooms, room.embed(u.marketId)]).emit('market:update', u);
  });
  /** Remembers a market's space before its update is coalesced (sent in order, per market). */
  const pushUpdate = async (m: Market): Promise<void> => {
    privateSpaceOf.set(m.id, await privateOf(m.spaceId));
    coalescer.push(m);
  };

  /** A user left a space: their sockets on this node leave its rooms now. */
  const leaveSpace = async (userId: string, spaceId: string): Promise<void> => {
    const user = await ctx.store.userById(userId);
    for (const id of [...(io.sockets.adapter.rooms.get(room.user(userId)) ?? [])]) {
      const socket = io.sockets.sockets.get(id);
      if (!socket) continue;
      // An unscoped admin still sees every space.
      if (user?.role === 'admin' && !socket.data.scopeSpaceId) continue;
      socket.leave(room.space(spaceId));
      for (const [marketId, sid] of socket.data.privateSubscriptions ?? []) {
        if (sid !== spaceId) continue;
        socket.data.privateSubscriptions!.delete(marketId);
        socket.data.subscriptions.delete(marketId);
        socket.leave(room.market(marketId));
      }
    }
  };

  /** A user joined a space: their sockets on the feed start receiving its markets. */
  const joinSpace = async (userId: string, spaceId: string): Promise<void> => {
    if (!(await isPrivate(spaceId))) return;
    for (const id of [...(io.sockets.adapter.rooms.get(room.user(userId)) ?? [])]) {
      const socket = io.sockets.sockets.get(id);
      if (!socket?.rooms.has(room.feed)) continue;
      if (socket.data.scopeSpaceId && socket.data.scopeSpaceId !== spaceId) continue;
      socket.join(room.space(spaceId));
    }
  };

  /** One chain for the events that need a lookup first, so they keep their order. */
  let chain: Promise<void> = Promise.resolve();
  const inOrder = (work: () => Promise<void>): void => {
    chain = chain.then(work).catch((err) => {
      ctx.log.warn({ err }, 'a socket event could not be routed');
    });
  };

  const balanceChains = new Map<string, Promise<void>>();

  /** Sends a user's balance to their sockets whose session or token still holds. */
  const sendBalance = async (user: User): Promise<void> => {
    const target = room.user(user.id);
    for (const id of [...(io.sockets.adapter.rooms.get(target) ?? [])]) {
      const socket = io.sockets.sockets.get(id);
      if (!socket) continue;
      try {
        if (!(await identityHolds(socket))) forgetIdentity(socket);
      } catch {
        // Unsure whether it holds: a private balance is not sent on a guess.
        socket.leave(target);
      }
    }
    local.to(target).emit('me:update', { user });
  };

  const off = ctx.bus.on((e) => {
    switch (e.type) {
      case 'market.changed': {
        const { market } = e;
        inOrder(() => pushUpdate(market));
        break;
      }
      case 'trade': {
        const { trade, market } = e;
        inOrder(async () => {
          local.to(roomsOf(trade.marketId, await privateOf(market.spaceId))).emit('trade', trade);
        });
        break;
      }
      case 'forecast': {
        const { forecast, spaceId } = e;
        inOrder(async () => {
          local.to(roomsOf(forecast.marketId, await privateOf(spaceId))).emit('forecast', forecast);
        });
        break;
      }
      case 'market.created': {
        const { market } = e;
        inOrder(async () => {
          const p = await privateOf(market.spaceId);
          local.to(p ? room.space(p) : room.feed).emit('market:created', market);
        });
        break;
      }
      case 'market.resolved': {
        const { market } = e;
        inOrder(async () => {
          const rooms = [
            ...roomsOf(market.id, await privateOf(market.spaceId)),
            room.embed(market.id),
          ];
          local.to(rooms).emit('market:resolved', {
            marketId: market.id,
            outcomeId: market.resolution?.outcomeId ?? null,
            status: market.status,
          });
        });
        break;
      }
      case 'comment':
        // Comments go to the market's subscribers, who passed its visibility check.
        local.to(room.market(e.comment.marketId)).emit('comment', e.comment);
        break;
      case 'comment.deleted':
        local.to(room.market(e.deleted.marketId)).emit('comment:deleted', e.deleted);
        break;
      case 'space.left': {
        const { userId, spaceId } = e;
        inOrder(() => leaveSpace(userId, spaceId));
        break;
      }
      case 'space.joined': {
        const { userId, spaceId } = e;
        inOrder(() => joinSpace(userId, spaceId));
        break;
      }
      case 'balance':
        // A balance is private: sockets whose credential has ended since they connected
        // (logout, expiry, revocation) leave the user's room before it is sent.
        if (io.sockets.adapter.rooms.has(room.user(e.user.id))) {
          // One user's updates go out in the order they happened, each after its check.
          const prev = balanceChains.get(e.user.id) ?? Promise.resolve();
          const next = prev.then(() => sendBalance(e.user));
          balanceChains.set(e.user.id, next);
          void next.finally(() => {
            if (balanceChains.get(e.user.id) === next) balanceChains.delete(e.user.id);
          });
        }
        break;
      case 'simulation.changed':
      case 'webhooks.changed':
        break;
      default: {
        const never: never = e;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  });

  /**
   * Re-reads the markets this node's sockets follow and pushes their state through the
   * coalescer: after events were lost between nodes (Redis away), a changed market reaches its
   * sockets now, and a missed change shows as a gap in `prevSeq`.
   */
  const resync = async (): Promise<void> => {
    const ids = new Set<string>();
    for (const name of io.sockets.adapter.rooms.keys()) {
      if (name.startsWith('market:')) ids.add(name.slice('market:'.length));
    }
    if (io.sockets.adapter.rooms.has(room.feed)) {
      for (const m of await ctx.store.markets('open')) ids.add(m.id);
    }
    for (const id of ids) {
      const m = await ctx.store.market(id);
      if (m) await pushUpdate(marketView(m));
    }
  };

  return {
    io,
    resync,
    close: () => {
      off();
      coalescer.close();
    },
  };
}
