// `npm run migrate:postgres -- --from <data dir> [--schema <name>]`: copies a Parity SQLite
// database (<data dir>/parity.db, opened read-only) into the empty PostgreSQL database at
// DATABASE_URL, in one PostgreSQL transaction that commits only if the copy checks out: equal
// row counts, equal balances, balanced ledger transactions, a zero ledger total and balances
// that are the sums of their entries. Exit 0: copied and checked; 1: refused or a check
// failed (nothing written); 2: bad arguments.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { migrations } from '../server/store/migrations.ts';
import { describeDatabaseUrl } from '../server/store/postgres/pgErrors.ts';
import { PgStore } from '../server/store/postgres/pgStore.ts';

/** Every table, parents before children (foreign-key order). */
const TABLES = [
  'users',
  'spaces',
  'space_members',
  'space_invites',
  'sessions',
  'api_tokens',
  'accounts',
  'ledger_tx',
  'ledger_entries',
  'markets',
  'market_history',
  'positions',
  'trades',
  'forecasts',
  'audit',
  'meta',
  'webhooks',
  'webhook_deliveries',
  'webhook_market_posts',
  'webhook_live_messages',
  'closing_notices',
  'chat_links',
  'chat_link_codes',
  'chat_receipts',
  'chat_prefs',
  'proposals',
  'comments',
] as const;
const BATCH = 2000;

function fail(code: 1 | 2, message: string): never {
  console.error(message);
  process.exit(code);
}

let args: { from?: string; schema?: string };
try {
  args = parseArgs({
    options: { from: { type: 'string' }, schema: { type: 'string' } },
    strict: true,
  }).values;
} catch (err) {
  fail(
    2,
    `${(err as Error).message}\nusage: npm run migrate:postgres -- --from <data dir> [--schema <name>]`,
  );
}
if (!args.from) fail(2, 'usage: npm run migrate:postgres -- --from <data dir> [--schema <name>]');
const url = process.env.DATABASE_URL;
if (!url) fail(2, 'set DATABASE_URL to the PostgreSQL database to copy into');
const schema = args.schema;
if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
  fail(2, `invalid schema name ${JSON.stringify(schema)}`);
}
const file = join(args.from, 'parity.db');
if (!existsSync(file)) fail(2, `no database at ${file}`);
const target = `${describeDatabaseUrl(url)}${schema ? ` (schema ${schema})` : ''}`;

const lite = new Database(file, { readonly: true, fileMustExist: true });
const version = lite.pragma('user_version', { simple: true }) as number;
if (version !== migrations.length) {
  fail(
    1,
    `${file} is at schema version ${version}, not ${migrations.length}: start Parity on it once to upgrade it, then run this again`,
  );
}

// Its own connection, without the store's statement timeouts: a large copy runs long.
const types = new pg.TypeOverrides();
types.setTypeParser(20, Number);
const db = new pg.Client({
  connectionString: url,
  types,
  ...(schema ? { options: `-c search_path="${schema}"` } : {}),
});

async function tableExists(table: string): Promise<boolean> {
  const r = await db.query('SELECT to_regclass($1) IS NOT NULL AS ok', [
    schema ? `"${schema}".${table}` : table,
  ]);
  return r.rows[0].ok === true;
}

