import pg from 'pg';
import type { Logger } from 'pino';
import { DomainError } from '../../../shared/errors.ts';
import type { DeliveryRow } from '../integrationsStore.ts';
import type { Store, Tx } from '../store.ts';
import { poolExecutor, TxExecutor } from './pgConnection.ts';
import {
  backoffMs,
  describeDatabaseUrl,
  isConnectionError,
  isRetryable,
  MAX_ATTEMPTS,
  toStoreError,
} from './pgErrors.ts';
import { applyPgMigrations } from './pgMigrations.ts';
import { PgQueries } from './pgQueries.ts';

export { describeDatabaseUrl } from './pgErrors.ts';

/**
 * BIGINT (ids, cents) as a JS number, for this store's connections only: the global pg types
 * stay as they are for anything else in the process. Cents and ids stay far below 2^53.
 */
const TYPES = new pg.TypeOverrides();
TYPES.setTypeParser(20, Number);

/** Schema names are spliced into SQL and the connection options: plain identifiers only. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Connection failures that mean "fix the configuration" rather than "wait". */
const CONFIG_CODES = new Set(['28P01', '28000', '3D000']);

/** Options of `PgStore.open`. */
export interface PgStoreOptions {
  /** A libpq connection URL, e.g. postgres://user:pass@host:5432/db. */
  connectionString: string;
  /** Keep every table in this schema (created if missing); tests use one per file. */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
  log?: Logger;
}

/**
 * Startup options of every connection: it lives in the schema from its first statement on,
 * and sends doubles in their shortest exact form whatever the server's default (q, shares and
 * prices must round-trip bit for bit).
 */
function sessionOptions(schema: string | undefined): string {
  return `${schema ? `-c search_path="${schema}" ` : ''}-c extra_float_digits=3`;
}

/** Throws `store_unavailable` naming the database (password hidden) unless it answers. */
export async function checkReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw unreachable(url, err);
  } finally {
    await client.end().catch(() => {});
  }
}

function unreachable(url: string, err: unknown): DomainError {
  const why = err instanceof Error ? err.message || String(err) : String(err);
  return new DomainError(
    'store_unavailable',
    `cannot use PostgreSQL at ${describeDatabaseUrl(url)}: ${why}`,
    undefined,
    2,
  );
}

/** BEGIN failed for want of a connection: nothing of the transaction ran. */
class StaleConnection extends Error {
  constructor(override readonly cause: unknown) {
    super('stale connection');
  }
}

/**
 * The PostgreSQL store: a connection pool, READ COMMITTED transactions that lock what they
 * read-modify-write (`marketForUpdate`, `balanceForUpdate`), and retries of deadlocks and
 * serialisation failures. Calls on the store itself autocommit, one statement each. Any number
 * of nodes may share one database.
 */
export class PgStore extends PgQueries implements Store {
  readonly engine = 'postgres' as const;
  /** The pool, for scripts and tests that need SQL of their own. */
  readonly pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    super(poolExecutor(pool));
    this.pool = pool;
  }

  /**
   * Connects, creates the schema if asked for one, applies pending migrations (once, however
   * many nodes start together) and returns the store. Throws `store_unavailable` with the
   * database named (password hidden) when it cannot be reached or refuses the login.
   */
  static async open(opts: PgStoreOptions): Promise<PgStore> {
    const { schema } = opts;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
    }
    const pool = new pg.Pool({
      connectionString: opts.connectionString,
      max: opts.max ?? 10,
      types: TYPES,
      options: sessionOptions(schema),
      application_name: 'parity',
      // A request waits at most this long for a connection, not forever, when the database
      // is down; then the caller gets store_unavailable.
      connectionTimeoutMillis: 5000,
      statement_timeout: 15_000,
      query_timeout: 20_000,
      // A node that hangs mid-transaction does not hold its locks for ever.
      idle_in_transaction_session_timeout: 30_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      // A transaction's BEGIN and its writes whose results nobody reads share round trips
      // with the statements after them (TxExecutor).
      pipeline: true,
    });
    // An idle connection's error (the server restarted, say) must not crash the process: the
    // pool drops that client and opens a new one when next needed.
    pool.on('error', (err) => opts.log?.warn({ err }, 'PostgreSQL connection lost'));
    // Migrations run on a connection of their own, without the pool's timeouts: waiting for
    // another node's migration, or a long one, is not a stuck request.
    const client = new pg.Client({
      connectionString: opts.connectionString,
      options: sessionOptions(schema),
      connectionTimeoutMillis: 5000,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      const applied = await applyPgMigrations(client, schema);
      if (applied.length) opts.log?.info({ applied }, 'PostgreSQL migrations applied');
    } catch (err) {
      await pool.end().catch(() => {});
      if (isConnectionError(err) || CONFIG_CODES.has((err as { code?: string }).code ?? '')) {
        throw unreachable(opts.connectionString, err);
      }
      throw err;
    } finally {
      await client.end().catch(() => {});
    }
    return new PgStore(pool);
  }

  override claimDeliveries(now: string, limit: number, leaseUntil: string): Promise<DeliveryRow[]> {
    // The claim lock is transaction-scoped: it needs a transaction of its own.
    return this.transaction((tx) => tx.claimDeliveries(now, limit, leaseUntil));
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    let staleRetried = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(fn);
      } catch (err) {
        // A pooled connection that died while idle fails at BEGIN, before anything ran: one
        // more try on a fresh connection.
        if (err instanceof StaleConnection && !staleRetried) {
          staleRetried = true;
          attempt--;
          continue;
        }
        const cause = err instanceof StaleConnection ? err.cause : err;
        if (isRetryable(cause) && attempt < MAX_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, backoffMs(attempt)));
          continue;
        }
        throw toStoreError(cause);
      }
    }
  }

  /** One run of `fn` in BEGIN … COMMIT on a connection of its own. */
  private async attempt<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client has no error listener of the pool's; without one, a connection
    // killed between two statements would be an uncaught 'error' event.
    let broken = false;
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    // BEGIN goes out with fn's first statement.
    const exec = new TxExecutor(client);
    try {
      const result = await fn(new PgQueries(exec));
      await exec.commit();
      return result;
    } catch (err) {
      // Whatever is still under way settles first (its outcome is err's, or irrelevant now).
      await exec.drain();
      const beginError = await exec.begun;
      if (beginError !== undefined) {
        broken = true;
        // Nothing reached the database: the connection was dead before the transaction began.
        if (isConnectionError(beginError)) throw new StaleConnection(beginError);
      }
      if (isConnectionError(err)) broken = true;
      if (!broken) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
      }
      throw err;
    } finally {
      exec.end();
      client.removeListener('error', onError);
      // A broken connection is destroyed, not returned to the pool.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
