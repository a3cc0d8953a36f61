/**
 * The simulate command: parse arguments, load the seeds, run (with a progress bar on a terminal),
 * print the summary, write report.html and figures.json. Returns the exit code: 0 done, 1 the
 * seeds or the output directory failed, 2 a bad argument or an unknown market.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { parseSimulateArgs, USAGE, UsageError } from './args.ts';
import { figuresJson, loadSeeds, type Seeds, simulateFigures, summaryText } from './core.ts';
import { reportHtml } from './report.ts';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where seeds/ and the default reports/ live (default: the working directory). */
  cwd?: string;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  let seeds: Seeds;
  try {
    const args = parseSimulateArgs(argv);
    if (args === null) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    try {
      seeds = loadSeeds(join(cwd, 'seeds'));
    } catch (e) {
      io.stderr.write(`simulate: cannot load seeds: ${(e as Error).message}\n`);
      return 1;
    }
    const bar =
      args.runs > 1 && io.stderr.isTTY
        ? new cliProgress.SingleBar(
            { stream: io.stderr, format: 'simulating {bar} {value}/{total} runs | {eta}s left' },
            cliProgress.Presets.shades_classic,
          )
        : null;
    bar?.start(args.runs, 0);
    let figures: ReturnType<typeof simulateFigures>;
    try {
      figures = simulateFigures(args, seeds, (done) => bar?.update(done));
    } finally {
      bar?.stop();
    }
    const out = args.out ?? join(cwd, 'reports', `${args.market}-${args.seed}`);
    try {
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'figures.json'), figuresJson(figures));
      writeFileSync(join(out, 'report.html'), reportHtml(figures));
    } catch (e) {
      io.stderr.write(`simulate: cannot write the report: ${(e as Error).message}\n`);
      return 1;
    }
    io.stdout.write(summaryText(figures));
    io.stdout.write(`\nWrote ${join(out, 'report.html')} and ${join(out, 'figures.json')}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`simulate: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
}