async function copyTable(table: string, sequences: Map<string, number>): Promise<number> {
  const columns = (
    await db.query<{ column_name: string; udt_name: string; is_identity: string }>(
      `SELECT column_name, udt_name, is_identity FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    )
  ).rows;
  const liteColumns = new Set(
    (lite.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name),
  );
  const names = columns.map((c) => c.column_name);
  // The same columns on both sides, or some data would not be copied (or not be there).
  const missing = names.filter((n) => !liteColumns.has(n));
  const extra = [...liteColumns].filter((n) => !names.includes(n));
  if (missing.length || extra.length) {
    throw new Error(
      `${table}: columns differ (only in PostgreSQL: ${missing.join(', ') || 'none'}; only in SQLite: ${extra.join(', ') || 'none'})`,
    );
  }
  const identity = columns.some((c) => c.is_identity === 'YES');
  const insert = `INSERT INTO ${table} (${names.join(', ')})
    ${identity ? 'OVERRIDING SYSTEM VALUE' : ''}
    SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.udt_name}[]`).join(', ')})`;
  // SQLite keeps booleans as 0/1.
  const convert = columns.map((c) =>
    c.udt_name === 'bool' ? (v: unknown) => (v === null ? null : v !== 0) : (v: unknown) => v,
  );
  const read = lite
    .prepare(`SELECT ${names.join(', ')} FROM ${table}${identity ? ' ORDER BY id' : ''}`)
    .raw(true);
  let batch: unknown[][] = names.map(() => []);
  let pending = 0;
  let copied = 0;
  const flush = async () => {
    if (pending === 0) return;
    await db.query(insert, batch);
    copied += pending;
    batch = names.map(() => []);
    pending = 0;
  };
  for (const row of read.iterate() as IterableIterator<unknown[]>) {
    for (let i = 0; i < row.length; i++) batch[i]!.push(convert[i]!(row[i]));
    if (++pending === BATCH) await flush();
  }
  await flush();
  if (identity) {
    // Ids go on where SQLite's would have (AUTOINCREMENT never reuses a deleted row's id).
    const max = (await db.query(`SELECT COALESCE(MAX(id), 0) AS n FROM ${table}`)).rows[0].n;
    const next = Math.max(max as number, sequences.get(table) ?? 0);
    await db.query(
      `SELECT setval(pg_get_serial_sequence($1, 'id'), $2, $3)`,
      next > 0 ? [table, next, true] : [table, 1, false],
    );
  }
  return copied;
}

/** The checks; returns what is wrong (nothing, when the copy is exact). */
async function verify(
  counts: Map<string, number>,
): Promise<{ problems: string[]; facts: string[] }> {
  const problems: string[] = [];
  for (const table of TABLES) {
    const theirs = (lite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    const ours = (await db.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n as number;
    if (theirs !== ours || counts.get(table) !== theirs) {
      problems.push(`${table}: ${theirs} rows in SQLite, ${ours} in PostgreSQL`);
    }
  }
  const liteBalances = new Map(
    (
      lite.prepare('SELECT id, balance_cents FROM accounts').all() as {
        id: string;
        balance_cents: number;
      }[]
    ).map((r) => [r.id, r.balance_cents]),
  );
  const pgBalances = new Map(
    (
      await db.query<{ id: string; balance_cents: number }>(
        'SELECT id, balance_cents FROM accounts',
      )
    ).rows.map((r) => [r.id, r.balance_cents]),
  );
  for (const [id, cents] of liteBalances) {
    if (pgBalances.get(id) !== cents) {
      problems.push(
        `account ${id}: ${cents} in SQLite, ${pgBalances.get(id) ?? 'missing'} in PostgreSQL`,
      );
    }
  }
  const unbalanced = await db.query(
    `SELECT tx_id, SUM(amount_cents)::bigint AS s FROM ledger_entries GROUP BY tx_id
     HAVING SUM(amount_cents) <> 0 ORDER BY tx_id LIMIT 10`,
  );
  for (const r of unbalanced.rows) problems.push(`ledger tx ${r.tx_id} sums to ${r.s}`);
  const total = (
    await db.query('SELECT COALESCE(SUM(balance_cents), 0)::bigint AS n FROM accounts')
  ).rows[0].n as number;
  if (total !== 0) problems.push(`balances sum to ${total}, not 0`);
  const drift = await db.query(
    `SELECT a.id, a.balance_cents AS b, COALESCE(e.s, 0)::bigint AS s FROM accounts a
     LEFT JOIN (SELECT account, SUM(amount_cents) AS s FROM ledger_entries GROUP BY account) e
       ON e.account = a.id
     WHERE a.balance_cents <> COALESCE(e.s, 0) ORDER BY a.id LIMIT 10`,
  );
  for (const r of drift.rows)
    problems.push(`account ${r.id}: balance ${r.b}, entries sum to ${r.s}`);
  const txs = (await db.query('SELECT COUNT(*) AS n FROM ledger_tx')).rows[0].n as number;
  return {
    problems,
    facts: [
      `row counts equal in all ${TABLES.length} tables`,
      `${liteBalances.size} account balances equal`,
      `${txs} ledger transactions balanced`,
      'ledger total 0',
      'every balance is the sum of its entries',
    ],
  };
}

const started = Date.now();
try {
  await db.connect();
} catch (err) {
  fail(1, `cannot reach PostgreSQL at ${target}: ${(err as Error).message}`);
}
db.on('error', (err) => fail(1, `lost the connection to PostgreSQL: ${err.message}`));
try {
  for (const table of TABLES) {
    if (!(await tableExists(table))) continue;
    if ((await db.query(`SELECT EXISTS (SELECT 1 FROM ${table}) AS any`)).rows[0].any) {
      fail(
        1,
        `refusing to copy: ${target} already holds Parity data (table ${table} is not empty)`,
      );
    }
  }
  // The schema, by the store's own migrations.
  const store = await PgStore.open({ connectionString: url, ...(schema ? { schema } : {}) });
  await store.close();

  const sequences = new Map<string, number>();
  const hasSeq = lite.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get();
  if (hasSeq) {
    for (const r of lite.prepare('SELECT name, seq FROM sqlite_sequence').all() as {
      name: string;
      seq: number;
    }[])
      sequences.set(r.name, r.seq);
  }

  // One read snapshot of SQLite, one PostgreSQL transaction.
  lite.exec('BEGIN');
  await db.query('BEGIN');
  const counts = new Map<string, number>();
  try {
    for (const table of TABLES) counts.set(table, await copyTable(table, sequences));
    // Run the deferred double-entry checks now rather than at COMMIT.
    await db.query('SET CONSTRAINTS ALL IMMEDIATE');
    const { problems, facts } = await verify(counts);
    if (problems.length) {
      await db.query('ROLLBACK');
      fail(1, `migration check failed; nothing was written:\n  ${problems.join('\n  ')}`);
    }
    await db.query('COMMIT');
    console.log(`copied ${file} to ${target} in ${Date.now() - started} ms`);
    console.log(`  ${TABLES.map((t) => `${t} ${counts.get(t)}`).join(', ')}`);
    console.log(`checks passed: ${facts.join('; ')}`);
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    lite.exec('COMMIT');
  }
} catch (err) {
  fail(1, `migration failed; nothing was written: ${(err as Error).message}`);
} finally {
  await db.end().catch(() => {});
  lite.close();
}
