import { assertNever } from '../../shared/errors.ts';
import {
  clip,
  gainersLine,
  type Notification,
  percent,
  points,
  shownOutcomes,
  statusLine,
  titleOf,
  volumeLine,
} from './notification.ts';

/** Discord webhook messages: `content` plus one embed. */

export interface DiscordEmbed {
  title: string;
  url: string;
  description: string;
  color: number;
  fields: { name: string; value: string; inline: boolean }[];
  footer: { text: string };
  timestamp: string;
}

export interface DiscordMessage {
  content: string;
  embeds: DiscordEmbed[];
  /** Never ping anyone, whatever a question says (@everyone, role mentions). */
  allowed_mentions: { parse: never[] };
}

const COLORS = {
  created: 0x3b82f6,
  up: 0x22c55e,
  down: 0xef4444,
  closing: 0xf59e0b,
  resolved: 0x8b5cf6,
  cancelled: 0x6b7280,
} as const;

/** Discord's bound on the title, description, field names and values, footer and author of an
 *  embed together. */
const EMBED_TEXT_MAX = 6000;

function colorOf(n: Notification): number {
  if (n.market.status === 'cancelled') return COLORS.cancelled;
  if (n.market.status === 'resolved') return COLORS.resolved;
  switch (n.event) {
    case 'created':
      return COLORS.created;
    case 'moved': {
      const now = n.market.outcomes[0]?.probability ?? 0;
      return now >= (n.from?.[0] ?? now) ? COLORS.up : COLORS.down;
    }
    case 'closing':
      return COLORS.closing;
    case 'resolved':
      return COLORS.resolved;
    default:
      return assertNever(n.event);
  }
}

export function discordMessage(n: Notification, live: boolean): DiscordMessage {
  const m = n.market;
  // Limits: content 2000, title 256, description 4096, field name 256, value 1024.
  const fields =
    m.status === 'open' || m.status === 'closed'
      ? shownOutcomes(m).map((o) => {
          const from = n.from?.[o.index];
          return {
            name: clip(o.label, 256),
            value:
              from === undefined
                ? percent(o.probability)
                : `${percent(o.probability)} (${points(o.probability - from)})`,
            inline: true,
          };
        })
      : [];
  if (n.gainers && n.gainers.length > 0) {
    fields.push({ name: 'Top gainers', value: clip(gainersLine(n.gainers), 1024), inline: false });
  }
  const title = clip(m.question, 256);
  const footer = clip(volumeLine(m), 2048);
  // All of an embed's text together is limited to 6000 characters: the description gets what
  // the rest leaves, over 1200 even with six fields and every other part at its own bound.
  const rest =
    title.length + footer.length + fields.reduce((a, f) => a + f.name.length + f.value.length, 0);
  return {
    content: clip(live ? `Live odds: ${m.question}` : titleOf(n, false), 2000),
    embeds: [
      {
        title,
        url: n.link,
        description: clip(statusLine(n), Math.min(4096, EMBED_TEXT_MAX - rest)),
        color: colorOf(n),
        fields,
        footer: { text: footer },
        timestamp: n.at,
      },
    ],
    allowed_mentions: { parse: [] },
  };
}
