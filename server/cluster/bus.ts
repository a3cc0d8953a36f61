import type { DomainEvent, EventBus } from '../services/events.ts';

/** The inter-node event of socket.io's adapter that carries committed domain events. */
export const CLUSTER_EVENT = 'parity:event';

/** What the relay needs of socket.io: its server-side emit between nodes. */
export interface ServerSideChannel {
  serverSideEmit(event: typeof CLUSTER_EVENT, e: DomainEvent): boolean;
  on(event: typeof CLUSTER_EVENT, listener: (e: DomainEvent) => void): unknown;
}

/**
 * Joins the nodes' event buses through the socket.io adapter (Redis Streams): every event
 * published on one node is heard on every other, after its commit and in its node's order. A
 * node that misses events while Redis is away is not told them again; its sockets find the
 * gap by `seq` (`prevSeq`) and refetch.
 */
export function relayBus(bus: EventBus, io: ServerSideChannel): void {
  bus.forward = (e) => {
    io.serverSideEmit(CLUSTER_EVENT, e);
  };
  io.on(CLUSTER_EVENT, (e) => bus.receive(e));
}
