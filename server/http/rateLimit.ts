import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';

/** The answer to one counted hit. */
export interface Hit {
  ok: boolean;
  /** Seconds until the key's window resets (at least 1 when refused). */
  retryAfterSeconds: number;
}

/**
 * A fixed-window counter per key (rate-limiter-flexible). With Redis the counters are shared
 * by every node; should Redis fail, an in-memory limiter of the same limits stands in (its
 * insurance) so login and registration neither stop nor run unlimited.
 */
export class RateLimiter {
  private readonly limiter: RateLimiterAbstract;

  constructor(limit: number, windowMs: number, opts: { redis?: Redis; prefix?: string } = {}) {
    const duration = Math.max(1, Math.round(windowMs / 1000));
    const memory = new RateLimiterMemory({ points: limit, duration });
    this.limiter = opts.redis
      ? new RateLimiterRedis({
          storeClient: opts.redis,
          points: limit,
          duration,
          keyPrefix: opts.prefix ?? 'parity:rl',
          insuranceLimiter: memory,
          // While Redis is away, count in memory at once rather than wait for a reconnect.
          rejectIfRedisNotReady: true,
        })
      : memory;
  }

  /** Counts a hit; `ok` is false when the key is over its limit in the current window. */
  async hit(key: string): Promise<Hit> {
    try {
      const r = await this.limiter.consume(key);
      return { ok: true, retryAfterSeconds: Math.max(1, Math.ceil(r.msBeforeNext / 1000)) };
    } catch (e) {
      if (e instanceof RateLimiterRes) {
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(e.msBeforeNext / 1000)) };
      }
      throw e;
    }
  }

  /** Seconds until the key's window resets, without counting a hit (0: no window open). */
  async retryAfter(key: string): Promise<number> {
    const r = await this.limiter.get(key);
    return r ? Math.max(1, Math.ceil(r.msBeforeNext / 1000)) : 0;
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}
