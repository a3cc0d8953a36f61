import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import {
  baselineScore,
  brierScore,
  LOG_CLAMP,
  logScore,
  peerScore,
  type ScoreSet,
  type ScoringWindow,
  scoreTimelines,
  type Timeline,
} from '../../shared/scoring.ts';

const YES = 0;
const NO = 1;
const yes = (p: number) => [p, 1 - p];
const window100: ScoringWindow = { openAt: 0, closeAt: 100 };

function expectScores(actual: ScoreSet | undefined, expected: ScoreSet, digits = 4): void {
  expect(actual).toBeDefined();
  for (const key of ['brier', 'log', 'baseline', 'peer'] as const) {
    const want = expected[key];
    if (want === null) expect(actual![key]).toBeNull();
    else expect(actual![key]).toBeCloseTo(want, digits);
  }
}

describe('single-forecast scores', () => {
  it('scores Brier on P(yes) for binary and over all outcomes for multiple choice', () => {
    // (0.7 - 1)^2 = 0.09; (0.7 - 0)^2 = 0.49
    expect(brierScore(yes(0.7), YES)).toBeCloseTo(0.09, 12);
    expect(brierScore(yes(0.7), NO)).toBeCloseTo(0.49, 12);
    // (0.5 - 0)^2 + (0.3 - 1)^2 + (0.2 - 0)^2 = 0.25 + 0.49 + 0.04 = 0.78
    expect(brierScore([0.5, 0.3, 0.2], 1)).toBeCloseTo(0.78, 12);
    // Certainty on the wrong outcome: 1 + 1 = 2, the multiple-choice maximum.
    expect(brierScore([1, 0, 0], 2)).toBe(2);
  });

  it('scores ln p of the outcome, clamped to [0.001, 0.999]', () => {
    // ln 0.7 = -0.3566749439
    expect(logScore(yes(0.7), YES)).toBeCloseTo(-0.3566749439, 10);
    // ln 0.001 = -6.907755279; ln 0.999 = -0.0010005003
    expect(logScore([1, 0], NO)).toBeCloseTo(-6.907755279, 9);
    expect(logScore([1, 0], YES)).toBeCloseTo(-0.0010005003, 10);
    expect(LOG_CLAMP).toEqual({ min: 0.001, max: 0.999 });
  });

  it('scores the Metaculus baseline: 0 for the uniform forecast, log2 for binary, ln n p / ln n otherwise', () => {
    // 100 (log2 0.8 + 1) = 100 (1 - 0.3219280949) = 67.80719051
    expect(baselineScore(yes(0.8), YES)).toBeCloseTo(67.80719051, 7);
    expect(baselineScore(yes(0.5), NO)).toBeCloseTo(0, 12);
    expect(baselineScore([0.25, 0.25, 0.25, 0.25], 3)).toBeCloseTo(0, 12);
    // 100 ln(4 * 0.5) / ln 4 = 100 ln 2 / (2 ln 2) = 50
    expect(baselineScore([0.5, 0.2, 0.2, 0.1], 0)).toBeCloseTo(50, 10);
    // 100 ln(3 * 0.6) / ln 3 = 100 * 0.5877866649 / 1.0986122887 = 53.50264793
    expect(baselineScore([0.6, 0.3, 0.1], 0)).toBeCloseTo(53.50264793, 7);
    // Clamped: 100 (log2 0.001 + 1) = 100 (1 - 9.965784285) = -896.5784285
    expect(baselineScore([1, 0], NO)).toBeCloseTo(-896.5784285, 6);
  });

  it('scores peers against the geometric mean, and 0 alone', () => {
    // 100 * 2/1 * ln(0.8 / sqrt(0.8 * 0.5)) = 100 ln(0.8 / 0.5) = 100 * 0.4700036292 = 47.00036292
    expect(peerScore(0.8, [0.8, 0.5])).toBeCloseTo(47.00036292, 7);
    expect(peerScore(0.5, [0.8, 0.5])).toBeCloseTo(-47.00036292, 7);
    // Mean over the others of 100 ln(0.9 / p_j) = 50 (ln 1.5 + ln 3) = 50 * 1.5040773968 = 75.20386984
    expect(peerScore(0.9, [0.9, 0.6, 0.3])).toBeCloseTo(75.20386984, 7);
    expect(peerScore(0.7, [0.7])).toBe(0);
    expect(peerScore(0.7, [])).toBe(0);
  });

  it('makes the peer scores of one moment sum to zero', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (ps) => {
          const total = ps.reduce((s, p) => s + peerScore(p, ps), 0);
          expect(Math.abs(total)).toBeLessThan(1e-9);
        },
      ),
    );
  });

  it('throws a RangeError for an outcome the forecast does not have', () => {
    expect(() => brierScore([0.5, 0.5], 2)).toThrow(RangeError);
    expect(() => logScore([0.5, 0.5], -1)).toThrow(RangeError);
  });
});

