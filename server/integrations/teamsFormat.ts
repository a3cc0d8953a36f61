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

/**
 * Microsoft Teams Workflows webhooks: a message with one Adaptive Card attachment. Teams
 * cannot edit a posted card through a webhook, so live mode posts snapshots.
 */

export interface TeamsMessage {
  type: 'message';
  attachments: {
    contentType: 'application/vnd.microsoft.card.adaptive';
    contentUrl: null;
    content: AdaptiveCard;
  }[];
}

export interface AdaptiveCard {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  type: 'AdaptiveCard';
  version: '1.4';
  body: (
    | {
        type: 'TextBlock';
        text: string;
        wrap: true;
        weight?: 'Bolder';
        size?: 'Medium' | 'Small';
        isSubtle?: boolean;
      }
    | { type: 'FactSet'; facts: { title: string; value: string }[] }
  )[];
  actions: { type: 'Action.OpenUrl'; title: string; url: string }[];
}

/**
 * Teams refuses a body over 28 KB. Every text here is clipped, to about 5,200 UTF-16 units in
 * all, each at most 3 bytes of UTF-8 (JSON escapes newlines, tabs, quotes and backslashes in 2;
 * the API refuses other control characters): under 16 KB with the card's own keys.
 */
export function teamsMessage(n: Notification): TeamsMessage {
  const m = n.market;
  const body: AdaptiveCard['body'] = [
    {
      type: 'TextBlock',
      text: clip(titleOf(n, false), 1000),
      wrap: true,
      weight: 'Bolder',
      size: 'Medium',
    },
    { type: 'TextBlock', text: clip(statusLine(n), 2000), wrap: true },
  ];
  if (m.status === 'open' || m.status === 'closed') {
    body.push({
      type: 'FactSet',
      facts: shownOutcomes(m).map((o) => {
        const from = n.from?.[o.index];
        return {
          title: clip(o.label, 200),
          value:
            from === undefined
              ? percent(o.probability)
              : `${percent(o.probability)} (${points(o.probability - from)})`,
        };
      }),
    });
  }
  if (n.gainers && n.gainers.length > 0) {
    body.push({
      type: 'TextBlock',
      text: clip(`Top gainers: ${gainersLine(n.gainers)}`, 1000),
      wrap: true,
    });
  }
  body.push({ type: 'TextBlock', text: volumeLine(m), wrap: true, size: 'Small', isSubtle: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: [{ type: 'Action.OpenUrl', title: 'Open in Parity', url: n.link }],
        },
      },
    ],
  };
}
