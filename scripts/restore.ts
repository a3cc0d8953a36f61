// `npm run restore -- <file>`: restores a backup into an empty data directory (DATA_DIR), after
// checking the backup's integrity and that its ledger balances. Start the server afterwards.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../server/config.ts';

const source = process.argv[2];
if (!source || !existsSync(source)) {
  console.error('usage: npm run restore -- <backup file>');
  process.exit(2);
}
const dir = loadConfig().DATA_DIR;
if (existsSync(dir) && readdirSync(dir).length > 0) {
  console.error(`${dir} is not empty; restore into an empty data directory (set DATA_DIR)`);
  process.exit(2);
}
const check = new Database(source, { readonly: true, fileMustExist: true });
const ok = check.pragma('integrity_check', { simple: true });
const total = (
  check.prepare('SELECT COALESCE(SUM(balance_cents), 0) AS n FROM accounts').get() as { n: number }
).n;
check.close();
if (ok !== 'ok' || total !== 0) {
  console.error(`refusing to restore: integrity ${ok}, ledger total ${total}`);
  process.exit(1);
}
mkdirSync(dir, { recursive: true });
copyFileSync(source, join(dir, 'parity.db'));
console.log(`restored ${source} into ${dir}`);
