import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { subsidyCents } from '../../shared/money.ts';
import { PersonaFile, SeedFile, type SeedMarket } from '../../shared/schemas/seeds.ts';
import { speakersOf } from '../../shared/sim/agents.ts';
import { DEFAULT_PARAMS } from '../../shared/sim/config.ts';
import { createRng, drawIndex } from '../../shared/sim/random.ts';
import {
  runSimulation,
  type SimResult,
  settledAt,
  simulate,
  truthIndexOf,
} from '../../shared/sim/run.ts';
import { summarizeRuns } from '../../shared/sim/summary.ts';

const seeds = SeedFile.parse(JSON.parse(readFileSync('seeds/markets.json', 'utf8')));
const personas = PersonaFile.parse(
  JSON.parse(readFileSync('seeds/personas.json', 'utf8')),
).personas;
const marketById = (id: string): SeedMarket => seeds.markets.find((m) => m.id === id)!;
const binary = marketById('zhipu-hk-1t-end-2026');
const multiple = marketById('top-chinese-lab-q1-2027');
const small = { agents: 30, steps: 40 };

describe('determinism', () => {
  it('gives the same result, byte for byte, for the same config', () => {
    const a = runSimulation({ market: multiple, personas, seed: 11, ...small });
    const b = runSimulation({ market: multiple, personas, seed: 11, ...small });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('gives different runs for different seeds', () => {
    const a = runSimulation({ market: binary, personas, seed: 1, ...small, truth: 'yes' });
    const b = runSimulation({ market: binary, personas, seed: 2, ...small, truth: 'yes' });
    expect(a.path).not.toEqual(b.path);
    expect(a.agents.map((x) => x.profitCents)).not.toEqual(b.agents.map((x) => x.profitCents));
  });

  it('draws the truth on its own stream, so naming the drawn truth changes nothing', () => {
    const drawn = runSimulation({ market: binary, personas, seed: 5, ...small });
    const named = runSimulation({
      market: binary,
      personas,
      seed: 5,
      ...small,
      truth: drawn.truth,
    });
    expect(JSON.stringify(named)).toBe(JSON.stringify(drawn));
  });

  it('draws truths uniformly from the opening prices', () => {
    // 600 seeds, p = 1/2: the count of yes is 300 ± 12.2 (1σ); 4σ either side.
    let yes = 0;
    for (let seed = 0; seed < 600; seed++) {
      if (truthIndexOf({ market: binary, personas, seed }) === 0) yes++;
    }
    expect(yes).toBeGreaterThan(251);
    expect(yes).toBeLessThan(349);
  });

  it('draws indexes in proportion to probabilities', () => {
    const rng = createRng('draw');
    const counts = [0, 0, 0];
    for (let k = 0; k < 30_000; k++) counts[drawIndex([0.2, 0.5, 0.3], rng)]!++;
    // Expected 6000 / 15000 / 9000 with σ ≈ 69 / 87 / 79.
    expect(Math.abs(counts[0]! - 6000)).toBeLessThan(350);
    expect(Math.abs(counts[1]! - 15000)).toBeLessThan(450);
    expect(Math.abs(counts[2]! - 9000)).toBeLessThan(400);
  });
});

describe('money and shares', () => {
  it('never lets an agent go negative or sell what it does not hold, and conserves money', () => {
    const config = fc
      .record({
        seed: fc.integer({ min: 0, max: 1_000_000 }),
        market: fc.constantFrom(...seeds.markets),
        agents: fc.integer({ min: 12, max: 40 }),
        steps: fc.integer({ min: 5, max: 40 }),
      })
      .chain((c) => {
        // Informed traders up to half the seats, as long as every persona and the default
        // momentum traders still have one (a run that cannot seat them is refused elsewhere).
        const free =
          c.agents -
          speakersOf(c.market).length -
          Math.round(DEFAULT_PARAMS.momentumShare * c.agents);
        const most = Math.min(Math.floor(c.agents / 2), free);
        return fc
          .integer({ min: 0, max: most })
          .map((informed) => ({ ...c, informedShare: informed / c.agents }));
      });
    fc.assert(
      fc.property(config, ({ seed, market, agents, steps, informedShare }) => {
        let fills = 0;
        const trace = simulate(
          { market, personas, seed, agents, steps, informedShare },
          {
            onFill: (fill, agent) => {
              fills++;
              expect(agent.cashCents).toBeGreaterThanOrEqual(0);
              expect(Number.isInteger(agent.cashCents)).toBe(true);
              // A sell leaves a holding of at least zero: it sold no more than it held.
              for (const h of agent.held) expect(h).toBeGreaterThanOrEqual(0);
              expect(Number.isInteger(fill.costCents)).toBe(true);
            },
          },
        );
        expect(trace.market.fills).toBe(fills);
        const n = trace.market.outcomeIds.length;
        // Double entry: what the agents lost the market account gained, on top of the subsidy.
        const cash = trace.agents.reduce((s, a) => s + a.cashCents, 0);
        const budgets = trace.agents.reduce((s, a) => s + a.budgetCents, 0);
        expect(cash + trace.market.accountCents).toBe(budgets + subsidyCents(market.liquidity, n));
        // Outstanding shares are the agents' holdings.
        for (let k = 0; k < n; k++) {
          const held = trace.agents.reduce((s, a) => s + a.held[k]!, 0);
          expect(trace.market.q[k]!).toBeCloseTo(held, 6);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('pays out no more than the market account holds, whatever the truth', () => {
    for (const truth of ['yes', 'no']) {
      const r = runSimulation({ market: binary, personas, seed: 9, ...small, truth });
      expect(r.payoutsCents).toBeLessThanOrEqual(r.accountCents);
      // Profits sum to what the market maker lost: payouts minus net trading cash.
      const profit = r.agents.reduce((s, a) => s + a.profitCents, 0);
      expect(profit).toBe(r.payoutsCents - (r.accountCents - subsidyCents(binary.liquidity, 2)));
    }
  });
});

describe('scoring a run', () => {
  it('finds the step from which the price stays within 10 points of the truth', () => {
    // P(truth) by index: 0.5, 0.95, 0.85, 0.92, 0.95 — it dips below 0.9 at 2, so it settles at 3.
    const path = [0.5, 0.95, 0.85, 0.92, 0.95].map((p) => [p, 1 - p]);
    expect(settledAt(path, 0, 0.9)).toBe(3);
    expect(settledAt(path, 1, 0.9)).toBeNull();
    expect(settledAt([[0.95, 0.05]], 0, 0.9)).toBe(0);
  });

  it('scores the market and every agent, and ranks the best and the median', () => {
    const r = runSimulation({ market: binary, personas, seed: 3, ...small });
    expect(r.path).toHaveLength(small.steps + 1);
    expect(r.finalProbabilities).toEqual(r.path[small.steps]);
    const briers = r.agents.map((a) => a.brier).sort((x, y) => x - y);
    expect(r.bestAgent.brier).toBe(briers[0]);
    // 30 agents: the median is the mean of the 15th and 16th.
    expect(r.medianAgentBrier).toBeCloseTo((briers[14]! + briers[15]!) / 2, 12);
    for (const a of r.agents) {
      expect(a.brier).toBeGreaterThanOrEqual(0);
      expect(a.brier).toBeLessThanOrEqual(1);
      expect(a.profitCents).toBe(a.cashCents + a.payoutCents - a.budgetCents);
      if (a.kind === 'persona') expect(a.claimBrier).toBeDefined();
    }
  });

  it('summarises runs with counts that match the runs', () => {
    const results: SimResult[] = [];
    for (let seed = 0; seed < 6; seed++) {
      results.push(runSimulation({ market: binary, personas, seed, ...small }));
    }
    const s = summarizeRuns(results);
    expect(s.runs).toBe(6);
    expect(s.truthCounts.yes! + s.truthCounts.no!).toBe(6);
    expect(s.truthCounts.yes).toBe(results.filter((r) => r.truth === 'yes').length);
    const above = results.filter((r) => r.finalProbabilities[r.truthIndex]! > 0.8).length;
    expect(s.finalTruthProbability.aboveShare).toBeCloseTo(above / 6, 12);
    expect(s.byKind.map((k) => k.kind)).toEqual(['persona', 'informed', 'noise', 'momentum']);
    expect(s.personas.map((p) => p.who)).toEqual([
      'Gulu (Manfon Slow-Motion)',
      'Zhang Youyu',
      'JPMorgan',
    ]);
    // Calibration covers P(yes) after every step of every run: 6 × 40 points.
    expect(s.calibration.reduce((n, b) => n + b.count, 0)).toBe(6 * small.steps);
  });
});
