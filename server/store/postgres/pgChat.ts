import type { ChatPlatform } from '../../../shared/schemas/index.ts';
import {
  type ChatLinkRow,
  type ChatPrefsRow,
  type ChatQueries,
  CODE_COLUMNS,
  LINK_COLUMNS,
  type LinkCodeRow,
  toChatLink,
  toChatPrefs,
  toLinkCode,
} from '../chatStore.ts';
import { PgIntegrationsQueries } from './pgIntegrations.ts';

/**
 * Two-way chat's queries over PostgreSQL, with the semantics of `SqliteChatQueries`. A base of
 * `PgQueries`, which adds the rest of the port.
 */
export class PgChatQueries extends PgIntegrationsQueries implements ChatQueries {
  async insertLinkCode(c: Omit<LinkCodeRow, 'usedAt'>): Promise<void> {
    await this.write(
      `INSERT INTO chat_link_codes (${CODE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)`,
      [
        c.codeHash,
        c.platform,
        c.teamId,
        c.externalUserId,
        c.externalName,
        c.createdAt,
        c.expiresAt,
      ],
    );
  }
  async linkCode(codeHash: string, now: string): Promise<LinkCodeRow | undefined> {
    const r = await this.one(
      `SELECT ${CODE_COLUMNS} FROM chat_link_codes
       WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2`,
      [codeHash, now],
    );
    return r ? toLinkCode(r) : undefined;
  }
  async useLinkCode(codeHash: string, now: string): Promise<LinkCodeRow | undefined> {
    const r = await this.one(
      `UPDATE chat_link_codes SET used_at = $1
       WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1
       RETURNING ${CODE_COLUMNS}`,
      [now, codeHash],
    );
    return r ? toLinkCode(r) : undefined;
  }
  async saveChatLink(l: ChatLinkRow): Promise<void> {
    await this.write(
      `INSERT INTO chat_links (${LINK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (platform, team_id, external_user_id) DO UPDATE SET
         external_name = excluded.external_name, user_id = excluded.user_id,
         created_at = excluded.created_at`,
      [l.platform, l.teamId, l.externalUserId, l.externalName, l.userId, l.createdAt],
    );
  }
  async chatLink(
    platform: ChatPlatform,
    teamId: string,
    externalUserId: string,
  ): Promise<ChatLinkRow | undefined> {
    const r = await this.one(
      `SELECT ${LINK_COLUMNS} FROM chat_links
       WHERE platform = $1 AND team_id = $2 AND external_user_id = $3`,
      [platform, teamId, externalUserId],
    );
    return r ? toChatLink(r) : undefined;
  }
  async chatLinksOfUser(userId: string): Promise<ChatLinkRow[]> {
    return (
      await this.all(
        `SELECT ${LINK_COLUMNS} FROM chat_links WHERE user_id = $1
         ORDER BY created_at, platform, team_id, external_user_id`,
        [userId],
      )
    ).map(toChatLink);
  }
  async allChatLinks(): Promise<ChatLinkRow[]> {
    return (
      await this.all(
        `SELECT ${LINK_COLUMNS} FROM chat_links
         ORDER BY user_id, created_at, platform, team_id, external_user_id`,
      )
    ).map(toChatLink);
  }
  async deleteChatLink(
    platform: ChatPlatform,
    teamId: string,
    externalUserId: string,
  ): Promise<boolean> {
    return (
      (await this.run(
        'DELETE FROM chat_links WHERE platform = $1 AND team_id = $2 AND external_user_id = $3',
        [platform, teamId, externalUserId],
      )) === 1
    );
  }
  async recordReceipt(key: string, at: string): Promise<boolean> {
    return (
      (await this.run(
        'INSERT INTO chat_receipts (key, created_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
        [key, at],
      )) === 1
    );
  }
  async pruneChat(before: string, now: string): Promise<number> {
    const receipts = await this.run('DELETE FROM chat_receipts WHERE created_at < $1', [before]);
    const codes = await this.run('DELETE FROM chat_link_codes WHERE expires_at < $1', [now]);
    return receipts + codes;
  }
  async chatPrefs(userId: string): Promise<ChatPrefsRow | undefined> {
    const r = await this.one(
      'SELECT user_id, reminders, last_reminded_at FROM chat_prefs WHERE user_id = $1',
      [userId],
    );
    return r ? toChatPrefs(r) : undefined;
  }
  async saveChatPrefs(p: ChatPrefsRow): Promise<void> {
    await this.write(
      `INSERT INTO chat_prefs (user_id, reminders, last_reminded_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET reminders = excluded.reminders,
         last_reminded_at = excluded.last_reminded_at`,
      [p.userId, p.reminders, p.lastRemindedAt],
    );
  }
}
