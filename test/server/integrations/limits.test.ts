import { describe, expect, it } from 'vitest';
import type { ChannelCtx } from '../../../server/integrations/channelCtx.ts';
import { type DiscordMessage, discordMessage } from '../../../server/integrations/discordFormat.ts';
import { genericBody } from '../../../server/integrations/genericFormat.ts';
import type { Gainer, Notification } from '../../../server/integrations/notification.ts';
import {
  type SlackBlock,
  type SlackMessage,
  slackMessage,
} from '../../../server/integrations/slackFormat.ts';
import { moversReply, oddsReply } from '../../../server/integrations/slashCommand.ts';
import { type TeamsMessage, teamsMessage } from '../../../server/integrations/teamsFormat.ts';
import type { MarketRow } from '../../../server/store/store.ts';
import { prices } from '../../../shared/lmsr.ts';
import {
  CreateMarketRequest,
  Market,
  type MarketStatus,
  Username,
  type WebhookEvent,
} from '../../../shared/schemas/index.ts';
import { outcomeIdsOf } from '../../../shared/slug.ts';

/**
 * Every chat body at the longest input the API accepts, filled with the characters that grow
 * when escaped, astral emoji and mention-like text, stays within each platform's limits.
 */

// The longest a CreateMarketRequest may be (shared/schemas/http.ts), in code points: zod
// measures strings in code points, so 300 astral emoji, 600 UTF-16 units, make a valid
// question. Checked against the schema below, so a change there shows here.
const QUESTION = 300;
const DESCRIPTION = 10_000;
const CRITERIA = 5_000;
const LABEL = 80;
const OUTCOMES = 20;
const TAGS = 10;
const TAG = 30;
// Username: 3–32 of a-z, 0-9 and _ (shared/schemas/common.ts).
const USERNAME = 32;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const codePoints = (s: string) => Array.from(s).length;

/** Text of exactly `points` code points from `pattern` repeated. */
function fill(pattern: string, points: number): string {
  const chars = Array.from(pattern);
  const out = Array.from({ length: points }, (_, i) => chars[i % chars.length]!);
  // The API trims, so the text must end on something other than whitespace to keep its length.
  while (out.length > 0 && /\s/.test(out[out.length - 1]!)) out.pop();
  return out.join('') + '&'.repeat(points - out.length);
}

/** Worst cases for chat text: growth under escaping, surrogate pairs, mentions, pipes. */
const CONTENT = {
  escapes: '&<>',
  // Two UTF-16 units per code point: the most units the API lets through.
  astral: '😀🇫🇷𝔸',
  emoji: '😀👨‍👩‍👧🇫🇷e\u0301',
  mentions: '@everyone <@U123> <!here> <#C1|x> <@&123> | ',
  mixed: '&😀<@U123>|@everyone <https://x.example|y> [a](https://x.example) é>',
  ascii: 'Will it rain in Paris tomorrow? ',
} as const;
type Content = keyof typeof CONTENT;

function longestRequest(content: Content, multiple: boolean): CreateMarketRequest {
  const pattern = CONTENT[content];
  return CreateMarketRequest.parse({
    // "rain" lets the slash command find it.
    question: `rain ${fill(pattern, QUESTION - 'rain '.length)}`,
    description: fill(pattern, DESCRIPTION),
    criteria: fill(pattern, CRITERIA),
    tags: Array.from({ length: TAGS }, (_, i) => `${i}`.padEnd(TAG, '-x')),
    ...(multiple
      ? {
          type: 'multiple',
          outcomes: Array.from(
            { length: OUTCOMES },
            (_, i) => `${i} ${fill(pattern, LABEL - `${i} `.length)}`,
          ),
        }
      : {}),
    closesAt: '9999-12-31T23:59:59.999Z',
  });
}

const BASE_URL = 'https://parity.example.com';
const MARKET_ID = `rain-${'a'.repeat(75)}`;

function rowOf(req: CreateMarketRequest, status: MarketStatus, n: number): MarketRow {
  const labels = req.outcomes ?? ['Yes', 'No'];
  const ids = req.outcomes ? outcomeIdsOf(labels) : ['yes', 'no'];
  const winner = ids[ids.length - 1]!;
  return {
    id: `${MARKET_ID.slice(0, 78)}-${n}`,
    question: req.question,
    description: req.description ?? '',
    criteria: req.criteria ?? '',
    tags: req.tags ?? [],
    type: req.outcomes ? 'multiple' : 'binary',
    outcomes: labels.map((label, i) => ({ id: ids[i]!, label })),
    // Spread shares: the odds differ and the later outcomes are the likelier.
    q: labels.map((_, i) => i * 37),
    liquidity: 100,
    status,
    createdAt: '2024-01-01T00:00:00.000Z',
    closesAt: req.closesAt,
    closedAt: status === 'open' ? null : '2024-06-01T00:00:00.000Z',
    volumeCents: Number.MAX_SAFE_INTEGER,
    seq: Number.MAX_SAFE_INTEGER,
    resolution:
      status === 'resolved' || status === 'cancelled'
        ? {
            outcomeId: status === 'resolved' ? winner : null,
            resolvedAt: '2024-06-02T00:00:00.000Z',
            note: fill(CONTENT.mixed, 2000),
          }
        : null,
    claims: [],
    createdBy: null,
    spaceId: null,
  };
}

