/** One RSS sample of the server: seconds since trading began, and megabytes. */
export interface RssSample {
  t: number;
  mb: number;
}

export interface RssGrowth {
  /** The highest smoothed RSS of the warm-up. */
  baseline: RssSample;
  /** The highest smoothed RSS after the warm-up. */
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
 * Memory growth after a warm-up, on RSS smoothed by a centred running median of `window`
 * samples. A garbage-collected heap's RSS swings by a third under a high allocation rate and
 * comes back; a leak is a level that keeps rising, which the median keeps and the swings don't.
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
