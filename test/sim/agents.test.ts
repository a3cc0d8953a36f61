import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PersonaFile, SeedFile, type SeedMarket } from '../../shared/schemas/seeds.ts';
import {
  agentCounts,
  claimBelief,
  createAgents,
  personaBelief,
  speakersOf,
} from '../../shared/sim/agents.ts';
import { resolveParams } from '../../shared/sim/config.ts';
import { createRng } from '../../shared/sim/random.ts';

const seeds = SeedFile.parse(JSON.parse(readFileSync('seeds/markets.json', 'utf8')));
const personas = PersonaFile.parse(
  JSON.parse(readFileSync('seeds/personas.json', 'utf8')),
).personas;
const marketById = (id: string): SeedMarket => seeds.markets.find((m) => m.id === id)!;
const claim = (who: string, outcomeId: string, probability: number) => ({
  who,
  said: 'words',
  source: 'article',
  date: '2026-06-24',
  outcomeId,
  probability,
});

describe('beliefs from claims', () => {
  it('puts the claimed probability on its outcome and spreads the rest evenly', () => {
    // 0.25 on b of four outcomes; the other three get (1 − 0.25) / 3 = 0.25 each.
    expect(claimBelief(claim('x', 'b', 0.25), ['a', 'b', 'c', 'd'])).toEqual([
      0.25, 0.25, 0.25, 0.25,
    ]);
    // Binary: 0.8 on no leaves 0.2 for yes.
    const b = claimBelief(claim('x', 'no', 0.8), ['yes', 'no']);
    expect(b[0]).toBeCloseTo(0.2, 12);
    expect(b[1]).toBe(0.8);
  });

  it('averages several claims by one speaker', () => {
    // Elon Musk's three claims on the China-parity market read 0.4, 0.55 and 0.2 for yes:
    // (0.4 + 0.55 + 0.2) / 3 = 0.383333…
    const market = marketById('china-matches-us-frontier-q1-2027');
    const b = personaBelief('Elon Musk', market.claims, ['yes', 'no']);
    expect(b[0]).toBeCloseTo(1.15 / 3, 12);
    expect(b[1]).toBeCloseTo(1 - 1.15 / 3, 12);
  });

  it('rejects a claim on an outcome the market does not have', () => {
    expect(() => claimBelief(claim('x', 'maybe', 0.5), ['yes', 'no'])).toThrow(RangeError);
  });
});

describe('the agents of a run', () => {
  it('seats every speaker as a persona, then informed, noise and momentum traders by share', () => {
    const market = marketById('china-matches-us-frontier-q1-2027');
    const params = resolveParams({ market, personas, seed: 1, agents: 50, informedShare: 0.3 });
    // 8 speakers (Elon Musk's three claims make one persona); informed round(0.3·50) = 15,
    // momentum round(0.1·50) = 5, noise 50 − 8 − 15 − 5 = 22.
    expect(agentCounts(params, speakersOf(market).length)).toEqual({
      persona: 8,
      informed: 15,
      noise: 22,
      momentum: 5,
    });
    const agents = createAgents({ params, truthIndex: 1 }, { market, personas }, createRng(1));
    expect(agents).toHaveLength(50);
    expect(new Set(agents.map((a) => a.id)).size).toBe(50);
    const musk = agents.find((a) => a.id === 'persona:Elon Musk')!;
    expect(musk.kind).toBe('persona');
    expect(musk.budgetCents).toBe(500_000);
    expect(musk.cashCents).toBe(500_000);
    expect(musk.held).toEqual([0, 0]);
    for (const a of agents) {
      if (a.kind !== 'persona') expect(a.budgetCents).toBe(params.budgetCents);
      if (a.kind === 'informed') expect(a.truthIndex).toBe(1);
    }
  });

  it('refuses seats that do not add up', () => {
    const market = marketById('china-matches-us-frontier-q1-2027');
    const params = resolveParams({ market, personas, seed: 1, agents: 12, informedShare: 0.3 });
    // 8 personas + round(3.6) = 4 informed + round(1.2) = 1 momentum = 13 > 12.
    expect(() => agentCounts(params, speakersOf(market).length)).toThrow(/cannot seat/);
  });

  it('refuses a speaker without a persona', () => {
    const market = marketById('zhipu-hk-1t-end-2026');
    const params = resolveParams({ market, personas: [], seed: 1 });
    expect(() =>
      createAgents({ params, truthIndex: 0 }, { market, personas: [] }, createRng(1)),
    ).toThrow(/no persona for/);
  });

  it('refuses parameters no run can use', () => {
    const market = marketById('zhipu-hk-1t-end-2026');
    expect(() => resolveParams({ market, personas, seed: 1, steps: 0 })).toThrow(RangeError);
    expect(() => resolveParams({ market, personas, seed: 1, informedShare: 1.2 })).toThrow(
      RangeError,
    );
    expect(() =>
      resolveParams({ market, personas, seed: 1, styles: { noise: { kellyFraction: 0 } } }),
    ).toThrow(RangeError);
  });
});
