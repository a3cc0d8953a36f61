import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Claim, HistoryPoint, Market } from '../../../shared/schemas/index.ts';
import type { TimelinePoint } from '../../../shared/scoring.ts';
import { date, pct } from '../format.ts';
import { cssVar, useTheme } from '../hooks/useTheme.ts';
import { chartColumns, claimMarkers } from '../lib/chartData.ts';
import { outcomeColor } from './palette.ts';

type Range = 'all' | 'open' | 'day';
const RANGES: { id: Range; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'open', label: 'Since open' },
  { id: 'day', label: '24h' },
];

export interface OddsChartProps {
  market: Market;
  history: readonly HistoryPoint[];
  community: readonly TimelinePoint[];
  /** The outcome the community line and claim markers are drawn for. */
  focus: number;
  height?: number;
}

/**
 * The market's odds over time (uPlot): a stepped line per outcome (P(yes) alone for binary),
 * the community forecast as a dashed line, and the article's claims as markers at their dates.
 */
export function OddsChart({ market, history, community, focus, height = 320 }: OddsChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const tip = useRef<HTMLDivElement>(null);
  const theme = useTheme();
  const [range, setRange] = useState<Range>(() => defaultRange(market));
  const rangeRef = useRef(range);
  rangeRef.current = range;

  const outcomes = useMemo(
    () => (market.type === 'binary' ? [0] : market.outcomes.map((_, i) => i)),
    [market.type, market.outcomes],
  );
  const columns = useMemo(
    () =>
      chartColumns(
        { market, history, community, claims: market.claims, now: Date.now() },
        { outcomes, focus },
      ),
    [market, history, community, outcomes, focus],
  );
  const markers = useMemo(
    () => claimMarkers(market.claims, market, focus),
    [market.claims, market, focus],
  );
  const markersRef = useRef(markers);
  markersRef.current = markers;

  // Build the plot when its shape or the theme changes; data changes only call setData below.
  const shape = `${market.id}|${market.type}|${outcomes.length}|${focus}|${theme}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt on `shape` only, data flows through setData
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const text = cssVar('--muted');
    const grid = cssVar('--border');
    const claimColor = cssVar('--claim');
    const crowdColor = cssVar('--community');
    const stepped = uPlot.paths.stepped!({ align: 1 });
    const label = (i: number) =>
      market.type === 'binary' ? 'Market (Yes)' : (market.outcomes[i]?.label ?? `#${i}`);
    const fmt = (_u: uPlot, v: number | null) => (v == null ? '–' : pct(v));
    const focusLabel = market.type === 'binary' ? 'Yes' : market.outcomes[focus]?.label;
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      class: 'odds-chart',
      scales: { x: { time: true }, y: { range: [0, 1] } },
      axes: [
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        {
          stroke: text,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          values: (_u, vals) => vals.map((v) => `${Math.round(v * 100)}%`),
          size: 48,
        },
      ],
      series: [
        { value: (_u, v) => (v == null ? '' : new Date(v * 1000).toLocaleString()) },
        ...outcomes.map((i) => ({
          label: label(i),
          stroke: outcomeColor(i),
          width: i === focus ? 2.25 : 1.5,
          paths: stepped,
          points: { show: false },
          value: fmt,
        })),
        {
          label: `Community (${focusLabel})`,
          stroke: crowdColor,
          width: 2,
          dash: [6, 4],
          paths: stepped,
          points: { show: false },
          value: fmt,
        },
        {
          label: 'Claims',
          stroke: claimColor,
          fill: claimColor,
          width: 0,
          paths: () => null,
          points: { show: true, size: 10, stroke: claimColor, fill: claimColor, width: 2 },
          value: fmt,
        },
      ],
      cursor: { points: { size: 7 }, drag: { x: true, y: false } },
      legend: { live: true },
      hooks: {
        setCursor: [(u) => showClaimTip(u, tip.current, markersRef.current)],
        // How many points are on screen, and when they first were: for tests and the benchmark.
        draw: [
          (u) => {
            const n = String(u.data[0].length);
            if (el.dataset.points !== n) {
              el.dataset.points = n;
              performance.mark('odds-chart-drawn', { detail: { points: u.data[0].length } });
            }
          },
        ],
      },
    };
    const u = new uPlot(opts, columns as uPlot.AlignedData, el);
    plot.current = u;
    applyRange(u, rangeRef.current, market);
    const ro = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && Math.abs(w - u.width) > 1) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape, height]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(columns as uPlot.AlignedData, false);
    applyRange(u, rangeRef.current, market);
  }, [columns, market]);

  useEffect(() => {
    if (plot.current) applyRange(plot.current, range, market);
  }, [range, market]);

  const earlier = markers.filter((m) => m.x < Date.parse(market.createdAt) / 1000).length;
  const head = market.type === 'binary' ? market.outcomes[0] : market.outcomes[focus];
  const summary = `Odds over time. ${head?.label ?? ''} now ${pct(head?.probability ?? 0)}; ${
    community.length ? `community ${pct(community.at(-1)?.probabilities[focus] ?? 0)}; ` : ''
  }${markers.length} claims marked.`;
  return (
    <figure className="chart-figure">
      <div className="spread chart-tools">
        <figcaption className="muted small">
          Stepped lines hold each price until the next trade; dots are claims read as probabilities.
        </figcaption>
        <fieldset className="segmented" aria-label="Time range">
          {RANGES.map((r) => (
            <button
              key={r.id}
              type="button"
              aria-pressed={range === r.id}
              onClick={() => setRange(r.id)}
            >
              {r.label}
            </button>
          ))}
        </fieldset>
      </div>
      <div
        className="chart-host"
        ref={host}
        role="img"
        aria-label={summary}
        data-testid="odds-chart"
      >
        <div className="chart-tip" ref={tip} hidden />
      </div>
      {range !== 'all' && earlier > 0 && (
        <p className="chart-note muted">
          {earlier} {earlier === 1 ? 'claim was' : 'claims were'} made before the market opened.{' '}
          <button type="button" className="link-button" onClick={() => setRange('all')}>
            Show all
          </button>
        </p>
      )}
    </figure>
  );
}

