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
  return {
    content: clip(live ? `Live odds: ${m.question}` : titleOf(n, false), 2000),
    embeds: [
      {
        title: clip(m.question, 256),
        url: n.link,
        description: clip(statusLine(n), 4096),
        color: colorOf(n),
        fields,
        footer: { text: clip(volumeLine(m), 2048) },
        timestamp: n.at,
      },
    ],
    allowed_mentions: { parse: [] },
  };
}
