import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import seedrandom from 'seedrandom';
import { afterAll, describe, expect, it } from 'vitest';
import { apiCall, apiToken, type ChildServer, launchServer } from '../helpers/childServer.ts';
import { auditLedger } from '../helpers/ledgerAudit.ts';
import {
  type CrashMarket,
  CrashWorkload,
  type PendingSettlement,
  type Trader,
} from './workload.ts';

/**
 * The crash suite: the real server in a child process, traded on from several users at once,
 * killed with SIGKILL at seeded random moments (while booting, while trading, right as a
 * resolution commits) and restarted on the same data directory. After every kill the database
 * is audited with the server down; after every restart the lost requests are sent again.
 * CRASH_SEED fixes the plan (what each kill interrupts and when, every request each lane
 * sends); the server's own timing still varies. CRASH_KILLS sets how many kills, CRASH_KEEP=1
 * keeps the data directory.
 */

const SEED = process.env.CRASH_SEED ?? 'parity-crash-1';
const KILLS = Number(process.env.CRASH_KILLS ?? 24);
const GRANT = 500_000;
const ENV = { SEED: 'off', STARTING_GRANT_CENTS: String(GRANT), LOG_LEVEL: 'warn' };
const ADMIN_PASSWORD = 'admin-password-123';
const TRADERS = 5;
const LANES_PER_TRADER = 2;

const TRADING: CrashMarket[] = [
  { id: 'crash-a', outcomes: ['yes', 'no'], liquidity: 50 },
  { id: 'crash-b', outcomes: ['yes', 'no'], liquidity: 150 },
  { id: 'crash-m', outcomes: ['zhipu', 'deepseek', 'moonshot', 'qwen'], liquidity: 80 },
];
const SETTLING: CrashMarket[] = Array.from({ length: 8 }, (_, i) =>
  i % 2
    ? { id: `crash-r${i}`, outcomes: ['alpha', 'beta', 'gamma'], liquidity: 60 }
    : { id: `crash-r${i}`, outcomes: ['yes', 'no'], liquidity: 40 + 10 * i },
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dataDir = mkdtempSync(join(tmpdir(), 'parity-crash-'));
const dbFile = join(dataDir, 'parity.db');
let live: ChildServer | undefined;

afterAll(async () => {
  await live?.kill();
  if (!process.env.CRASH_KEEP) rmSync(dataDir, { recursive: true, force: true });
});

async function boot(): Promise<ChildServer> {
  live = await launchServer({ dataDir, env: ENV }).ready;
  return live;
}

/** Audits the database while the server is down, as a read-only reader of its file. */
function auditOffline(work: CrashWorkload): { problems: string[]; trades: number } {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const audit = auditLedger(db);
    return { problems: [...audit.problems, ...work.inspect(db)], trades: audit.trades };
  } finally {
    db.close();
  }
}

/** Server log lines at error level or worse (pino: 50 error, 60 fatal). */
function errorLines(output: string): string[] {
  return output.split('\n').filter((l) => /"level":(50|60)/.test(l));
}

async function setUp(url: string): Promise<{ adminToken: string; traders: Trader[] }> {
  const adminToken = await apiToken(url, 'admin', ADMIN_PASSWORD);
  const closesAt = new Date(Date.now() + 30 * 86400_000).toISOString();
  for (const m of [...TRADING, ...SETTLING]) {
    const binary = m.outcomes[0] === 'yes';
    const res = await apiCall(url, 'POST', '/api/markets', {
      token: adminToken,
      body: {
        id: m.id,
        question: `Crash test market ${m.id}?`,
        closesAt,
        liquidity: m.liquidity,
        ...(binary ? {} : { outcomes: m.outcomes }),
      },
    });
    if (res.status !== 201) throw new Error(`create ${m.id}: ${res.status}`);
    expect(res.body.market.outcomes.map((o: { id: string }) => o.id)).toEqual(m.outcomes);
  }
  const traders: Trader[] = [];
  for (let i = 0; i < TRADERS; i++) {
    const name = `crasher_${i}`;
    const token = await apiToken(url, name, 'password-123', { register: true });
    const me = await apiCall(url, 'GET', '/api/me', { token });
    traders.push({ name, id: me.body.user.id, token });
  }
  return { adminToken, traders };
}

