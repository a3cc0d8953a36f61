import type { Market } from '../../shared/schemas/index.ts';
import type { MarketUpdate } from '../../shared/schemas/socket.ts';

/** How long a missing seq is waited for before the update goes out as a gap. */
const REORDER_GRACE_MS = 250;

interface MarketState {
  /** The seq of the last update sent. */
  lastSeq: number;
  /** Every seq up to this one has been heard. */
  contiguous: number;
  /** Seqs heard above `contiguous` (they arrived before one below them). */
  ahead: Set<number>;
  lastAt: number;
  /** When the pending update first waited for a missing seq. */
  waitingSince: number | null;
  pending: Market | null;
  timer: NodeJS.Timeout | null;
}

/**
 * Coalesces a market's state changes into at most one `market:update` per interval (20 a
 * second by default), always carrying the latest state. Each update names the seq of the one
 * sent before it (`prevSeq`), so skipped seqs are not mistaken for a lost update.
 *
 * Changes can arrive out of order (two transactions commit in one order, their answers come
 * back in the other; events relayed from two nodes). An update whose chain has a seq not yet
 * heard waits a moment for it; if it never comes (this node missed the change: events lost
 * between nodes while Redis was away), the update goes out with `prevSeq = seq - 1`, which no
 * client holds: every client sees the gap and refetches.
 */
export class UpdateCoalescer {
  private readonly state = new Map<string, MarketState>();

  constructor(
    private readonly send: (u: MarketUpdate) => void,
    private readonly intervalMs = 50,
    private readonly now: () => number = Date.now,
  ) {}

  push(market: Market): void {
    let s = this.state.get(market.id);
    if (!s) {
      s = {
        lastSeq: market.seq - 1,
        contiguous: market.seq - 1,
        ahead: new Set(),
        lastAt: 0,
        waitingSince: null,
        pending: null,
        timer: null,
      };
      this.state.set(market.id, s);
    }
    if (market.seq <= s.contiguous || s.ahead.has(market.seq)) return;
    if (market.seq === s.contiguous + 1) {
      s.contiguous = market.seq;
      while (s.ahead.delete(s.contiguous + 1)) s.contiguous += 1;
    } else {
      s.ahead.add(market.seq);
    }
    if (market.seq > s.lastSeq && (!s.pending || market.seq > s.pending.seq)) s.pending = market;
    if (s.timer || !s.pending) return;
    this.schedule(market.id, s);
  }

  private schedule(marketId: string, s: MarketState): void {
    const wait = s.lastAt + this.intervalMs - this.now();
    if (wait <= 0) this.flush(marketId);
    else s.timer = setTimeout(() => this.flush(marketId), wait);
  }

  private flush(marketId: string, force = false): void {
    const s = this.state.get(marketId);
    if (!s) return;
    s.timer = null;
    const m = s.pending;
    if (!m) return;
    const hole = s.contiguous < m.seq;
    if (hole && !force) {
      const now = this.now();
      s.waitingSince ??= now;
      const left = s.waitingSince + REORDER_GRACE_MS - now;
      if (left > 0) {
        s.timer = setTimeout(() => this.flush(marketId), left);
        return;
      }
    }
    s.pending = null;
    s.waitingSince = null;
    const update: MarketUpdate = {
      marketId: m.id,
      seq: m.seq,
      prevSeq: hole ? m.seq - 1 : s.lastSeq,
      probabilities: m.outcomes.map((o) => o.probability),
      volumeCents: m.volumeCents,
      status: m.status,
      at: new Date(this.now()).toISOString(),
    };
    s.lastSeq = m.seq;
    if (hole) {
      // Given up on: what was missed is the clients' to refetch.
      s.contiguous = Math.max(s.contiguous, m.seq);
      for (const seq of s.ahead) if (seq <= s.contiguous) s.ahead.delete(seq);
      while (s.ahead.delete(s.contiguous + 1)) s.contiguous += 1;
    }
    s.lastAt = this.now();
    this.send(update);
  }

  /** Sends whatever is pending now and stops the timers (shutdown). */
  close(): void {
    for (const [id, s] of this.state) {
      if (s.timer) clearTimeout(s.timer);
      if (s.pending) this.flush(id, true);
    }
  }
}
