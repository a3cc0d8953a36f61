import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import { DomainError } from '../../shared/errors.ts';
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
  // Read here, in the caller's context: the store may run `fn` from its own (a batch).
  const receipt = takeReceipt();
  const result = await ctx.store.transaction(async (tx) => {
    events = [];
    if (receipt && !(await tx.recordReceipt(receipt, isoNow(ctx)))) {
      throw new DomainError('conflict', 'this request was handled already', {
        reason: 'duplicate',
      });
    }
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

interface Receipt {
  key: string;
  taken: boolean;
}
const receipts = new AsyncLocalStorage<Receipt>();

/**
 * Runs `fn` so that the first transaction it starts also records `key`, in that same
 * transaction: a repeat of the request (a chat tool's retry, a duplicated interaction) finds
 * the key and changes nothing, answering `conflict` with `details.reason: "duplicate"`.
 */
export function once<T>(key: string, fn: () => Promise<T>): Promise<T> {
  return receipts.run({ key, taken: false }, fn);
}

function takeReceipt(): string | undefined {
  const r = receipts.getStore();
  if (!r || r.taken) return undefined;
  r.taken = true;
  return r.key;
}

/** Whether an error is the refusal of a repeat (see `once`). */
export function isDuplicate(err: unknown): boolean {
  return (
    err instanceof DomainError &&
    err.code === 'conflict' &&
    (err.details as { reason?: string } | undefined)?.reason === 'duplicate'
  );
}
