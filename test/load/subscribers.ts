import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  MarketUpdate,
  ServerToClientEvents,
  SubscribeAck,
} from '../../shared/schemas/socket.ts';

/**
 * A socket.io subscriber that follows one market the way a client should: it starts from the
 * snapshot's seq and treats an update whose `prevSeq` is above the last seq it saw as a gap.
 */
export interface Subscriber {
  socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  marketId: string;
  lastSeq: number;
  updates: number;
  /** Updates that named a previous seq this subscriber never saw: lost updates. */
  gaps: number;
  /** Updates at or below the last seen seq (the snapshot was already newer): harmless. */
  stale: number;
  trades: number;
  disconnects: number;
}

function subscribeOne(url: string, marketId: string): Promise<Subscriber> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  const sub: Subscriber = {
    socket,
    marketId,
    lastSeq: -1,
    updates: 0,
    gaps: 0,
    stale: 0,
    trades: 0,
    disconnects: 0,
  };
  socket.on('market:update', (u: MarketUpdate) => {
    if (u.marketId !== marketId || sub.lastSeq < 0) return;
    if (u.seq <= sub.lastSeq) {
      sub.stale += 1;
      return;
    }
    if ((u.prevSeq ?? u.seq - 1) > sub.lastSeq) sub.gaps += 1;
    sub.lastSeq = u.seq;
    sub.updates += 1;
  });
  socket.on('trade', () => {
    sub.trades += 1;
  });
  socket.on('disconnect', () => {
    sub.disconnects += 1;
  });
  return new Promise((resolve, reject) => {
    socket.once('connect_error', reject);
    socket.once('connect', () => {
      socket.emit('subscribe', marketId, (ack: SubscribeAck) => {
        if (!ack.ok) reject(new Error(`subscribe ${marketId}: ${ack.error.code}`));
        else {
          sub.lastSeq = ack.market.seq;
          resolve(sub);
        }
      });
    });
  });
}

/** Connects `n` subscribers spread round-robin over the markets, a hundred at a time. */
export async function subscribeAll(
  url: string,
  n: number,
  marketIds: readonly string[],
): Promise<Subscriber[]> {
  const subs: Subscriber[] = [];
  for (let i = 0; i < n; i += 100) {
    const batch = Array.from({ length: Math.min(100, n - i) }, (_, j) =>
      subscribeOne(url, marketIds[(i + j) % marketIds.length]!),
    );
    subs.push(...(await Promise.all(batch)));
  }
  return subs;
}
