/**
 * Sets outcome `index` of a distribution in whole percent to `value` and rescales the others so
 * the total stays exactly 100: the rest share (100 - value) in proportion to what they held
 * (equally when they held nothing), rounded by largest remainder.
 */
export function setShare(percents: readonly number[], index: number, value: number): number[] {
  const n = percents.length;
  const v = Math.min(100, Math.max(0, Math.round(value)));
  if (n === 1) return [100];
  const others = percents.map((p, i) => (i === index ? 0 : Math.max(0, p)));
  const otherSum = others.reduce((a, b) => a + b, 0);
  const rest = 100 - v;
  const raw = others.map((p, i) =>
    i === index ? 0 : otherSum > 0 ? (p / otherSum) * rest : rest / (n - 1),
  );
  const out = raw.map((r) => Math.floor(r));
  let left = rest - out.reduce((a, b) => a + b, 0);
  const order = raw
    .map((r, i) => ({ i, frac: r - Math.floor(r) }))
    .filter((o) => o.i !== index)
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k]!.i]! += 1;
  out[index] = v;
  return out;
}

/** Whole percents from probabilities, summing to exactly 100 (largest remainder). */
export function toPercents(probabilities: readonly number[]): number[] {
  const raw = probabilities.map((p) => Math.max(0, p) * 100);
  const sum = raw.reduce((a, b) => a + b, 0) || 1;
  const scaled = raw.map((r) => (r / sum) * 100);
  const out = scaled.map((r) => Math.floor(r));
  let left = 100 - out.reduce((a, b) => a + b, 0);
  const order = scaled
    .map((r, i) => ({ i, frac: r - Math.floor(r) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k]!.i]! += 1;
  return out;
}

/** Percents to probabilities for a forecast: exact division, so they sum to 1 within 1e-12. */
export function toProbabilities(percents: readonly number[]): number[] {
  const sum = percents.reduce((a, b) => a + b, 0);
  return percents.map((p) => p / sum);
}
