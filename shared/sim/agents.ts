/**
 * The simulator's agents and how they are made. An agent is a mutable record the simulation (or
 * the server's live bots) owns: its belief, its cash in integer cents and the shares it holds.
 * `decide.ts` moves beliefs and turns them into orders; `market.ts` fills the orders.
 */
import type { Claim } from '../schemas/objects.ts';
import type { Persona, SeedMarket } from '../schemas/seeds.ts';
import type { AgentKind, SimParams, TradingStyle } from './config.ts';
import { outcomeIdsOf } from './config.ts';
import type { Rng } from './random.ts';

interface AgentBase {
  /** Unique within a run: `persona:<who>`, `informed-3`, `noise-12`, `momentum-1`. */
  id: string;
  kind: AgentKind;
  /** What a report shows: the persona's name, or the agent type and number. */
  label: string;
  budgetCents: number;
  /** Cash on hand, integer cents, never negative. */
  cashCents: number;
  /** Shares held by outcome index, never negative. */
  held: number[];
  /** The agent's probabilities by outcome index; its forecast. */
  belief: number[];
  style: TradingStyle;
  /** The last step whose news the belief has taken in; -1 before the first. */
  lastStep: number;
}

/** A person or institution quoted in the seeds, trading on what its claims said. */
export interface PersonaAgent extends AgentBase {
  kind: 'persona';
  who: string;
  stubbornness: number;
  /** The belief its claims set, before any market influence. */
  claimBelief: number[];
  /** Per-step weight of the market price in its belief: stubbornness^(1/steps) is left of the gap. */
  pull: number;
}

/** A trader with noisy private signals of the true outcome, updated by Bayes' rule. */
export interface InformedAgent extends AgentBase {
  kind: 'informed';
  truthIndex: number;
  /** Signal-to-noise of one step's Gaussian signal; its square is the expected log-odds gain. */
  signalToNoise: number;
  /** Log prices when it first looked: its prior. Empty before the first step. */
  logPrior: number[];
  /** Accumulated log-likelihoods of its private signals, by outcome. */
  evidence: number[];
  /**
   * How much it reads the current price as others' evidence (0..1): its base belief is the log
   * prior moved this far towards the log price, before its own evidence is added.
   */
  priceWeight: number;
  /** Scratch space for its log belief. */
  logBelief: number[];
}

/** A trader without information: each step its view is the price with fresh, unbiased noise. */
export interface NoiseAgent extends AgentBase {
  kind: 'noise';
  /** Relative standard deviation of its view around the price. */
  scale: number;
  /** Scratch space for its noise draws. */
  draws: number[];
}

/** A trader that extrapolates the change in log price over a recent window. */
export interface MomentumAgent extends AgentBase {
  kind: 'momentum';
  window: number;
  gain: number;
  /** Log prices observed on the last `window + 1` steps, oldest first. */
  history: number[][];
}

export type Agent = PersonaAgent | InformedAgent | NoiseAgent | MomentumAgent;

/** What the agents of a market are made from. */
export interface SimSeeds {
  market: SeedMarket;
  personas: readonly Persona[];
}

export interface AgentsConfig {
  params: SimParams;
  /** Index of the true outcome; informed traders' signals point at it. */
  truthIndex: number;
}

/**
 * A claim read as a full belief: `probability` on its outcome and the rest spread evenly over the
 * other outcomes, since a claim says nothing to tell them apart.
 */
export function claimBelief(claim: Claim, outcomeIds: readonly string[]): number[] {
  const k = outcomeIds.indexOf(claim.outcomeId);
  if (k < 0) throw new RangeError(`claim by ${claim.who} names unknown outcome ${claim.outcomeId}`);
  const rest = (1 - claim.probability) / (outcomeIds.length - 1);
  return outcomeIds.map((_, i) => (i === k ? claim.probability : rest));
}

/**
 * The belief of one quoted person or institution on a market: the mean of its claims' beliefs (a
 * linear opinion pool). Several claims by one speaker are several readings of its words, none
 * privileged, so each weighs the same.
 */
