import { assertNever } from '../../../shared/errors.ts';
import type { LeaderboardMetric } from '../../../shared/schemas/index.ts';
import { credits, fixed } from '../format.ts';

/** The leaderboard's metrics: what each tab is called, its column and what it measures. */
export const METRICS: { id: LeaderboardMetric; label: string; column: string; about: string }[] = [
  {
    id: 'profit',
    label: 'Profit',
    column: 'Profit',
    about:
      'Credits won or lost trading: balance minus grants, with open positions at current prices.',
  },
  {
    id: 'brier',
    label: 'Brier',
    column: 'Brier (lower is better)',
    about:
      'Mean time-averaged Brier score over resolved questions (binary (p − o)², multiple choice Σ(pᵢ − oᵢ)²). Lower is better.',
  },
  {
    id: 'log',
    label: 'Log',
    column: 'Log score (0 is best)',
    about: 'Mean time-averaged ln p of what happened. Closer to 0 is better.',
  },
  {
    id: 'baseline',
    label: 'Baseline',
    column: 'Baseline score',
    about:
      "Metaculus's baseline score: 100 × (log₂ p + 1) for yes/no, against a uniform guess. Higher is better.",
  },
  {
    id: 'peer',
    label: 'Peer',
    column: 'Peer score',
    about:
      "Metaculus's peer score: how much better than the other forecasters on the same questions. Higher is better.",
  },
];

export function formatValue(metric: LeaderboardMetric, v: number): string {
  switch (metric) {
    case 'profit':
      return `${v >= 0 ? '+' : ''}${credits(Math.round(v))}`;
    case 'brier':
    case 'log':
      return fixed(v, 3);
    case 'baseline':
    case 'peer':
      return fixed(v, 1);
    default:
      return assertNever(metric);
  }
}
