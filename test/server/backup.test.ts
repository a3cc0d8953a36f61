import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import seedrandom from 'seedrandom';
import { afterAll, describe, expect, it } from 'vitest';
import { apiCall, apiToken, type ChildServer, spawnServer } from '../helpers/childServer.ts';
import { auditLedger } from '../helpers/ledgerAudit.ts';

/**
 * Backups under load: `npm run backup` copies the live database through SQLite's online
 * backup API while a server in another process keeps trading; `npm run restore` puts the copy
 * into an empty data directory, where the ledger is exact and a new server serves the same
 * markets.
 */

const work = mkdtempSync(join(tmpdir(), 'parity-backup-'));
const servers: ChildServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Runs one of the scripts/ commands the way `npm run` does, with DATA_DIR set. */
function runScript(
  script: string,
  args: string[],
  dataDir: string,
  timeoutMs = 15_000,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('online backup and restore', () => {
  it('restores a backup taken under trading load with the ledger exact and the same markets served', async () => {
    const sourceDir = join(work, 'source');
    const env = { SEED: 'on', STARTING_GRANT_CENTS: '5000000' };
    const source = await spawnServer('server/main.ts', env, { dataDir: sourceDir });
    servers.push(source);
    const markets: { id: string; outcomes: { id: string }[] }[] = (
      await apiCall(source.url, 'GET', '/api/markets')
    ).body.markets;
    const tokens = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        apiToken(source.url, `backer_${i}`, 'password-123', { register: true }),
      ),
    );

    // Eight lanes trade until told to stop; every acknowledged trade id is kept.
    const acknowledged: number[] = [];
    let stop = false;
    const lane = async (token: string, seed: string) => {
      const rng = seedrandom(seed);
      while (!stop) {
        const m = markets[Math.floor(rng() * markets.length)]!;
        const o = m.outcomes[Math.floor(rng() * m.outcomes.length)]!;
        const res = await apiCall(source.url, 'POST', `/api/markets/${m.id}/trades`, {
          token,
          body: { outcomeId: o.id, amountCents: 100 + Math.floor(rng() * 900) },
        });
        expect(res.status).toBe(200);
        acknowledged.push(Number(res.body.trade.id));
      }
    };
    const lanes = tokens.flatMap((t, i) => [lane(t, `a${i}`), lane(t, `b${i}`)]);
    while (acknowledged.length < 400) await new Promise((r) => setTimeout(r, 50));

    const file = join(work, 'parity-backup.db');
    const beforeBackup = acknowledged.slice();
    const started = Date.now();
    const backup = await runScript('backup', [file], source.dataDir);
    const backupMs = Date.now() - started;
    const duringBackup = acknowledged.length - beforeBackup.length;
    stop = true;
    await Promise.all(lanes);
    expect(backup.code, `backup did not finish:\n${backup.out}`).toBe(0);
    expect(backup.out).toMatch(/integrity ok, ledger balanced/);
    // Trading went on while the backup ran: it was online, not a pause.
    expect(duringBackup).toBeGreaterThan(0);

    const restoredDir = join(work, 'restored');
    const restore = await runScript('restore', [file], restoredDir);
    expect(restore.code, restore.out).toBe(0);
    expect(readdirSync(restoredDir)).toEqual(['parity.db']);
    // Neither command overwrites: a backup to an existing file, a restore over a database.
    const [again, over] = await Promise.all([
      runScript('backup', [file], source.dataDir),
      runScript('restore', [file], restoredDir),
    ]);
    expect(again.out).toMatch(/exists; refusing to overwrite/);
    expect(again.code).toBe(2);
    expect(over.out).toMatch(/not empty/);
    expect(over.code).toBe(2);

    const db = new Database(join(restoredDir, 'parity.db'), { readonly: true });
    const audit = auditLedger(db);
    const inBackup = new Set(
      (db.prepare('SELECT id FROM trades').all() as { id: number }[]).map((r) => r.id),
    );
    const rows = db.prepare('SELECT id, seq, q, volume_cents FROM markets ORDER BY id').all() as {
      id: string;
      seq: number;
      q: string;
      volume_cents: number;
    }[];
    const balances = db
      .prepare(
        `SELECT u.username, a.balance_cents AS b FROM users u JOIN accounts a ON a.id = 'user:' || u.id
         WHERE u.username LIKE 'backer_%' ORDER BY u.username`,
      )
      .all() as { username: string; b: number }[];
    db.close();
    expect(audit.integrity).toBe('ok');
    expect(audit.problems).toEqual([]);
    expect(audit.totalCents).toBe(0);
    // The copy is one moment of the live database: everything acknowledged before the backup
    // began, perhaps some trades from during it, nothing that never happened.
    expect(beforeBackup.filter((id) => !inBackup.has(id))).toEqual([]);
    expect([...inBackup].filter((id) => !acknowledged.includes(id))).toEqual([]);
    expect(inBackup.size).toBe(audit.trades);

    const restored = await spawnServer('server/main.ts', { SEED: 'on' }, { dataDir: restoredDir });
    servers.push(restored);
    const served = (await apiCall(restored.url, 'GET', '/api/markets?status=all')).body.markets as {
      id: string;
      seq: number;
      volumeCents: number;
      outcomes: { shares: number }[];
    }[];
    expect(
      served
        .map((m) => ({
          id: m.id,
          seq: m.seq,
          q: m.outcomes.map((o) => o.shares),
          volume_cents: m.volumeCents,
        }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    ).toEqual(rows.map((r) => ({ ...r, q: JSON.parse(r.q) })));
    // The API tokens made before the backup still sign in, with the balances of the copy.
    const me = await Promise.all(
      tokens.map((token) => apiCall(restored.url, 'GET', '/api/me', { token })),
    );
    expect(
      me.map((r) => ({ username: r.body.user.username, b: r.body.user.balanceCents })),
    ).toEqual(balances);

    console.log(
      `backup: ${(statSync(file).size / 1024).toFixed(0)} KB in ${backupMs} ms (script start included), ` +
        `${inBackup.size} trades in the copy, ${duringBackup} acknowledged while it ran`,
    );
  });
});
