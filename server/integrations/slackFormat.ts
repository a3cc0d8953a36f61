import type { KnownBlock } from '@slack/types';
import type { Market } from '../../shared/schemas/index.ts';
import {
  clip,
  gainersLine,
  type Notification,
  statusLine,
  titleOf,
  volumeLine,
} from './notification.ts';

/** Slack messages: Block Kit `blocks` with a plain `text` fallback for notifications. */

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Block Kit's own block types, so a field Slack does not know fails the typecheck. */
export type SlackBlock = KnownBlock;

/** Escapes the three characters mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A mrkdwn link; `|` would end the URL part, so it is escaped in the URL. */
export function slackLink(url: string, label: string): string {
  return `<${url.replace(/\|/g, '%7C')}|${escapeMrkdwn(label)}>`;
}

export function marketSection(m: Market, link: string, line: string): SlackBlock {
  return {
    type: 'section',
    // Section text is limited to 3000 characters, counted after escaping; clip keeps the
    // entities and the link whole.
    text: {
      type: 'mrkdwn',
      text: clip(`*${slackLink(link, m.question)}*\n${escapeMrkdwn(line)}`, 3000),
    },
  };
}

export function slackMessage(n: Notification, live: boolean): SlackMessage {
  const title = titleOf(n, live);
  const line = statusLine(n);
  const blocks: SlackBlock[] = [
    // Header text is limited to 150 characters.
    { type: 'header', text: { type: 'plain_text', text: clip(live ? 'Live odds' : title, 150) } },
    marketSection(n.market, n.link, line),
  ];
  if (n.gainers && n.gainers.length > 0) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(`*Top gainers:* ${escapeMrkdwn(gainersLine(n.gainers))}`, 3000),
      },
    });
  }
  const context = live
    ? `${volumeLine(n.market)} · updated ${n.at.slice(11, 19)} UTC`
    : volumeLine(n.market);
  // Context element text is limited to 3000 characters.
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: clip(escapeMrkdwn(context), 3000) }],
  });
  // Clipped after escaping: escaping can make the text five times longer.
  return { text: clip(escapeMrkdwn(`${title} — ${line}`), 3000), blocks };
}
