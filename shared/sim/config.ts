/**
 * What a simulation run is made of: the market and personas from the seeds, the seed, the agent
 * mix and each agent type's trading style. `resolveParams` fills the defaults documented here.
 */
import type { Persona, SeedMarket } from '../schemas/seeds.ts';

export type AgentKind = 'persona' | 'informed' | 'noise' | 'momentum';
export const AGENT_KINDS: readonly AgentKind[] = ['persona', 'informed', 'noise', 'momentum'];

/** How an agent turns a belief into trades. */
export interface TradingStyle {
  /** Chance of trading on a step (0..1). */
  activity: number;
  /**
   * Fractional Kelly (0..1]: the agent sizes each trade by Kelly's criterion for its belief
   * shrunk this far from the price towards its own view; 1 is full Kelly.
   */
  kellyFraction: number;
  /** Smallest |belief − price| worth a trade, in probability. */
  minEdge: number;
}

export interface SimParams {
  /** Agents in all, the market's personas included. */
  agents: number;
  /** Virtual time: every agent gets one turn per step, in a shuffled order. */
  steps: number;
  /** Share of all agents that are informed traders (rounded to a count). */
  informedShare: number;
  /** Share of all agents that are momentum traders; noise traders fill the remaining seats. */
  momentumShare: number;
  /** Budget of each informed, noise and momentum trader, in cents (personas bring their own). */
  budgetCents: number;
  /**
   * Expected lead, in log-odds, of the true outcome over each other outcome in an informed
   * trader's belief at the last step. Spread over the steps, so more steps mean finer news, not
   * more of it.
   */
  information: number;
  /** Each informed trader's information is drawn from information × [1 − spread, 1 + spread]. */
  informationSpread: number;
  /**
   * How much informed traders read the price as others' evidence (0..1): 0 trades on private
   * signals alone; w starts each belief from the log prior moved w of the way to the log price.
   */
  priceWeight: number;
  /**
   * Relative spread of a noise trader's view around the price on each step: belief_k is
   * p_k (1 + scale · (z_k − Σ p_j z_j)), z standard normal; about the log-odds spread over √2.
   */
  noiseScale: number;
  /** Momentum traders compare the price now with the price this many steps ago. */
  momentumWindow: number;
  /** How far momentum traders extrapolate the change in log price over the window. */
  momentumGain: number;
  styles: Record<AgentKind, TradingStyle>;
}

export const DEFAULT_STYLES: Record<AgentKind, TradingStyle> = {
  persona: { activity: 0.5, kellyFraction: 0.25, minEdge: 0.02 },
  informed: { activity: 0.5, kellyFraction: 0.25, minEdge: 0.02 },
  noise: { activity: 0.5, kellyFraction: 0.1, minEdge: 0.02 },
  momentum: { activity: 0.5, kellyFraction: 0.1, minEdge: 0.02 },
};

export const DEFAULT_PARAMS: SimParams = {
  agents: 100,
  steps: 200,
  informedShare: 0.3,
  momentumShare: 0.1,
  budgetCents: 100_000,
  information: 6,
  informationSpread: 0.5,
  priceWeight: 0.5,
  noiseScale: 0.3,
  momentumWindow: 10,
  momentumGain: 0.5,
  styles: DEFAULT_STYLES,
};

/** One run: a seed market with its personas, a seed, an optional truth and parameter overrides. */
export interface SimConfig extends Partial<Omit<SimParams, 'styles'>> {
  market: SeedMarket;
  personas: readonly Persona[];
  /** Fixes every draw of the run. */
  seed: number;
  /**
   * The outcome id that is true. Default: drawn with the seed from the market's initial
   * probabilities — uniform, since seed markets open with q = 0 and the claims set no prior.
   */
  truth?: string;
  styles?: Partial<Record<AgentKind, Partial<TradingStyle>>>;
}

/** The parameters of `config` with defaults filled in; throws RangeError on values no run can use. */
export function resolveParams(config: SimConfig): SimParams {
  const styles = { ...DEFAULT_STYLES };
  for (const kind of AGENT_KINDS) styles[kind] = { ...styles[kind], ...config.styles?.[kind] };
  const p: SimParams = {
    agents: config.agents ?? DEFAULT_PARAMS.agents,
    steps: config.steps ?? DEFAULT_PARAMS.steps,
    informedShare: config.informedShare ?? DEFAULT_PARAMS.informedShare,
    momentumShare: config.momentumShare ?? DEFAULT_PARAMS.momentumShare,
    budgetCents: config.budgetCents ?? DEFAULT_PARAMS.budgetCents,
    information: config.information ?? DEFAULT_PARAMS.information,
    informationSpread: config.informationSpread ?? DEFAULT_PARAMS.informationSpread,
    priceWeight: config.priceWeight ?? DEFAULT_PARAMS.priceWeight,
    noiseScale: config.noiseScale ?? DEFAULT_PARAMS.noiseScale,
    momentumWindow: config.momentumWindow ?? DEFAULT_PARAMS.momentumWindow,
    momentumGain: config.momentumGain ?? DEFAULT_PARAMS.momentumGain,
    styles,
  };
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new RangeError(what);
  };
  check(Number.isInteger(p.agents) && p.agents >= 1, 'agents must be a positive integer');
  check(Number.isInteger(p.steps) && p.steps >= 1, 'steps must be a positive integer');
  check(p.informedShare >= 0 && p.informedShare <= 1, 'informedShare must be in [0, 1]');
  check(p.momentumShare >= 0 && p.momentumShare <= 1, 'momentumShare must be in [0, 1]');
  check(Number.isInteger(p.budgetCents) && p.budgetCents > 0, 'budgetCents must be whole cents');
  check(p.information >= 0 && Number.isFinite(p.information), 'information must be >= 0');
  check(p.informationSpread >= 0 && p.informationSpread <= 1, 'informationSpread is in [0, 1]');
  check(p.priceWeight >= 0 && p.priceWeight < 1, 'priceWeight must be in [0, 1)');
  check(p.noiseScale >= 0 && Number.isFinite(p.noiseScale), 'noiseScale must be >= 0');
  check(Number.isInteger(p.momentumWindow) && p.momentumWindow >= 1, 'momentumWindow >= 1');
  check(Number.isFinite(p.momentumGain), 'momentumGain must be finite');
  for (const kind of AGENT_KINDS) {
    const s = styles[kind];
    check(s.activity >= 0 && s.activity <= 1, `${kind} activity must be in [0, 1]`);
    check(s.kellyFraction > 0 && s.kellyFraction <= 1, `${kind} kellyFraction in (0, 1]`);
    check(s.minEdge >= 0 && s.minEdge < 1, `${kind} minEdge must be in [0, 1)`);
  }
  return p;
}

/** Outcome ids of a seed market: yes/no for binary, the listed ids for multiple choice. */
export function outcomeIdsOf(market: SeedMarket): string[] {
  return market.type === 'binary' ? ['yes', 'no'] : (market.outcomes ?? []).map((o) => o.id);
}
