/**
 * Versioned schema migrations, applied in order at start. A migration is never edited once
 * shipped; a change is a new entry. `PRAGMA user_version` records the last one applied.
 */
export const migrations: readonly string[] = [
  // 1: accounts, ledger, users, markets, trading, forecasts, audit
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'trader')),
    bot INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE INDEX sessions_user ON sessions(user_id);
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    balance_cents INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE ledger_tx (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    market_id TEXT,
    ref TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE ledger_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tx_id INTEGER NOT NULL REFERENCES ledger_tx(id),
    account TEXT NOT NULL REFERENCES accounts(id),
    amount_cents INTEGER NOT NULL
  );
  CREATE INDEX ledger_entries_tx ON ledger_entries(tx_id);
  CREATE INDEX ledger_entries_account ON ledger_entries(account);
  CREATE INDEX ledger_tx_market ON ledger_tx(market_id, kind);
  CREATE TABLE markets (
    id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    description TEXT NOT NULL,
    criteria TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    type TEXT NOT NULL CHECK (type IN ('binary', 'multiple')),
    outcomes TEXT NOT NULL,
    q TEXT NOT NULL,
    liquidity REAL NOT NULL CHECK (liquidity > 0),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'resolved', 'cancelled')),
    created_at TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    closed_at TEXT,
    volume_cents INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL DEFAULT 0,
    resolution TEXT,
    claims TEXT NOT NULL DEFAULT '[]',
    created_by TEXT
  );
  CREATE INDEX markets_status ON markets(status, closes_at);
  CREATE TABLE market_history (
    market_id TEXT NOT NULL REFERENCES markets(id),
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    probabilities TEXT NOT NULL,
    PRIMARY KEY (market_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE positions (
    user_id TEXT NOT NULL REFERENCES users(id),
    market_id TEXT NOT NULL REFERENCES markets(id),
    outcome_id TEXT NOT NULL,
    shares REAL NOT NULL,
    cost_cents INTEGER NOT NULL,
    PRIMARY KEY (user_id, market_id, outcome_id)
  ) WITHOUT ROWID;
  CREATE INDEX positions_market ON positions(market_id);
  CREATE TABLE trades (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    market_id TEXT NOT NULL REFERENCES markets(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    outcome_id TEXT NOT NULL,
    shares REAL NOT NULL,
    cost_cents INTEGER NOT NULL,
    probabilities TEXT NOT NULL,
    created_at TEXT NOT NULL,
    idempotency_key TEXT,
    ledger_tx_id INTEGER NOT NULL REFERENCES ledger_tx(id)
  );
  CREATE INDEX trades_market ON trades(market_id, id);
  CREATE INDEX trades_user ON trades(user_id);
  CREATE UNIQUE INDEX trades_idempotency ON trades(user_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
  CREATE TABLE forecasts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    market_id TEXT NOT NULL REFERENCES markets(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    probabilities TEXT NOT NULL,
    comment TEXT,
    created_at TEXT NOT NULL
  );
  CREATE INDEX forecasts_market ON forecasts(market_id, id);
  CREATE INDEX forecasts_user ON forecasts(user_id);
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    market_id TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
  );
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: team channels: webhooks, the delivery outbox, live messages, closing notices
  `
  CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('slack', 'discord', 'teams', 'generic')),
    url TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('post', 'live')),
    events TEXT NOT NULL,
    min_move REAL NOT NULL,
    market_ids TEXT,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    market_id TEXT NOT NULL REFERENCES markets(id),
    event TEXT NOT NULL CHECK (event IN ('created', 'moved', 'closing', 'resolved')),
    live INTEGER NOT NULL DEFAULT 0,
    payload TEXT NOT NULL,
    status TEXT NOT NULL
      CHECK (status IN ('pending', 'retrying', 'delivered', 'failed', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    last_status INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    delivered_at TEXT
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at)
    WHERE status IN ('pending', 'retrying');
  CREATE INDEX webhook_deliveries_open ON webhook_deliveries(webhook_id, market_id, live, event)
    WHERE status IN ('pending', 'retrying');
  CREATE INDEX webhook_deliveries_recent ON webhook_deliveries(updated_at);
  CREATE TABLE webhook_market_posts (
    webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    market_id TEXT NOT NULL REFERENCES markets(id),
    probabilities TEXT NOT NULL,
    posted_at TEXT,
    PRIMARY KEY (webhook_id, market_id)
  ) WITHOUT ROWID;
  CREATE TABLE webhook_live_messages (
    webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    market_id TEXT NOT NULL REFERENCES markets(id),
    message_id TEXT NOT NULL,
    channel TEXT,
    seq INTEGER NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (webhook_id, market_id)
  ) WITHOUT ROWID;
  CREATE TABLE closing_notices (
    market_id TEXT NOT NULL REFERENCES markets(id),
    hours INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (market_id, hours)
  ) WITHOUT ROWID;
  `,
  // 3: outbox leases (one sender per delivery), meta claims
  `
  ALTER TABLE webhook_deliveries ADD COLUMN lease_until TEXT;
  `,
  // 4: two-way chat: linked identities, one-time link codes, request receipts, reminder prefs
  `
  CREATE TABLE chat_links (
    platform TEXT NOT NULL CHECK (platform IN ('slack', 'discord')),
    team_id TEXT NOT NULL,
    external_user_id TEXT NOT NULL,
    external_name TEXT,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (platform, team_id, external_user_id)
  ) WITHOUT ROWID;
  CREATE INDEX chat_links_user ON chat_links(user_id);
  CREATE TABLE chat_link_codes (
    code_hash TEXT PRIMARY KEY,
    platform TEXT NOT NULL CHECK (platform IN ('slack', 'discord')),
    team_id TEXT NOT NULL,
    external_user_id TEXT NOT NULL,
    external_name TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
  ) WITHOUT ROWID;
  CREATE TABLE chat_receipts (
    key TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX chat_receipts_age ON chat_receipts(created_at);
  CREATE TABLE chat_prefs (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    reminders INTEGER NOT NULL DEFAULT 1,
    last_reminded_at TEXT
  ) WITHOUT ROWID;
  `,
  // 5: spaces (teams), their members and invites; proposals; comments; scopes
  `
  CREATE TABLE spaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE space_members (
    space_id TEXT NOT NULL REFERENCES spaces(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
    joined_at TEXT NOT NULL,
    PRIMARY KEY (space_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX space_members_user ON space_members(user_id);
  CREATE TABLE space_invites (
    token_hash TEXT PRIMARY KEY,
    space_id TEXT NOT NULL REFERENCES spaces(id),
    role TEXT NOT NULL CHECK (role IN ('moderator', 'member')),
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT,
    max_uses INTEGER,
    uses INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  ALTER TABLE markets ADD COLUMN space_id TEXT REFERENCES spaces(id);
  ALTER TABLE markets ADD COLUMN proposed_by TEXT;
  CREATE INDEX markets_space ON markets(space_id);
  ALTER TABLE api_tokens ADD COLUMN space_id TEXT REFERENCES spaces(id);
  ALTER TABLE webhooks ADD COLUMN space_id TEXT REFERENCES spaces(id);
  CREATE TABLE proposals (
    id TEXT PRIMARY KEY,
    proposer_id TEXT NOT NULL REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    question TEXT NOT NULL,
    normalized TEXT NOT NULL,
    description TEXT NOT NULL,
    criteria TEXT NOT NULL,
    type TEXT NOT NULL,
    outcomes TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    space_id TEXT REFERENCES spaces(id),
    sources TEXT NOT NULL,
    market_id TEXT REFERENCES markets(id),
    reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT
  ) WITHOUT ROWID;
  CREATE INDEX proposals_proposer ON proposals(proposer_id, created_at);
  CREATE INDEX proposals_normalized ON proposals(normalized);
  CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    market_id TEXT NOT NULL REFERENCES markets(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    text TEXT NOT NULL,
    reply_to INTEGER REFERENCES comments(id),
    created_at TEXT NOT NULL,
    deleted_at TEXT,
    position_outcome TEXT,
    position_shares REAL,
    forecast TEXT
  );
  CREATE INDEX comments_market ON comments(market_id, id);
  `,
];