describe('time-averaged scores', () => {
  it('averages two forecasters over the window', () => {
    // Window [0, 100], yes happens. A: 0.6 from 0, 0.8 from 50. B: 0.5 from 0.
    const a: Timeline = {
      id: 'a',
      points: [
        { t: 0, probabilities: yes(0.6) },
        { t: 50, probabilities: yes(0.8) },
      ],
    };
    const b: Timeline = { id: 'b', points: [{ t: 0, probabilities: yes(0.5) }] };
    const scores = scoreTimelines([a, b], YES, window100);
    expectScores(scores.get('a'), {
      // (0.4^2 + 0.2^2) / 2 = (0.16 + 0.04) / 2 = 0.10
      brier: 0.1,
      // (ln 0.6 + ln 0.8) / 2 = (-0.5108256 - 0.2231436) / 2 = -0.3669846
      log: -0.3669846,
      // (26.3034406 + 67.8071905) / 2 = 47.0553155
      baseline: 47.0553155,
      // (100 ln(0.6/0.5) + 100 ln(0.8/0.5)) / 2 = (18.2321557 + 47.0003629) / 2 = 32.6162593
      peer: 32.6162593,
    });
    // B: 0.25, ln 0.5, baseline 0, and the negative of A's peer score.
    expectScores(scores.get('b'), { brier: 0.25, log: -Math.LN2, baseline: 0, peer: -32.6162593 });
  });

  it('counts the time before a late forecaster’s first forecast as 0 for baseline and peer only', () => {
    // A: 0.6 from 0. C: 0.9 from 75. Yes happens.
    const a: Timeline = { id: 'a', points: [{ t: 0, probabilities: yes(0.6) }] };
    const c: Timeline = { id: 'c', points: [{ t: 75, probabilities: yes(0.9) }] };
    const scores = scoreTimelines([a, c], YES, window100);
    expectScores(scores.get('c'), {
      // Brier and log over C's own 25 ms: (0.1)^2 = 0.01, ln 0.9 = -0.1053605
      brier: 0.01,
      log: -0.1053605,
      // 25/100 * 100 (log2 0.9 + 1) = 0.25 * 84.7996907 = 21.1999227
      baseline: 21.1999227,
      // 25/100 * 100 ln(0.9 / 0.6) = 0.25 * 40.5465108 = 10.1366277
      peer: 10.1366277,
    });
    expectScores(scores.get('a'), {
      brier: 0.16,
      log: Math.log(0.6),
      // 100 (log2 0.6 + 1) = 26.3034406 over the whole window
      baseline: 26.3034406,
      // alone (0) until 75, then -40.5465108 for a quarter of the window
      peer: -10.1366277,
    });
  });

  it('ignores everything from the knownAt cutoff on', () => {
    // A: 0.6 from 0, 0.99 from 60; cutoff 50 (the answer was known then). Yes happens.
    const a: Timeline = {
      id: 'a',
      points: [
        { t: 0, probabilities: yes(0.6) },
        { t: 60, probabilities: yes(0.99) },
      ],
    };
    // B forecasts exactly at the cutoff: ignored, so B has no standing forecast at all.
    const b: Timeline = { id: 'b', points: [{ t: 50, probabilities: yes(0.99) }] };
    const scores = scoreTimelines([a, b], YES, { openAt: 0, closeAt: 100, cutoffAt: 50 });
    expectScores(scores.get('a'), {
      brier: 0.16,
      log: Math.log(0.6),
      // 50 of the scheduled 100 ms count: 0.5 * 26.3034406 = 13.1517203
      baseline: 13.1517203,
      peer: 0,
    });
    expectScores(scores.get('b'), { brier: null, log: null, baseline: null, peer: null });
  });

  it('lets the latest forecast made before the open stand from the open', () => {
    const a: Timeline = {
      id: 'a',
      points: [
        { t: -20, probabilities: yes(0.3) },
        { t: -10, probabilities: yes(0.6) },
      ],
    };
    expectScores(scoreTimelines([a], YES, window100).get('a'), {
      brier: 0.16,
      log: Math.log(0.6),
      baseline: 26.3034406,
      peer: 0,
    });
  });

  it('scores multiple-choice timelines with the n-outcome formulas', () => {
    // Outcome 2 happens. A: (0.2, 0.3, 0.5) from 0. B: (0.1, 0.1, 0.8) from 50.
    const a: Timeline = { id: 'a', points: [{ t: 0, probabilities: [0.2, 0.3, 0.5] }] };
    const b: Timeline = { id: 'b', points: [{ t: 50, probabilities: [0.1, 0.1, 0.8] }] };
    const scores = scoreTimelines([a, b], 2, window100);
    expectScores(scores.get('a'), {
      // 0.2^2 + 0.3^2 + 0.5^2 = 0.04 + 0.09 + 0.25 = 0.38
      brier: 0.38,
      log: Math.log(0.5),
      // 100 ln(3 * 0.5) / ln 3 = 100 * 0.4054651 / 1.0986123 = 36.9070246
      baseline: 36.9070246,
      // alone until 50, then 100 ln(0.5 / 0.8) = -47.0003629 for half: -23.5001815
      peer: -23.5001815,
    });
    expectScores(scores.get('b'), {
      // 0.01 + 0.01 + 0.04 = 0.06
      brier: 0.06,
      log: Math.log(0.8),
      // half of 100 ln(2.4) / ln 3 = 0.5 * 79.6885986 = 39.8442993
      baseline: 39.8442993,
      peer: 23.5001815,
    });
  });

  it('scores an outside timeline against the peers plus itself', () => {
    // The market at 0.7 among users at 0.6 and 0.5: N = 3,
    // 100 * 3/2 * ln(0.7 / (0.7 * 0.6 * 0.5)^(1/3)) = 50 (ln(0.7/0.6) + ln(0.7/0.5))
    // = 50 (0.1541507 + 0.3364722) = 24.5311458
    const users: Timeline[] = [
      { id: 'u1', points: [{ t: 0, probabilities: yes(0.6) }] },
      { id: 'u2', points: [{ t: 0, probabilities: yes(0.5) }] },
    ];
    const market: Timeline = { id: 'market', points: [{ t: 0, probabilities: yes(0.7) }] };
    const scores = scoreTimelines([market], YES, window100, users);
    expect(scores.get('market')!.peer).toBeCloseTo(24.5311458, 6);
    expect([...scores.keys()]).toEqual(['market']);
    // Scoring a peer against its own set is the inside case: u1 vs u2 alone.
    // 100 * 2 * ln(0.6 / sqrt(0.3)) = 100 ln 1.2 = 18.2321557
    expect(scoreTimelines([users[0]!], YES, window100, users).get('u1')!.peer).toBeCloseTo(
      18.2321557,
      6,
    );
  });

  it('gives no scores to a timeline without points, and none at all in an empty window', () => {
    const a: Timeline = { id: 'a', points: [{ t: 0, probabilities: yes(0.6) }] };
    const empty: Timeline = { id: 'empty', points: [] };
    expectScores(scoreTimelines([a, empty], YES, window100).get('empty'), {
      brier: null,
      log: null,
      baseline: null,
      peer: null,
    });
    expectScores(scoreTimelines([a], YES, { openAt: 0, closeAt: 100, cutoffAt: 0 }).get('a'), {
      brier: null,
      log: null,
      baseline: null,
      peer: null,
    });
  });
});

