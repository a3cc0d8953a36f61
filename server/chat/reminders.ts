import type { Market } from '../../shared/schemas/index.ts';
import { clip } from '../integrations/clip.ts';
import { largestMove, percent } from '../integrations/notification.ts';
import { safeRequest } from '../integrations/safeRequest.ts';
import { escapeMrkdwn } from '../integrations/slackFormat.ts';
import { hasRole, viewerOf } from '../services/access.ts';
import { listMarkets } from '../services/markets.ts';
import { marketView } from '../services/views.ts';
import type { ChatLinkRow } from '../store/chatStore.ts';
import type { UserRow } from '../store/store.ts';
import { describeVector } from './actions.ts';
import type { ChatCtx } from './chatCtx.ts';

/**
 * Daily reminders by direct message: a forecast on an open question that is older than 14 days
 * while the market moved more than 10 points since ("reaffirm or update"), and, for admins,
 * markets closed without resolution for 2 days. At most one message a day per user, to each
 * linked chat account; a user can turn them off.
 */

const DAY_MS = 86_400_000;
export const STALE_FORECAST_MS = 14 * DAY_MS;
export const MOVED_BY = 0.1;
export const UNRESOLVED_MS = 2 * DAY_MS;
/** Receipts outlive any retry or duplicate of the request they record. */
const RECEIPT_TTL_MS = DAY_MS;

/** What to remind a user of now, a line each (empty: nothing). */
export async function remindersFor(c: ChatCtx, user: UserRow, now: Date): Promise<string[]> {
  const { ctx } = c;
  const lines: string[] = [];
  // Only markets the user may still see: someone who left a space hears no more of it.
  const v = await viewerOf(ctx.store, user);
  const open = new Map((await listMarkets(ctx, v, 'open')).map((m) => [m.id, m]));
  const seen = new Set<string>();
  // Newest first: the first forecast met per market is the user's latest there.
  for (const f of await ctx.store.recentForecastsOfUser(user.id, 1000)) {
    if (seen.has(f.marketId)) continue;
    seen.add(f.marketId);
    const m = open.get(f.marketId);
    if (!m || now.getTime() - Date.parse(f.createdAt) <= STALE_FORECAST_MS) continue;
    const then = await ctx.store.probabilitiesAsOf(m.id, f.createdAt);
    const current = m.outcomes.map((o) => o.probability);
    if (!then || largestMove(then, current) <= MOVED_BY) continue;
    lines.push(
      `“${m.question}”: you said ${describeVector(m, f.probabilities)} on ${f.createdAt.slice(0, 10)}; the market has moved from ${describeVector(m, then)} to ${describeVector(m, current)}. Reaffirm or update: /forecast ${m.id} ${forecastHint(m, f.probabilities)}`,
    );
  }
  // Closed markets awaiting resolution: an admin's, and a space moderator's of their spaces.
  for (const row of await ctx.store.markets('closed')) {
    const manages = row.spaceId ? hasRole(v, row.spaceId, 'moderator') : v.admin;
    if (manages) {
      const m = marketView(row);
      const closed = row.closedAt ?? row.closesAt;
      if (now.getTime() - Date.parse(closed) < UNRESOLVED_MS) continue;
      const odds = m.outcomes.map((o) => `${o.label} ${percent(o.probability)}`).join(' · ');
      lines.push(
        `“${m.question}” closed on ${closed.slice(0, 10)} and awaits resolution (${odds}).`,
      );
    }
  }
  return lines;
}

/** The forecast argument that repeats the user's last one: `62%`, or `Qwen 40%` (its top outcome). */
function forecastHint(m: Market, probabilities: readonly number[]) {
  const pct = (p: number) => `${Math.round(p * 100)}%`;
  const { outcomes } = m;
  if (m.type === 'binary') return pct(probabilities[0] ?? 0);
  let top = 0;
  for (const [i, p] of probabilities.entries()) if (p > (probabilities[top] ?? 0)) top = i;
  return `${outcomes[top]?.label ?? ''} ${pct(probabilities[top] ?? 0)}`;
}

