import { z } from 'zod';
import { IsoTime } from './common.ts';

/** Chat accounts (Slack, Discord) linked to Parity users, and the reminders sent to them. */

export const ChatPlatform = z.enum(['slack', 'discord']);
export type ChatPlatform = z.infer<typeof ChatPlatform>;

/** The one-time code of a link URL: 32 characters of base64url (24 random bytes). */
export const LinkCode = z.string().regex(/^[A-Za-z0-9_-]{32}$/, 'a link code');
export type LinkCode = z.infer<typeof LinkCode>;

/** A chat identity: the workspace (Slack team, Discord guild) and the member in it. */
export const ChatIdentity = z.object({
  platform: ChatPlatform,
  /** Slack team id (T…); Discord guild id, or `dm` for a direct message with the app. */
  teamId: z.string().min(1).max(64),
  /** Slack user id (U…/W…); Discord user id (a snowflake). */
  externalUserId: z.string().min(1).max(64),
  /** The member's name in the chat tool when it sent it, for display only. */
  externalName: z.string().max(100).nullable(),
});
export type ChatIdentity = z.infer<typeof ChatIdentity>;

/** `GET /api/integrations/links/:code`: what opening the link would bind. */
export const LinkPreviewResponse = z.object({
  identity: ChatIdentity,
  expiresAt: IsoTime,
});
export type LinkPreviewResponse = z.infer<typeof LinkPreviewResponse>;

export const ChatLink = ChatIdentity.extend({ createdAt: IsoTime });
export type ChatLink = z.infer<typeof ChatLink>;

/** `POST /api/integrations/links/:code`: the identity is now bound to the signed-in user. */
export const LinkResponse = z.object({ link: ChatLink });
export type LinkResponse = z.infer<typeof LinkResponse>;

/** `GET /api/me/chat`: the signed-in user's linked chat accounts and reminder setting. */
export const ChatSettingsResponse = z.object({
  links: z.array(ChatLink),
  /** Daily direct messages: stale forecasts on moved markets; for admins, markets awaiting
   *  resolution. On unless the user turned them off. */
  reminders: z.boolean(),
});
export type ChatSettingsResponse = z.infer<typeof ChatSettingsResponse>;

/** `PUT /api/me/chat/reminders`. */
export const RemindersRequest = z.object({ enabled: z.boolean() }).strict();
export type RemindersRequest = z.infer<typeof RemindersRequest>;

/** `DELETE /api/me/chat/links/:platform/:teamId/:externalUserId` answers 204. */