// ---- an independent reference: evaluate every score on each elementary interval directly

/** The forecast of `tl` standing at time t (latest point at or before max(t, openAt), before the end). */
function standingAt(tl: Timeline, t: number, end: number): readonly number[] | null {
  let found: readonly number[] | null = null;
  for (const p of tl.points) if (p.t <= t && p.t < end) found = p.probabilities;
  return found;
}

function referenceScores(
  timelines: readonly Timeline[],
  outcome: number,
  w: ScoringWindow,
  peers?: readonly Timeline[],
): Map<string, ScoreSet> {
  const end = Math.min(w.cutoffAt ?? w.closeAt, w.closeAt);
  const group = peers ?? timelines;
  const cuts = new Set<number>([w.openAt, end]);
  for (const tl of [...timelines, ...group]) {
    for (const p of tl.points) if (p.t > w.openAt && p.t < end) cuts.add(p.t);
  }
  const times = [...cuts].filter((t) => t >= w.openAt && t <= end).sort((a, b) => a - b);
  const out = new Map<string, ScoreSet>();
  for (const tl of timelines) {
    let time = 0;
    let brier = 0;
    let log = 0;
    let baseline = 0;
    let peer = 0;
    for (let k = 0; k + 1 < times.length; k++) {
      const t = times[k]!;
      const dt = times[k + 1]! - t;
      const mine = standingAt(tl, t, end);
      if (!mine) continue;
      const others = group
        .filter((g) => g.id !== tl.id)
        .map((g) => standingAt(g, t, end))
        .filter((f) => f !== null);
      const all = [mine[outcome]!, ...others.map((f) => f[outcome]!)];
      time += dt;
      brier += brierScore(mine, outcome) * dt;
      log += logScore(mine, outcome) * dt;
      baseline += baselineScore(mine, outcome) * dt;
      peer += peerScore(mine[outcome]!, all) * dt;
    }
    const length = w.closeAt - w.openAt;
    out.set(
      tl.id,
      time > 0
        ? { brier: brier / time, log: log / time, baseline: baseline / length, peer: peer / length }
        : { brier: null, log: null, baseline: null, peer: null },
    );
  }
  return out;
}