describe('crash recovery under kill -9', () => {
  it('keeps every acknowledged trade exactly once, applies nothing by halves and pays no resolution twice', async () => {
    const started = Date.now();
    const rng = seedrandom(SEED);
    const first = await boot();
    const { adminToken, traders } = await setUp(first.url);
    const work = new CrashWorkload(traders, [...TRADING, ...SETTLING]);
    const toSettle = [...SETTLING];
    let server: ChildServer | undefined = first;
    let kills = 0;
    let bootKills = 0;
    let auditedTrades = 0;
    const log: string[] = [];

    for (let round = 1; round <= KILLS; round++) {
      const kind =
        round % 3 === 0 && toSettle.length
          ? 'resolution'
          : round > 1 && rng() < 0.15
            ? 'boot'
            : 'load';
      let note = '';
      if (kind === 'boot') {
        // Killed while starting: migrations, admin check, closer and socket set-up.
        const launching = launchServer({ dataDir, env: ENV });
        const at = Math.floor(30 + rng() * 700);
        let ready = false;
        launching.ready.then(
          () => {
            ready = true;
          },
          () => {},
        );
        await sleep(at);
        await launching.kill();
        if (!ready) bootKills += 1;
        note = `boot kill at ${at} ms${ready ? ' (already listening)' : ''}`;
      } else {
        server ??= await boot();
        await work.recover(server.url, adminToken);
        let stopped = false;
        const lanes = traders.flatMap((t, ti) =>
          Array.from({ length: LANES_PER_TRADER }, (_, li) =>
            work.lane(
              server!.url,
              t,
              seedrandom(`${SEED}|${round}|${ti}|${li}`),
              `r${round}.${li}`,
              () => stopped,
            ),
          ),
        );
        const before = work.confirmed.size;
        let settling: Promise<void> | undefined;
        if (kind === 'resolution') {
          const m = toSettle.shift()!;
          const sendAt = Math.floor(150 + rng() * 600);
          const body: PendingSettlement['body'] =
            rng() < 0.25
              ? { cancel: true, note: `crash round ${round}` }
              : {
                  outcomeId: m.outcomes[Math.floor(rng() * m.outcomes.length)]!,
                  note: `crash round ${round}`,
                };
          // The kill lands within a few ms of the resolution (which queues behind the trades
          // in flight): before it starts, while it runs, or after it commits but before the
          // answer arrives.
          const after = rng() < 0.5 ? rng() * 4 : 4 + rng() * 30;
          await sleep(sendAt);
          settling = work.settle(server.url, adminToken, { marketId: m.id, body });
          await sleep(after);
          note = `resolution of ${m.id} sent at ${sendAt} ms, kill ${after.toFixed(1)} ms later`;
        } else {
          const killAt = Math.floor(100 + rng() * 1100);
          await sleep(killAt);
          note = `kill at ${killAt} ms of trading`;
        }
        const output = server.output();
        await server.kill();
        stopped = true;
        server = undefined;
        live = undefined;
        await CrashWorkload.settleAll([...lanes, ...(settling ? [settling] : [])]);
        expect(errorLines(output), `server errors before kill ${round}`).toEqual([]);
        note += `, ${work.confirmed.size - before} trades acknowledged`;
      }
      kills += 1;
      const audit = auditOffline(work);
      const interrupted = work.unsettledResolutions[0];
      if (kind === 'resolution')
        note += !interrupted
          ? ', resolution answered'
          : interrupted.committed
            ? ', resolution committed, answer lost'
            : ', resolution interrupted before commit';
      auditedTrades += audit.trades;
      expect(audit.problems, `after kill ${round} (${note})`).toEqual([]);
      expect(work.faults, `after kill ${round} (${note})`).toEqual([]);
      log.push(`kill ${String(round).padStart(2)}: ${note}; ${audit.trades} trades audited`);
    }

    // The last restart: lost requests sent again, then a clean stop and a final audit.
    const last = await boot();
    await work.recover(last.url, adminToken);
    const markets = await apiCall(last.url, 'GET', '/api/markets?status=all');
    expect(markets.status).toBe(200);
    expect(errorLines(last.output())).toEqual([]);
    await last.stop();
    live = undefined;
    const final = auditOffline(work);
    expect(final.problems).toEqual([]);
    expect(work.faults).toEqual([]);
    // Every trade in the database is one the server acknowledged, and vice versa.
    expect(final.trades).toBe(new Set([...work.confirmed.values()].map((c) => c.tradeId)).size);
    expect(work.settled.size).toBe(SETTLING.length - toSettle.length);
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(work.confirmed.size).toBeGreaterThan(500);

    const s = work.stats;
    console.log(
      [
        `crash suite (seed ${SEED}): ${kills} kills (${bootKills} while booting) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        ...log,
        `trades acknowledged and present exactly once: ${work.confirmed.size}; audited ${auditedTrades} trade rows over all kills`,
        `trade requests ${s.tradeRequests}, forecasts ${s.forecastRequests} (${work.forecasts.size} acknowledged), replays ${s.replays}, double sends ${s.doubleSends}`,
        `answers lost in kills ${s.lostResponses}: committed ${s.lostCommitted}, traded on retry ${s.lostRetradedAfterRestart}, refused on retry ${s.lostRefusedAfterRestart}`,
        `refusals by rule: ${JSON.stringify(Object.fromEntries(work.refused))}`,
        `resolutions ${work.settled.size}: ${s.settlementsInFlightAtKill} in flight at a kill, ${s.settlementsCommittedAtKill} of those had committed; ${s.settlementsRepeated} repeated after restart`,
      ].join('\n'),
    );
  });

  it('has an audit that notices half-applied trades, double payouts and unbalanced books', () => {
    // The books the crash run left behind are exact; each tampering below (rolled back after)
    // is a fault a crash could cause, and the audit must name it.
    const db = new Database(dbFile, { fileMustExist: true });
    // Damage of the kind a crash could leave ignores the foreign keys too.
    db.pragma('foreign_keys = OFF');
    try {
      expect(auditLedger(db).problems).toEqual([]);
      const tamper = (sql: string): string[] => {
        db.exec('BEGIN');
        try {
          db.exec(sql);
          return auditLedger(db, { integrity: false }).problems;
        } finally {
          db.exec('ROLLBACK');
        }
      };
      const trade = db.prepare('SELECT * FROM trades ORDER BY id DESC LIMIT 1').get() as {
        id: number;
        ledger_tx_id: number;
        user_id: string;
        market_id: string;
      };
      // The trade row without its money: the ledger tx is gone, the balances kept.
      expect(
        tamper(`DELETE FROM ledger_entries WHERE tx_id = ${trade.ledger_tx_id};
                DELETE FROM ledger_tx WHERE id = ${trade.ledger_tx_id};`).join('\n'),
      ).toMatch(new RegExp(`trade ${trade.id}: no ledger tx`));
      // The money without the trade row.
      expect(tamper(`DELETE FROM trades WHERE id = ${trade.id}`).join('\n')).toMatch(
        /belongs to 0 trades/,
      );
      // A position that moved without a trade.
      expect(
        tamper(
          `UPDATE positions SET shares = shares + 1 WHERE user_id = '${trade.user_id}' AND market_id = '${trade.market_id}'`,
        ).join('\n'),
      ).toMatch(/differs from its trades/);
      // A balance that moved without a ledger entry.
      expect(
        tamper(
          `UPDATE accounts SET balance_cents = balance_cents + 1 WHERE id = 'user:${trade.user_id}'`,
        ),
      ).toEqual(
        expect.arrayContaining([
          'accounts sum to 1, not 0',
          expect.stringMatching(/holds .* but its entries sum to/),
        ]),
      );
      // A resolution paid twice: its ledger transaction posted again.
      const res = db
        .prepare("SELECT id, market_id FROM ledger_tx WHERE kind = 'resolution' LIMIT 1")
        .get() as { id: number; market_id: string };
      expect(
        tamper(`INSERT INTO ledger_tx (kind, market_id, ref, created_at)
                  SELECT kind, market_id, 'again', created_at FROM ledger_tx WHERE id = ${res.id};
                INSERT INTO ledger_entries (tx_id, account, amount_cents)
                  SELECT last_insert_rowid(), account, amount_cents FROM ledger_entries WHERE tx_id = ${res.id};
                UPDATE accounts SET balance_cents = balance_cents +
                  (SELECT SUM(amount_cents) FROM ledger_entries e WHERE e.tx_id = ${res.id} AND e.account = accounts.id)
                  WHERE id IN (SELECT account FROM ledger_entries WHERE tx_id = ${res.id});`).join(
          '\n',
        ),
      ).toMatch(new RegExp(`market ${res.market_id}: status \\w+ with 2 standing resolutions`));
      expect(auditLedger(db).problems).toEqual([]);
    } finally {
      db.close();
    }
  });
});