function marketOf(row: MarketRow): Market {
  const p = prices(row.q, row.liquidity);
  return Market.parse({
    id: row.id,
    question: row.question,
    description: row.description,
    criteria: row.criteria,
    tags: row.tags,
    type: row.type,
    outcomes: row.outcomes.map((o, i) => ({ ...o, probability: p[i]!, shares: row.q[i]! })),
    liquidity: row.liquidity,
    status: row.status,
    createdAt: row.createdAt,
    closesAt: row.closesAt,
    volumeCents: row.volumeCents,
    seq: row.seq,
    resolution: row.resolution,
    claims: row.claims,
  });
}

const GAINERS: Gainer[] = ['a', 'b', 'c'].map((c) => ({
  username: Username.parse(`${c}_`.padEnd(USERNAME, '9')),
  profitCents: Number.MAX_SAFE_INTEGER,
}));

const EVENTS: WebhookEvent[] = ['created', 'moved', 'closing', 'resolved'];
const STATUSES: MarketStatus[] = ['open', 'closed', 'resolved', 'cancelled'];

interface Case {
  name: string;
  n: Notification;
  live: boolean;
}

function* cases(): Generator<Case> {
  for (const content of Object.keys(CONTENT) as Content[]) {
    for (const multiple of [false, true]) {
      const req = longestRequest(content, multiple);
      for (const status of STATUSES) {
        const market = marketOf(rowOf(req, status, 1));
        for (const event of EVENTS) {
          for (const live of [false, true]) {
            const n: Notification = {
              event,
              market,
              link: `${BASE_URL}/markets/${market.id}`,
              // Every outcome moved from even odds.
              from: market.outcomes.map(() => 1 / market.outcomes.length),
              closesInMs: 10 * 365 * 86_400_000,
              gainers: GAINERS,
              at: '2024-06-02T12:34:56.789Z',
            };
            const name = `${content} ${multiple ? 'multiple' : 'binary'} ${status} ${event}${live ? ' live' : ''}`;
            yield { name, n, live };
          }
        }
      }
    }
  }
}

/** Every string anywhere in a JSON-like value. */
function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* strings(v);
  else if (value && typeof value === 'object')
    for (const v of Object.values(value)) yield* strings(v);
}

function expectWellFormed(body: unknown): void {
  for (const s of strings(body)) expect(LONE_SURROGATE.test(s), s).toBe(false);
}

/** Escaped mrkdwn: every & starts one of the three escapes, every < and > is a link's. */
function expectWholeMrkdwn(text: string): void {
  expect(text, text).not.toMatch(/&(?!amp;|lt;|gt;)/);
  const before = text.replace(/…$/, '');
  expect(before.split('<').length, text).toBe(before.split('>').length);
}

/** A notification's blocks: only the kinds it uses, each within Slack's limits. */
function expectSlackBlocks(blocks: SlackBlock[]): void {
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const b of blocks) {
    switch (b.type) {
      case 'header':
        expect(b.text.text.length).toBeLessThanOrEqual(150);
        break;
      case 'section':
        expect(b.text?.type).toBe('mrkdwn');
        expect(b.text!.text.length).toBeLessThanOrEqual(3000);
        expectWholeMrkdwn(b.text!.text);
        break;
      case 'context':
        expect(b.elements.length).toBeLessThanOrEqual(10);
        for (const e of b.elements) {
          expect(e.type).toBe('mrkdwn');
          const text = (e as { text: string }).text;
          expect(text.length).toBeLessThanOrEqual(3000);
          expectWholeMrkdwn(text);
        }
        break;
      default:
        throw new Error(`a notification has no ${b.type} block`);
    }
  }
}

function expectSlack(m: Pick<SlackMessage, 'text' | 'blocks'>): void {
  expect(m.text.length).toBeLessThanOrEqual(3000);
  expectWholeMrkdwn(m.text);
  expectSlackBlocks(m.blocks);
  expectWellFormed(m);
}

function expectDiscord(m: DiscordMessage): void {
  expect(m.content.length).toBeLessThanOrEqual(2000);
  expect(m.embeds.length).toBeLessThanOrEqual(10);
  expect(m.allowed_mentions.parse).toEqual([]);
  let total = 0;
  for (const e of m.embeds) {
    expect(e.title.length).toBeLessThanOrEqual(256);
    expect(e.description.length).toBeLessThanOrEqual(4096);
    expect(e.fields.length).toBeLessThanOrEqual(25);
    for (const f of e.fields) {
      expect(f.name.length).toBeGreaterThan(0);
      expect(f.name.length).toBeLessThanOrEqual(256);
      expect(f.value.length).toBeGreaterThan(0);
      expect(f.value.length).toBeLessThanOrEqual(1024);
    }
    expect(e.footer.text.length).toBeLessThanOrEqual(2048);
    total +=
      e.title.length +
      e.description.length +
      e.footer.text.length +
      e.fields.reduce((a, f) => a + f.name.length + f.value.length, 0);
  }
  // The 6000 bound holds for all of a message's embeds together.
  expect(total).toBeLessThanOrEqual(6000);
  expectWellFormed(m);
}

