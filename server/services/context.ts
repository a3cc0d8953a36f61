import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Store, Tx } from '../store/store.ts';
import type { DomainEvent, EventBus, TxHook } from './events.ts';

/** What every service needs: storage, the clock, the event bus, configuration. */
export interface Ctx {
  store: Store;
  now: () => Date;
  bus: EventBus;
  config: Config;
  log: Logger;
  txHooks: TxHook[];
  /** This process's id in a cluster (random per start). */
  nodeId: string;
}

/**
 * Runs `fn` in one storage transaction; the events it records are handed to the in-transaction
 * hooks (so an outbox row commits with its cause) and published once the transaction commits,
 * so nothing is published for work that rolled back. A retried transaction starts with no
 * events.
 */
export async function inTransaction<T>(
  ctx: Ctx,
  fn: (tx: Tx, events: DomainEvent[]) => Promise<T>,
): Promise<T> {
  let events: DomainEvent[] = [];
  const result = await ctx.store.transaction(async (tx) => {
    events = [];
    const r = await fn(tx, events);
    for (const hook of ctx.txHooks) await hook(tx, events);
    return r;
  });
  for (const e of events) ctx.bus.publish(e);
  return result;
}

export function isoNow(ctx: Ctx): string {
  return ctx.now().toISOString();
}
