import type { ChatPlatform } from '../../shared/schemas/index.ts';
import { SqliteStatements } from './sqliteStatements.ts';
import type { Sync } from './store.ts';

/**
 * The storage port of two-way chat: chat identities linked to users, the one-time codes that
 * link them, receipts that make a chat request count once, and reminder preferences. It shares
 * the main store's database, so a receipt commits (or rolls back) with the action it guards.
 */

export interface ChatLinkRow {
  platform: ChatPlatform;
  teamId: string;
  externalUserId: string;
  externalName: string | null;
  userId: string;
  createdAt: string;
}

export interface LinkCodeRow {
  /** SHA-256 of the code, hex: the code itself is never stored. */
  codeHash: string;
  platform: ChatPlatform;
  teamId: string;
  externalUserId: string;
  externalName: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export interface ChatPrefsRow {
  userId: string;
  reminders: boolean;
  /** When the last reminder went out (at most one a day). */
  lastRemindedAt: string | null;
}

export interface ChatQueries {
  insertLinkCode(c: Omit<LinkCodeRow, 'usedAt'>): Promise<void>;
  /** An unused code that has not expired at `now`. */
  linkCode(codeHash: string, now: string): Promise<LinkCodeRow | undefined>;
  /** Marks an unused, unexpired code used and returns it; undefined when it is not (any more). */
  useLinkCode(codeHash: string, now: string): Promise<LinkCodeRow | undefined>;
  /** Binds the identity to `userId`, replacing whoever it was bound to. */
  saveChatLink(l: ChatLinkRow): Promise<void>;
  chatLink(
    platform: ChatPlatform,
    teamId: string,
    externalUserId: string,
  ): Promise<ChatLinkRow | undefined>;
  /** A user's linked identities, oldest first. */
  chatLinksOfUser(userId: string): Promise<ChatLinkRow[]>;
  /** Every linked identity, by user then age (the reminder run's input). */
  allChatLinks(): Promise<ChatLinkRow[]>;
  deleteChatLink(platform: ChatPlatform, teamId: string, externalUserId: string): Promise<boolean>;
  /** Records a receipt key; false when it was recorded before (the request is a repeat). */
  recordReceipt(key: string, at: string): Promise<boolean>;
  /** Deletes receipts recorded before `before` and codes expired before `now`. */
  pruneChat(before: string, now: string): Promise<number>;
  chatPrefs(userId: string): Promise<ChatPrefsRow | undefined>;
  saveChatPrefs(p: ChatPrefsRow): Promise<void>;
}

type Row = Record<string, unknown>;

export function toChatLink(r: Row): ChatLinkRow {
  return {
    platform: r.platform as ChatPlatform,
    teamId: r.team_id as string,
    externalUserId: r.external_user_id as string,
    externalName: (r.external_name as string | null) ?? null,
    userId: r.user_id as string,
    createdAt: r.created_at as string,
  };
}

export function toLinkCode(r: Row): LinkCodeRow {
  return {
    codeHash: r.code_hash as string,
    platform: r.platform as ChatPlatform,
    teamId: r.team_id as string,
    externalUserId: r.external_user_id as string,
    externalName: (r.external_name as string | null) ?? null,
    createdAt: r.created_at as string,
    expiresAt: r.expires_at as string,
    usedAt: (r.used_at as string | null) ?? null,
  };
}

export function toChatPrefs(r: Row): ChatPrefsRow {
  return {
    userId: r.user_id as string,
    reminders: r.reminders === 1 || r.reminders === true,
    lastRemindedAt: (r.last_reminded_at as string | null) ?? null,
  };
}

export const LINK_COLUMNS =
  'platform, team_id, external_user_id, external_name, user_id, created_at';
export const CODE_COLUMNS =
  'code_hash, platform, team_id, external_user_id, external_name, created_at, expires_at, used_at';

/** The SQLite implementation, over the main store's database handle (synchronous). */
export class SqliteChatQueries extends SqliteStatements implements Sync<ChatQueries> {
  insertLinkCode(c: Omit<LinkCodeRow, 'usedAt'>): void {
    this.s(`INSERT INTO chat_link_codes (${CODE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`).run(
      c.codeHash,
      c.platform,
      c.teamId,
      c.externalUserId,
      c.externalName,
      c.createdAt,
      c.expiresAt,
    );
  }
  linkCode(codeHash: string, now: string): LinkCodeRow | undefined {
    const r = this.s(
      `SELECT ${CODE_COLUMNS} FROM chat_link_codes
       WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?`,
    ).get(codeHash, now) as Row | undefined;
    return r ? toLinkCode(r) : undefined;
  }
  useLinkCode(codeHash: string, now: string): LinkCodeRow | undefined {
    const r = this.s(
      `UPDATE chat_link_codes SET used_at = ?
       WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?
       RETURNING ${CODE_COLUMNS}`,
    ).get(now, codeHash, now) as Row | undefined;
    return r ? toLinkCode(r) : undefined;
  }
  saveChatLink(l: ChatLinkRow): void {
    this.s(
      `INSERT INTO chat_links (${LINK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (platform, team_id, external_user_id) DO UPDATE SET
         external_name = excluded.external_name, user_id = excluded.user_id,
         created_at = excluded.created_at`,
    ).run(l.platform, l.teamId, l.externalUserId, l.externalName, l.userId, l.createdAt);
  }
  chatLink(
    platform: ChatPlatform,
    teamId: string,
    externalUserId: string,
  ): ChatLinkRow | undefined {
    const r = this.s(
      `SELECT ${LINK_COLUMNS} FROM chat_links
       WHERE platform = ? AND team_id = ? AND external_user_id = ?`,
    ).get(platform, teamId, externalUserId) as Row | undefined;
    return r ? toChatLink(r) : undefined;
  }
  chatLinksOfUser(userId: string): ChatLinkRow[] {
    return (
      this.s(
        `SELECT ${LINK_COLUMNS} FROM chat_links WHERE user_id = ?
         ORDER BY created_at, platform, team_id, external_user_id`,
      ).all(userId) as Row[]
    ).map(toChatLink);
  }
  allChatLinks(): ChatLinkRow[] {
    return (
      this.s(
        `SELECT ${LINK_COLUMNS} FROM chat_links
         ORDER BY user_id, created_at, platform, team_id, external_user_id`,
      ).all() as Row[]
    ).map(toChatLink);
  }
  deleteChatLink(platform: ChatPlatform, teamId: string, externalUserId: string): boolean {
    return (
      this.s(
        'DELETE FROM chat_links WHERE platform = ? AND team_id = ? AND external_user_id = ?',
      ).run(platform, teamId, externalUserId).changes === 1
    );
  }
  recordReceipt(key: string, at: string): boolean {
    return (
      this.s('INSERT OR IGNORE INTO chat_receipts (key, created_at) VALUES (?, ?)').run(key, at)
        .changes === 1
    );
  }
  pruneChat(before: string, now: string): number {
    const receipts = this.s('DELETE FROM chat_receipts WHERE created_at < ?').run(before).changes;
    const codes = this.s('DELETE FROM chat_link_codes WHERE expires_at < ?').run(now).changes;
    return receipts + codes;
  }
  chatPrefs(userId: string): ChatPrefsRow | undefined {
    const r = this.s(
      'SELECT user_id, reminders, last_reminded_at FROM chat_prefs WHERE user_id = ?',
    ).get(userId) as Row | undefined;
    return r ? toChatPrefs(r) : undefined;
  }
  saveChatPrefs(p: ChatPrefsRow): void {
    this.s(
      `INSERT INTO chat_prefs (user_id, reminders, last_reminded_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET reminders = excluded.reminders,
         last_reminded_at = excluded.last_reminded_at`,
    ).run(p.userId, p.reminders ? 1 : 0, p.lastRemindedAt);
  }
}
