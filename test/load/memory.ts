import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { ChildServer } from '../helpers/childServer.ts';

/** One sample of a series: seconds since trading began, and megabytes. */
export interface RssSample {
  t: number;
  mb: number;
}

export interface RssGrowth {
  /** The highest smoothed value of the warm-up. */
  baseline: RssSample;
  /** The highest smoothed value after the warm-up. */
  peak: RssSample;
  /** peak / baseline − 1. */
  growth: number;
  samplesAfterWarmup: number;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Growth after a warm-up, on a series smoothed by a centred running median of `window`
 * samples, so one outlying sample is neither a leak nor the baseline.
 */
export function rssGrowth(samples: readonly RssSample[], warmupS: number, window = 5): RssGrowth {
  const half = window >> 1;
  const smooth = samples.map((s, i) => ({
    t: s.t,
    mb: median(samples.slice(Math.max(0, i - half), i + half + 1).map((x) => x.mb)),
  }));
  const highest = (xs: RssSample[]) => xs.reduce((a, s) => (s.mb > a.mb ? s : a), xs[0]!);
  const warm = smooth.filter((s) => s.t <= warmupS);
  const after = smooth.filter((s) => s.t > warmupS);
  const baseline = highest(warm.length ? warm : smooth);
  const peak = after.length ? highest(after) : baseline;
  return { baseline, peak, growth: peak.mb / baseline.mb - 1, samplesAfterWarmup: after.length };
}

export interface MemoryPoint {
  t: number;
  /** RSS as found. */
  rssMb: number;
  /** RSS right after a full collection. */
  afterGcMb: number;
  heapUsedMb: number;
  externalMb: number;
  /** The most SQLite's page cache can hold now: the database's size, up to cache_size. */
  pageCacheMb: number;
  gcMs: number;
}

const MB = 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SQLite's page cache per connection in this build (better-sqlite3: cache_size −16000 KiB). */
export function pageCacheLimitMb(): number {
  const db = new Database(':memory:');
  const kib = -Number(db.pragma('cache_size', { simple: true }));
  db.close();
  return (kib * 1024) / MB;
}

/**
 * Samples the memory of a server started with test/load/gcProbe.ts: RSS from /proc, then a
 * full collection in the server (SIGUSR2) and RSS again. A leak is what survives collection;
 * the collector's sawtooth, which under a high allocation rate spans a third of RSS and most
 * of a minute, is not. Neither is SQLite's page cache filling as the database grows (up to
 * 16 MB by design), so the judged figure leaves out what the cache can hold at that moment.
 */
export class MemorySampler {
  readonly points: MemoryPoint[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private t0 = 0;

  constructor(
    private readonly server: ChildServer,
    private readonly dbFile: string,
    private readonly everyMs: number,
    private readonly cacheLimitMb = pageCacheLimitMb(),
  ) {}

  start(t0: number): void {
    this.t0 = t0;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.sample();
        await sleep(this.everyMs);
      }
    })();
  }

  /** Stops the loop and takes a last sample. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.sample();
  }

  private async sample(): Promise<void> {
    const t = (performance.now() - this.t0) / 1000;
    const rssMb = this.server.rssMb();
    const collected = this.server.nextLine(/^gc-probe /, 10_000);
    process.kill(this.server.pid, 'SIGUSR2');
    const line = await collected;
    if (!line.startsWith('gc-probe collected=1 ')) throw new Error(`no collection: ${line}`);
    const field = (name: string) => Number(new RegExp(`${name}=([\\d.]+)`).exec(line)?.[1]);
    const dbBytes = [this.dbFile, `${this.dbFile}-wal`]
      .map((f) => statSync(f, { throwIfNoEntry: false })?.size ?? 0)
      .reduce((a, b) => a + b, 0);
    this.points.push({
      t,
      rssMb,
      afterGcMb: this.server.rssMb(),
      heapUsedMb: field('heapUsedMb'),
      externalMb: field('externalMb'),
      pageCacheMb: Math.min(dbBytes / MB, this.cacheLimitMb),
      gcMs: field('ms'),
    });
  }

  /** Growth after the warm-up of RSS after GC less the page cache (judged), and the others. */
  summary(warmupS: number) {
    const series = (f: (p: MemoryPoint) => number) =>
      this.points.map((p) => ({ t: p.t, mb: f(p) }));
    const judged = rssGrowth(
      series((p) => p.afterGcMb - p.pageCacheMb),
      warmupS,
    );
    const pct = (g: RssGrowth) => Math.round(g.growth * 1000) / 10;
    const pauses = this.points.map((p) => p.gcMs).sort((a, b) => a - b);
    return {
      judged,
      growthPct: pct(judged),
      asFoundGrowthPct: pct(
        rssGrowth(
          series((p) => p.rssMb),
          warmupS,
        ),
      ),
      afterGcGrowthPct: pct(
        rssGrowth(
          series((p) => p.afterGcMb),
          warmupS,
        ),
      ),
      heapUsedGrowthPct: pct(
        rssGrowth(
          series((p) => p.heapUsedMb),
          warmupS,
        ),
      ),
      gcPauseMs: { median: median(pauses), max: pauses.at(-1) ?? Number.NaN },
    };
  }
}
