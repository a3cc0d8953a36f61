import { EventEmitter } from 'node:events';
import type {
  Comment,
  CommentDeleted,
  Forecast,
  Market,
  Payout,
  SimulationResponse,
  Trade,
  User,
} from '../../shared/schemas/index.ts';
import type { Tx } from '../store/store.ts';

/** What happened, as the rest of the server (sockets, webhooks, bots) learns of it. */
export type DomainEvent =
  | { type: 'market.created'; market: Market }
  | { type: 'market.changed'; market: Market }
  | { type: 'trade'; trade: Trade; market: Market; user: User }
  | { type: 'forecast'; forecast: Forecast; spaceId: string | null }
  | { type: 'comment'; comment: Comment; spaceId: string | null }
  | { type: 'comment.deleted'; deleted: CommentDeleted; spaceId: string | null }
  /** A user left or was removed from a space: their sockets leave its rooms at once. */
  | { type: 'space.left'; spaceId: string; userId: string }
  /** A user joined a space: their sockets on the feed start receiving its markets. */
  | { type: 'space.joined'; spaceId: string; userId: string }
  | { type: 'market.resolved'; market: Market; payouts: Payout[] }
  | { type: 'balance'; user: User }
  /** Control events between nodes: `origin` is the node that changed the setting. */
  | { type: 'simulation.changed'; state: SimulationResponse; origin: string }
  | { type: 'webhooks.changed'; origin: string };

/** Runs inside the transaction that caused the events (e.g. writes them to the outbox). */
export type TxHook = (tx: Tx, events: readonly DomainEvent[]) => Promise<void>;

/**
 * Fan-out of committed events: to this process's listeners and, in a cluster, to every other
 * node (`forward`, set by the relay); events from other nodes arrive through `receive`.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  /** Sends a locally published event to the other nodes. */
  forward: ((e: DomainEvent) => void) | undefined;
  constructor() {
    this.emitter.setMaxListeners(100);
  }
  publish(e: DomainEvent): void {
    this.emitter.emit('event', e);
    this.forward?.(e);
  }
  /** An event another node published. */
  receive(e: DomainEvent): void {
    this.emitter.emit('event', e);
  }
  on(listener: (e: DomainEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
