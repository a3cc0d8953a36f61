import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PersonaFile, SeedFile, type SeedMarket } from '../../shared/schemas/seeds.ts';

const seeds = SeedFile.parse(JSON.parse(readFileSync('seeds/markets.json', 'utf8')));
const personas = PersonaFile.parse(JSON.parse(readFileSync('seeds/personas.json', 'utf8')));

const REQUIRED_IDS = [
  'china-matches-us-frontier-q1-2027',
  'zhipu-hk-1t-end-2026',
  'anthropic-restores-global-access-2026',
  'zhipu-star-listing-mid-2027',
  'open-weights-beats-opus-frontierswe-2026',
  'zhipu-arr-5b-2026',
  'top-chinese-lab-q1-2027',
  'us-china-gap-months-end-2026',
];
// The seed data is read as of this day; every market must still be open well after it.
const EARLIEST_CLOSE = Date.parse('2026-12-15T00:00:00Z');
// The article's date: no claim quoted in it can be later.
const ARTICLE_DATE = '2026-06-24';

/** The outcome ids a market accepts: yes/no for binary, its listed ids for multiple choice. */
function outcomeIdsOf(market: SeedMarket): string[] {
  return market.type === 'binary' ? ['yes', 'no'] : (market.outcomes ?? []).map((o) => o.id);
}

/** Claims of a market whose outcomeId the market does not offer. */
function strayClaims(market: SeedMarket): SeedMarket['claims'] {
  const ids = new Set(outcomeIdsOf(market));
  return market.claims.filter((c) => !ids.has(c.outcomeId));
}

function marketById(id: string): SeedMarket {
  const market = seeds.markets.find((m) => m.id === id);
  if (!market) throw new Error(`no seed market ${id}`);
  return market;
}

describe('seed markets', () => {
  it('parses into ten markets with unique ids', () => {
    const ids = seeds.markets.map((m) => m.id);
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('includes every required market', () => {
    const ids = new Set(seeds.markets.map((m) => m.id));
    for (const id of REQUIRED_IDS) expect(ids.has(id), id).toBe(true);
  });

  it('gives outcomes only to multiple-choice markets, with unique ids', () => {
    for (const market of seeds.markets) {
      if (market.type === 'binary') {
        expect(market.outcomes, market.id).toBeUndefined();
      } else {
        const ids = (market.outcomes ?? []).map((o) => o.id);
        expect(ids.length, market.id).toBeGreaterThanOrEqual(2);
        expect(new Set(ids).size, market.id).toBe(ids.length);
      }
    }
  });

  it('lists the six labs and the six ordered gap buckets', () => {
    expect(outcomeIdsOf(marketById('top-chinese-lab-q1-2027'))).toEqual([
      'zhipu',
      'deepseek',
      'moonshot',
      'qwen',
      'minimax',
      'other',
    ]);
    expect(outcomeIdsOf(marketById('us-china-gap-months-end-2026'))).toEqual([
      'lt-3',
      '3-6',
      '6-9',
      '9-12',
      '12-18',
      'gt-18',
    ]);
  });

  it('closes every market after 2026-12-15', () => {
    for (const market of seeds.markets) {
      expect(Date.parse(market.closesAt), market.id).toBeGreaterThan(EARLIEST_CLOSE);
    }
  });

  it('keeps liquidity between 100 and 400 and higher for multiple choice', () => {
    for (const market of seeds.markets) {
      expect(market.liquidity, market.id).toBeGreaterThanOrEqual(100);
      expect(market.liquidity, market.id).toBeLessThanOrEqual(400);
    }
    const binaryMax = Math.max(
      ...seeds.markets.filter((m) => m.type === 'binary').map((m) => m.liquidity),
    );
    for (const market of seeds.markets.filter((m) => m.type === 'multiple')) {
      expect(market.liquidity, market.id).toBeGreaterThan(binaryMax);
    }
  });

  it('cites the article and states resolution criteria for every market', () => {
    for (const market of seeds.markets) {
      expect(market.description, market.id).toContain('Manfon Slow-Motion via 36Kr, 2026-06-24');
      expect(market.criteria.length, market.id).toBeGreaterThan(100);
      expect(market.tags.length, market.id).toBeGreaterThan(0);
    }
  });
});

describe('seed claims', () => {
  it('points every claim at an outcome its market offers', () => {
    for (const market of seeds.markets) expect(strayClaims(market), market.id).toEqual([]);
  });

  it('catches a claim whose outcome the market does not offer', () => {
    const binary = marketById('zhipu-hk-1t-end-2026');
    const multiple = marketById('top-chinese-lab-q1-2027');
    fc.assert(
      fc.property(
        fc.constantFrom(binary, multiple),
        fc.stringMatching(/^[a-z0-9_-]{1,40}$/),
        (market, outcomeId) => {
          fc.pre(!outcomeIdsOf(market).includes(outcomeId));
          const first = market.claims[0]!;
          const altered = { ...market, claims: [...market.claims, { ...first, outcomeId }] };
          expect(strayClaims(altered)).toHaveLength(1);
        },
      ),
    );
  });

  it('dates every claim no later than the article and explains every reading', () => {
    for (const market of seeds.markets) {
      for (const claim of market.claims) {
        expect(claim.date <= ARTICLE_DATE, `${market.id}: ${claim.who}`).toBe(true);
        expect(claim.note?.length ?? 0, `${market.id}: ${claim.who}`).toBeGreaterThan(20);
      }
    }
  });

  it('reads the Musk–Tang exchange in the order the words imply', () => {
    const claims = marketById('china-matches-us-frontier-q1-2027').claims;
    const musk = claims.filter((c) => c.who === 'Elon Musk').map((c) => c.probability);
    const tang = claims.find((c) => c.who === 'Tang Jie');
    // "Not until Q1 2027" 0.4, the benchmark concession 0.55, the 10-month gap 0.2;
    // "Won't take that long" 0.85 must sit above all three.
    expect(musk).toEqual([0.4, 0.55, 0.2]);
    expect(tang?.probability).toBe(0.85);
    expect(tang?.date).toBe('2026-06-18');
  });

  it('leaves out Marc Andreessen, whose "Interesting." is no forecast', () => {
    const whos = seeds.markets.flatMap((m) => m.claims.map((c) => c.who));
    expect(whos.some((w) => w.includes('Andreessen'))).toBe(false);
  });
});

describe('seed personas', () => {
  it('has one persona per distinct claimant and none without a claim', () => {
    const claimants = new Set(seeds.markets.flatMap((m) => m.claims.map((c) => c.who)));
    const names = personas.personas.map((p) => p.who);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(names)).toEqual(claimants);
    expect(names).toHaveLength(13);
  });

  it('makes Musk the most stubborn and institutions less stubborn than him', () => {
    const byName = new Map(personas.personas.map((p) => [p.who, p]));
    const musk = byName.get('Elon Musk')!;
    for (const p of personas.personas) {
      expect(p.stubbornness).toBeLessThanOrEqual(musk.stubbornness);
      expect(p.budgetCents).toBeGreaterThanOrEqual(50_000);
      expect(p.budgetCents).toBeLessThanOrEqual(500_000);
    }
    expect(byName.get('Artificial Analysis')!.stubbornness).toBeLessThan(musk.stubbornness);
  });
});
