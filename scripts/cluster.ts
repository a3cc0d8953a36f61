// `npm run cluster -- --nodes 3 [--port 3001] [--sim on|off]`: a cluster on one machine, for
// trials. N nodes of server/main.ts on consecutive ports, all with this environment, so they share
// DATABASE_URL (required: without it each node would keep its own SQLite file) and REDIS_URL.
// Nothing is restarted: a node that dies stays down, so failover can be watched. Ctrl-C stops all.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.ts';
import { buildClientIfStale } from './buildClient.ts';

const USAGE = 'usage: npm run cluster -- --nodes <1-64> [--port 3001] [--sim on|off]';
/** A node still running this long after SIGTERM is killed. */
const KILL_AFTER_MS = 5000;

/** What to start: `nodes` servers on ports `port` … `port + nodes - 1`. */
export interface ClusterArgs {
  nodes: number;
  port: number;
  /** The live bots; undefined keeps SIM as the environment has it (else on, as `npm start`). */
  sim: 'on' | 'off' | undefined;
}

/** Parses the command line; throws an Error saying what is wrong (unknown flag, bad number). */
export function parseClusterArgs(argv: string[]): ClusterArgs {
  // Strict by default: an unknown flag or a positional argument throws.
  const { values } = parseArgs({
    args: argv,
    options: {
      nodes: { type: 'string' },
      port: { type: 'string', default: '3001' },
      sim: { type: 'string' },
    },
  });
  const int = (name: string, v: string | undefined, min: number, max: number) => {
    const n = v !== undefined && /^\d+$/.test(v) ? Number(v) : Number.NaN;
    if (!(n >= min && n <= max)) {
      throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
  // At most 64: each node is a whole server process with its own database pool.
  const nodes = int('nodes', values.nodes, 1, 64);
  const port = int('port', values.port, 1, 65536 - nodes);
  if (values.sim !== undefined && values.sim !== 'on' && values.sim !== 'off') {
    throw new Error('--sim must be on or off');
  }
  return { nodes, port, sim: values.sim };
}

function fail(message: string): never {
  console.error(`cluster: ${message}`);
  process.exit(2);
}

/** Copies a child's output line by line with its tag, so interleaved nodes stay readable. */
function prefixLines(from: Readable, to: Writable, tag: string): void {
  createInterface({ input: from, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
    to.write(`${tag} ${line}\n`);
  });
}

const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

/** The node id once GET /api/health answers, or undefined if the process exits first. */
async function answered(url: string, child: ChildProcess): Promise<string | undefined> {
  while (running(child)) {
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return ((await res.json()) as { node?: string }).node ?? '?';
    } catch {
      // Not listening yet (migrations, seeding): ask again.
    }
    await sleep(250);
  }
  return undefined;
}

async function main(): Promise<void> {
  let args: ClusterArgs;
  try {
    args = parseClusterArgs(process.argv.slice(2));
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`);
  }
  if (!process.env.DATABASE_URL) {
    fail(
      'DATABASE_URL is not set: the nodes must share one PostgreSQL database; set DATABASE_URL=postgres://… (and REDIS_URL=redis://… for live updates across nodes)',
    );
  }
  const env: NodeJS.ProcessEnv = { SIM: 'on', ...process.env };
  if (args.sim) env.SIM = args.sim;
  try {
    // Checked once here rather than printed N times by N nodes.
    loadConfig({ ...env, PORT: String(args.port) });
  } catch (err) {
    fail((err as Error).message);
  }
  if (!env.REDIS_URL) {
    console.warn(
      'cluster: warning: REDIS_URL is not set, so sockets on one node will not see trades made on another, and each node keeps its own rate limits',
    );
  }
  if (existsSync('client/index.html') && (await buildClientIfStale())) {
    console.log('Built the client into client/dist');
  }

  const host = !env.HOST || env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
  const urlOf = (i: number) => `http://${host.includes(':') ? `[${host}]` : host}:${args.port + i}`;
  let stopping = false;
  let failed = false;
  let closed = 0;
  const children: ChildProcess[] = [];
  const startNode = (i: number): Promise<string | undefined> => {
    const tag = `[node ${i + 1}]`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...env, PORT: String(args.port + i) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    prefixLines(child.stdout!, process.stdout, tag);
    prefixLines(child.stderr!, process.stderr, tag);
    // 'close', not 'exit': the node's last lines are printed before the note that it ended.
    child.on('close', (code, signal) => {
      if (!stopping) {
        console.log(`${tag} exited (${signal ?? `code ${code}`}); not restarted`);
        if (code !== 0) failed = true;
      }
      closed += 1;
      if (closed === children.length) process.exit(stopping || !failed ? 0 : 1);
    });
    return answered(urlOf(i), child);
  };

  const stop = () => {
    // A second Ctrl-C does not wait for a node that is slow to close.
    const signal = stopping ? 'SIGKILL' : 'SIGTERM';
    stopping = true;
    for (const c of children.filter(running)) c.kill(signal);
    setTimeout(() => {
      for (const c of children.filter(running)) c.kill('SIGKILL');
    }, KILL_AFTER_MS).unref();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, stop);

  // Node 1 first, alone: the first start of an empty database (migrations, seeds, the admin
  // account and its printed password) then happens once, and the others find it done.
  const first = await startNode(0);
  if (!first || stopping) return;
  const rest = Array.from({ length: args.nodes - 1 }, (_, i) => startNode(i + 1));
  const ids = [first, ...(await Promise.all(rest))];
  if (stopping) return;
  const up = ids.filter((id) => id !== undefined).length;
  console.log(`\nParity cluster: ${up} of ${args.nodes} nodes answer`);
  ids.forEach((id, i) => {
    console.log(
      `  node ${i + 1}  ${id ? `${urlOf(i)}  (${id})` : 'did not start: see its output'}`,
    );
  });
  console.log(
    'Put a load balancer in front of them (deploy/nginx.conf or deploy/Caddyfile; README, "Several servers"). Ctrl-C stops them all.\n',
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
