import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { checkReachable, describeDatabaseUrl } from '../../server/store/postgres/pgStore.ts';

/**
 * PostgreSQL for tests. The PostgreSQL halves of the suites run only with
 * PARITY_TEST_POSTGRES=1 (plain `npm test` needs no database); with it set, an unreachable
 * database fails them loudly instead of skipping them.
 */
export const PG_ENABLED = process.env.PARITY_TEST_POSTGRES === '1';
export const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other test file uses. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Throws a message saying what to do when PARITY_TEST_POSTGRES=1 but nothing answers. */
export async function requirePostgres(): Promise<void> {
  try {
    await checkReachable(PG_URL);
  } catch (err) {
    throw new Error(
      `PARITY_TEST_POSTGRES=1 but PostgreSQL at ${describeDatabaseUrl(PG_URL)} is unreachable ` +
        `(${(err as Error).message}). Start it, set DATABASE_URL, or unset PARITY_TEST_POSTGRES.`,
    );
  }
}

/** Runs `sql` on a connection of its own (outside any store's schema). */
export async function adminQuery<R extends pg.QueryResultRow = Record<string, unknown>>(
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Drops a test's schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
