import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Market } from '../../shared/schemas/index.ts';
import { ANONYMOUS } from '../services/access.ts';
import { listMarkets } from '../services/markets.ts';
import { type ChannelCtx, marketLink } from './channelCtx.ts';
import { clip, percent, points, shownOutcomes } from './notification.ts';
import { escapeMrkdwn, marketSection, type SlackBlock } from './slackFormat.ts';

/** The Slack `/odds` slash command: request verification, market search, top movers. */

/** Slack's replay window: requests signed more than five minutes from now are refused. */
export const MAX_SKEW_SECONDS = 5 * 60;
const SHOWN = 5;

export type SignatureCheck = 'ok' | 'missing' | 'stale' | 'mismatch';

/**
 * Checks `X-Slack-Signature` (`v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the
 * signing secret) and that `X-Slack-Request-Timestamp` is within five minutes of now.
 */
export function verifySlackSignature(
  secret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  rawBody: Buffer,
  now: Date,
): SignatureCheck {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return 'missing';
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) return 'stale';
  const expected = Buffer.from(
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'mismatch';
}

export interface SlackReply {
  response_type: 'ephemeral';
  text: string;
  blocks: SlackBlock[];
}

const STOPWORDS = new Set(
  'a an and are at be by for from in is it of on or than that the to vs what when will with'.split(
    ' ',
  ),
);

/** Lowercase words of a-z and 0-9, without the filler words every question has. */
export function searchTokens(text: string): string[] {
  const words = text
    .toLowerCase()
    .normalize('NFKD')
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
  const meaningful = words.filter((w) => !STOPWORDS.has(w));
  return [...new Set(meaningful.length > 0 ? meaningful : words)];
}

/**
 * How well a market matches the query: per query word, 3 for a tag, 2 for a word of the
 * question or id, 1 for a prefix of one (words of three letters or more); summed.
 */
export function matchScore(
  m: Pick<Market, 'id' | 'question' | 'tags'>,
  query: readonly string[],
): number {
  const tags = new Set((m.tags ?? []).flatMap((t) => [t.toLowerCase(), ...searchTokens(t)]));
  const words = new Set([...searchTokens(m.question), ...m.id.split('-')]);
  let score = 0;
  for (const q of query) {
    if (tags.has(q)) score += 3;
    else if (words.has(q)) score += 2;
    else if (q.length >= 3 && [...words, ...tags].some((w) => w.startsWith(q))) score += 1;
  }
  return score;
}

/** The open markets that best match the words, best first (ties: more volume first). */
export function searchMarkets(markets: readonly Market[], text: string, n = SHOWN): Market[] {
  const query = searchTokens(text);
  if (query.length === 0) return [];
  return markets
    .map((m) => ({ m, score: matchScore(m, query) }))
    .filter((x) => x.score > 0)
    .sort(
      (a, b) =>
        b.score - a.score || b.m.volumeCents - a.m.volumeCents || (a.m.id < b.m.id ? -1 : 1),
    )
    .slice(0, n)
    .map((x) => x.m);
}

function oddsText(m: Market): string {
  const odds = shownOutcomes(m)
    .map((o) => `${o.label} ${percent(o.probability)}`)
    .join(' · ');
  return `${odds} · closes ${m.closesAt.slice(0, 10)}`;
}

function reply(text: string, blocks: SlackBlock[]): SlackReply {
  // The fallback text is mrkdwn too: escaped like the blocks, so market text and the words the
  // user typed cannot turn into mentions or links. Clipped after escaping, which can make the
  // text five times longer.
  return { response_type: 'ephemeral', text: clip(escapeMrkdwn(text), 3000), blocks };
}

function note(text: string): SlackBlock {
  // Section text is limited to 3000 characters.
  return { type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(text), 3000) } };
}

/** `/odds <words>`: the best-matching open markets with their current odds. */
export async function oddsReply(c: ChannelCtx, text: string): Promise<SlackReply> {
  const found = searchMarkets(await listMarkets(c.ctx, ANONYMOUS, 'open'), text);
  const quoted = clip(text.trim(), 100);
  if (found.length === 0) {
    const msg = `No open market matches “${quoted}”. Try /odds alone for the top movers.`;
    return reply(msg, [note(msg)]);
  }
  return reply(
    `Odds for “${quoted}”: ${found.map((m) => `${m.question} ${oddsText(m)}`).join('; ')}`,
    [
      { type: 'header', text: { type: 'plain_text', text: clip(`Odds for “${quoted}”`, 150) } },
      ...found.map((m) => marketSection(m, marketLink(c, m.id), oddsText(m))),
    ],
  );
}

export interface Mover {
  market: Market;
  /** The outcome that moved most, by index, and its change over the window. */
  index: number;
  change: number;
}

/** Open markets by their largest probability change since `since`, biggest first. */
export async function topMovers(c: ChannelCtx, since: string, n = SHOWN): Promise<Mover[]> {
  const movers: Mover[] = [];
  for (const m of await listMarkets(c.ctx, ANONYMOUS, 'open')) {
    const before = await c.store.probabilitiesAsOf(m.id, since);
    if (!before) continue;
    // Binary markets are judged by Yes; the others by whichever outcome moved most.
    const candidates = m.type === 'binary' ? [0] : m.outcomes.map((_, i) => i);
    let best: Mover | undefined;
    for (const i of candidates) {
      const change = (m.outcomes[i]?.probability ?? 0) - (before[i] ?? 0);
      if (!best || Math.abs(change) > Math.abs(best.change)) best = { market: m, index: i, change };
    }
    // Below half a point it rounds to no move at all.
    if (best && Math.abs(best.change) >= 0.005) movers.push(best);
  }
  return movers
    .sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || (a.market.id < b.market.id ? -1 : 1))
    .slice(0, n);
}

/** `/odds` alone: the open markets that moved most over the last 24 hours. */
export async function moversReply(c: ChannelCtx, now: Date): Promise<SlackReply> {
  const since = new Date(now.getTime() - 86_400_000).toISOString();
  const movers = await topMovers(c, since);
  if (movers.length === 0) {
    const msg = 'No open market moved in the last 24 hours. Try /odds <words> to look one up.';
    return reply(msg, [note(msg)]);
  }
  const line = (x: Mover) => {
    const o = x.market.outcomes[x.index]!;
    return `${o.label} ${percent(o.probability)} (${points(x.change)} in 24 h)`;
  };
  return reply(
    `Top movers, last 24 hours: ${movers.map((x) => `${x.market.question} ${line(x)}`).join('; ')}`,
    [
      { type: 'header', text: { type: 'plain_text', text: 'Top movers, last 24 hours' } },
      ...movers.map((x) => marketSection(x.market, marketLink(c, x.market.id), line(x))),
    ],
  );
}
