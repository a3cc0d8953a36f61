import type Database from 'better-sqlite3';

/**
 * The base of the SQLite query classes: one better-sqlite3 handle and its prepared statements,
 * each SQL text prepared once and kept.
 */
export class SqliteStatements {
  private readonly stmts = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  /** The prepared statement of `sql`. */
  protected s(sql: string): Database.Statement {
    let st = this.stmts.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.stmts.set(sql, st);
    }
    return st;
  }
}
