import { describe, expect, it } from 'vitest';
import { rssGrowth } from './memory.ts';

const series = (mbs: number[], everyS = 2) => mbs.map((mb, i) => ({ t: i * everyS, mb }));

describe('rssGrowth', () => {
  it('ignores the swings of a collected heap that keeps returning to its level', () => {
    // Ten samples of warm-up settling near 180 MB, then a sawtooth up to 270 that comes back.
    const s = series([
      150, 170, 176, 178, 180, 182, 179, 181, 180, 178, 230, 270, 190, 178, 181, 260, 182, 180, 179,
      181, 250, 180, 183, 179,
    ]);
    const g = rssGrowth(s, 18);
    // By hand: the warm-up's highest running median is at t = 18 s, median of
    // 181, 180, 178, 230, 270 = 181; after it, the highest is at t = 20 s, median of
    // 180, 178, 230, 270, 190 = 190. Growth 190 / 181 − 1 = 4.97%, under 10%.
    expect(g.baseline).toEqual({ t: 18, mb: 181 });
    expect(g.peak).toEqual({ t: 20, mb: 190 });
    expect(g.growth).toBeCloseTo(190 / 181 - 1, 12);
    expect(g.samplesAfterWarmup).toBe(14);
  });

  it('reports a level that keeps rising', () => {
    // A leak of 2 MB a sample once warm (180 MB up to sample 9, 220 MB at sample 29).
    const s = series(Array.from({ length: 30 }, (_, i) => 180 + Math.max(0, i - 9) * 2));
    const g = rssGrowth(s, 18);
    // By hand: baseline 180; the last median (window clipped to 216, 218, 220) is 218: +21%.
    expect(g.baseline.mb).toBe(180);
    expect(g.peak).toEqual({ t: 58, mb: 218 });
    expect(g.growth).toBeCloseTo(218 / 180 - 1, 12);
  });
});
