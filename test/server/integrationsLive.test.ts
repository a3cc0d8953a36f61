import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  discordLike,
  type ReceivedRequest,
  type Receiver,
  slackApiLike,
  startReceiver,
} from '../helpers/receiver.ts';
import { adminClient, Client, startServer, type TestServer } from '../helpers/server.ts';

/** Live messages: one message per market, posted once and then edited in place, debounced. */

const EDIT_INTERVAL_MS = 400;
let server: TestServer;
let admin: Client;
let rx: Receiver;
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  const discord = discordLike();
  const slack = slackApiLike();
  rx = await startReceiver((req) =>
    req.path.startsWith('/slack-api/') ? slack(req) : discord(req),
  );
  server = await startServer({
    env: {
      SEED: 'off',
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_POLL_MS: '20',
      WEBHOOK_RETRY_BASE_MS: '50',
      LIVE_EDIT_INTERVAL_MS: String(EDIT_INTERVAL_MS),
      // Discord's and Slack's own URLs below are sent here instead.
      DISCORD_API_URL: `${rx.url}/discord-api`,
      SLACK_API_URL: `${rx.url}/slack-api`,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
    },
  });
  admin = await adminClient(server.url);
});
afterAll(async () => {
  await server.close();
  await rx.close();
});
afterEach(async () => {
  const list = await admin.get('/api/integrations/webhooks');
  for (const w of list.body.webhooks) await admin.delete(`/api/integrations/webhooks/${w.id}`);
});