export function personaBelief(
  who: string,
  claims: readonly Claim[],
  outcomeIds: readonly string[],
): number[] {
  const own = claims.filter((c) => c.who === who);
  if (own.length === 0) throw new RangeError(`${who} makes no claim on this market`);
  const sum = outcomeIds.map(() => 0);
  for (const c of own) {
    const b = claimBelief(c, outcomeIds);
    for (let i = 0; i < sum.length; i++) sum[i]! += b[i]! / own.length;
  }
  return sum;
}

/** The quoted names of a market, in the order their first claims appear. */
export function speakersOf(market: SeedMarket): string[] {
  return [...new Set(market.claims.map((c) => c.who))];
}

/** How many agents of each kind a run has; throws RangeError when the seats do not add up. */
export function agentCounts(params: SimParams, personas: number): Record<AgentKind, number> {
  const informed = Math.round(params.informedShare * params.agents);
  const momentum = Math.round(params.momentumShare * params.agents);
  const noise = params.agents - personas - informed - momentum;
  if (noise < 0) {
    throw new RangeError(
      `${params.agents} agents cannot seat ${personas} personas, ${informed} informed and ` +
        `${momentum} momentum traders`,
    );
  }
  return { persona: personas, informed, noise, momentum };
}

/**
 * Every agent of a run, in a fixed order: the market's personas (in claim order), then informed,
 * noise and momentum traders. `rng` draws each informed trader's information. Throws RangeError
 * when a speaker has no persona entry.
 */
export function createAgents(config: AgentsConfig, seeds: SimSeeds, rng: Rng): Agent[] {
  const { params, truthIndex } = config;
  const outcomeIds = outcomeIdsOf(seeds.market);
  const n = outcomeIds.length;
  const speakers = speakersOf(seeds.market);
  const counts = agentCounts(params, speakers.length);
  const base = (id: string, kind: AgentKind, label: string, budgetCents: number) => ({
    id,
    label,
    budgetCents,
    cashCents: budgetCents,
    held: new Array<number>(n).fill(0),
    style: { ...params.styles[kind] },
    lastStep: -1,
  });
  const agents: Agent[] = [];
  for (const who of speakers) {
    const persona = seeds.personas.find((p) => p.who === who);
    if (!persona) throw new RangeError(`no persona for ${who}, who makes a claim on this market`);
    const belief = personaBelief(who, seeds.market.claims, outcomeIds);
    agents.push({
      ...base(`persona:${who}`, 'persona', who, persona.budgetCents),
      kind: 'persona',
      who,
      stubbornness: persona.stubbornness,
      claimBelief: belief,
      belief: belief.slice(),
      pull: 1 - persona.stubbornness ** (1 / params.steps),
    });
  }
  for (let k = 1; k <= counts.informed; k++) {
    const spread = params.informationSpread * (2 * rng() - 1);
    const information = params.information * (1 + spread);
    agents.push({
      ...base(`informed-${k}`, 'informed', `informed ${k}`, params.budgetCents),
      kind: 'informed',
      truthIndex,
      signalToNoise: Math.sqrt(information / params.steps),
      logPrior: [],
      evidence: new Array<number>(n).fill(0),
      priceWeight: params.priceWeight,
      logBelief: new Array<number>(n).fill(0),
      belief: new Array<number>(n).fill(1 / n),
    });
  }
  for (let k = 1; k <= counts.noise; k++) {
    agents.push({
      ...base(`noise-${k}`, 'noise', `noise ${k}`, params.budgetCents),
      kind: 'noise',
      scale: params.noiseScale,
      draws: new Array<number>(n).fill(0),
      belief: new Array<number>(n).fill(1 / n),
    });
  }
  for (let k = 1; k <= counts.momentum; k++) {
    agents.push({
      ...base(`momentum-${k}`, 'momentum', `momentum ${k}`, params.budgetCents),
      kind: 'momentum',
      window: params.momentumWindow,
      gain: params.momentumGain,
      history: [],
      belief: new Array<number>(n).fill(1 / n),
    });
  }
  return agents;
}
