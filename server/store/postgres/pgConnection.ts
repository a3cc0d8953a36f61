import type pg from 'pg';
import { withRetries } from './pgErrors.ts';
import type { Executor, Row } from './rows.ts';

/**
 * Each SQL text gets one prepared-statement name: every connection parses it once, then only
 * binds and executes it.
 */
const statementNames = new Map<string, string>();
function statement(text: string, values: readonly unknown[] | undefined): pg.QueryConfig {
  let name = statementNames.get(text);
  if (!name) {
    name = `parity_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return { name, text, values: values as unknown[] | undefined };
}

/** The pool as an executor: each statement autocommits, is retried on deadlock, mapped. */
export function poolExecutor(pool: pg.Pool): Executor {
  const query = (sql: string, params?: readonly unknown[]) =>
    withRetries(async () => {
      const r = await pool.query<Row>(statement(sql, params));
      return { rows: r.rows, rowCount: r.rowCount ?? 0 };
    });
  return {
    query,
    async defer(sql, params) {
      await query(sql, params);
    },
  };
}

/**
 * One transaction's connection (in pipeline mode) as an executor. BEGIN and deferred writes
 * are sent without waiting and held in the socket (corked) until the next statement, so they
 * share one write and one round trip with it; the first of them to fail is the error of every
 * later statement, and of the commit. Unusable once the transaction is over.
 */
export class TxExecutor implements Executor {
  private over = false;
  /** The first failure of a statement nobody waited for. */
  private failure: unknown;
  private pending: Promise<void>[] = [];
  /** BEGIN's failure, if it failed: then nothing of the transaction reached the database. */
  readonly begun: Promise<unknown>;

  private corked = false;

  constructor(private readonly client: pg.PoolClient) {
    this.cork();
    // Explicit, whatever default_transaction_isolation says: the store's locking (FOR UPDATE
    // on what a transaction read-modify-writes) is designed for READ COMMITTED.
    this.begun = client.query('BEGIN ISOLATION LEVEL READ COMMITTED').then(
      () => undefined,
      (err: unknown) => {
        this.failure ??= err;
        return err;
      },
    );
  }

  /** Holds what is sent next in the socket until `uncork` (at the latest, the next turn). */
  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.client.connection.stream.cork();
    setImmediate(() => this.uncork());
  }
  private uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.client.connection.stream.uncork();
  }

  private check(): void {
    if (this.over) throw new Error('this transaction is over; use the store or a new transaction');
    if (this.failure) throw this.failure;
  }

  async query(sql: string, params?: readonly unknown[]) {
    this.check();
    try {
      // Statements sent in one synchronous stretch (say, a Promise.all of reads) leave in one
      // write, and share a round trip.
      this.cork();
      const sent = this.client.query<Row>(statement(sql, params));
      queueMicrotask(() => this.uncork());
      const r = await sent;
      return { rows: r.rows, rowCount: r.rowCount ?? 0 };
    } catch (err) {
      // After an earlier failure this one is only "transaction aborted": report the cause.
      throw this.failure ?? err;
    }
  }

  async defer(sql: string, params?: readonly unknown[]): Promise<void> {
    this.check();
    this.cork();
    this.pending.push(
      this.client.query(statement(sql, params)).then(
        () => {},
        (err: unknown) => {
          this.failure ??= err;
        },
      ),
    );
  }

  /** Commits, in the round trip of any writes still under way; throws what failed. */
  async commit(): Promise<void> {
    this.check();
    let done: pg.QueryResult;
    try {
      const sent = this.client.query('COMMIT');
      this.uncork();
      done = await sent;
    } catch (err) {
      throw this.failure ?? err;
    }
    // Answered in order: every deferred write is settled by now.
    await Promise.all(this.pending);
    this.pending = [];
    if (this.failure) throw this.failure;
    // COMMIT of a transaction that a failed statement (caught inside fn) aborted rolls back.
    if (done.command === 'ROLLBACK') {
      throw new Error('the transaction was aborted by a failed statement and rolled back');
    }
  }

  /** Waits for whatever is still under way, ignoring its outcome (before a rollback). */
  async drain(): Promise<void> {
    this.uncork();
    await Promise.all(this.pending);
    this.pending = [];
  }

  end(): void {
    this.uncork();
    this.over = true;
  }
}
