import type pg from 'pg';

/**
 * The PostgreSQL schema: versioned migrations producing the tables of the SQLite migrations
 * (`../migrations.ts`) one for one, applied in order at open. A migration is never edited once
 * shipped; a change is a new entry. `schema_migrations` records each version applied.
 *
 * Text the server compares or orders (ids, ISO timestamps) is `COLLATE "C"`: byte order, as
 * SQLite compares, whatever the database's default collation. JSON stays TEXT, so arrays of
 * doubles come back exactly as JSON.stringify wrote them.
 */

/** Text in byte order. */
const T = 'TEXT COLLATE "C"';
/** An autoincrement id; explicit ids need OVERRIDING SYSTEM VALUE (the SQLite import). */
const ID = 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY';

/** Migration n + 1 is `pgMigrations[n]`. */
export const pgMigrations: readonly string[] = [
  // 1: accounts, ledger, users, markets, trading, forecasts, audit
  `
  CREATE TABLE users (
    id ${T} PRIMARY KEY,
    username ${T} NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role ${T} NOT NULL CHECK (role IN ('admin', 'trader')),
    bot BOOLEAN NOT NULL DEFAULT false,
    created_at ${T} NOT NULL
  );
  CREATE TABLE sessions (
    token_hash ${T} PRIMARY KEY,
    user_id ${T} NOT NULL REFERENCES users(id),
    created_at ${T} NOT NULL,
    expires_at ${T} NOT NULL
  );
  CREATE INDEX sessions_user ON sessions(user_id);
  CREATE TABLE api_tokens (
    id ${T} PRIMARY KEY,
    user_id ${T} NOT NULL REFERENCES users(id),
    token_hash ${T} NOT NULL UNIQUE,
    created_at ${T} NOT NULL,
    revoked_at ${T}
  );
  CREATE TABLE accounts (
    id ${T} PRIMARY KEY,
    balance_cents BIGINT NOT NULL DEFAULT 0
  );
  CREATE TABLE ledger_tx (
    id ${ID},
    kind ${T} NOT NULL,
    market_id ${T},
    ref ${T},
    created_at ${T} NOT NULL
  );
  CREATE TABLE ledger_entries (
    id ${ID},
    tx_id BIGINT NOT NULL REFERENCES ledger_tx(id),
    account ${T} NOT NULL REFERENCES accounts(id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents <> 0)
  );
  CREATE INDEX ledger_entries_tx ON ledger_entries(tx_id);
  CREATE INDEX ledger_entries_account ON ledger_entries(account);
  CREATE INDEX ledger_tx_market ON ledger_tx(market_id, kind);

  -- Double entry, enforced by the database: at commit, every ledger transaction an entry was
  -- written to (or removed from) sums to zero. Deferred, so the entries of one transaction may
  -- be written one at a time. search_path is pinned at creation: the schema it was made in.
  CREATE FUNCTION ledger_tx_balanced() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
  DECLARE
    t BIGINT;
    s NUMERIC;
  BEGIN
    FOREACH t IN ARRAY CASE TG_OP
      WHEN 'INSERT' THEN ARRAY[NEW.tx_id]
      WHEN 'DELETE' THEN ARRAY[OLD.tx_id]
      ELSE ARRAY[OLD.tx_id, NEW.tx_id] END
    LOOP
      SELECT COALESCE(SUM(amount_cents), 0) INTO s FROM ledger_entries WHERE tx_id = t;
      IF s <> 0 THEN
        RAISE EXCEPTION 'unbalanced ledger transaction % (entries sum to %)', t, s
          USING ERRCODE = 'check_violation';
      END IF;
    END LOOP;
    RETURN NULL;
  END $$;
  CREATE CONSTRAINT TRIGGER ledger_entries_balanced
    AFTER INSERT OR UPDATE OR DELETE ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_tx_balanced();

  CREATE TABLE markets (
    id ${T} PRIMARY KEY,
    question TEXT NOT NULL,
    description TEXT NOT NULL,
    criteria TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    type ${T} NOT NULL CHECK (type IN ('binary', 'multiple')),
    outcomes TEXT NOT NULL,
    q TEXT NOT NULL,
    liquidity DOUBLE PRECISION NOT NULL CHECK (liquidity > 0),
    status ${T} NOT NULL CHECK (status IN ('open', 'closed', 'resolved', 'cancelled')),
    created_at ${T} NOT NULL,
    closes_at ${T} NOT NULL,
    closed_at ${T},
    volume_cents BIGINT NOT NULL DEFAULT 0,
    seq BIGINT NOT NULL DEFAULT 0,
    resolution TEXT,
    claims TEXT NOT NULL DEFAULT '[]',
    created_by ${T}
  );
  CREATE INDEX markets_status ON markets(status, closes_at);
  CREATE TABLE market_history (
    market_id ${T} NOT NULL REFERENCES markets(id),
    seq BIGINT NOT NULL,
    at ${T} NOT NULL,
    probabilities TEXT NOT NULL,
    PRIMARY KEY (market_id, seq)
  );
  CREATE TABLE positions (
    user_id ${T} NOT NULL REFERENCES users(id),
    market_id ${T} NOT NULL REFERENCES markets(id),
    outcome_id ${T} NOT NULL,
    shares DOUBLE PRECISION NOT NULL,
    cost_cents BIGINT NOT NULL,
    PRIMARY KEY (user_id, market_id, outcome_id)
  );
  CREATE INDEX positions_market ON positions(market_id);
  CREATE TABLE trades (
    id ${ID},
    market_id ${T} NOT NULL REFERENCES markets(id),
    user_id ${T} NOT NULL REFERENCES users(id),
    outcome_id ${T} NOT NULL,
    shares DOUBLE PRECISION NOT NULL,
    cost_cents BIGINT NOT NULL,
    probabilities TEXT NOT NULL,
    created_at ${T} NOT NULL,
    idempotency_key ${T},
    ledger_tx_id BIGINT NOT NULL REFERENCES ledger_tx(id)
  );
  CREATE INDEX trades_market ON trades(market_id, id);
  CREATE INDEX trades_user ON trades(user_id);
  CREATE UNIQUE INDEX trades_idempotency ON trades(user_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
  CREATE TABLE forecasts (
    id ${ID},
    market_id ${T} NOT NULL REFERENCES markets(id),
    user_id ${T} NOT NULL REFERENCES users(id),
    probabilities TEXT NOT NULL,
    comment TEXT,
    created_at ${T} NOT NULL
  );
  CREATE INDEX forecasts_market ON forecasts(market_id, id);
  CREATE INDEX forecasts_user ON forecasts(user_id);
  CREATE TABLE audit (
    id ${ID},
    at ${T} NOT NULL,
    actor ${T} NOT NULL,
    action ${T} NOT NULL,
    market_id ${T},
    detail TEXT NOT NULL DEFAULT '{}'
  );
  CREATE TABLE meta (
    key ${T} PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: team channels: webhooks, the delivery outbox, live messages, closing notices
  `
  CREATE TABLE webhooks (
    id ${T} PRIMARY KEY,
    kind ${T} NOT NULL CHECK (kind IN ('slack', 'discord', 'teams', 'generic')),
    url TEXT NOT NULL,
    mode ${T} NOT NULL CHECK (mode IN ('post', 'live')),
    events TEXT NOT NULL,
    min_move DOUBLE PRECISION NOT NULL,
    market_ids TEXT,
    secret TEXT NOT NULL,
    created_at ${T} NOT NULL
  );
  CREATE TABLE webhook_deliveries (
    id ${ID},
    webhook_id ${T} NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    market_id ${T} NOT NULL REFERENCES markets(id),
    event ${T} NOT NULL CHECK (event IN ('created', 'moved', 'closing', 'resolved')),
    live BOOLEAN NOT NULL DEFAULT false,
    payload TEXT NOT NULL,
    status ${T} NOT NULL
      CHECK (status IN ('pending', 'retrying', 'delivered', 'failed', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at ${T},
    last_error TEXT,
    last_status INTEGER,
    created_at ${T} NOT NULL,
    updated_at ${T} NOT NULL,
    delivered_at ${T}
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at)
    WHERE status IN ('pending', 'retrying');
  CREATE INDEX webhook_deliveries_open ON webhook_deliveries(webhook_id, market_id, live, event)
    WHERE status IN ('pending', 'retrying');
  CREATE INDEX webhook_deliveries_recent ON webhook_deliveries(updated_at);
  CREATE TABLE webhook_market_posts (
    webhook_id ${T} NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    market_id ${T} NOT NULL REFERENCES markets(id),
    probabilities TEXT NOT NULL,
    posted_at ${T},
    PRIMARY KEY (webhook_id, market_id)
  );
  CREATE TABLE webhook_live_messages (
    webhook_id ${T} NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    market_id ${T} NOT NULL REFERENCES markets(id),
    message_id TEXT NOT NULL,
    channel TEXT,
    seq BIGINT NOT NULL,
    sent_at ${T} NOT NULL,
    PRIMARY KEY (webhook_id, market_id)
  );
  CREATE TABLE closing_notices (
    market_id ${T} NOT NULL REFERENCES markets(id),
    hours INTEGER NOT NULL,
    at ${T} NOT NULL,
    PRIMARY KEY (market_id, hours)
  );
  `,
  // 3: outbox leases (one sender per delivery)
  `
  ALTER TABLE webhook_deliveries ADD COLUMN lease_until ${T};
  `,
  // 4: two-way chat: linked identities, one-time link codes, request receipts, reminder prefs
  `
  CREATE TABLE chat_links (
    platform ${T} NOT NULL CHECK (platform IN ('slack', 'discord')),
    team_id ${T} NOT NULL,
    external_user_id ${T} NOT NULL,
    external_name TEXT,
    user_id ${T} NOT NULL REFERENCES users(id),
    created_at ${T} NOT NULL,
    PRIMARY KEY (platform, team_id, external_user_id)
  );
  CREATE INDEX chat_links_user ON chat_links(user_id);
  CREATE TABLE chat_link_codes (
    code_hash ${T} PRIMARY KEY,
    platform ${T} NOT NULL CHECK (platform IN ('slack', 'discord')),
    team_id ${T} NOT NULL,
    external_user_id ${T} NOT NULL,
    external_name TEXT,
    created_at ${T} NOT NULL,
    expires_at ${T} NOT NULL,
    used_at ${T}
  );
  CREATE TABLE chat_receipts (
    key ${T} PRIMARY KEY,
    created_at ${T} NOT NULL
  );
  CREATE INDEX chat_receipts_age ON chat_receipts(created_at);
  CREATE TABLE chat_prefs (
    user_id ${T} PRIMARY KEY REFERENCES users(id),
    reminders BOOLEAN NOT NULL DEFAULT TRUE,
    last_reminded_at ${T}
  );
  `,
  // 5: spaces (teams), their members and invites; proposals; comments; scopes
  `
  CREATE TABLE spaces (
    id ${T} PRIMARY KEY,
    name TEXT NOT NULL,
    visibility ${T} NOT NULL CHECK (visibility IN ('public', 'private')),
    created_by ${T} NOT NULL REFERENCES users(id),
    created_at ${T} NOT NULL
  );
  CREATE TABLE space_members (
    space_id ${T} NOT NULL REFERENCES spaces(id),
    user_id ${T} NOT NULL REFERENCES users(id),
    role ${T} NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
    joined_at ${T} NOT NULL,
    PRIMARY KEY (space_id, user_id)
  );
  CREATE INDEX space_members_user ON space_members(user_id);
  CREATE TABLE space_invites (
    token_hash ${T} PRIMARY KEY,
    space_id ${T} NOT NULL REFERENCES spaces(id),
    role ${T} NOT NULL CHECK (role IN ('moderator', 'member')),
    created_by ${T} NOT NULL REFERENCES users(id),
    created_at ${T} NOT NULL,
    expires_at ${T},
    max_uses BIGINT,
    uses BIGINT NOT NULL DEFAULT 0
  );
  ALTER TABLE markets ADD COLUMN space_id ${T} REFERENCES spaces(id);
  ALTER TABLE markets ADD COLUMN proposed_by ${T};
  CREATE INDEX markets_space ON markets(space_id);
  ALTER TABLE api_tokens ADD COLUMN space_id ${T} REFERENCES spaces(id);
  ALTER TABLE webhooks ADD COLUMN space_id ${T} REFERENCES spaces(id);
  CREATE TABLE proposals (
    id ${T} PRIMARY KEY,
    proposer_id ${T} NOT NULL REFERENCES users(id),
    status ${T} NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    question TEXT NOT NULL,
    normalized ${T} NOT NULL,
    description TEXT NOT NULL,
    criteria TEXT NOT NULL,
    type ${T} NOT NULL,
    outcomes TEXT NOT NULL,
    closes_at ${T} NOT NULL,
    space_id ${T} REFERENCES spaces(id),
    sources TEXT NOT NULL,
    market_id ${T} REFERENCES markets(id),
    reason TEXT,
    created_at ${T} NOT NULL,
    updated_at ${T} NOT NULL,
    decided_at ${T},
    decided_by ${T}
  );
  CREATE INDEX proposals_proposer ON proposals(proposer_id, created_at);
  CREATE INDEX proposals_normalized ON proposals(normalized);
  CREATE TABLE comments (
    id ${ID},
    market_id ${T} NOT NULL REFERENCES markets(id),
    user_id ${T} NOT NULL REFERENCES users(id),
    text TEXT NOT NULL,
    reply_to BIGINT REFERENCES comments(id),
    created_at ${T} NOT NULL,
    deleted_at ${T},
    position_outcome ${T},
    position_shares DOUBLE PRECISION,
    forecast TEXT
  );
  CREATE INDEX comments_market ON comments(market_id, id);
  `,
];

/**
 * The advisory lock key that serialises migrations: every node, every schema of the database
 * (creating a schema concurrently can itself fail, so it happens under the lock too).
 */
export const MIGRATION_LOCK_KEY = 0x7061_7269_7479; // "parity"

/**
 * Creates the schema if missing and applies pending migrations, each in its own transaction
 * with its version, under a session advisory lock: nodes starting together migrate once.
 * `client`'s search_path must already name `schema` when one is given.
 */
export async function applyPgMigrations(
  client: pg.ClientBase,
  schema: string | undefined,
): Promise<number[]> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  const applied: number[] = [];
  try {
    // Looked up first: a role without CREATE on the database may still use an existing schema.
    if (schema) {
      const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (found.rowCount === 0) await client.query(`CREATE SCHEMA "${schema}"`);
    }
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    for (let v = 1; v <= pgMigrations.length; v++) {
      if (done.has(v)) continue;
      await client.query('BEGIN');
      try {
        await client.query(pgMigrations[v - 1]!);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
          v,
          new Date().toISOString(),
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
      applied.push(v);
    }
  } finally {
    // A lost connection drops the lock with the session; nothing to release then.
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
  }
  return applied;
}
