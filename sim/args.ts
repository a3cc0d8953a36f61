/**
 * The simulate command's arguments: parsed once with node:util parseArgs and checked with zod,
 * so everything past `parseSimulateArgs` is typed and in range.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';

export const USAGE = `Usage: npm run simulate -- --market <id> --seed <n> [options]

  --market <id>      seed market to simulate (see seeds/markets.json)
  --seed <n>         integer seed; with --runs, runs use seeds n .. n+runs-1
  --truth <outcome>  the outcome that is true (default: drawn per run with its seed from the
                     market's opening prices, uniform over outcomes)
  --agents <n>       agents in all, the market's personas included (default 100)
  --steps <n>        steps of virtual time (default 200)
  --runs <n>         Monte Carlo runs (default 1)
  --informed <x>     share of agents that are informed traders, 0..1 (default 0.3)
  --momentum <x>     share of agents that are momentum traders, 0..1 (default 0.1)
  --out <dir>        where to write report.html and figures.json
                     (default reports/<market>-<seed>/)
  -h, --help         show this help`;

/** A bad command line: the CLI prints the message and the usage and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const count = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(max));

const share = z
  .string()
  .regex(/^(0|1|0?\.\d+|1\.0*)$/, 'must be a number from 0 to 1')
  .transform(Number);

export const SimulateArgs = z
  .object({
    market: z.string({ error: 'is required' }).min(1),
    seed: z
      .string({ error: 'is required' })
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER)),
    truth: z.string().min(1).optional(),
    agents: count(100_000).optional(),
    steps: count(1_000_000).optional(),
    runs: count(1_000_000).default(1),
    informed: share.optional(),
    momentum: share.optional(),
    out: z.string().min(1).optional(),
  })
  .strict();
export type SimulateArgs = z.infer<typeof SimulateArgs>;

/** Parsed arguments, or null when help was asked for. Throws UsageError on anything else wrong. */
export function parseSimulateArgs(argv: readonly string[]): SimulateArgs | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        market: { type: 'string' },
        seed: { type: 'string' },
        truth: { type: 'string' },
        agents: { type: 'string' },
        steps: { type: 'string' },
        runs: { type: 'string' },
        informed: { type: 'string' },
        momentum: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return null;
  const { help: _, ...rest } = values;
  const parsed = SimulateArgs.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--${issue.path.join('.')} ${issue.message}`);
  }
  return parsed.data;
}
