import type { Ctx } from './context.ts';
import type { DomainEvent } from './events.ts';

interface Job {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: work that arrives in the same turn of the event loop runs in one outer
 * transaction, each job in its own savepoint, and is answered only after the single commit —
 * so a batch of trades costs one fsync instead of one each, and every acknowledged trade is
 * durable. A job that throws rolls back its own savepoint and nothing else; its events are
 * dropped. Events of the others are published after the commit, in order.
 */
export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;

  constructor(
    private readonly ctx: Ctx,
    /** Largest batch; more waits for the next turn. */
    private readonly maxBatch = 256,
  ) {}

  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0, this.maxBatch);
    if (this.queue.length) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    const { ctx } = this;
    const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    const published: DomainEvent[] = [];
    try {
      ctx.store.transaction(() => {
        for (const job of batch) {
          const held: DomainEvent[] = [];
          ctx.heldEvents = held;
          try {
            results.push({ ok: true, value: ctx.store.transaction(job.run) });
            published.push(...held);
          } catch (error) {
            results.push({ ok: false, error });
          }
        }
        ctx.heldEvents = null;
      });
    } catch (error) {
      // The commit itself failed: nothing of the batch happened.
      ctx.heldEvents = null;
      for (const job of batch) job.reject(error);
      return;
    }
    for (const e of published) ctx.bus.publish(e);
    batch.forEach((job, i) => {
      const r = results[i]!;
      if (r.ok) job.resolve(r.value);
      else job.reject(r.error);
    });
  }
}