function reminderText(lines: readonly string[]): string {
  return `Parity reminders (turn them off with /parity reminders off):\n${lines.map((l) => `• ${l}`).join('\n')}`;
}

/** Sends one direct message to a chat account; false when it could not be delivered. */
async function directMessage(c: ChatCtx, link: ChatLinkRow, text: string): Promise<boolean> {
  const { settings } = c.channels;
  if (link.platform === 'slack') {
    if (!c.slack) return false;
    // A bot posting to a user id writes in its direct conversation with them.
    const r = await c.slack.chat.postMessage({
      channel: link.externalUserId,
      text: clip(escapeMrkdwn(text), 3000),
      unfurl_links: false,
    });
    return r.ok === true;
  }
  const token = c.ctx.config.DISCORD_BOT_TOKEN;
  if (!token) return false;
  const send = (path: string, body: unknown) =>
    safeRequest({
      method: 'POST',
      url: `${settings.discordApiUrl}/v10${path}`,
      headers: {
        authorization: `Bot ${token}`,
        'content-type': 'application/json',
        'user-agent': `DiscordBot (${c.baseUrl()}, 1)`,
      },
      body: JSON.stringify(body),
      timeoutMs: settings.timeoutMs,
      allowPrivate: settings.allowPrivate,
    });
  const dm = await send('/users/@me/channels', { recipient_id: link.externalUserId });
  if (dm.status !== 200) return false;
  const channel = (JSON.parse(dm.body) as { id?: string }).id;
  if (!channel) return false;
  const r = await send(`/channels/${channel}/messages`, {
    content: clip(text, 2000),
    allowed_mentions: { parse: [] },
  });
  return r.status === 200;
}

/** One reminder run: every linked user due a message gets one. Returns how many were sent. */
export async function runReminders(c: ChatCtx, now: Date): Promise<number> {
  const { ctx } = c;
  const byUser = new Map<string, ChatLinkRow[]>();
  for (const l of await ctx.store.allChatLinks()) {
    byUser.set(l.userId, [...(byUser.get(l.userId) ?? []), l]);
  }
  let sent = 0;
  for (const [userId, links] of byUser) {
    const prefs = await ctx.store.chatPrefs(userId);
    if (prefs && !prefs.reminders) continue;
    if (prefs?.lastRemindedAt && now.getTime() - Date.parse(prefs.lastRemindedAt) < DAY_MS)
      continue;
    const user = await ctx.store.userById(userId);
    if (!user) continue;
    const lines = await remindersFor(c, user, now);
    if (lines.length === 0) continue;
    let delivered = false;
    for (const link of links) {
      try {
        if (await directMessage(c, link, reminderText(lines))) delivered = true;
      } catch (err) {
        ctx.log.warn({ err, platform: link.platform }, 'a reminder could not be sent');
      }
    }
    if (!delivered) continue;
    sent++;
    await ctx.store.transaction((tx) =>
      tx.saveChatPrefs({ userId, reminders: true, lastRemindedAt: now.toISOString() }),
    );
  }
  await ctx.store.transaction((tx) =>
    tx.pruneChat(new Date(now.getTime() - RECEIPT_TTL_MS).toISOString(), now.toISOString()),
  );
  return sent;
}

/** Runs reminders every REMINDER_POLL_MS on the leader. */
export function startReminders(c: ChatCtx, isLeader: () => boolean): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    // One run at a time: a slow one is not overtaken by the next.
    if (!isLeader() || running) return;
    running = runReminders(c, c.ctx.now())
      .catch((err) => c.ctx.log.warn({ err }, 'the reminder run failed'))
      .finally(() => {
        running = undefined;
      });
  }, c.ctx.config.REMINDER_POLL_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
