/**
 * The simulate command's HTML report: one self-contained file (uPlot's script and stylesheet
 * inlined from node_modules, the figures embedded as JSON), so it opens offline and can be mailed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { formatCredits } from '../shared/money.ts';
import type { Figures } from './core.ts';
import { summaryText } from './core.ts';

/** uPlot's minified browser build and stylesheet, read from the installed package. */
function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  const dist = join(dirname(require.resolve('uplot/package.json')), 'dist');
  return {
    js: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(join(dist, 'uPlot.min.css'), 'utf8'),
  };
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** JSON that is safe inside a <script> element: no "</script>" or "<!--" can appear. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028|\u2029/g, '');
}

/** What the charts draw, trimmed from the figures. */
function chartData(f: Figures) {
  const round = (x: number) => Number(x.toFixed(4));
  return {
    runs: f.settings.runs,
    outcomeIds: f.market.outcomeIds,
    labels: f.market.labels,
    truthPaths: f.runs.map((r) => r.truthPath.map(round)),
    firstPath: f.firstRun.path.map((p) => p.map(round)),
    firstTruth: f.firstRun.truth,
    calibration: f.summary.calibration,
    byKind: f.summary.byKind.map((k) => ({ kind: k.kind, credits: k.meanProfitCents / 100 })),
  };
}

/** The charts, drawn by uPlot from the embedded data when the page loads. */
const CHART_SCRIPT = `
const data = JSON.parse(document.getElementById('figures').textContent);
const width = Math.min(960, document.body.clientWidth - 32);
const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
const steps = data.truthPaths[0].length;
const xs = Array.from({ length: steps }, (_, i) => i);
const pctAxis = { values: (u, v) => v.map((x) => Math.round(x * 100) + '%') };
const many = data.runs > 1;
const pathSeries = many
  ? data.truthPaths.map((_, i) => ({ label: 'run ' + (i + 1), stroke: 'rgba(37,99,235,' + Math.max(0.08, Math.min(0.8, 8 / data.runs)) + ')', width: 1 }))
  : data.outcomeIds.map((o, i) => ({ label: data.labels[i] + (o === data.firstTruth ? ' (true)' : ''), stroke: palette[i % palette.length], width: o === data.firstTruth ? 2.5 : 1.5 }));
const pathValues = many ? data.truthPaths : data.outcomeIds.map((_, i) => data.firstPath.map((p) => p[i]));
new uPlot({
  width, height: 340,
  scales: { x: { time: false }, y: { range: [0, 1] } },
  axes: [{ label: 'step' }, { label: many ? 'P(true outcome)' : 'price', ...pctAxis }],
  legend: { show: !many },
  series: [{ label: 'step' }, ...pathSeries],
}, [xs, ...pathValues], document.getElementById('paths'));

const cal = data.calibration;
new uPlot({
  width, height: 340,
  scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1] } },
  axes: [{ label: 'market price', ...pctAxis }, { label: 'observed frequency', ...pctAxis }],
  series: [
    { label: 'price' },
    { label: 'perfect calibration', stroke: '#9ca3af', dash: [4, 4], points: { show: false } },
    { label: 'observed', stroke: '#2563eb', width: 2, points: { show: true, size: 7, fill: '#2563eb' } },
    { label: '95% low', stroke: '#93c5fd', dash: [2, 3], points: { show: false } },
    { label: '95% high', stroke: '#93c5fd', dash: [2, 3], points: { show: false } },
  ],
}, [cal.map((b) => b.predicted), cal.map((b) => b.predicted), cal.map((b) => b.observed), cal.map((b) => b.low), cal.map((b) => b.high)], document.getElementById('calibration'));

const kinds = data.byKind;
new uPlot({
  width: Math.min(width, 560), height: 300,
  scales: { x: { time: false, range: [-0.5, kinds.length - 0.5] } },
  axes: [
    { values: (u, v) => v.map((x) => (Number.isInteger(x) && kinds[x] ? kinds[x].kind : '')) , splits: () => kinds.map((_, i) => i) },
    { label: 'credits per agent' },
  ],
  legend: { show: false },
  series: [
    { label: 'type' },
    { label: 'mean profit', fill: 'rgba(37,99,235,0.6)', stroke: '#2563eb', paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false } },
  ],
}, [kinds.map((_, i) => i), kinds.map((k) => k.credits)], document.getElementById('profit'));
`;

/** The whole report page. */
export function reportHtml(f: Figures): string {
  const { js, css } = uplotAssets();
  const s = f.summary;
  const personaRows = s.personas
    .map(
      (p) =>
        `<tr><td>${escapeHtml(p.who)}</td><td>${formatCredits(p.budgetCents)}</td>` +
        `<td>${p.claimBelief.map((x) => x.toFixed(2)).join(' / ')}</td>` +
        `<td>${formatCredits(p.meanProfitCents)}</td><td>${p.meanBrier.toFixed(3)}</td>` +
        `<td>${p.meanClaimBrier.toFixed(3)}</td><td>${p.meanPeer.toFixed(1)}</td></tr>`,
    )
    .join('\n');
  const many = f.settings.runs > 1;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Simulation: ${escapeHtml(f.market.id)}</title>
<style>${css}</style>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 16px; color: #111827; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
pre { background: #f3f4f6; padding: 12px; overflow-x: auto; font-size: 13px; }
table { border-collapse: collapse; font-size: 14px; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 4px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.note { color: #4b5563; max-width: 60em; }
</style>
</head>
<body>
<h1>${escapeHtml(f.market.question)}</h1>
<p class="note">Market <code>${escapeHtml(f.market.id)}</code>, simulated by agents in virtual time.
The same arguments reproduce this report exactly.</p>
<pre>${escapeHtml(summaryText(f))}</pre>
<h2>${many ? `Price of the true outcome in each of ${f.settings.runs} runs` : 'Prices by step'}</h2>
<div id="paths"></div>
<h2>Calibration of the market${many ? ' across runs' : ''}</h2>
<p class="note">The market's price after every step, bucketed by tenths, against how often the
outcome happened${f.market.type === 'binary' ? ' (binary: the price of yes)' : ''}, with 95% Wilson intervals.</p>
<div id="calibration"></div>
<h2>Profit by agent type</h2>
<p class="note">Mean profit per agent (cash plus payout minus budget)${many ? ', over all runs' : ''}.</p>
<div id="profit"></div>
<h2>Personas</h2>
<table>
<thead><tr><th>who</th><th>budget</th><th>claims' belief</th><th>profit</th><th>Brier</th><th>claims' Brier</th><th>peer vs market</th></tr></thead>
<tbody>
${personaRows}
</tbody>
</table>
<script id="figures" type="application/json">${scriptJson(chartData(f))}</script>
<script>${js}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}
