import type { Ctx } from './context.ts';
import { closeOverdue } from './markets.ts';

/** Longest sleep between checks, so clock jumps and new markets are noticed. */
const MAX_SLEEP_MS = 30_000;
/** How often a node that does not lead looks whether it does now. */
const FOLLOWER_SLEEP_MS = 5000;

/**
 * Closes markets at their `closesAt`: a timer set for the next close time (re-armed when a
 * market is created), backed by the check that every trade makes. In a cluster it runs on the
 * leader alone (`isLeader`); closing locks and re-checks each market, so even an overlap during
 * a change of leader closes nothing twice.
 */
export function startCloser(
  ctx: Ctx,
  isLeader: () => boolean = () => true,
): { stop: () => void; check: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running = false;
  const arm = async () => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    let delay = MAX_SLEEP_MS;
    if (!isLeader()) {
      // Not ours to close: look again later (a new leader checks at once, through `check`).
      timer = setTimeout(() => void tick(), FOLLOWER_SLEEP_MS);
      timer.unref();
      return;
    }
    try {
      const next = await ctx.store.nextCloseAt();
      if (next) delay = Math.min(Math.max(Date.parse(next) - ctx.now().getTime(), 0), MAX_SLEEP_MS);
    } catch (err) {
      ctx.log.warn({ err }, 'reading the next close time failed; checking again shortly');
      delay = 1000;
    }
    if (stopped) return;
    timer = setTimeout(() => void tick(), delay + 5);
    timer.unref();
  };
  const tick = async () => {
    if (running || stopped) return;
    running = true;
    try {
      if (isLeader()) {
        const closed = await closeOverdue(ctx);
        if (closed.length) ctx.log.info({ closed }, 'closed markets at their close time');
      }
    } catch (err) {
      ctx.log.error({ err }, 'closing overdue markets failed');
    } finally {
      running = false;
    }
    await arm();
  };
  const off = ctx.bus.on((e) => {
    if (e.type === 'market.created') void arm();
  });
  void tick();
  return {
    stop: () => {
      stopped = true;
      off();
      if (timer) clearTimeout(timer);
    },
    // A new leader looks at once: markets may have passed their close time meanwhile.
    check: () => void tick(),
  };
}
