import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Store } from '../store/store.ts';
import type { DomainEvent, EventBus, TxHook } from './events.ts';

/** What every service needs: storage, the clock, the event bus, configuration. */
export interface Ctx {
  store: Store;
  now: () => Date;
  bus: EventBus;
  config: Config;
  log: Logger;
  txHooks: TxHook[];
  /**
   * Set while a group commit runs (see groupCommit.ts): events wait here until the batch's one
   * commit, so nothing is published for work that could still roll back.
   */
  heldEvents?: DomainEvent[] | null;
}

/**
 * Runs `fn` in one storage transaction; the events it records are handed to the in-transaction
 * hooks (so an outbox row commits with its cause) and published once the transaction commits.
 */
export function inTransaction<T>(ctx: Ctx, fn: (events: DomainEvent[]) => T): T {
  const events: DomainEvent[] = [];
  const result = ctx.store.transaction(() => {
    const r = fn(events);
    for (const hook of ctx.txHooks) hook(events);
    return r;
  });
  if (ctx.heldEvents) ctx.heldEvents.push(...events);
  else for (const e of events) ctx.bus.publish(e);
  return result;
}

export function isoNow(ctx: Ctx): string {
  return ctx.now().toISOString();
}
