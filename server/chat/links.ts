import { randomBytes } from 'node:crypto';
import { DomainError } from '../../shared/errors.ts';
import type {
  ChatIdentity,
  ChatLink,
  ChatSettingsResponse,
  LinkPreviewResponse,
} from '../../shared/schemas/index.ts';
import { tokenHash } from '../services/accounts.ts';
import { type Ctx, inTransaction, isoNow } from '../services/context.ts';
import type { ChatLinkRow, LinkCodeRow } from '../store/chatStore.ts';
import type { Tx, UserRow } from '../store/store.ts';

/** Linking chat identities (a Slack or Discord member) to Parity users, and their settings. */

/** How long a link URL works. */
export const LINK_TTL_MS = 10 * 60_000;

const GONE = 'this link has expired or was used already: run /parity link again';

function identityOf(r: ChatLinkRow | LinkCodeRow): ChatIdentity {
  return {
    platform: r.platform,
    teamId: r.teamId,
    externalUserId: r.externalUserId,
    externalName: r.externalName,
  };
}

export function linkView(r: ChatLinkRow): ChatLink {
  return { ...identityOf(r), createdAt: r.createdAt };
}

/** The Parity user a chat identity is linked to, if any. */
export async function linkedUser(ctx: Ctx, id: ChatIdentity): Promise<UserRow | undefined> {
  const link = await ctx.store.chatLink(id.platform, id.teamId, id.externalUserId);
  return link ? ctx.store.userById(link.userId) : undefined;
}

/** A one-time link URL for the identity: `<base>/link/<code>`, valid ten minutes. */
export async function createLinkCode(
  ctx: Ctx,
  id: ChatIdentity,
  baseUrl: string,
): Promise<{ url: string; expiresAt: string }> {
  const code = randomBytes(24).toString('base64url');
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + LINK_TTL_MS).toISOString();
  await inTransaction(ctx, (tx) =>
    tx.insertLinkCode({
      codeHash: tokenHash(code),
      ...id,
      createdAt: now.toISOString(),
      expiresAt,
    }),
  );
  return { url: `${baseUrl.replace(/\/+$/, '')}/link/${code}`, expiresAt };
}

export async function previewLink(ctx: Ctx, code: string): Promise<LinkPreviewResponse> {
  const row = await ctx.store.linkCode(tokenHash(code), isoNow(ctx));
  if (!row) throw new DomainError('not_found', GONE);
  return { identity: identityOf(row), expiresAt: row.expiresAt };
}

/** Binds the code's identity to `user`, using the code up: one transaction, once. */
export function confirmLink(ctx: Ctx, code: string, user: UserRow): Promise<ChatLink> {
  return inTransaction(ctx, async (tx) => {
    const at = isoNow(ctx);
    const row = await tx.useLinkCode(tokenHash(code), at);
    if (!row) throw new DomainError('not_found', GONE);
    const link: ChatLinkRow = { ...identityOf(row), userId: user.id, createdAt: at };
    await tx.saveChatLink(link);
    await tx.insertAudit({
      at,
      actor: user.username,
      action: 'chat.link',
      marketId: null,
      detail: { platform: row.platform, teamId: row.teamId, externalUserId: row.externalUserId },
    });
    return linkView(link);
  });
}

type LinkKey = Omit<ChatIdentity, 'externalName'>;

/** Deletes a link and audits it as `actor`, in the caller's transaction. */
async function removeLink(ctx: Ctx, tx: Tx, id: LinkKey, actor: string): Promise<void> {
  await tx.deleteChatLink(id.platform, id.teamId, id.externalUserId);
  await tx.insertAudit({
    at: isoNow(ctx),
    actor,
    action: 'chat.unlink',
    marketId: null,
    detail: { platform: id.platform, teamId: id.teamId, externalUserId: id.externalUserId },
  });
}

/** Removes a link; only the user it belongs to may (anyone else: not found). */
export function unlink(ctx: Ctx, id: LinkKey, user: UserRow): Promise<void> {
  return inTransaction(ctx, async (tx) => {
    const link = await tx.chatLink(id.platform, id.teamId, id.externalUserId);
    if (!link || link.userId !== user.id) throw new DomainError('not_found', 'no such link');
    await removeLink(ctx, tx, id, user.username);
  });
}

/**
 * `/parity unlink` from the chat account itself: removes its link, audited as the user it
 * belonged to. Answers with what happened, in the platform's name.
 */
export async function unlinkFromChat(ctx: Ctx, id: LinkKey): Promise<string> {
  const name = id.platform === 'slack' ? 'Slack' : 'Discord';
  const gone = await inTransaction(ctx, async (tx) => {
    const link = await tx.chatLink(id.platform, id.teamId, id.externalUserId);
    if (!link) return false;
    const user = await tx.userById(link.userId);
    await removeLink(ctx, tx, id, user?.username ?? link.userId);
    return true;
  });
  return gone
    ? `Unlinked: this ${name} account no longer acts for a Parity account.`
    : `This ${name} account was not linked.`;
}

export async function chatSettings(ctx: Ctx, user: UserRow): Promise<ChatSettingsResponse> {
  const [links, prefs] = await Promise.all([
    ctx.store.chatLinksOfUser(user.id),
    ctx.store.chatPrefs(user.id),
  ]);
  return { links: links.map(linkView), reminders: prefs?.reminders ?? true };
}

export async function setReminders(
  ctx: Ctx,
  user: UserRow,
  enabled: boolean,
): Promise<ChatSettingsResponse> {
  await inTransaction(ctx, async (tx) => {
    const prefs = await tx.chatPrefs(user.id);
    await tx.saveChatPrefs({
      userId: user.id,
      reminders: enabled,
      lastRemindedAt: prefs?.lastRemindedAt ?? null,
    });
  });
  return chatSettings(ctx, user);
}
