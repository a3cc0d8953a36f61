/**
 * The simulate command without its I/O: from parsed arguments and validated seeds to the figures
 * (a JSON-ready object) and the printed summary. Same arguments, same figures, byte for byte.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatCredits } from '../shared/money.ts';
import { type Persona, PersonaFile, SeedFile, type SeedMarket } from '../shared/schemas/seeds.ts';
import { agentCounts, speakersOf } from '../shared/sim/agents.ts';
import {
  type AgentKind,
  outcomeIdsOf,
  resolveParams,
  type SimConfig,
  type SimParams,
} from '../shared/sim/config.ts';
import {
  type AgentResult,
  runSimulation,
  SETTLED_PROBABILITY,
  type SimResult,
} from '../shared/sim/run.ts';
import { FOUND_TRUTH_PROBABILITY, type RunsSummary, summarizeRuns } from '../shared/sim/summary.ts';
import type { SimulateArgs } from './args.ts';
import { UsageError } from './args.ts';

export interface Seeds {
  markets: SeedMarket[];
  personas: Persona[];
}

/** Reads and validates seeds/markets.json and seeds/personas.json; throws with every problem. */
export function loadSeeds(dir = 'seeds'): Seeds {
  const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const markets = SeedFile.safeParse(read('markets.json'));
  const personas = PersonaFile.safeParse(read('personas.json'));
  const problems = [
    ...(markets.success
      ? []
      : markets.error.issues.map((i) => `markets.json ${i.path.join('.')}: ${i.message}`)),
    ...(personas.success
      ? []
      : personas.error.issues.map((i) => `personas.json ${i.path.join('.')}: ${i.message}`)),
  ];
  if (problems.length) throw new Error(`invalid seeds:\n  ${problems.join('\n  ')}`);
  return { markets: markets.data!.markets, personas: personas.data!.personas };
}

/** One run, as the report and the JSON file carry it. */
export interface RunFigures {
  seed: number;
  truth: string;
  finalProbabilities: number[];
  settledAtStep: number | null;
  marketBrier: number;
  bestAgent: { id: string; brier: number };
  medianAgentBrier: number;
  fills: number;
  volumeCents: number;
  /** P(truth) at the open and after each step. */
  truthPath: number[];
}

export interface Figures {
  market: {
    id: string;
    question: string;
    type: 'binary' | 'multiple';
    outcomeIds: string[];
    labels: string[];
    liquidity: number;
  };
  settings: {
    firstSeed: number;
    runs: number;
    /** The truth given with --truth; null when each run drew its own. */
    truth: string | null;
    counts: Record<AgentKind, number>;
    params: SimParams;
  };
  summary: RunsSummary;
  runs: RunFigures[];
  /** The first run in full: every outcome's price path and every agent's result. */
  firstRun: { seed: number; truth: string; path: number[][]; agents: AgentResult[] };
}

/** The config of the run with `seed`; throws UsageError for an unknown market or outcome. */
export function configFor(args: SimulateArgs, seeds: Seeds, seed: number): SimConfig {
  const market = seeds.markets.find((m) => m.id === args.market);
  if (!market) {
    throw new UsageError(
      `unknown market ${args.market}; seed markets are:\n  ${seeds.markets.map((m) => m.id).join('\n  ')}`,
    );
  }
  if (args.truth !== undefined && !outcomeIdsOf(market).includes(args.truth)) {
    throw new UsageError(
      `market ${market.id} has no outcome ${args.truth}; its outcomes are ${outcomeIdsOf(market).join(', ')}`,
    );
  }
  const config: SimConfig = { market, personas: seeds.personas, seed };
  if (args.truth !== undefined) config.truth = args.truth;
  if (args.agents !== undefined) config.agents = args.agents;
  if (args.steps !== undefined) config.steps = args.steps;
  if (args.informed !== undefined) config.informedShare = args.informed;
  if (args.momentum !== undefined) config.momentumShare = args.momentum;
  try {
    // Agent seats that cannot add up are a bad argument, found before any run.
    const params = resolveParams(config);
    agentCounts(params, speakersOf(market).length);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  return config;
}

/**
 * Runs seeds args.seed .. args.seed + runs − 1 and gathers the figures. `onRun` is told after
 * each run (for a progress bar). Throws UsageError for arguments the seeds cannot honour.
 */
export function simulateFigures(
  args: SimulateArgs,
  seeds: Seeds,
  onRun: (done: number) => void = () => {},
): Figures {
  const first = configFor(args, seeds, args.seed);
  const market = first.market;
  const params = resolveParams(first);
  const results: SimResult[] = [];
  const runs: RunFigures[] = [];
  let firstRun: Figures['firstRun'] | undefined;
  for (let k = 0; k < args.runs; k++) {
    const r = runSimulation({ ...first, seed: args.seed + k });
    if (!firstRun) firstRun = { seed: r.seed, truth: r.truth, path: r.path, agents: r.agents };
    runs.push({
      seed: r.seed,
      truth: r.truth,
      finalProbabilities: r.finalProbabilities,
      settledAtStep: r.settledAtStep,
      marketBrier: r.market.brier,
      bestAgent: r.bestAgent,
      medianAgentBrier: r.medianAgentBrier,
      fills: r.fills,
      volumeCents: r.volumeCents,
      truthPath: r.path.map((p) => p[r.truthIndex]!),
    });
    results.push(r);
    onRun(k + 1);
  }
  return {
    market: {
      id: market.id,
      question: market.question,
      type: market.type,
      outcomeIds: outcomeIdsOf(market),
      labels: market.outcomes?.map((o) => o.label) ?? ['Yes', 'No'],
      liquidity: market.liquidity,
    },
    settings: {
      firstSeed: args.seed,
      runs: args.runs,
      truth: args.truth ?? null,
      counts: agentCounts(params, speakersOf(market).length),
      params,
    },
    summary: summarizeRuns(results),
    runs,
    firstRun: firstRun!,
  };
}

/** The figures as JSON: floats rounded to 6 decimals (plenty for charts, and a smaller file). */
export function figuresJson(figures: Figures): string {
  const round = (_key: string, v: unknown) =>
    typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(6)) : v;
  return `${JSON.stringify(figures, round, 1)}\n`;
}

