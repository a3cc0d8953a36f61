import pg from 'pg';

/**
 * Checks on a Parity schema in PostgreSQL, read straight from its tables with a connection of
 * the test's own (not through any server): the double-entry ledger, every trade against its
 * ledger transaction, markets and positions against their trades. Returns what it found wrong;
 * empty when the books are exact.
 */

/** Float shares add up in another order in q than in the trades; this much is noise. */
const SHARE_TOLERANCE = 1e-6;

/** A client whose search_path is the schema; BIGINT comes back as a number. */
export async function schemaClient(url: string, schema: string): Promise<pg.Client> {
  const types = new pg.TypeOverrides();
  types.setTypeParser(20, Number);
  types.setTypeParser(1700, Number);
  const client = new pg.Client({
    connectionString: url,
    options: `-c search_path="${schema}" -c extra_float_digits=3`,
    types,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

export async function rowsOf<T extends pg.QueryResultRow>(
  client: pg.Client,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return (await client.query<T>(sql, params)).rows;
}

export interface AuditOptions {
  /** With it, every trader's balance must be this grant less the cost of their trades. */
  grantCents?: number;
}

export async function auditSchema(client: pg.Client, opts: AuditOptions = {}): Promise<string[]> {
  const problems: string[] = [];
  const bad = (msg: string) => {
    if (problems.length < 100) problems.push(msg);
  };
  const all = <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    rowsOf<T>(client, sql, params);

  const [{ total }] = (await all<{ total: number }>(
    'SELECT COALESCE(SUM(balance_cents), 0) AS total FROM accounts',
  )) as [{ total: number }];
  if (total !== 0) bad(`accounts sum to ${total}, not 0`);
  for (const r of await all<{ tx: number; s: number }>(
    'SELECT tx_id AS tx, SUM(amount_cents) AS s FROM ledger_entries GROUP BY tx_id HAVING SUM(amount_cents) <> 0',
  ))
    bad(`ledger tx ${r.tx} sums to ${r.s}`);
  for (const r of await all<{ id: string; b: number; e: number }>(
    `SELECT a.id, a.balance_cents AS b, COALESCE(SUM(e.amount_cents), 0) AS e
     FROM accounts a LEFT JOIN ledger_entries e ON e.account = a.id
     GROUP BY a.id, a.balance_cents HAVING a.balance_cents <> COALESCE(SUM(e.amount_cents), 0)`,
  ))
    bad(`account ${r.id} holds ${r.b} but its entries sum to ${r.e}`);
  for (const r of await all<{ id: string; b: number }>(
    `SELECT id, balance_cents AS b FROM accounts
     WHERE (id LIKE 'user:%' OR id LIKE 'market:%') AND balance_cents < 0`,
  ))
    bad(`account ${r.id} is negative: ${r.b}`);

  // Every trade is whole: its ledger transaction moves its cost between trader and market,
  // and every trade transaction belongs to exactly one trade.
  for (const r of await all<{ id: number; problem: string }>(
    `SELECT t.id, CASE
        WHEN x.id IS NULL THEN 'no ledger tx'
        WHEN x.kind <> 'trade' OR x.market_id <> t.market_id OR x.ref <> t.user_id THEN 'wrong ledger tx'
        WHEN COALESCE((SELECT SUM(amount_cents) FROM ledger_entries
                       WHERE tx_id = x.id AND account = 'user:' || t.user_id), 0) <> -t.cost_cents
          THEN 'trader entry differs from cost'
        WHEN COALESCE((SELECT SUM(amount_cents) FROM ledger_entries
                       WHERE tx_id = x.id AND account = 'market:' || t.market_id), 0) <> t.cost_cents
          THEN 'market entry differs from cost'
        ELSE NULL END AS problem
     FROM trades t LEFT JOIN ledger_tx x ON x.id = t.ledger_tx_id`,
  ))
    if (r.problem) bad(`trade ${r.id}: ${r.problem}`);
  for (const r of await all<{ id: number; n: number }>(
    `SELECT x.id, (SELECT COUNT(*) FROM trades t WHERE t.ledger_tx_id = x.id) AS n
     FROM ledger_tx x WHERE x.kind = 'trade'`,
  ))
    if (r.n !== 1) bad(`trade ledger tx ${r.id} belongs to ${r.n} trades`);
  for (const r of await all<{ user_id: string; idempotency_key: string; n: number }>(
    `SELECT user_id, idempotency_key, COUNT(*) AS n FROM trades
     WHERE idempotency_key IS NOT NULL GROUP BY user_id, idempotency_key HAVING COUNT(*) > 1`,
  ))
    bad(`key ${r.idempotency_key} of ${r.user_id} traded ${r.n} times`);

  // Markets: q is the sum of the trades' shares by outcome, seq counts the history, volume the
  // trades' absolute costs.
  const markets = await all<{
    id: string;
    outcomes: string;
    q: string;
    seq: number;
    volume_cents: number;
    points: number;
    max_seq: number | null;
  }>(
    `SELECT m.id, m.outcomes, m.q, m.seq, m.volume_cents,
       (SELECT COUNT(*) FROM market_history h WHERE h.market_id = m.id) AS points,
       (SELECT MAX(seq) FROM market_history h WHERE h.market_id = m.id) AS max_seq
     FROM markets m`,
  );
  const sums = new Map<string, { shares: number; volume: number }>();
  for (const r of await all<{ market_id: string; outcome_id: string; s: number; v: number }>(
    `SELECT market_id, outcome_id, SUM(shares) AS s, SUM(ABS(cost_cents)) AS v
     FROM trades GROUP BY market_id, outcome_id`,
  ))
    sums.set(`${r.market_id}|${r.outcome_id}`, { shares: r.s, volume: r.v });
  for (const m of markets) {
    const outcomes = (JSON.parse(m.outcomes) as { id: string }[]).map((o) => o.id);
    const q = JSON.parse(m.q) as number[];
    let volume = 0;
    outcomes.forEach((o, i) => {
      const s = sums.get(`${m.id}|${o}`) ?? { shares: 0, volume: 0 };
      volume += s.volume;
      const qi = q[i] ?? Number.NaN;
      if (!(Math.abs(qi - s.shares) <= SHARE_TOLERANCE * Math.max(1, Math.abs(s.shares))))
        bad(`market ${m.id}: q of ${o} is ${qi}, its trades sum to ${s.shares}`);
    });
    if (volume !== m.volume_cents)
      bad(`market ${m.id}: volume ${m.volume_cents}, its trades sum to ${volume}`);
    if (m.seq !== m.points - 1 || m.max_seq !== m.seq)
      bad(`market ${m.id}: seq ${m.seq} with ${m.points} history points (last ${m.max_seq})`);
  }

  // Positions are the sums of their trades.
  for (const r of await all<{ user_id: string; market_id: string; outcome_id: string; d: number }>(
    `SELECT p.user_id, p.market_id, p.outcome_id,
       p.shares - COALESCE((SELECT SUM(t.shares) FROM trades t WHERE t.user_id = p.user_id
         AND t.market_id = p.market_id AND t.outcome_id = p.outcome_id), 0) AS d
     FROM positions p`,
  ))
    if (Math.abs(r.d) > SHARE_TOLERANCE)
      bad(`position ${r.user_id}/${r.market_id}/${r.outcome_id} differs from its trades by ${r.d}`);

  if (opts.grantCents !== undefined) {
    for (const r of await all<{ id: string; balance: number; spent: number }>(
      `SELECT u.id, a.balance_cents AS balance,
         COALESCE((SELECT SUM(cost_cents) FROM trades t WHERE t.user_id = u.id), 0) AS spent
       FROM users u JOIN accounts a ON a.id = 'user:' || u.id WHERE u.role = 'trader'`,
    ))
      if (r.balance !== opts.grantCents - r.spent)
        bad(`user ${r.id}: balance ${r.balance}, grant less trades ${opts.grantCents - r.spent}`);
  }
  return problems;
}
