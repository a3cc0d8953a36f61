import type { Ctx } from './context.ts';
import { closeOverdue } from './markets.ts';

/** Longest sleep between checks, so clock jumps and new markets are noticed. */
const MAX_SLEEP_MS = 30_000;

/**
 * Closes markets at their `closesAt`: a timer set for the next close time (re-armed when a
 * market is created), backed by the check that every trade makes.
 */
export function startCloser(ctx: Ctx): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    const next = ctx.store.nextCloseAt();
    const delay = next
      ? Math.min(Math.max(Date.parse(next) - ctx.now().getTime(), 0), MAX_SLEEP_MS)
      : MAX_SLEEP_MS;
    timer = setTimeout(tick, delay + 5);
    timer.unref();
  };
  const tick = () => {
    try {
      const closed = closeOverdue(ctx);
      if (closed.length) ctx.log.info({ closed }, 'closed markets at their close time');
    } catch (err) {
      ctx.log.error({ err }, 'closing overdue markets failed');
    }
    arm();
  };
  const off = ctx.bus.on((e) => {
    if (e.type === 'market.created') arm();
  });
  tick();
  return () => {
    stopped = true;
    off();
    if (timer) clearTimeout(timer);
  };
}
