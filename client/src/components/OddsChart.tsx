import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { HistoryPoint, Market } from '../../../shared/schemas/index.ts';
import type { TimelinePoint } from '../../../shared/scoring.ts';
import { date, dateTime, pct } from '../format.ts';
import { cssVar, useTheme } from '../hooks/useTheme.ts';
import { type ClaimPoint, chartColumns, claimPoints } from '../lib/chartData.ts';
import { outcomeColor } from './palette.ts';

type Range = 'all' | 'open' | 'day';
const RANGES: { id: Range; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'open', label: 'Since open' },
  { id: 'day', label: '24h' },
];

/** Radius of a claim marker, CSS pixels. */
const DOT = 5;
/** How near the cursor a claim counts as hovered, CSS pixels. */
const NEAR = 12;

export interface OddsChartProps {
  market: Market;
  history: readonly HistoryPoint[];
  community: readonly TimelinePoint[];
  /** The outcome the community line is drawn for. */
  focus: number;
  height?: number;
}

/** A claim as drawn now: where it sits in CSS pixels, and whether it is pinned at the edge. */
interface Drawn {
  point: ClaimPoint;
  left: number;
  top: number;
  pinned: boolean;
}

/**
 * The market's odds over time (uPlot): a stepped line per outcome (P(yes) alone for binary),
 * the community forecast as a dashed line, and the article's claims as dots at their dates on
 * their outcome's line. Claims older than the range shown are pinned, hollow, at its left edge.
 * The plot is built once per shape and theme; new data goes through setData.
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
  const points = useMemo(
    () => claimPoints(market.claims, market, outcomes),
    [market.claims, market, outcomes],
  );
  const pointsRef = useRef(points);
  pointsRef.current = points;
  /** The claims as last drawn, for hit-testing the cursor. */
  const drawn = useRef<Drawn[]>([]);

  // Build the plot when its shape or the theme changes; data changes only call setData below.
  const shape = `${market.id}|${market.type}|${outcomes.length}|${focus}|${theme}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt on `shape` only, data flows through setData
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const text = cssVar('--muted');
    const grid = cssVar('--border');
    const panel = cssVar('--panel');
    const claimColor = cssVar('--claim');
    const crowdColor = cssVar('--community');
    const stepped = uPlot.paths.stepped!({ align: 1 });
    const binary = market.type === 'binary';
    const label = (i: number) => (binary ? 'Market (Yes)' : (market.outcomes[i]?.label ?? `#${i}`));
    const focusLabel = binary ? 'Yes' : market.outcomes[focus]?.label;
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
        {},
        ...outcomes.map((i) => ({
          label: label(i),
          stroke: outcomeColor(i),
          width: binary || i === focus ? 2.25 : 1.5,
          paths: stepped,
          points: { show: false },
        })),
        {
          label: `Community (${focusLabel})`,
          stroke: crowdColor,
          width: 2,
          dash: [6, 4],
          paths: stepped,
          points: { show: false },
        },
        {
          // Drawn by the hook below (so older claims can be pinned); here for the legend.
          label: 'Claims',
          stroke: claimColor,
          fill: claimColor,
          width: 0,
          paths: () => null,
          points: { show: false },
        },
      ],
      cursor: { points: { size: 7 }, drag: { x: true, y: false } },
      legend: { live: false },
      hooks: {
        setCursor: [
          (u) => showTip(u, tip.current, market, outcomes, focus, drawn.current, crowdColor),
        ],
        draw: [
          (u) => {
            drawn.current = drawClaims(u, pointsRef.current, {
              fill: claimColor,
              ring: panel,
              outcomeRing: binary ? null : outcomeColor,
            });
            // How many points are on screen, and when they first were: for tests and the benchmark.
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
    applyRange(u, rangeRef.current, market, pointsRef.current);
    const ro = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && Math.abs(w - u.width) > 1) u.setSize({ width: w, height });
    });
    ro.observe(el);
    const hide = () => {
      if (tip.current) tip.current.hidden = true;
    };
    el.addEventListener('mouseleave', hide);
    return () => {
      el.removeEventListener('mouseleave', hide);
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape, height]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(columns as uPlot.AlignedData, false);
    applyRange(u, rangeRef.current, market, points);
  }, [columns, market, points]);

  useEffect(() => {
    if (plot.current) applyRange(plot.current, range, market, pointsRef.current);
  }, [range, market]);

  const opened = Date.parse(market.createdAt) / 1000;
  const earlier = points.filter((m) => m.x < opened).length;
  const head = market.type === 'binary' ? market.outcomes[0] : market.outcomes[focus];
  const summary = `Odds over time. ${head?.label ?? ''} now ${pct(head?.probability ?? 0)}; ${
    community.length ? `community ${pct(community.at(-1)?.probabilities[focus] ?? 0)}; ` : ''
  }${points.length} claims marked.`;
  return (
    <figure className="chart-figure">
      <div className="spread chart-tools">
        <figcaption className="muted small">
          Lines hold each price until the next trade; the dashed line is the community forecast;
          dots are claims read as probabilities.
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
        <div className="chart-tip" ref={tip} hidden data-testid="chart-tooltip" />
      </div>
      {range !== 'all' && earlier > 0 && (
        <p className="chart-note muted">
          {earlier} {earlier === 1 ? 'claim was' : 'claims were'} made before the market opened:{' '}
          {earlier === 1 ? 'it is' : 'they are'} pinned, hollow, at the left edge.{' '}
          <button type="button" className="link-button" onClick={() => setRange('all')}>
            Show their dates
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

function applyRange(u: uPlot, range: Range, market: Market, points: readonly ClaimPoint[]): void {
  const xs = u.data[0];
  if (!xs.length) return;
  const max = xs[xs.length - 1]!;
  let min = Math.min(xs[0]!, points[0]?.x ?? Number.POSITIVE_INFINITY);
  if (range === 'open') min = Math.max(min, Date.parse(market.createdAt) / 1000);
  if (range === 'day') min = Math.max(min, max - 86_400);
  // At least ten seconds across, so a market opened moments ago still has a time axis.
  const from = Math.min(min, max - 10);
  const span = max - from;
  u.setScale('x', { min: from - span * 0.01, max: max + span * 0.015 });
}

/** Draws the claim dots; ones older than the x-range sit hollow at its left edge. */
function drawClaims(
  u: uPlot,
  points: readonly ClaimPoint[],
  colors: { fill: string; ring: string; outcomeRing: ((i: number) => string) | null },
): Drawn[] {
  const out: Drawn[] = [];
  const min = u.scales.x?.min;
  const max = u.scales.x?.max;
  if (min == null || max == null) return out;
  const dpr = uPlot.pxRatio;
  const ctx = u.ctx;
  const { left: bl, top: bt } = u.bbox;
  /** Pinned dots placed so far, by column, so overlapping ones step right. */
  const pinnedAt: number[][] = [];
  ctx.save();
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  ctx.clip();
  for (const point of points) {
    if (point.x > max) continue;
    const pinned = point.x < min;
    const cssTop = u.valToPos(point.probability, 'y');
    let cssLeft = u.valToPos(point.x, 'x');
    if (pinned) {
      // At the left edge; a dot that would cover another steps right by one column.
      let col = 0;
      while (pinnedAt[col]?.some((t) => Math.abs(t - cssTop) < 2 * DOT)) col++;
      const column = pinnedAt[col] ?? [];
      column.push(cssTop);
      pinnedAt[col] = column;
      cssLeft = DOT + 2 + col * (DOT + 2);
    }
    const x = bl + cssLeft * dpr;
    const y = bt + cssTop * dpr;
    ctx.beginPath();
    ctx.arc(x, y, DOT * dpr, 0, 2 * Math.PI);
    ctx.lineWidth = 2 * dpr;
    if (pinned) {
      ctx.fillStyle = colors.ring;
      ctx.fill();
      ctx.strokeStyle = colors.fill;
      ctx.stroke();
    } else {
      ctx.fillStyle = colors.fill;
      ctx.fill();
      ctx.strokeStyle = colors.outcomeRing ? colors.outcomeRing(point.outcomeIndex) : colors.ring;
      ctx.stroke();
    }
    out.push({ point, left: cssLeft, top: cssTop, pinned });
  }
  ctx.restore();
  return out;
}

/** Fills the floating tooltip: the time and each line's value under the cursor, and any claims. */
function showTip(
  u: uPlot,
  tip: HTMLDivElement | null,
  market: Market,
  outcomes: readonly number[],
  focus: number,
  drawn: readonly Drawn[],
  crowdColor: string,
): void {
  if (!tip) return;
  const { left, top, idx } = u.cursor;
  if (left == null || top == null || left < 0 || idx == null) {
    tip.hidden = true;
    return;
  }
  const near = drawn
    .map((d) => ({ d, dist: Math.hypot(d.left - left, d.top - top) }))
    .filter((n) => n.dist < NEAR)
    .sort((a, b) => a.dist - b.dist)
    .slice(0, 3)
    .map((n) => n.d);
  const x = u.posToVal(left, 'x');
  const rows: HTMLElement[] = [];
  const line = (color: string, name: string, value: string, dashed = false) => {
    const row = document.createElement('div');
    row.className = 'tip-row';
    const sw = document.createElement('span');
    sw.className = dashed ? 'tip-swatch dashed' : 'tip-swatch';
    sw.style.borderColor = color;
    const n = document.createElement('span');
    n.className = 'tip-name';
    n.textContent = name;
    const v = document.createElement('span');
    v.className = 'tip-value';
    v.textContent = value;
    row.append(sw, n, v);
    return row;
  };
  const head = document.createElement('div');
  head.className = 'tip-time';
  head.textContent = dateTime(new Date(x * 1000).toISOString());
  // The market lines, highest first, at most six (the rest are summed up).
  const values = outcomes
    .map((o, s) => ({ o, v: u.data[s + 1]?.[idx] ?? null }))
    .filter((r): r is { o: number; v: number } => r.v != null)
    .sort((a, b) => b.v - a.v);
  const binary = market.type === 'binary';
  for (const r of values.slice(0, 6)) {
    rows.push(
      line(outcomeColor(r.o), binary ? 'Market' : (market.outcomes[r.o]?.label ?? ''), pct(r.v)),
    );
  }
  if (values.length > 6) {
    const more = document.createElement('div');
    more.className = 'tip-more';
    more.textContent = `+${values.length - 6} more`;
    rows.push(more);
  }
  const crowd = u.data[outcomes.length + 1]?.[idx];
  if (crowd != null) {
    const name = binary ? 'Community' : `Community (${market.outcomes[focus]?.label ?? ''})`;
    rows.push(line(crowdColor, name, pct(crowd), true));
  }
  // Before the market opened only claims are under the cursor: they carry their own dates.
  if (values.length || crowd != null) rows.unshift(head);
  if (!values.length && crowd == null && !near.length) {
    tip.hidden = true;
    return;
  }
  for (const d of near) {
    const c = d.point.claim;
    const box = document.createElement('div');
    box.className = 'tip-claim';
    const who = document.createElement('strong');
    who.textContent = `${c.who}, ${date(`${c.date}T00:00:00Z`)}`;
    const said = document.createElement('div');
    said.textContent = `“${c.said.length > 140 ? `${c.said.slice(0, 140)}…` : c.said}”`;
    const read = document.createElement('div');
    read.className = 'tip-read';
    const outcome = market.outcomes[d.point.outcomeIndex]?.label ?? '';
    read.textContent = `Read as ${pct(d.point.probability)} ${outcome}${
      d.pinned ? ' · before the range shown' : ''
    }`;
    box.append(who, said, read);
    rows.push(box);
  }
  tip.replaceChildren(...rows);
  tip.hidden = false;
  // Beside the cursor, flipped to its left near the right edge, kept inside the plot.
  const overLeft = u.over.offsetLeft;
  const overTop = u.over.offsetTop;
  const w = tip.offsetWidth;
  const h = tip.offsetHeight;
  const plotW = u.over.clientWidth;
  let tx = left + 14;
  if (tx + w > plotW) tx = left - 14 - w;
  tx = Math.max(0, Math.min(tx, plotW - w));
  const ty = Math.max(0, Math.min(top - h / 2, u.over.clientHeight - h));
  tip.style.left = `${overLeft + tx}px`;
  tip.style.top = `${overTop + ty}px`;
}