async function hook(body: Record<string, unknown>): Promise<string> {
  const r = await admin.post('/api/integrations/webhooks', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.webhook.id;
}

function expectSpaced(rs: ReceivedRequest[]): void {
  for (let i = 1; i < rs.length; i++) {
    expect(rs[i]!.at - rs[i - 1]!.at, `request ${i}`).toBeGreaterThanOrEqual(EDIT_INTERVAL_MS);
  }
}

/** Trades `n` times, `gapMs` apart; returns P(yes) after the last. */
async function trades(c: Client, marketId: string, n: number, gapMs: number): Promise<number> {
  let p = 0;
  for (let i = 0; i < n; i++) {
    const r = await c.post(`/api/markets/${marketId}/trades`, {
      outcomeId: i % 3 === 2 ? 'no' : 'yes',
      shares: 3,
    });
    expect(r.status).toBe(200);
    p = r.body.market.outcomes[0].probability;
    await sleep(gapMs);
  }
  return p;
}

describe('live Discord messages', () => {
  it('posts once with wait=true, then edits that message at most once per interval', async () => {
    const id = await hook({
      kind: 'discord',
      mode: 'live',
      url: 'https://discord.com/api/webhooks/42/secret-token',
    });
    const base = '/discord-api/webhooks/42/secret-token';
    await admin.post('/api/markets', {
      id: 'live-discord',
      question: 'Live on Discord?',
      closesAt: inDays(9),
    });
    await rx.waitFor(() => rx.to(base).length === 1);
    const post = rx.to(base)[0]!;
    expect(post.method).toBe('POST');
    expect(post.query.get('wait')).toBe('true');
    expect(post.json).toMatchObject({
      content: 'Live odds: Live on Discord?',
      embeds: [{ title: 'Live on Discord?', description: 'Yes 50%' }],
    });

    const bob = new Client(server.url);
    await bob.register('bob_live');
    // 15 trades over about 1.5 s: without the debounce that would be 15 edits.
    const started = Date.now();
    const last = await trades(bob, 'live-discord', 15, 100);
    const tradingMs = Date.now() - started;
    const finalOdds = `Yes ${Math.round(last * 100)}%`;
    const edits = () => rx.requests.filter((r) => r.path === `${base}/messages/1000`);
    await rx.waitFor(() => edits().at(-1)?.json.embeds[0].description === finalOdds, 3000);
    await sleep(EDIT_INTERVAL_MS + 100);

    expect(rx.to(base)).toHaveLength(1);
    expect(edits().every((r) => r.method === 'PATCH')).toBe(true);
    expect(edits().length).toBeGreaterThanOrEqual(2);
    expect(edits().length).toBeLessThanOrEqual(Math.ceil(tradingMs / EDIT_INTERVAL_MS) + 1);
    expectSpaced([post, ...edits()]);
    expect(edits().at(-1)!.json.embeds[0].description).toBe(finalOdds);

    // Resolving edits the same message a last time, with the outcome.
    await admin.post('/api/markets/live-discord/resolve', { outcomeId: 'yes' });
    await rx.waitFor(() => edits().at(-1)?.json.embeds[0].description === 'Resolved: Yes', 3000);
    expect(rx.to(base)).toHaveLength(1);
    expect(edits().at(-1)!.json.embeds[0].fields).toEqual([
      expect.objectContaining({
        name: 'Top gainers',
        value: expect.stringMatching(/^bob_live \+/),
      }),
    ]);
    expectSpaced([post, ...edits()]);

    const log = await admin.get(`/api/integrations/deliveries?webhookId=${id}`);
    const ds = log.body.deliveries;
    expect(ds.every((d: any) => d.live === true)).toBe(true);
    expect(ds.filter((d: any) => d.status === 'delivered')).toHaveLength(1 + edits().length);
  });

  it('posts a new message when the one it was editing is gone', async () => {
    await hook({ kind: 'discord', mode: 'live', url: 'https://discord.com/api/webhooks/43/tok' });
    const base = '/discord-api/webhooks/43/tok';
    await admin.post('/api/markets', { id: 'live-gone', question: 'Gone?', closesAt: inDays(9) });
    await rx.waitFor(() => rx.to(base).length === 1);
    // The stand-in numbers messages from 1000 across the file: this one is 1001.
    rx.script(`${base}/messages/1001`, [
      { status: 404, body: { message: 'Unknown Message', code: 10008 } },
    ]);
    const t = new Client(server.url);
    await t.register('gone_trader');
    await t.post('/api/markets/live-gone/trades', { outcomeId: 'yes', shares: 10 });
    await rx.waitFor(() => rx.to(base).length === 2, 3000);
    await t.post('/api/markets/live-gone/trades', { outcomeId: 'yes', shares: 10 });
    await rx.waitFor(() => rx.to(`${base}/messages/1002`).length === 1, 3000);
    expect(rx.to(`${base}/messages/1001`).map((r) => r.status)).toEqual([404]);
    expect(rx.to(base).map((r) => r.query.get('wait'))).toEqual(['true', 'true']);
  });
});

describe('live Slack messages', () => {
  it('posts with chat.postMessage through the bot token, then edits with chat.update', async () => {
    await hook({
      kind: 'slack',
      mode: 'live',
      url: 'https://hooks.slack.com/services/T0/B0/XX?channel=C0LIVE',
    });
    await admin.post('/api/markets', {
      id: 'live-slack',
      question: 'Live on Slack?',
      closesAt: inDays(9),
    });
    await rx.waitFor(() => rx.to('/slack-api/chat.postMessage').length === 1);
    const post = rx.to('/slack-api/chat.postMessage')[0]!;
    expect(post.headers.authorization).toBe('Bearer xoxb-test-token');
    expect(post.json).toMatchObject({
      channel: 'C0LIVE',
      unfurl_links: false,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Live odds' } },
        { type: 'section', text: { type: 'mrkdwn', text: expect.stringContaining('Yes 50%') } },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: expect.stringMatching(/updated \d\d:\d\d:\d\d UTC$/) },
          ],
        },
      ],
    });
    const carol = new Client(server.url);
    await carol.register('carol_live');
    const last = await trades(carol, 'live-slack', 6, 100);
    const finalOdds = `Yes ${Math.round(last * 100)}%`;
    const updates = () => rx.to('/slack-api/chat.update');
    await rx.waitFor(() => updates().at(-1)?.json.blocks[1].text.text.endsWith(finalOdds), 3000);
    await sleep(EDIT_INTERVAL_MS + 100);
    expect(rx.to('/slack-api/chat.postMessage')).toHaveLength(1);
    for (const u of updates()) {
      expect(u.json).toMatchObject({ channel: 'C0LIVE', ts: '1700000000.000001' });
      expect(u.headers.authorization).toBe('Bearer xoxb-test-token');
    }
    expectSpaced([post, ...updates()]);
  });
});

describe('live mode where messages cannot be edited', () => {
  it('gives Teams snapshot posts instead', async () => {
    const id = await hook({ kind: 'teams', mode: 'live', url: `${rx.url}/teams-live` });
    await admin.post('/api/markets', {
      id: 'live-teams',
      question: 'Live on Teams?',
      closesAt: inDays(9),
    });
    await rx.waitFor(() => rx.to('/teams-live').length === 1);
    await admin.post('/api/markets/live-teams/resolve', { outcomeId: 'no' });
    await rx.waitFor(() => rx.to('/teams-live').length === 2);
    expect(
      rx.to('/teams-live').map((r) => [r.method, r.json.attachments[0].content.body[0].text]),
    ).toEqual([
      ['POST', 'New market: Live on Teams?'],
      ['POST', 'Resolved No: Live on Teams?'],
    ]);
    const log = await admin.get(`/api/integrations/deliveries?webhookId=${id}`);
    expect(log.body.deliveries.map((d: any) => d.live)).toEqual([false, false]);
  });
});
