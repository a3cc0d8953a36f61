import type { Database } from 'better-sqlite3';
import { payoutCents, subsidyCents } from '../../shared/money.ts';

/**
 * A full audit of a Parity database, read straight from its tables (the server may be down, or
 * the file may be a backup): the double-entry ledger, every trade against its ledger
 * transaction, positions and market state against the trades, and resolutions against the
 * positions they pay. Returns what it found wrong (empty when the books are exact) and counts.
 */
export interface LedgerAudit {
  problems: string[];
  integrity: string;
  totalCents: number;
  users: number;
  markets: number;
  trades: number;
  forecasts: number;
  ledgerTx: number;
  resolvedMarkets: number;
}

/** Float shares add up in a different order in q than in the positions; this much is noise. */
const SHARE_TOLERANCE = 1e-6;

interface MarketRowLite {
  id: string;
  type: string;
  outcomes: string;
  q: string;
  liquidity: number;
  status: string;
  seq: number;
  volume_cents: number;
  resolution: string | null;
}

export function auditLedger(db: Database, opts: { integrity?: boolean } = {}): LedgerAudit {
  const problems: string[] = [];
  const bad = (msg: string) => {
    if (problems.length < 200) problems.push(msg);
  };
  const all = <T>(sql: string, ...args: unknown[]) => db.prepare(sql).all(...args) as T[];
  const one = <T>(sql: string, ...args: unknown[]) => db.prepare(sql).get(...args) as T;

  const integrity =
    opts.integrity === false
      ? 'skipped'
      : String(db.pragma('integrity_check', { simple: true }) ?? 'no answer');
  if (integrity !== 'ok' && integrity !== 'skipped') bad(`integrity_check: ${integrity}`);

  // The ledger: balanced transactions, balances that are the sums of their entries, total 0.
  const totalCents = one<{ n: number }>(
    'SELECT COALESCE(SUM(balance_cents), 0) AS n FROM accounts',
  ).n;
  if (totalCents !== 0) bad(`accounts sum to ${totalCents}, not 0`);
  for (const r of all<{ tx: number; s: number }>(
    'SELECT tx_id AS tx, SUM(amount_cents) AS s FROM ledger_entries GROUP BY tx_id HAVING s != 0',
  ))
    bad(`ledger tx ${r.tx} sums to ${r.s}`);
  for (const r of all<{ id: string; b: number; e: number }>(
    `SELECT a.id, a.balance_cents AS b, COALESCE(SUM(e.amount_cents), 0) AS e
     FROM accounts a LEFT JOIN ledger_entries e ON e.account = a.id
     GROUP BY a.id HAVING b != e`,
  ))
    bad(`account ${r.id} holds ${r.b} but its entries sum to ${r.e}`);
  for (const r of all<{ id: string; b: number }>(
    `SELECT id, balance_cents AS b FROM accounts
     WHERE (id LIKE 'user:%' OR id LIKE 'market:%') AND balance_cents < 0`,
  ))
    bad(`account ${r.id} is negative: ${r.b}`);

  // Every trade is whole: its ledger transaction moves exactly its cost between the trader
  // and the market, and every trade transaction belongs to exactly one trade.
  for (const r of all<{ id: number; problem: string }>(
    `SELECT t.id, CASE
        WHEN x.id IS NULL THEN 'no ledger tx'
        WHEN x.kind != 'trade' OR x.market_id != t.market_id OR x.ref != t.user_id THEN 'wrong ledger tx'
        WHEN COALESCE((SELECT SUM(amount_cents) FROM ledger_entries
                       WHERE tx_id = x.id AND account = 'user:' || t.user_id), 0) != -t.cost_cents
          THEN 'trader entry differs from cost'
        WHEN COALESCE((SELECT SUM(amount_cents) FROM ledger_entries
                       WHERE tx_id = x.id AND account = 'market:' || t.market_id), 0) != t.cost_cents
          THEN 'market entry differs from cost'
        WHEN (SELECT COUNT(*) FROM ledger_entries WHERE tx_id = x.id
              AND account NOT IN ('user:' || t.user_id, 'market:' || t.market_id)) > 0
          THEN 'entries to other accounts'
        ELSE NULL END AS problem
     FROM trades t LEFT JOIN ledger_tx x ON x.id = t.ledger_tx_id`,
  ))
    if (r.problem) bad(`trade ${r.id}: ${r.problem}`);
  for (const r of all<{ id: number; n: number }>(
    `SELECT x.id, COUNT(t.id) AS n FROM ledger_tx x LEFT JOIN trades t ON t.ledger_tx_id = x.id
     WHERE x.kind = 'trade' GROUP BY x.id HAVING n != 1`,
  ))
    bad(`trade ledger tx ${r.id} belongs to ${r.n} trades`);
  for (const r of all<{ u: string; k: string; n: number }>(
    `SELECT user_id AS u, idempotency_key AS k, COUNT(*) AS n FROM trades
     WHERE idempotency_key IS NOT NULL GROUP BY u, k HAVING n > 1`,
  ))
    bad(`idempotency key ${r.k} of ${r.u} traded ${r.n} times`);

  // Each user: exactly one grant, and balance = grant − trade costs + resolution entries.
  const users = all<{ id: string; balance: number; grants: number; grantCents: number }>(
    `SELECT u.id, COALESCE(a.balance_cents, 0) AS balance,
       (SELECT COUNT(*) FROM ledger_tx x WHERE x.kind = 'grant' AND x.ref = u.id) AS grants,
       COALESCE((SELECT SUM(e.amount_cents) FROM ledger_entries e JOIN ledger_tx x ON x.id = e.tx_id
                 WHERE x.kind = 'grant' AND e.account = 'user:' || u.id), 0) AS grantCents
     FROM users u LEFT JOIN accounts a ON a.id = 'user:' || u.id`,
  );
  const tradeCost = new Map(
    all<{ u: string; c: number }>(
      'SELECT user_id AS u, SUM(cost_cents) AS c FROM trades GROUP BY user_id',
    ).map((r) => [r.u, r.c]),
  );
  const payouts = new Map(
    all<{ a: string; c: number }>(
      `SELECT e.account AS a, SUM(e.amount_cents) AS c FROM ledger_entries e
       JOIN ledger_tx x ON x.id = e.tx_id WHERE x.kind IN ('resolution', 'unresolve')
       AND e.account LIKE 'user:%' GROUP BY e.account`,
    ).map((r) => [r.a, r.c]),
  );
  for (const u of users) {
    if (u.grants > 1) bad(`user ${u.id} has ${u.grants} grants`);
    const expected = u.grantCents - (tradeCost.get(u.id) ?? 0) + (payouts.get(`user:${u.id}`) ?? 0);
    if (u.balance !== expected)
      bad(`user ${u.id} holds ${u.balance}, grant − trades + payouts = ${expected}`);
  }

  // Each market: q, positions, volume and history agree with its trades; its account holds
  // the subsidy plus the trading cash until it resolves, and nothing after.
  const markets = all<MarketRowLite>('SELECT * FROM markets');
  let resolvedMarkets = 0;
  for (const m of markets) {
    const outcomes = (JSON.parse(m.outcomes) as { id: string }[]).map((o) => o.id);
    const q = JSON.parse(m.q) as number[];
    const trades = all<{ u: string; o: string; shares: number; cost: number }>(
      `SELECT user_id AS u, outcome_id AS o, shares, cost_cents AS cost FROM trades
       WHERE market_id = ? ORDER BY id`,
      m.id,
    );
    const positions = all<{ u: string; o: string; shares: number; cost: number }>(
      `SELECT user_id AS u, outcome_id AS o, shares, cost_cents AS cost FROM positions
       WHERE market_id = ?`,
      m.id,
    );
    // Positions replayed from the trades in order, as the server adds them up.
    const replay = new Map<string, { shares: number; cost: number }>();
    for (const t of trades) {
      const key = `${t.u}|${t.o}`;
      const p = replay.get(key) ?? { shares: 0, cost: 0 };
      p.shares += t.shares;
      if (Math.abs(p.shares) < 1e-9) p.shares = 0;
      p.cost += t.cost;
      replay.set(key, p);
    }
    if (positions.length !== replay.size)
      bad(`market ${m.id}: ${positions.length} positions, trades make ${replay.size}`);
    for (const p of positions) {
      const r = replay.get(`${p.u}|${p.o}`);
      if (!r || Math.abs(r.shares - p.shares) > SHARE_TOLERANCE || r.cost !== p.cost)
        bad(`market ${m.id}: position ${p.u}/${p.o} differs from its trades`);
      if (p.shares < 0) bad(`market ${m.id}: position ${p.u}/${p.o} is negative`);
    }
    outcomes.forEach((o, i) => {
      const fromPositions = positions.filter((p) => p.o === o).reduce((a, p) => a + p.shares, 0);
      const fromTrades = trades.filter((t) => t.o === o).reduce((a, t) => a + t.shares, 0);
      const qi = q[i] ?? Number.NaN;
      if (!(Math.abs(qi - fromPositions) <= SHARE_TOLERANCE))
        bad(`market ${m.id}: q[${o}] = ${qi}, positions sum to ${fromPositions}`);
      if (!(Math.abs(qi - fromTrades) <= SHARE_TOLERANCE))
        bad(`market ${m.id}: q[${o}] = ${qi}, trades sum to ${fromTrades}`);
    });
    const volume = trades.reduce((a, t) => a + Math.abs(t.cost), 0);
    if (m.volume_cents !== volume) bad(`market ${m.id}: volume ${m.volume_cents} ≠ ${volume}`);
    const hist = one<{ n: number; top: number | null }>(
      'SELECT COUNT(*) AS n, MAX(seq) AS top FROM market_history WHERE market_id = ?',
      m.id,
    );
    if (hist.n !== m.seq + 1 || hist.top !== m.seq)
      bad(`market ${m.id}: seq ${m.seq} but ${hist.n} history points up to ${hist.top}`);

    const account = one<{ b: number } | undefined>(
      'SELECT balance_cents AS b FROM accounts WHERE id = ?',
      `market:${m.id}`,
    )?.b;
    const subsidy = one<{ s: number }>(
      `SELECT COALESCE(SUM(e.amount_cents), 0) AS s FROM ledger_entries e
       JOIN ledger_tx x ON x.id = e.tx_id
       WHERE x.kind = 'subsidy' AND x.market_id = ? AND e.account = ?`,
      m.id,
      `market:${m.id}`,
    ).s;
    if (subsidy !== subsidyCents(m.liquidity, outcomes.length))
      bad(`market ${m.id}: subsidy ${subsidy} ≠ ${subsidyCents(m.liquidity, outcomes.length)}`);
    const cash = trades.reduce((a, t) => a + t.cost, 0);

    // Resolutions: at most one standing; each user paid at most once per resolution, exactly
    // what their positions are owed under the standing resolution, and nothing otherwise.
    const txs = all<{ id: number; kind: string }>(
      `SELECT id, kind FROM ledger_tx WHERE market_id = ? AND kind IN ('resolution', 'unresolve')
       ORDER BY id`,
      m.id,
    );
    const standing =
      txs.filter((t) => t.kind === 'resolution').length -
      txs.filter((t) => t.kind === 'unresolve').length;
    const settled = m.status === 'resolved' || m.status === 'cancelled';
    if (standing !== (settled ? 1 : 0))
      bad(`market ${m.id}: status ${m.status} with ${standing} standing resolutions`);
    for (const t of txs) {
      for (const r of all<{ a: string; n: number }>(
        `SELECT account AS a, COUNT(*) AS n FROM ledger_entries WHERE tx_id = ?
         AND account LIKE 'user:%' GROUP BY account HAVING n > 1`,
        t.id,
      ))
        bad(`market ${m.id}: ${t.kind} tx ${t.id} pays ${r.a} ${r.n} times`);
    }
    const paid = new Map(
      all<{ a: string; c: number }>(
        `SELECT e.account AS a, SUM(e.amount_cents) AS c FROM ledger_entries e
         JOIN ledger_tx x ON x.id = e.tx_id
         WHERE x.market_id = ? AND x.kind IN ('resolution', 'unresolve') AND e.account LIKE 'user:%'
         GROUP BY e.account HAVING c != 0`,
        m.id,
      ).map((r) => [r.a.slice(5), r.c]),
    );
    const owed = new Map<string, number>();
    if (settled) {
      resolvedMarkets += 1;
      const outcomeId = m.resolution
        ? (JSON.parse(m.resolution) as { outcomeId: string | null }).outcomeId
        : undefined;
      for (const p of positions) {
        if (outcomeId === null) owed.set(p.u, (owed.get(p.u) ?? 0) + p.cost);
        else if (p.o === outcomeId) owed.set(p.u, (owed.get(p.u) ?? 0) + payoutCents(p.shares));
      }
      for (const [u, c] of owed) if (c <= 0) owed.delete(u);
      if (account !== 0) bad(`market ${m.id}: ${m.status} but its account holds ${account}`);
    } else if ((account ?? 0) !== subsidy + cash) {
      bad(`market ${m.id}: account ${account} ≠ subsidy ${subsidy} + trading cash ${cash}`);
    }
    for (const u of new Set([...owed.keys(), ...paid.keys()])) {
      if ((owed.get(u) ?? 0) !== (paid.get(u) ?? 0))
        bad(`market ${m.id}: user ${u} paid ${paid.get(u) ?? 0}, owed ${owed.get(u) ?? 0}`);
    }
  }

  const count = (table: string) => one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).n;
  return {
    problems,
    integrity,
    totalCents,
    users: users.length,
    markets: markets.length,
    trades: count('trades'),
    forecasts: count('forecasts'),
    ledgerTx: count('ledger_tx'),
    resolvedMarkets,
  };
}
