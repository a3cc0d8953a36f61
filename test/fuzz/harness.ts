import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { expect } from 'vitest';
import type { Parity } from '../../server/app.ts';
import type { SocketLimits } from '../../server/realtime/socketServer.ts';
import { ErrorBody } from '../../shared/schemas/index.ts';
import { ledgerInvariants, sqlAll, startServer, type TestServer } from '../helpers/server.ts';

/**
 * The fuzz suite's server: the real one, in this process, with every log line at warn and above
 * captured and the process's unhandled rejections and uncaught exceptions recorded, so a test
 * can prove that hostile input produced neither.
 */
export interface FuzzServer extends TestServer {
  /** Log lines at error or fatal, and the process's unhandled errors, in order. */
  problems: string[];
  /** Removes the process hooks and stops the server. */
  stop(): Promise<void>;
}

export async function startFuzzServer(
  opts: { env?: Record<string, string>; socketLimits?: SocketLimits } = {},
): Promise<FuzzServer> {
  const problems: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line) continue;
        const level = (JSON.parse(line) as { level?: number }).level ?? 0;
        // pino levels: 50 error, 60 fatal.
        if (level >= 50) problems.push(`log: ${line.slice(0, 2000)}`);
      }
      done();
    },
  });
  const onRejection = (e: unknown) => problems.push(`unhandledRejection: ${String(e)}`);
  const onException = (e: unknown) => problems.push(`uncaughtException: ${String(e)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  const server = await startServer({
    env: { LOG_LEVEL: 'warn', ...opts.env },
    logger: pino({ level: 'warn' }, sink),
    ...(opts.socketLimits ? { socketLimits: opts.socketLimits } : {}),
  });
  return {
    ...server,
    problems,
    stop: async () => {
      await server.close();
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

/**
 * Everything a request could change: the row count of every table, every account's balance,
 * every market's seq and status. Two equal snapshots mean nothing changed.
 */
export async function fullSnapshot(parity: Parity): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {};
  const tables =
    parity.ctx.store.engine === 'sqlite'
      ? await sqlAll<{ name: string }>(
          parity,
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
      : await sqlAll<{ name: string }>(
          parity,
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        );
  for (const { name } of tables) {
    const [r] = await sqlAll<{ n: number }>(parity, `SELECT COUNT(*) AS n FROM "${name}"`);
    out[`rows:${name}`] = Number(r?.n ?? 0);
  }
  for (const r of await sqlAll<{ id: string; seq: number; status: string }>(
    parity,
    'SELECT id, seq, status FROM markets',
  )) {
    out[`seq:${r.id}`] = Number(r.seq);
    out[`status:${r.id}`] = r.status;
  }
  for (const r of await sqlAll<{ id: string; balance_cents: number }>(
    parity,
    'SELECT id, balance_cents FROM accounts',
  )) {
    out[`balance:${r.id}`] = Number(r.balance_cents);
  }
  const [revoked] = await sqlAll<{ n: number }>(
    parity,
    'SELECT COUNT(*) AS n FROM api_tokens WHERE revoked_at IS NOT NULL',
  );
  out.revokedTokens = Number(revoked?.n ?? 0);
  return out;
}

/** The differences between two snapshots, as readable lines (empty when equal). */
export function snapshotDiff(
  a: Record<string, number | string>,
  b: Record<string, number | string>,
): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]).map((k) => `${k}: ${a[k]} → ${b[k]}`);
}

export interface Answer {
  status: number;
  body: unknown;
  text: string;
}

/**
 * An HTTP request with the path sent exactly as given (fetch would normalise `..` and
 * re-encode), and the body as given.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          ...(opts.body !== undefined ? { 'content-length': Buffer.byteLength(opts.body) } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body, text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A 4xx with the API's error body: `{error: {code, message}}`. */
export function isErrorAnswer(a: { status: number; body: unknown }): boolean {
  if (a.status < 400 || a.status >= 500) return false;
  const parsed = ErrorBody.safeParse(a.body);
  return parsed.success && parsed.data.error.code.length > 0;
}

/** After a run: no logged errors, no unhandled ones, an exact ledger, a healthy server. */
export async function expectServerIntact(s: FuzzServer): Promise<void> {
  expect(s.problems).toEqual([]);
  const ledger = await ledgerInvariants(s.parity);
  expect(ledger).toEqual({ total: 0, negativeUsers: 0, negativeMarkets: 0 });
  const health = await fetch(`${s.url}/api/health`);
  expect(health.status).toBe(200);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  for (const key of ['polluted', 'role', 'isAdmin', 'admin', 'balanceCents', 'x', 'a']) {
    expect(Object.prototype).not.toHaveProperty(key);
  }
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(Object.keys(Array.prototype)).toEqual([]);
}

/** Runs for a property: FUZZ_RUNS scales every count (e.g. 10 for a long run). */
export function runs(n: number): number {
  const scale = Number(process.env.FUZZ_RUNS ?? 1);
  return Math.max(1, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** fast-check parameters: a seed from FUZZ_SEED reproduces a run. */
export function fcParams(numRuns: number): { numRuns: number; seed?: number; endOnFailure: true } {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  return { numRuns: runs(numRuns), endOnFailure: true, ...(seed === undefined ? {} : { seed }) };
}
