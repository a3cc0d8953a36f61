import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import pg from 'pg';
import { type Logger, pino } from 'pino';
import { createParity, type Parity } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { SocketLimits } from '../../server/realtime/socketServer.ts';

export const ADMIN = { username: 'admin', password: 'admin-password-123' };

/**
 * `PARITY_TEST_POSTGRES=1` (set by `npm run test:cluster`) runs the same API tests on
 * PostgreSQL: each server gets a schema of its own in `TEST_DATABASE_URL`, dropped with it.
 */
export const ON_POSTGRES = process.env.PARITY_TEST_POSTGRES === '1';
export const TEST_DATABASE_URL =
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh schema name, unique across test files running at once. */
export function freshSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** The schema a data directory's server uses on PostgreSQL (kept across restarts). */
function schemaOf(dataDir: string): string {
  const file = join(dataDir, 'pg-schema');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const schema = freshSchema();
  writeFileSync(file, schema);
  return schema;
}

export interface TestServer {
  parity: Parity;
  url: string;
  port: number;
  dataDir: string;
  /** Stops the server; `keepData` leaves the data directory for a restart. */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

/**
 * Starts the real server on an ephemeral port with a fresh temp data directory (or `dataDir`
 * for a restart), seeded from seeds/, simulation off unless the env turns it on.
 */
export async function startServer(
  opts: {
    env?: Record<string, string>;
    dataDir?: string;
    now?: () => Date;
    logger?: Logger;
    socketLimits?: SocketLimits;
  } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'parity-test-'));
  const pgEnv: Record<string, string> =
    ON_POSTGRES && !opts.env?.DATABASE_URL
      ? { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schemaOf(dataDir) }
      : {};
  const config = loadConfig({
    ...pgEnv,
    DATA_DIR: dataDir,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    SIM: 'off',
    REGISTRATIONS_PER_HOUR: '100000',
    ...opts.env,
  });
  const parity = await createParity({
    config,
    logger: opts.logger ?? pino({ level: config.LOG_LEVEL }),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.socketLimits ? { socketLimits: opts.socketLimits } : {}),
  });
  const port = await parity.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    parity,
    url,
    port,
    dataDir,
    close: async (o = {}) => {
      await parity.close();
      if (!o.keepData) {
        if (pgEnv.DATABASE_SCHEMA) await dropSchema(pgEnv.DATABASE_SCHEMA);
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

export interface ApiResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * A tiny HTTP client with a cookie jar that behaves like a same-origin browser: it sends the
 * session cookie and an Origin header naming the server.
 */
export class Client {
  cookie: string | undefined;
  token: string | undefined;
  constructor(readonly baseUrl: string) {}

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResult<T>> {
    const h: Record<string, string> = { origin: this.baseUrl, ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (this.cookie) h.cookie = this.cookie;
    if (this.token) h.authorization = `Bearer ${this.token}`;
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const first = setCookie.split(';')[0]!;
      this.cookie = first.endsWith('=') ? undefined : first;
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
  /**
   * Sends `body` exactly as given (no JSON encoding, no content type unless in `headers`), with
   * the session cookie or token; `origin: false` leaves out the Origin header.
   */
  async raw<T = any>(
    method: string,
    path: string,
    opts: {
      body?: string | Uint8Array<ArrayBuffer>;
      headers?: Record<string, string>;
      origin?: boolean;
    } = {},
  ): Promise<ApiResult<T>> {
    const h: Record<string, string> = opts.origin === false ? {} : { origin: this.baseUrl };
    if (this.cookie) h.cookie = this.cookie;
    if (this.token) h.authorization = `Bearer ${this.token}`;
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { ...h, ...opts.headers },
      body: opts.body,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body);
  }
  put<T = any>(path: string, body?: unknown) {
    return this.request<T>('PUT', path, body);
  }
  patch<T = any>(path: string, body?: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  async register(username: string, password = 'password-123'): Promise<ApiResult<any>> {
    const r = await this.post('/api/auth/register', { username, password });
    if (r.status !== 201)
      throw new Error(`register ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  }
  async login(username: string, password: string): Promise<ApiResult<any>> {
    const r = await this.post('/api/auth/login', { username, password });
    if (r.status !== 200)
      throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  }
}

/** A client signed in as the admin. */
export async function adminClient(baseUrl: string): Promise<Client> {
  const c = new Client(baseUrl);
  await c.login(ADMIN.username, ADMIN.password);
  return c;
}

/** The server's SQLite handle, for checks that read the database directly. */
export function dbOf(parity: Parity): Database {
  return (parity.ctx.store as unknown as { db: Database }).db;
}

/**
 * Runs read-only SQL on the server's database, SQLite or PostgreSQL (`?` placeholders; counts
 * and sums come back as numbers), for checks that look past the API.
 */
export async function sqlAll<T = Record<string, unknown>>(
  parity: Parity,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const store = parity.ctx.store;
  if (store.engine === 'sqlite')
    return dbOf(parity)
      .prepare(sql)
      .all(...params) as T[];
  let n = 0;
  const text = sql.replace(/\?/g, () => `$${++n}`);
  const { rows } = await (store as unknown as { pool: pg.Pool }).pool.query(text, params);
  return rows.map((r: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) {
      out[k] =
        typeof v === 'string' &&
        /^-?\d+$/.test(v) &&
        /^(n|count|sum|total|balance_cents|seq|amount_cents)$/.test(k)
          ? Number(v)
          : v;
    }
    return out as T;
  });
}

/** Runs one writing statement on the server's database (`?` placeholders), either engine. */
export async function sqlRun(parity: Parity, sql: string, params: unknown[] = []): Promise<void> {
  const store = parity.ctx.store;
  if (store.engine === 'sqlite') {
    dbOf(parity)
      .prepare(sql)
      .run(...params);
    return;
  }
  let n = 0;
  await (store as unknown as { pool: pg.Pool }).pool.query(
    sql.replace(/\?/g, () => `$${++n}`),
    params,
  );
}

/** The first row's `n` of a counting query. */
async function countOf(parity: Parity, sql: string): Promise<number> {
  const rows = await sqlAll<{ n: number | string }>(parity, sql);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Counts that any state change moves: the ledger, trades, forecasts, users, sessions, tokens,
 * audit entries and every market's seq. Equal snapshots before and after mean nothing changed.
 */
export type StateSnapshot = Record<
  | 'ledgerTx'
  | 'ledgerEntries'
  | 'trades'
  | 'forecasts'
  | 'users'
  | 'sessions'
  | 'apiTokens'
  | 'audit'
  | 'markets',
  number
> &
  Record<string, number>;

export async function stateSnapshot(parity: Parity): Promise<StateSnapshot> {
  const count = (sql: string) => countOf(parity, sql);
  const out: StateSnapshot = {
    ledgerTx: await count('SELECT COUNT(*) AS n FROM ledger_tx'),
    ledgerEntries: await count('SELECT COUNT(*) AS n FROM ledger_entries'),
    trades: await count('SELECT COUNT(*) AS n FROM trades'),
    forecasts: await count('SELECT COUNT(*) AS n FROM forecasts'),
    users: await count('SELECT COUNT(*) AS n FROM users'),
    sessions: await count('SELECT COUNT(*) AS n FROM sessions'),
    apiTokens: await count('SELECT COUNT(*) AS n FROM api_tokens WHERE revoked_at IS NULL'),
    audit: await count('SELECT COUNT(*) AS n FROM audit'),
    markets: await count('SELECT COUNT(*) AS n FROM markets'),
  };
  for (const r of await sqlAll<{ id: string; seq: number }>(
    parity,
    'SELECT id, seq FROM markets',
  )) {
    out[`seq:${r.id}`] = Number(r.seq);
  }
  for (const r of await sqlAll<{ id: string; balance_cents: number }>(
    parity,
    'SELECT id, balance_cents FROM accounts',
  )) {
    out[`balance:${r.id}`] = Number(r.balance_cents);
  }
  return out;
}

/** Ledger invariants every test can check: the accounts sum to zero, no user is negative. */
export async function ledgerInvariants(parity: Parity): Promise<{
  total: number;
  negativeUsers: number;
  negativeMarkets: number;
}> {
  const total = await countOf(parity, 'SELECT COALESCE(SUM(balance_cents),0) AS n FROM accounts');
  const entriesTotal = await countOf(
    parity,
    'SELECT COALESCE(SUM(amount_cents),0) AS n FROM ledger_entries',
  );
  const negativeUsers = await countOf(
    parity,
    "SELECT COUNT(*) AS n FROM accounts WHERE id LIKE 'user:%' AND balance_cents < 0",
  );
  const negativeMarkets = await countOf(
    parity,
    "SELECT COUNT(*) AS n FROM accounts WHERE id LIKE 'market:%' AND balance_cents < 0",
  );
  if (entriesTotal !== 0) throw new Error(`ledger entries sum to ${entriesTotal}`);
  return { total, negativeUsers, negativeMarkets };
}
