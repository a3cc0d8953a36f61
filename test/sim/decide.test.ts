import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costToBuy, prices } from '../../shared/lmsr.ts';
import { tradeCostCents } from '../../shared/money.ts';
import type {
  Agent,
  InformedAgent,
  MomentumAgent,
  NoiseAgent,
  PersonaAgent,
} from '../../shared/sim/agents.ts';
import { DEFAULT_STYLES } from '../../shared/sim/config.ts';
import { chooseOrder, decide, observe } from '../../shared/sim/decide.ts';
import { createRng } from '../../shared/sim/random.ts';

const base = (n: number) => ({
  label: 'agent',
  budgetCents: 100_000,
  cashCents: 100_000,
  held: new Array<number>(n).fill(0),
  belief: new Array<number>(n).fill(1 / n),
  lastStep: -1,
});

function persona(claim: number[], stubbornness: number, steps: number): PersonaAgent {
  return {
    ...base(claim.length),
    id: 'persona:x',
    kind: 'persona',
    who: 'x',
    stubbornness,
    claimBelief: claim,
    belief: claim.slice(),
    pull: 1 - stubbornness ** (1 / steps),
    style: { ...DEFAULT_STYLES.persona },
  };
}

describe('beliefs over time', () => {
  it('moves a persona towards a steady price until stubbornness of the gap is left', () => {
    // Claim 0.2, price 0.6, stubbornness 0.5 over 10 steps: the gap 0.4 shrinks by a factor
    // 0.5^(1/10) per step, so after 10 steps 0.5 · 0.4 = 0.2 of it is left: belief 0.6 − 0.2 = 0.4.
    const a = persona([0.2, 0.8], 0.5, 10);
    const rng = createRng(1);
    for (let step = 0; step < 10; step++) observe(a, [0.6, 0.4], { rng, step });
    expect(a.belief[0]).toBeCloseTo(0.4, 12);
    expect(a.belief[1]).toBeCloseTo(0.6, 12);
  });

  it('catches up several missed steps at once', () => {
    // Seeing the market at steps 0 and 9 only must leave the same belief as seeing all ten.
    const a = persona([0.2, 0.8], 0.5, 10);
    const rng = createRng(1);
    observe(a, [0.6, 0.4], { rng, step: 0 });
    observe(a, [0.6, 0.4], { rng, step: 9 });
    expect(a.belief[0]).toBeCloseTo(0.4, 12);
  });

  it('leads an informed trader to the truth', () => {
    // Information 40 over 20 steps: s² = 2 log-odds a step in the truth's favour, so after 20
    // steps the truth leads each other outcome by about 40 ± 9 in log-odds.
    const a: InformedAgent = {
      ...base(4),
      id: 'informed-1',
      kind: 'informed',
      truthIndex: 2,
      signalToNoise: Math.sqrt(40 / 20),
      logPrior: [],
      evidence: [0, 0, 0, 0],
      priceWeight: 0.5,
      logBelief: [0, 0, 0, 0],
      style: { ...DEFAULT_STYLES.informed },
    };
    const rng = createRng(7);
    for (let step = 0; step < 20; step++) observe(a, [0.25, 0.25, 0.25, 0.25], { rng, step });
    expect(a.belief[2]).toBeGreaterThan(0.999);
    expect(a.belief.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });

  it('gives noise traders views that average to the price', () => {
    // The view is p_k (1 + 0.3 (z_k − Σ p_j z_j)); its mean is p_k. Over 20,000 views of
    // [0.7, 0.3] the standard error of the mean is about 0.7·0.3·0.3·√2 / √20000 ≈ 0.0006.
    const a: NoiseAgent = {
      ...base(2),
      id: 'noise-1',
      kind: 'noise',
      scale: 0.3,
      draws: [0, 0],
      style: { ...DEFAULT_STYLES.noise },
    };
    const rng = createRng(3);
    let sum = 0;
    const N = 20_000;
    for (let step = 0; step < N; step++) {
      observe(a, [0.7, 0.3], { rng, step });
      sum += a.belief[0]!;
    }
    expect(sum / N).toBeCloseTo(0.7, 2);
    expect(Math.abs(sum / N - 0.7)).toBeLessThan(0.003);
  });

  it('has momentum traders extrapolate a rise', () => {
    // Window 1, gain 1, price 0.5 then 0.6: log belief = ln p + (ln p − ln p_then), i.e.
    // yes ∝ 0.6 · 1.2 = 0.72 and no ∝ 0.4 · 0.8 = 0.32, so P(yes) = 0.72 / 1.04 = 0.6923…
    const a: MomentumAgent = {
      ...base(2),
      id: 'momentum-1',
      kind: 'momentum',
      window: 1,
      gain: 1,
      history: [],
      style: { ...DEFAULT_STYLES.momentum },
    };
    const rng = createRng(1);
    observe(a, [0.5, 0.5], { rng, step: 0 });
    expect(a.belief[0]).toBeCloseTo(0.5, 12);
    observe(a, [0.6, 0.4], { rng, step: 1 });
    expect(a.belief[0]).toBeCloseTo(0.72 / 1.04, 12);
  });
});

describe('orders', () => {
  it('buys what the agent rates above the price', () => {
    const a = persona([0.8, 0.2], 1, 10);
    const order = chooseOrder(a, { liquidity: 100, q: [0, 0] }, [0.5, 0.5]);
    expect(order?.outcomeIndex).toBe(0);
    expect(order!.shares).toBeGreaterThan(0);
  });

  it('does nothing inside the minimum edge', () => {
    const a = persona([0.51, 0.49], 1, 10);
    expect(chooseOrder(a, { liquidity: 100, q: [0, 0] }, [0.5, 0.5])).toBeNull();
  });

  it('never sells more than is held nor spends more than the cash', () => {
    const kinds = ['persona', 'informed', 'noise', 'momentum'] as const;
    const input = fc.record({
      n: fc.integer({ min: 2, max: 8 }),
      b: fc.double({ min: 10, max: 1000, noNaN: true }),
      q: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 8, maxLength: 8 }),
      belief: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }),
      held: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 5000, noNaN: true })), {
        minLength: 8,
        maxLength: 8,
      }),
      cashCents: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_000_000 })),
      kind: fc.constantFrom(...kinds),
      kellyFraction: fc.double({ min: 0.01, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(input, ({ n, b, q, belief, held, cashCents, kind, kellyFraction }) => {
        const qn = q.slice(0, n).map((x) => x * b);
        const raw = belief.slice(0, n).map((x) => x + 1e-3);
        const total = raw.reduce((s, x) => s + x, 0);
        const agent = {
          ...base(n),
          id: 'a',
          kind,
          cashCents,
          held: held.slice(0, n),
          belief: raw.map((x) => x / total),
          style: { activity: 1, kellyFraction, minEdge: 0.01 },
        } as unknown as Agent;
        const order = chooseOrder(agent, { liquidity: b, q: qn }, prices(qn, b));
        if (order === null) return;
        const { outcomeIndex: i, shares } = order;
        expect(Number.isFinite(shares)).toBe(true);
        if (shares < 0) expect(-shares).toBeLessThanOrEqual(agent.held[i]!);
        else expect(tradeCostCents(costToBuy(qn, b, i, shares))).toBeLessThanOrEqual(cashCents);
      }),
      { numRuns: 500 },
    );
  });

  it('trades only as often as the activity says', () => {
    // Activity 0.25: over 4,000 turns about 1,000 orders (±3σ ≈ ±82).
    const a = persona([0.9, 0.1], 1, 10);
    a.style.activity = 0.25;
    const rng = createRng(5);
    let orders = 0;
    for (let step = 0; step < 4000; step++) {
      if (decide(a, { liquidity: 1e9, q: [0, 0] }, { rng, step }) !== null) orders++;
    }
    expect(orders).toBeGreaterThan(918);
    expect(orders).toBeLessThan(1082);
  });
});
