import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordMessage } from '../../server/integrations/discordFormat.ts';
import type { Notification } from '../../server/integrations/notification.ts';
import { slackMessage } from '../../server/integrations/slackFormat.ts';
import { teamsMessage } from '../../server/integrations/teamsFormat.ts';
import type { Market } from '../../shared/schemas/index.ts';
import { hostileString } from '../fuzz/arbitraries.ts';
import { adminClient, Client, startServer, type TestServer } from '../helpers/server.ts';

/**
 * Market text reaches team channels. Whatever a question, an outcome label or a username
 * says, a post never pings a channel or a person (Slack `<!channel>`, `<!here>`, `<@U…>`;
 * Discord `@everyone` and role mentions) and never carries a link we did not put there.
 */

const LINK = 'https://parity.example.com/markets/m-1';

/** Text as admins and users may type it: the schemas allow anything but control characters. */
const text = hostileString.map((s) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: what text() in the schemas refuses
  s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').slice(0, 300),
);
const username = fc.stringMatching(/^[a-z0-9_]{3,32}$/);

const notification: fc.Arbitrary<{ n: Notification; live: boolean }> = fc
  .record({
    question: text,
    labels: fc.array(text, { minLength: 2, maxLength: 5 }),
    event: fc.constantFrom('created', 'moved', 'closing', 'resolved' as const),
    status: fc.constantFrom('open', 'closed', 'resolved', 'cancelled' as const),
    gainers: fc.array(fc.record({ username, profitCents: fc.integer({ min: 1, max: 1e9 }) }), {
      maxLength: 3,
    }),
    live: fc.boolean(),
  })
  .map(({ question, labels, event, status, gainers, live }) => {
    const outcomes = labels.map((label, i) => ({
      id: `o${i}`,
      label,
      probability: 1 / labels.length,
      shares: 0,
    }));
    const market: Market = {
      id: 'm-1',
      question,
      description: '',
      type: labels.length === 2 ? 'binary' : 'multiple',
      outcomes,
      liquidity: 100,
      status,
      createdAt: '2026-01-01T00:00:00.000Z',
      closesAt: '2027-01-01T00:00:00.000Z',
      volumeCents: 12_345,
      seq: 3,
      resolution:
        status === 'resolved' || status === 'cancelled'
          ? {
              outcomeId: status === 'resolved' ? 'o0' : null,
              resolvedAt: '2026-06-01T00:00:00.000Z',
              note: '',
            }
          : null,
      claims: [],
    } as Market;
    const n: Notification = { event, market, link: LINK, at: '2026-06-01T00:00:00.000Z', gainers };
    return { n, live };
  });

/**
 * Every string in a value with the key it sits under, leaving out Slack's plain_text objects
 * (headers), which Slack shows as typed, without mrkdwn, links or mentions.
 */
function strings(x: unknown, key = ''): [string, string][] {
  if (typeof x === 'string') return [[key, x]];
  if (Array.isArray(x)) return x.flatMap((v) => strings(v, key));
  if (x && typeof x === 'object') {
    if ((x as { type?: unknown }).type === 'plain_text') return [];
    return Object.entries(x).flatMap(([k, v]) => strings(v, k));
  }
  return [];
}

/** Slack mrkdwn may hold `<` only to open the one link we write. */
function slackSafe(mrkdwn: string): boolean {
  const withoutOurLink = mrkdwn.split(`<${LINK}|`).join('');
  return !/<[!@#]/.test(mrkdwn) && !withoutOurLink.includes('<');
}

describe('Slack, Discord and Teams posts', () => {
  it('escape market text so no Slack post can mention or link on its own', () => {
    fc.assert(
      fc.property(notification, ({ n, live }) => {
        const msg = slackMessage(n, live);
        for (const [key, value] of strings(msg)) {
          if (key === 'text') expect(slackSafe(value), value).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('tell Discord to parse no mentions at all, whatever the text says', () => {
    fc.assert(
      fc.property(notification, ({ n, live }) => {
        const msg = discordMessage(n, live);
        expect(msg.allowed_mentions).toEqual({ parse: [] });
        // Only our own link is a URL field.
        expect(msg.embeds.map((e) => e.url)).toEqual([LINK]);
      }),
      { numRuns: 500 },
    );
  });

  it('give Teams no mention entities and no action but our own link', () => {
    fc.assert(
      fc.property(notification, ({ n }) => {
        const msg = teamsMessage(n);
        const card = msg.attachments[0]!.content;
        expect(card.actions).toEqual([
          { type: 'Action.OpenUrl', title: 'Open in Parity', url: LINK },
        ]);
        expect(JSON.stringify(msg)).not.toContain('"msteams"');
        expect(JSON.stringify(msg)).not.toContain('"mention"');
      }),
      { numRuns: 500 },
    );
  });
});

describe('the /odds reply', () => {
  const SECRET = 'chat-injection-secret';
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      env: { SEED: 'off', SLACK_SIGNING_SECRET: SECRET, PUBLIC_URL: 'https://parity.example.com' },
    });
    const admin = await adminClient(server.url);
    const r = await admin.post('/api/markets', {
      id: 'mention-bait',
      question: 'Will <!channel> and <@U024BE7LH> & @everyone see <https://evil.example|this>?',
      outcomes: ['<!here> yes', '*bold* <#C123>'],
      closesAt: new Date(Date.now() + 60 * 86_400_000).toISOString(),
    });
    expect(r.status).toBe(201);
  });
  afterAll(() => server?.close());

  it('escapes the question, the labels and the words the user typed', async () => {
    for (const words of ['channel everyone', '<!channel> bait', '<@U1> <https://evil.example|x>']) {
      const body = new URLSearchParams({ command: '/odds', text: words }).toString();
      const ts = String(Math.floor(Date.now() / 1000));
      const sig = createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex');
      const r = await new Client(server.url).raw('POST', '/api/integrations/slack/command', {
        origin: false,
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': ts,
          'x-slack-signature': `v0=${sig}`,
        },
      });
      expect(r.status).toBe(200);
      const texts = strings(r.body).filter(([key]) => key === 'text');
      expect(texts.length).toBeGreaterThan(1);
      for (const [, value] of texts) {
        expect(/<[!@#]/.test(value), value).toBe(false);
        const ours = '<https://parity.example.com/markets/mention-bait|';
        expect(value.split(ours).join('')).not.toContain('<');
      }
    }
  });
});
