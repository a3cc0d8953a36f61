/**
 * A fixed-window counter per key, in memory: enough for one process guarding login and
 * socket events. Windows are dropped once they expire, so memory stays bounded by activity.
 */
export class RateLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();
  private lastSweep = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts a hit; returns false when the key is over its limit in the current window. */
  hit(key: string, now = Date.now()): boolean {
    this.sweep(now);
    const w = this.hits.get(key);
    if (!w || w.resetAt <= now) {
      this.hits.set(key, { count: 1, resetAt: now + this.windowMs });
      return true;
    }
    w.count += 1;
    return w.count <= this.limit;
  }

  /** Seconds until the key's window resets. */
  retryAfter(key: string, now = Date.now()): number {
    const w = this.hits.get(key);
    return w ? Math.max(1, Math.ceil((w.resetAt - now) / 1000)) : 0;
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [k, w] of this.hits) if (w.resetAt <= now) this.hits.delete(k);
  }
}