function expectTeams(m: TeamsMessage): void {
  expect(Buffer.byteLength(JSON.stringify(m), 'utf8')).toBeLessThanOrEqual(28_000);
  for (const block of m.attachments[0]!.content.body) {
    if (block.type === 'TextBlock') expect(block.text.length).toBeLessThanOrEqual(2000);
  }
  expectWellFormed(m);
}

function expectWithinLimits(n: Notification, live: boolean): void {
  expectSlack(slackMessage(n, live));
  expectDiscord(discordMessage(n, live));
  expectTeams(teamsMessage(n));
  // Generic receivers get the market's text whole: no chat tool's limits apply.
  const generic = genericBody(n, 'delivery-1', live);
  expect(generic.market.question).toBe(n.market.question);
  expectWellFormed(JSON.parse(JSON.stringify(generic)));
}

describe('platform limits', () => {
  it('accepts the longest inputs, and not one code point more', () => {
    const req = longestRequest('mixed', true);
    expect(codePoints(req.question)).toBe(QUESTION);
    expect(req.outcomes?.every((o) => codePoints(o) === LABEL)).toBe(true);
    // "rain " and 295 astral characters.
    expect(longestRequest('astral', true).question.length).toBe(5 + 2 * 295);
    expect(longestRequest('astral', true).outcomes?.[0]?.length).toBe(2 + 2 * 78);
    const over = (patch: Record<string, unknown>) =>
      CreateMarketRequest.safeParse({ ...req, ...patch }).success;
    expect(over({})).toBe(true);
    expect(over({ question: `${req.question}x` })).toBe(false);
    expect(over({ description: `${req.description}x` })).toBe(false);
    expect(over({ criteria: `${req.criteria}x` })).toBe(false);
    expect(over({ outcomes: [...(req.outcomes ?? []).slice(1), `${req.outcomes?.[0]}x`] })).toBe(
      false,
    );
    expect(over({ outcomes: [...(req.outcomes ?? []), 'one more'] })).toBe(false);
    expect(over({ tags: [...(req.tags ?? []), 'more'] })).toBe(false);
    expect(over({ tags: [`${req.tags?.[0]}x`] })).toBe(false);
    expect(Username.safeParse('a'.repeat(USERNAME + 1)).success).toBe(false);
  });

  it('every Slack, Discord and Teams body stays within the platform’s limits at the longest input the API accepts', () => {
    let count = 0;
    for (const { name, n, live } of cases()) {
      try {
        expectWithinLimits(n, live);
      } catch (e) {
        throw new Error(`${name}: ${(e as Error).message}`);
      }
      count++;
    }
    // 6 contents × 2 types × 4 statuses × 4 events × live or not.
    expect(count).toBe(384);
  });

  it('holds the limits for text far longer than the API accepts', () => {
    // Seeded or older markets need not have passed CreateMarketRequest.
    const huge = CONTENT.mixed.repeat(200);
    const req: CreateMarketRequest = {
      question: huge,
      outcomes: Array.from({ length: OUTCOMES }, (_, i) => `${i} ${huge}`),
      closesAt: '9999-12-31T23:59:59.999Z',
    };
    const market = marketOf(rowOf(req, 'open', 1));
    const n: Notification = {
      event: 'moved',
      market,
      link: `${BASE_URL}/markets/${market.id}`,
      from: market.outcomes.map(() => 0),
      gainers: GAINERS.map((g) => ({ ...g, username: huge })),
      at: '2024-06-02T12:34:56.789Z',
    };
    const discord = discordMessage(n, false);
    // Title 256, five outcome names of 256 with their values, gainers 1024 and the footer leave
    // under 4096 of the 6000: the description gives way.
    expect(discord.embeds[0]!.description.length).toBeLessThan(4096);
    for (const live of [false, true]) expectWithinLimits(n, live);
  });

  it('keeps /odds replies within Slack’s limits at the longest markets and query', async () => {
    for (const content of Object.keys(CONTENT) as Content[]) {
      for (const multiple of [false, true]) {
        const req = longestRequest(content, multiple);
        const rows = [1, 2, 3, 4, 5, 6].map((i) => rowOf(req, 'open', i));
        // Only what the replies read: the open markets, the odds a day ago, the base URL.
        const c = {
          ctx: { store: { markets: async () => rows } },
          store: { probabilitiesAsOf: async () => rows[0]!.q.map(() => 1 / rows[0]!.q.length) },
          baseUrl: () => BASE_URL,
        } as unknown as ChannelCtx;
        const query = `rain ${fill(CONTENT[content], 4000)}`;
        for (const reply of [
          await oddsReply(c, query),
          await oddsReply(c, fill(CONTENT[content], 4000)),
          await moversReply(c, new Date('2024-06-02T00:00:00.000Z')),
        ]) {
          expectSlack(reply);
        }
      }
    }
  });
});
