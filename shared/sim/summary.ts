/**
 * Figures over many seeded runs of one market: how often and how fast the price found the truth,
 * how the market scored against its agents, its calibration, and who made money.
 */
import { mean, median, quantile } from 'simple-statistics';
import { calibrationBins, type Outcome01 } from '../calibration.ts';
import type { CalibrationBin } from '../schemas/objects.ts';
import { AGENT_KINDS, type AgentKind } from './config.ts';
import type { SimResult } from './run.ts';

/** The final P(truth) a run must exceed to count as having found the truth. */
export const FOUND_TRUTH_PROBABILITY = 0.8;

export interface KindFigures {
  kind: AgentKind;
  /** Agents of this kind per run. */
  agents: number;
  /** Mean profit per agent, in cents (rounded to a cent). */
  meanProfitCents: number;
  /** Share of agents of this kind that ended with a profit. */
  profitableShare: number;
  meanBrier: number | null;
}

export interface PersonaFigures {
  who: string;
  budgetCents: number;
  claimBelief: number[];
  meanProfitCents: number;
  meanBrier: number;
  meanClaimBrier: number;
  /** Mean time-averaged peer score against the market. */
  meanPeer: number;
}

export interface RunsSummary {
  runs: number;
  /** How often each outcome was the truth. */
  truthCounts: Record<string, number>;
  finalTruthProbability: {
    mean: number;
    median: number;
    p10: number;
    min: number;
    /** Share of runs whose final P(truth) exceeds FOUND_TRUTH_PROBABILITY. */
    aboveShare: number;
  };
  settled: { share: number; medianStep: number | null };
  brier: {
    market: number;
    bestAgent: number;
    medianAgent: number;
    marketBeatsMedianShare: number;
    marketBeatsBestShare: number;
  };
  /** The market's price after every step of every run against what happened (binary: P(yes)). */
  calibration: CalibrationBin[];
  byKind: KindFigures[];
  personas: PersonaFigures[];
}

/** Summarises runs of one market (at least one). */
export function summarizeRuns(results: readonly SimResult[]): RunsSummary {
  if (results.length === 0) throw new RangeError('no runs to summarise');
  const finals = results.map((r) => r.finalProbabilities[r.truthIndex]!);
  const settledSteps = results.flatMap((r) => (r.settledAtStep === null ? [] : [r.settledAtStep]));
  const truthCounts: Record<string, number> = {};
  for (const id of results[0]!.outcomeIds) truthCounts[id] = 0;
  for (const r of results) truthCounts[r.truth]! += 1;
  const share = (f: (r: SimResult) => boolean) => results.filter(f).length / results.length;
  return {
    runs: results.length,
    truthCounts,
    finalTruthProbability: {
      mean: mean(finals),
      median: median(finals),
      p10: quantile(finals, 0.1),
      min: Math.min(...finals),
      aboveShare: finals.filter((p) => p > FOUND_TRUTH_PROBABILITY).length / finals.length,
    },
    settled: {
      share: settledSteps.length / results.length,
      medianStep: settledSteps.length ? median(settledSteps) : null,
    },
    brier: {
      market: mean(results.map((r) => r.market.brier)),
      bestAgent: mean(results.map((r) => r.bestAgent.brier)),
      medianAgent: mean(results.map((r) => r.medianAgentBrier)),
      marketBeatsMedianShare: share((r) => r.market.brier < r.medianAgentBrier),
      marketBeatsBestShare: share((r) => r.market.brier < r.bestAgent.brier),
    },
    calibration: calibrationBins(calibrationPoints(results)),
    byKind: kindFigures(results),
    personas: personaFigures(results),
  };
}

/** Every step's price of every run as (p, happened) points; binary markets count P(yes) only. */
function calibrationPoints(results: readonly SimResult[]): Outcome01[] {
  const points: Outcome01[] = [];
  for (const r of results) {
    const outcomes = r.outcomeIds.length === 2 ? 1 : r.outcomeIds.length;
    for (let s = 1; s < r.path.length; s++) {
      for (let k = 0; k < outcomes; k++) {
        points.push({ p: r.path[s]![k]!, outcome: k === r.truthIndex ? 1 : 0 });
      }
    }
  }
  return points;
}

function kindFigures(results: readonly SimResult[]): KindFigures[] {
  return AGENT_KINDS.flatMap((kind) => {
    const agents = results.flatMap((r) => r.agents.filter((a) => a.kind === kind));
    if (agents.length === 0) return [];
    return [
      {
        kind,
        agents: agents.length / results.length,
        meanProfitCents: Math.round(mean(agents.map((a) => a.profitCents))),
        profitableShare: agents.filter((a) => a.profitCents > 0).length / agents.length,
        meanBrier: mean(agents.map((a) => a.brier)),
      },
    ];
  });
}

function personaFigures(results: readonly SimResult[]): PersonaFigures[] {
  const first = results[0]!.agents.filter((a) => a.kind === 'persona');
  return first.map((p) => {
    const rows = results.map((r) => r.agents.find((a) => a.id === p.id)!);
    return {
      who: p.label,
      budgetCents: p.budgetCents,
      claimBelief: p.claimBelief!,
      meanProfitCents: Math.round(mean(rows.map((a) => a.profitCents))),
      meanBrier: mean(rows.map((a) => a.brier)),
      meanClaimBrier: mean(rows.map((a) => a.claimBrier!)),
      meanPeer: mean(rows.map((a) => a.peer)),
    };
  });
}
