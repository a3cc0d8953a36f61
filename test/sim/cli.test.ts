import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSimulateArgs } from '../../sim/args.ts';
import { figuresJson, loadSeeds, simulateFigures } from '../../sim/core.ts';
import { main } from '../../sim/main.ts';

const seeds = loadSeeds('seeds');
const dir = mkdtempSync(join(tmpdir(), 'parity-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ARGS = [
  '--market',
  'top-chinese-lab-q1-2027',
  '--seed',
  '42',
  '--runs',
  '3',
  '--agents',
  '40',
  '--steps',
  '60',
];

/** A writable stream that keeps what was written. */
function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}

async function run(argv: string[]) {
  const stdout = sink();
  const stderr = sink();
  const code = await main(argv, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function cli(argv: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'sim/cli.ts', ...argv], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('the simulate command', () => {
  it('writes the same figures, byte for byte, for the same arguments', () => {
    const args = parseSimulateArgs(ARGS)!;
    const a = figuresJson(simulateFigures(args, seeds));
    const b = figuresJson(simulateFigures(args, seeds));
    expect(a).toBe(b);
    // Through the real CLI in a child process: the file it writes is the same bytes again.
    const out = join(dir, 'child');
    const child = cli([...ARGS, '--out', out]);
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(readFileSync(join(out, 'figures.json'), 'utf8')).toBe(a);
    expect(child.stdout).toContain('3 runs, seeds 42..44');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    // Self-contained: uPlot inlined, nothing fetched.
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  });

  it('gives different figures for a different seed', () => {
    const a = simulateFigures(parseSimulateArgs(ARGS)!, seeds);
    const b = simulateFigures(
      parseSimulateArgs([...ARGS.slice(0, 3), '43', ...ARGS.slice(4)])!,
      seeds,
    );
    expect(a.runs[0]!.truthPath).not.toEqual(b.runs[0]!.truthPath);
  });

  it('prints the final odds, settling step, Brier scores and each persona of a single run', async () => {
    const out = join(dir, 'single');
    const r = await run([
      '--market',
      'zhipu-hk-1t-end-2026',
      '--seed',
      '3',
      '--truth',
      'yes',
      '--agents',
      '40',
      '--steps',
      '50',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Final odds +yes \d+\.\d% +no \d+\.\d%/);
    expect(r.stdout).toMatch(/Settled +/);
    expect(r.stdout).toMatch(
      /Brier \(time-avg\) +market \d\.\d{3} +best agent \d\.\d{3} +median agent \d\.\d{3}/,
    );
    for (const who of ['Gulu (Manfon Slow-Motion)', 'Zhang Youyu', 'JPMorgan']) {
      expect(r.stdout).toContain(who);
    }
    const figures = JSON.parse(readFileSync(join(out, 'figures.json'), 'utf8'));
    expect(figures.firstRun.truth).toBe('yes');
    expect(figures.firstRun.path).toHaveLength(51);
  });

  it.each([
    [['--seed', '1'], /--market is required/],
    [['--market', 'nope', '--seed', '1'], /unknown market nope/],
    [['--market', 'zhipu-hk-1t-end-2026'], /--seed is required/],
    [['--market', 'zhipu-hk-1t-end-2026', '--seed', 'x'], /--seed must be a whole number/],
    [['--market', 'zhipu-hk-1t-end-2026', '--seed', '1', '--runs', '0'], /--runs/],
    [['--market', 'zhipu-hk-1t-end-2026', '--seed', '1', '--truth', 'maybe'], /no outcome maybe/],
    [['--market', 'zhipu-hk-1t-end-2026', '--seed', '1', '--informed', '2'], /--informed/],
    [
      ['--market', 'china-matches-us-frontier-q1-2027', '--seed', '1', '--agents', '5'],
      /cannot seat/,
    ],
    [
      ['--market', 'zhipu-hk-1t-end-2026', '--seed', '1', '--colour', 'red'],
      /Unknown option '--colour'/,
    ],
  ])('exits 2 with a message for %j', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('Usage: npm run simulate');
    expect(r.stdout).toBe('');
  });

  it('exits 2 from the real CLI on an unknown market', () => {
    const child = cli(['--market', 'no-such-market', '--seed', '1']);
    expect(child.status).toBe(2);
    expect(child.stderr).toContain('unknown market no-such-market');
    expect(child.stdout).toBe('');
  });

  it('prints help and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--truth <outcome>');
  });
});
