import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { type Logger, pino } from 'pino';
import { createParity, type Parity } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { SocketLimits } from '../../server/realtime/socketServer.ts';

export const ADMIN = { username: 'admin', password: 'admin-password-123' };

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
  const config = loadConfig({
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
      if (!o.keepData) rmSync(dataDir, { recursive: true, force: true });
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

export function stateSnapshot(parity: Parity): StateSnapshot {
  const db = dbOf(parity);
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  const out: StateSnapshot = {
    ledgerTx: count('SELECT COUNT(*) AS n FROM ledger_tx'),
    ledgerEntries: count('SELECT COUNT(*) AS n FROM ledger_entries'),
    trades: count('SELECT COUNT(*) AS n FROM trades'),
    forecasts: count('SELECT COUNT(*) AS n FROM forecasts'),
    users: count('SELECT COUNT(*) AS n FROM users'),
    sessions: count('SELECT COUNT(*) AS n FROM sessions'),
    apiTokens: count('SELECT COUNT(*) AS n FROM api_tokens WHERE revoked_at IS NULL'),
    audit: count('SELECT COUNT(*) AS n FROM audit'),
    markets: count('SELECT COUNT(*) AS n FROM markets'),
  };
  for (const r of db.prepare('SELECT id, seq FROM markets').all() as {
    id: string;
    seq: number;
  }[]) {
    out[`seq:${r.id}`] = r.seq;
  }
  for (const r of db.prepare('SELECT id, balance_cents FROM accounts').all() as {
    id: string;
    balance_cents: number;
  }[]) {
    out[`balance:${r.id}`] = r.balance_cents;
  }
  return out;
}

/** Ledger invariants every test can check: the accounts sum to zero, no user is negative. */
export function ledgerInvariants(parity: Parity): {
  total: number;
  negativeUsers: number;
  negativeMarkets: number;
} {
  const db = (parity.ctx.store as unknown as { db: import('better-sqlite3').Database }).db;
  const total = (
    db.prepare('SELECT COALESCE(SUM(balance_cents),0) AS n FROM accounts').get() as { n: number }
  ).n;
  const entriesTotal = (
    db.prepare('SELECT COALESCE(SUM(amount_cents),0) AS n FROM ledger_entries').get() as {
      n: number;
    }
  ).n;
  const negativeUsers = (
    db
      .prepare("SELECT COUNT(*) AS n FROM accounts WHERE id LIKE 'user:%' AND balance_cents < 0")
      .get() as { n: number }
  ).n;
  const negativeMarkets = (
    db
      .prepare("SELECT COUNT(*) AS n FROM accounts WHERE id LIKE 'market:%' AND balance_cents < 0")
      .get() as { n: number }
  ).n;
  if (entriesTotal !== 0) throw new Error(`ledger entries sum to ${entriesTotal}`);
  return { total, negativeUsers, negativeMarkets };
}
