import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A Parity server (or another entry file) in a child process, so the load and the server don't
 * share an event loop, and so the server can be killed with SIGKILL like a crashed machine.
 */
export interface ChildServer {
  url: string;
  pid: number;
  child: ChildProcess;
  dataDir: string;
  rssMb(): number;
  /** The last 64 KB the server printed (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM (SIGKILL after 10 s) and wait for exit; removes the data directory it made. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit, like a crash; the data directory is always kept. */
  kill(): Promise<void>;
  /** Resolves with the next line the server prints that matches (rejects after the timeout). */
  nextLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export interface LaunchOptions {
  entry?: string;
  env?: Record<string, string>;
  /** Start on this (existing) data directory; the caller owns it and it is never removed. */
  dataDir?: string;
  /** Extra node options before the entry, e.g. ['--expose-gc']. */
  nodeArgs?: string[];
}

/** A server that has been spawned but may not be listening yet (kill it mid-boot if you like). */
export interface LaunchingServer {
  pid: number;
  dataDir: string;
  child: ChildProcess;
  /** Resolves once the server prints its URL; rejects if it exits first. */
  ready: Promise<ChildServer>;
  kill(): Promise<void>;
}

const OUTPUT_LIMIT = 64 * 1024;

/** The resident set size of a process, in MB, from /proc (Linux). */
export function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export function launchServer(opts: LaunchOptions = {}): LaunchingServer {
  const ownsDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'parity-child-'));
  const args = ['--import', 'tsx', ...(opts.nodeArgs ?? []), opts.entry ?? 'server/main.ts'];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      SIM: 'off',
      REGISTRATIONS_PER_HOUR: '100000',
      ADMIN_PASSWORD: 'admin-password-123',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // Always drained: a child writing into a full pipe would block.
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 2 * OUTPUT_LIMIT) out = out.slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const kill = async () => {
    child.kill('SIGKILL');
    await exitOf(child);
  };
  const ready = new Promise<ChildServer>((resolve, reject) => {
    const onData = () => {
      const m = /Parity is serving on http:\/\/localhost:(\d+)/.exec(out);
      if (!m) return;
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      resolve({
        url: `http://127.0.0.1:${m[1]}`,
        pid: child.pid!,
        child,
        dataDir,
        rssMb: () => rssMbOf(child.pid!),
        output: () => out.slice(-OUTPUT_LIMIT),
        kill,
        nextLine: (pattern, timeoutMs = 5000) =>
          new Promise((resolveLine, rejectLine) => {
            let pending = '';
            const onLine = (d: Buffer) => {
              pending += d.toString();
              const lines = pending.split('\n');
              pending = lines.pop() ?? '';
              const hit = lines.find((l) => pattern.test(l));
              if (hit === undefined) return;
              clearTimeout(timer);
              child.stdout!.off('data', onLine);
              resolveLine(hit);
            };
            const timer = setTimeout(() => {
              child.stdout!.off('data', onLine);
              rejectLine(new Error(`no line matching ${pattern} in ${timeoutMs} ms`));
            }, timeoutMs);
            child.stdout!.on('data', onLine);
          }),
        stop: async () => {
          child.kill('SIGTERM');
          // A server that does not shut down in time is killed, so a test never hangs on it.
          const hung = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exitOf(child);
          clearTimeout(hung);
          if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
        },
      });
    };
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`server exited (${signal ?? code}) before listening:\n${out}`));
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
  // A server killed mid-boot rejects `ready`; that is expected, not an unhandled rejection.
  ready.catch(() => {});
  return { pid: child.pid!, dataDir, child, ready, kill };
}

/** Spawns the server on port 0 (a fresh temp data directory unless `opts.dataDir`). */
export function spawnServer(
  entry = 'server/main.ts',
  env: Record<string, string> = {},
  opts: { dataDir?: string; nodeArgs?: string[] } = {},
): Promise<ChildServer> {
  return launchServer({ entry, env, ...opts }).ready;
}

/** The p-th percentile of an ascending list (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
}

/**
 * One JSON request to a server, authenticated with a bearer token or a session cookie, from
 * its own origin. A network failure (say, the server was killed) rejects.
 */
export async function apiCall<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  opts: { token?: string; cookie?: string; body?: unknown } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { origin: baseUrl };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T };
}

/** Signs in (or registers) and returns a new API token, which outlives restarts. */
export async function apiToken(
  baseUrl: string,
  username: string,
  password: string,
  opts: { register?: boolean } = {},
): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/${opts.register ? 'register' : 'login'}`, {
    method: 'POST',
    headers: { origin: baseUrl, 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200 && res.status !== 201)
    throw new Error(`sign-in of ${username}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`sign-in of ${username} set no cookie`);
  const tok = await apiCall<{ token: string }>(baseUrl, 'POST', '/api/me/tokens', {
    cookie,
    body: {},
  });
  if (tok.status !== 201) throw new Error(`token for ${username}: ${tok.status}`);
  return tok.body.token;
}
