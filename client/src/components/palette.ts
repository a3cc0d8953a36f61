/** Line colours for outcomes, readable on both themes; the first is the accent blue. */
export const OUTCOME_COLORS = [
  '#3b74e6',
  '#e0692b',
  '#2aa876',
  '#c0449a',
  '#8a6de0',
  '#c9a227',
  '#1f9bb5',
  '#d04848',
  '#6b8e23',
  '#7f7f7f',
] as const;

export function outcomeColor(i: number): string {
  return OUTCOME_COLORS[i % OUTCOME_COLORS.length]!;
}
