import type { Market } from '../../shared/schemas/index.ts';
import type { MarketUpdate } from '../../shared/schemas/socket.ts';

/**
 * Coalesces a market's state changes into at most one `market:update` per interval (20 a
 * second by default), always carrying the latest state. Each update names the seq of the one
 * sent before it (`prevSeq`), so skipped seqs are not mistaken for a lost update. If this node
 * itself missed a state change (a hole in the seqs it heard: events lost between nodes while
 * Redis was away), the next update's `prevSeq` is `seq - 1` instead, which no client holds:
 * every client sees the gap and refetches.
 */
export class UpdateCoalescer {
  private readonly state = new Map<
    string,
    {
      lastSeq: number;
      /** The highest seq heard, sent or not. */
      heardSeq: number;
      /** A seq between the last sent and the pending one was never heard. */
      hole: boolean;
      lastAt: number;
      pending: Market | null;
      timer: NodeJS.Timeout | null;
    }
  >();

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
        heardSeq: market.seq - 1,
        hole: false,
        lastAt: 0,
        pending: null,
        timer: null,
      };
      this.state.set(market.id, s);
    }
    if (market.seq <= s.heardSeq) return;
    if (market.seq > s.heardSeq + 1) s.hole = true;
    s.heardSeq = market.seq;
    if (!s.pending || market.seq > s.pending.seq) s.pending = market;
    if (s.timer) return;
    const wait = s.lastAt + this.intervalMs - this.now();
    if (wait <= 0) this.flush(market.id);
    else s.timer = setTimeout(() => this.flush(market.id), wait);
  }

  private flush(marketId: string): void {
    const s = this.state.get(marketId);
    if (!s) return;
    s.timer = null;
    const m = s.pending;
    if (!m) return;
    s.pending = null;
    const update: MarketUpdate = {
      marketId: m.id,
      seq: m.seq,
      prevSeq: s.hole ? m.seq - 1 : s.lastSeq,
      probabilities: m.outcomes.map((o) => o.probability),
      volumeCents: m.volumeCents,
      status: m.status,
      at: new Date(this.now()).toISOString(),
    };
    s.lastSeq = m.seq;
    s.hole = false;
    s.lastAt = this.now();
    this.send(update);
  }

  /** Sends whatever is pending now and stops the timers (shutdown). */
  close(): void {
    for (const [id, s] of this.state) {
      if (s.timer) clearTimeout(s.timer);
      if (s.pending) this.flush(id);
    }
  }
}
