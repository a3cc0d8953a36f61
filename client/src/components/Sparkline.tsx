/** A tiny inline SVG line of probabilities over time (0–1), for cards and embeds. */
export function Sparkline({
  values,
  width = 120,
  height = 32,
  label,
}: {
  values: readonly number[];
  width?: number;
  height?: number;
  label?: string;
}) {
  if (values.length < 2) {
    return <svg width={width} height={height} role="img" aria-label={label ?? 'no history yet'} />;
  }
  const step = width / (values.length - 1);
  const d = values
    .map(
      (v, i) =>
        `${i ? 'L' : 'M'}${(i * step).toFixed(1)},${(height - 2 - v * (height - 4)).toFixed(1)}`,
    )
    .join('');
  const last = values.at(-1)!;
  const up = last >= values[0]!;
  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label ?? `trend ${up ? 'up' : 'down'}`}
      className="sparkline"
    >
      <path d={d} fill="none" stroke={up ? 'var(--up)' : 'var(--down)'} strokeWidth="1.6" />
    </svg>
  );
}

/** Thins a long series to at most `max` points (keeps the last), for sparklines. */
export function thin(values: readonly number[], max = 60): number[] {
  if (values.length <= max) return values.slice();
  const out: number[] = [];
  const step = (values.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(values[Math.round(i * step)]!);
  return out;
}