const forecast = (n: number) =>
  fc
    .array(fc.double({ min: 0.0001, max: 1, noNaN: true }), { minLength: n, maxLength: n })
    .map((xs) => {
      const sum = xs.reduce((s, x) => s + x, 0);
      return xs.map((x) => x / sum);
    });

const timelines = (n: number, prefix: string) =>
  fc
    .array(
      fc.array(fc.record({ t: fc.integer({ min: -30, max: 130 }), probabilities: forecast(n) }), {
        maxLength: 6,
      }),
      { minLength: 1, maxLength: 6 },
    )
    .map((lines) =>
      lines.map(
        (points, k): Timeline => ({
          id: `${prefix}${k}`,
          points: [...points].sort((x, y) => x.t - y.t),
        }),
      ),
    );

const windows = fc
  .record({
    openAt: fc.integer({ min: -10, max: 20 }),
    length: fc.integer({ min: 1, max: 120 }),
    cutoff: fc.option(fc.integer({ min: -20, max: 140 }), { nil: undefined }),
  })
  .map(
    ({ openAt, length, cutoff }): ScoringWindow => ({
      openAt,
      closeAt: openAt + length,
      ...(cutoff === undefined ? {} : { cutoffAt: cutoff }),
    }),
  );

function expectSame(actual: Map<string, ScoreSet>, expected: Map<string, ScoreSet>): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [id, want] of expected) {
    const got = actual.get(id)!;
    for (const key of ['brier', 'log', 'baseline', 'peer'] as const) {
      if (want[key] === null) expect(got[key]).toBeNull();
      else expect(Math.abs(got[key]! - want[key]!)).toBeLessThan(1e-9);
    }
  }
}

describe('time-averaged score properties', () => {
  it('matches a direct interval-by-interval evaluation', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            lines: timelines(n, 'u'),
            outcome: fc.integer({ min: 0, max: n - 1 }),
          }),
        ),
        windows,
        ({ lines, outcome }, w) => {
          expectSame(scoreTimelines(lines, outcome, w), referenceScores(lines, outcome, w));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('matches the direct evaluation for outside timelines scored against peers', () => {
    fc.assert(
      fc.property(
        timelines(2, 'u'),
        timelines(2, 'x'),
        fc.boolean(),
        windows,
        (peers, outside, yesWins, w) => {
          const outcome = yesWins ? YES : NO;
          expectSame(
            scoreTimelines(outside, outcome, w, peers),
            referenceScores(outside, outcome, w, peers),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('makes the peer scores of a group sum to zero', () => {
    fc.assert(
      fc.property(
        timelines(3, 'u'),
        windows,
        fc.integer({ min: 0, max: 2 }),
        (lines, w, outcome) => {
          const ids = new Set(lines.map((l) => l.id));
          const scores = scoreTimelines(lines, outcome, w);
          let total = 0;
          for (const id of ids) total += scores.get(id)!.peer ?? 0;
          expect(Math.abs(total)).toBeLessThan(1e-9);
        },
      ),
    );
  });

  it('scores a question with 10,000 market points and 300 forecasters in well under a second', () => {
    const rng = seedrandom('scoring-load');
    const day = 86_400_000;
    const w: ScoringWindow = { openAt: 0, closeAt: 90 * day, cutoffAt: 80 * day };
    const market: Timeline = {
      id: 'market',
      points: Array.from({ length: 10_000 }, (_, k) => ({
        t: k * 700_000,
        probabilities: yes(rng()),
      })),
    };
    const users: Timeline[] = Array.from({ length: 300 }, (_, u) => ({
      id: `u${u}`,
      points: Array.from({ length: 20 }, () => ({
        t: Math.floor(rng() * 90 * day),
        probabilities: yes(rng()),
      })).sort((a, b) => a.t - b.t),
    }));
    const started = performance.now();
    const byUser = scoreTimelines(users, YES, w);
    const marketScores = scoreTimelines([market], YES, w, users);
    const elapsed = performance.now() - started;
    expect(byUser.size).toBe(300);
    expect(marketScores.get('market')!.brier).not.toBeNull();
    expect(elapsed).toBeLessThan(500);
  });
});
