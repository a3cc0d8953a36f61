import type { DomainEvent, EventBus } from '../services/events.ts';

/** The inter-node event of socket.io's adapter that carries committed domain events. */
export const CLUSTER_EVENT = 'parity:events';

/** What the relay needs of socket.io: its server-side emit between nodes. */
export interface ServerSideChannel {
  serverSideEmit(event: typeof CLUSTER_EVENT, events: DomainEvent[]): boolean;
  on(event: typeof CLUSTER_EVENT, listener: (events: DomainEvent[]) => void): unknown;
}

/**
 * Joins the nodes' event buses through the socket.io adapter (Redis Streams): every event
 * published on one node is heard on every other, after its commit and in its node's order.
 * The events of one turn of the event loop travel as one pub/sub message, so a burst of trades
 * costs one round trip to Redis, not three per trade. Events published while Redis is away
 * are not replayed: each node's coalescer notices the hole in the seqs it heard, and once
 * Redis is back the node re-reads its sockets' markets (`resync`), so clients see the gap by
 * `prevSeq` and refetch.
 */
export function relayBus(
  bus: EventBus,
  io: ServerSideChannel,
  /** False while Redis is away: events are not queued for a Redis that may not come back. */
  connected: () => boolean = () => true,
): void {
  let pending: DomainEvent[] = [];
  bus.forward = (e) => {
    if (!connected()) return;
    pending.push(e);
    if (pending.length > 1) return;
    setImmediate(() => {
      const batch = pending;
      pending = [];
      io.serverSideEmit(CLUSTER_EVENT, batch);
    });
  };
  io.on(CLUSTER_EVENT, (events) => {
    for (const e of events) bus.receive(e);
  });
}