/**
 * "All" when the market's own life is a fair part of the span since the earliest claim;
 * otherwise "Since open", so a young market's line is not squeezed against the right edge.
 */
function defaultRange(market: Market): Range {
  const opened = Date.parse(market.createdAt);
  const first = Math.min(opened, ...market.claims.map((c) => Date.parse(c.date)));
  const end = market.resolution ? Date.parse(market.resolution.resolvedAt) : Date.now();
  return end - opened >= 0.25 * (end - first) ? 'all' : 'open';
}

function applyRange(u: uPlot, range: Range, market: Market): void {
  const xs = u.data[0];
  if (!xs.length) return;
  const max = xs[xs.length - 1]!;
  let min = xs[0]!;
  if (range === 'open') min = Date.parse(market.createdAt) / 1000;
  if (range === 'day') min = max - 86_400;
  // At least ten minutes across, so a market opened moments ago is not drawn in seconds.
  const from = Math.min(Math.max(min, xs[0]!), max - 600);
  const span = max - from;
  u.setScale('x', { min: from - span * 0.01, max: max + span * 0.01 });
}

/** Shows who said what when the cursor is near a claim marker. */
function showClaimTip(
  u: uPlot,
  tip: HTMLDivElement | null,
  markers: { x: number; claim: Claim; probability: number }[],
): void {
  if (!tip) return;
  const { left, top } = u.cursor;
  if (left == null || top == null || left < 0) {
    tip.hidden = true;
    return;
  }
  let best: (typeof markers)[number] | null = null;
  let bestD = 14;
  for (const m of markers) {
    const dx = u.valToPos(m.x, 'x') - left;
    const dy = u.valToPos(m.probability, 'y') - top;
    const d = Math.hypot(dx, dy);
    if (d < bestD) {
      bestD = d;
      best = m;
    }
  }
  if (!best) {
    tip.hidden = true;
    return;
  }
  tip.hidden = false;
  tip.textContent = `${best.claim.who}, ${date(`${best.claim.date}T00:00:00Z`)}: “${
    best.claim.said.length > 140 ? `${best.claim.said.slice(0, 140)}…` : best.claim.said
  }” read as ${pct(best.probability)}`;
  const x = u.valToPos(best.x, 'x') + u.over.offsetLeft;
  const y = u.valToPos(best.probability, 'y') + u.over.offsetTop;
  tip.style.left = `${Math.min(x + 12, u.over.offsetLeft + u.over.clientWidth - 260)}px`;
  tip.style.top = `${Math.max(0, y - 12)}px`;
}
