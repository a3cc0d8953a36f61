import { marketView } from '../services/views.ts';
import type { ChannelCtx } from './channelCtx.ts';
import { enqueueClosing } from './outbox.ts';

/** Hours before the close at which a "closing" notice goes out, nearest first. */
export const CLOSING_HOURS = [1, 24] as const;

/**
 * Queues closing notices for open markets that crossed a threshold (24 h, 1 h before close).
 * A notice is recorded per market and threshold in the same transaction as its outbox rows,
 * so each goes out once, across restarts. A market already inside the 1 h window when first
 * seen gets one notice, not two: the 1 h notice also settles the 24 h one.
 */
export async function scanClosing(c: ChannelCtx): Promise<number> {
  const nowMs = c.ctx.now().getTime();
  const now = new Date(nowMs).toISOString();
  let queued = 0;
  for (const hours of CLOSING_HOURS) {
    const until = new Date(nowMs + hours * 3_600_000).toISOString();
    for (const id of await c.store.marketsClosingWithoutNotice(now, until, hours)) {
      await c.store.transaction(async (tx) => {
        const row = await tx.marketForUpdate(id);
        if (row?.status !== 'open' || !(await tx.recordClosingNotice(id, hours, now))) return;
        for (const wider of CLOSING_HOURS) {
          if (wider > hours) await tx.recordClosingNotice(id, wider, now);
        }
        await enqueueClosing(c, tx, marketView(row), now);
        queued += 1;
      });
    }
  }
  return queued;
}