const pct = (p: number) => `${(100 * p).toFixed(1)}%`;
const num = (x: number | null, digits = 3) => (x === null ? '—' : x.toFixed(digits));
const credits = (cents: number) => `${cents >= 0 ? '+' : ''}${formatCredits(cents)}`;

/** The summary the CLI prints. */
export function summaryText(f: Figures): string {
  const { market, settings, summary: s } = f;
  const c = settings.counts;
  const lines: string[] = [];
  const single = settings.runs === 1;
  lines.push(`${market.id}: ${market.question}`);
  lines.push(
    `${market.type === 'binary' ? 'binary' : `${market.outcomeIds.length} outcomes`}, b = ${market.liquidity}; ` +
      `${settings.params.agents} agents (${c.persona} personas, ${c.informed} informed, ${c.noise} noise, ` +
      `${c.momentum} momentum), ${settings.params.steps} steps`,
  );
  lines.push(
    single
      ? `seed ${settings.firstSeed}; truth ${f.firstRun.truth}${settings.truth === null ? ' (drawn with the seed from the uniform opening prices)' : ' (given)'}`
      : `${settings.runs} runs, seeds ${settings.firstSeed}..${settings.firstSeed + settings.runs - 1}; truth ${settings.truth ?? 'drawn per run'} (${Object.entries(
          s.truthCounts,
        )
          .map(([o, n]) => `${o} ${n}`)
          .join(', ')})`,
  );
  lines.push('');
  if (single) {
    const finals = f.runs[0]!.finalProbabilities;
    lines.push(
      `Final odds          ${market.outcomeIds.map((o, i) => `${o} ${pct(finals[i]!)}`).join('  ')}`,
    );
    const settled = f.runs[0]!.settledAtStep;
    lines.push(
      `Settled             ${settled === null ? `never within ${pct(1 - SETTLED_PROBABILITY)} of the truth to stay` : `within ${Math.round(100 * (1 - SETTLED_PROBABILITY))} points of the truth from step ${settled} on`}`,
    );
  } else {
    const t = s.finalTruthProbability;
    lines.push(
      `Final P(truth)      mean ${num(t.mean)}  median ${num(t.median)}  10th percentile ${num(t.p10)}  min ${num(t.min)}`,
    );
    lines.push(
      `                    above ${FOUND_TRUTH_PROBABILITY} in ${pct(t.aboveShare)} of runs`,
    );
    lines.push(
      `Settled             within ${Math.round(100 * (1 - SETTLED_PROBABILITY))} points of the truth to stay in ${pct(s.settled.share)} of runs; median step ${num(s.settled.medianStep, 0)}`,
    );
  }
  const b = s.brier;
  lines.push(
    `Brier (time-avg)    market ${num(b.market)}  best agent ${num(b.bestAgent)}  median agent ${num(b.medianAgent)}` +
      (single ? ` (best: ${f.runs[0]!.bestAgent.id})` : `${single ? '' : ' (means over runs)'}`),
  );
  if (!single) {
    lines.push(
      `                    market beats the median agent in ${pct(b.marketBeatsMedianShare)} of runs, the best in ${pct(b.marketBeatsBestShare)}`,
    );
  }
  lines.push('');
  lines.push(
    `Profit by type      ${single ? 'credits per agent' : 'credits per agent, mean over runs'}`,
  );
  for (const k of s.byKind) {
    lines.push(
      `  ${k.kind.padEnd(10)} ${String(k.agents).padStart(4)} agents  ${credits(k.meanProfitCents).padStart(12)}  Brier ${num(k.meanBrier)}  profitable ${pct(k.profitableShare)}`,
    );
  }
  lines.push('');
  lines.push(
    `Personas            profit (credits)   Brier   claim's Brier   peer vs market${single ? '' : '   (means over runs)'}`,
  );
  for (const p of s.personas) {
    lines.push(
      `  ${p.who.padEnd(32)} ${credits(p.meanProfitCents).padStart(12)}   ${num(p.meanBrier)}   ${num(p.meanClaimBrier).padStart(8)}   ${p.meanPeer.toFixed(1).padStart(9)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
