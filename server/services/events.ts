import { EventEmitter } from 'node:events';
import type { Forecast, Market, Payout, Trade, User } from '../../shared/schemas/index.ts';

/** What happened, as the rest of the server (sockets, webhooks, bots) learns of it. */
export type DomainEvent =
  | { type: 'market.created'; market: Market }
  | { type: 'market.changed'; market: Market }
  | { type: 'trade'; trade: Trade; market: Market; user: User }
  | { type: 'forecast'; forecast: Forecast }
  | { type: 'market.resolved'; market: Market; payouts: Payout[] }
  | { type: 'balance'; user: User };

/** Runs inside the transaction that caused the events (e.g. writes them to the outbox). */
export type TxHook = (events: readonly DomainEvent[]) => void;

/** In-process fan-out of committed events. */
export class EventBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(100);
  }
  publish(e: DomainEvent): void {
    this.emitter.emit('event', e);
  }
  on(listener: (e: DomainEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
