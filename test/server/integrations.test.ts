import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveriesResponse, WebhookResponse } from '../../shared/schemas/index.ts';
import { discordLike, type Receiver, startReceiver } from '../helpers/receiver.ts';
import { adminClient, Client, startServer, type TestServer } from '../helpers/server.ts';

/** Webhook administration and the posts of each kind for each event, against a local receiver. */

const PUBLIC_URL = 'https://parity.example.com';
const MOVED_INTERVAL_MS = 200;
/** Long enough for a burst of 20 trades over HTTP to land inside it. */
const SETTLE_MS = 600;
let server: TestServer;
let admin: Client;
let rx: Receiver;
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

beforeAll(async () => {
  rx = await startReceiver(discordLike());
  server = await startServer({
    env: {
      SEED: 'off',
      PUBLIC_URL,
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_POLL_MS: '20',
      WEBHOOK_RETRY_BASE_MS: '50',
      WEBHOOK_MOVED_INTERVAL_MS: String(MOVED_INTERVAL_MS),
      WEBHOOK_MOVED_SETTLE_MS: String(SETTLE_MS),
    },
  });
  admin = await adminClient(server.url);
});
afterAll(async () => {
  await server.close();
  await rx.close();
});

async function hook(body: Record<string, unknown>): Promise<WebhookResponse> {
  const r = await admin.post('/api/integrations/webhooks', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return WebhookResponse.parse(r.body);
}

async function trader(name: string): Promise<Client> {
  const c = new Client(server.url);
  await c.register(name);
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('webhook administration', () => {
  it('creates, lists and deletes webhooks, showing the secret only on creation', async () => {
    const created = await hook({ kind: 'generic', url: `${rx.url}/admin-test` });
    expect(created.webhook).toMatchObject({
      kind: 'generic',
      url: `${rx.url}/admin-test`,
      mode: 'post',
      events: ['created', 'moved', 'closing', 'resolved'],
      minMove: 0.05,
      marketIds: null,
    });
    expect(created.secret).toMatch(/^[0-9a-f]{64}$/);
    const list = await admin.get('/api/integrations/webhooks');
    expect(list.status).toBe(200);
    const listed = list.body.webhooks.find((w: any) => w.id === created.webhook.id);
    expect(listed).toEqual(created.webhook);
    expect(JSON.stringify(list.body)).not.toContain(created.secret);
    const del = await admin.delete(`/api/integrations/webhooks/${created.webhook.id}`);
    expect(del.status).toBe(204);
    const again = await admin.delete(`/api/integrations/webhooks/${created.webhook.id}`);
    expect(again.status).toBe(404);
    const after = await admin.get('/api/integrations/webhooks');
    expect(after.body.webhooks.some((w: any) => w.id === created.webhook.id)).toBe(false);
  });

  it('refuses non-admins, bad URLs, unknown markets and incomplete live setups', async () => {
    const anon = new Client(server.url);
    expect((await anon.get('/api/integrations/webhooks')).status).toBe(401);
    expect((await anon.get('/api/integrations/deliveries')).status).toBe(401);
    const trader1 = await trader('hook_trader');
    const r = await trader1.post('/api/integrations/webhooks', {
      kind: 'slack',
      url: `${rx.url}/x`,
    });
    expect(r.status).toBe(403);
    for (const body of [
      { kind: 'slack', url: 'ftp://example.com/hook' },
      { kind: 'slack', url: 'javascript:alert(1)' },
      { kind: 'irc', url: 'https://example.com/hook' },
      { kind: 'generic', url: 'https://user:pw@example.com/hook' },
      { kind: 'generic', url: 'https://example.com/hook', minMove: 0 },
      { kind: 'generic', url: 'https://example.com/hook', marketIds: ['no-such-market'] },
      // Live Slack needs a channel in the URL and a bot token (none is configured here).
      { kind: 'slack', url: 'https://hooks.slack.com/services/T/B/X', mode: 'live' },
      { kind: 'slack', url: 'https://hooks.slack.com/services/T/B/X?channel=C1', mode: 'live' },
      { kind: 'discord', url: 'https://discord.com/api/not-a-webhook', mode: 'live' },
    ]) {
      const res = await admin.post('/api/integrations/webhooks', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });
});

describe('posts of each kind', () => {
  it('posts created, moved and resolved to Slack, Discord, Teams and a signed generic endpoint', async () => {
    const slack = await hook({ kind: 'slack', url: `${rx.url}/slack` });
    await hook({ kind: 'discord', url: `${rx.url}/api/webhooks/11/tok` });
    await hook({ kind: 'teams', url: `${rx.url}/teams` });
    const generic = await hook({ kind: 'generic', url: `${rx.url}/generic` });
    const question = 'Will the R&D team ship <v2> by Friday?';
    const closesAt = inDays(30);
    const link = `${PUBLIC_URL}/markets/rd-ship`;
    const m = await admin.post('/api/markets', { id: 'rd-ship', question, closesAt });
    expect(m.status).toBe(201);
    const paths = ['/slack', '/api/webhooks/11/tok', '/teams', '/generic'];
    const posted = (n: number) => () => paths.every((p) => rx.to(p).length >= n);
    await rx.waitFor(posted(1));

    const footer = `closes ${closesAt.slice(0, 16).replace('T', ' ')} UTC`;
    // ---- created
    expect(rx.to('/slack')[0]!.json).toEqual({
      text: 'New market: Will the R&amp;D team ship &lt;v2&gt; by Friday? — Yes 50%',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: `New market: ${question}` } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `*<${link}|Will the R&amp;D team ship &lt;v2&gt; by Friday?>*\nYes 50%`,
          },
        },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: `Volume 0.00 credits · ${footer}` }],
        },
      ],
    });
    const discordCreated = rx.to('/api/webhooks/11/tok')[0]!;
    expect(discordCreated.method).toBe('POST');
    expect(discordCreated.json).toMatchObject({
      content: `New market: ${question}`,
      embeds: [
        {
          title: question,
          url: link,
          description: 'Yes 50%',
          color: 0x3b82f6,
          fields: [{ name: 'Yes', value: '50%', inline: true }],
          footer: { text: `Volume 0.00 credits · ${footer}` },
        },
      ],
      allowed_mentions: { parse: [] },
    });
    const teamsCreated = rx.to('/teams')[0]!.json;
    expect(teamsCreated.type).toBe('message');
    expect(teamsCreated.attachments).toHaveLength(1);
    expect(teamsCreated.attachments[0]).toMatchObject({
      contentType: 'application/vnd.microsoft.card.adaptive',
      contentUrl: null,
      content: {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: '1.4',
        actions: [{ type: 'Action.OpenUrl', title: 'Open in Parity', url: link }],
      },
    });
    expect(teamsCreated.attachments[0].content.body[0]).toMatchObject({
      type: 'TextBlock',
      text: `New market: ${question}`,
    });
    expect(teamsCreated.attachments[0].content.body).toContainEqual({
      type: 'FactSet',
      facts: [{ title: 'Yes', value: '50%' }],
    });
    const gen = rx.to('/generic')[0]!;
    expect(gen.json).toMatchObject({
      event: 'created',
      live: false,
      market: {
        id: 'rd-ship',
        question,
        url: link,
        status: 'open',
        closesAt,
        outcomes: [
          { id: 'yes', label: 'Yes', probability: 0.5 },
          { id: 'no', label: 'No', probability: 0.5 },
        ],
      },
    });
    expectSigned(gen, generic.secret);

    // ---- moved: bob buys 50 yes at q = (0, 0), b = 100: P(yes) = e^0.5/(e^0.5+1) = 0.622459,
    // cost 100 ln((e^0.5+1)/2) = 28.0930 → 2810 cents.
    const bob = await trader('bob_hooks');
    const t1 = await bob.post('/api/markets/rd-ship/trades', { outcomeId: 'yes', shares: 50 });
    expect(t1.body.trade.costCents).toBe(2810);
    await rx.waitFor(posted(2));
    const moved = '62% (▲ 12.2 pts)';
    expect(rx.to('/slack')[1]!.json.text).toBe(
      `Odds moved: Will the R&amp;D team ship &lt;v2&gt; by Friday? — Yes ${moved}`,
    );
    expect(rx.to('/slack')[1]!.json.blocks[1].text.text).toBe(
      `*<${link}|Will the R&amp;D team ship &lt;v2&gt; by Friday?>*\nYes ${moved}`,
    );
    expect(rx.to('/api/webhooks/11/tok')[1]!.json.embeds[0]).toMatchObject({
      description: `Yes ${moved}`,
      color: 0x22c55e,
      fields: [{ name: 'Yes', value: moved, inline: true }],
      footer: { text: `Volume 28.10 credits · ${footer}` },
    });
    expect(rx.to('/teams')[1]!.json.attachments[0].content.body).toContainEqual({
      type: 'FactSet',
      facts: [{ title: 'Yes', value: moved }],
    });
    const genMoved = rx.to('/generic')[1]!;
    expect(genMoved.json.event).toBe('moved');
    expect(genMoved.json.from).toEqual([0.5, 0.5]);
    expect(genMoved.json.market.outcomes[0].probability).toBeCloseTo(0.622459, 6);
    expect(genMoved.json.market.volumeCents).toBe(2810);
    expectSigned(genMoved, generic.secret);

    // Smaller moves from what was last posted (62.2%) post nothing: carol's 20 no take it to
    // e^0.5/(e^0.5+e^0.2) = 57.4% (cost 8.0278 → 803), dave's 5 yes to 58.7% (2.9027 → 291).
    const carol = await trader('carol_hooks');
    const dave = await trader('dave_hooks');
    expect(
      (await carol.post('/api/markets/rd-ship/trades', { outcomeId: 'no', shares: 20 })).body.trade
        .costCents,
    ).toBe(803);
    expect(
      (await dave.post('/api/markets/rd-ship/trades', { outcomeId: 'yes', shares: 5 })).body.trade
        .costCents,
    ).toBe(291);
    await sleep(MOVED_INTERVAL_MS * 2);
    for (const p of paths) expect(rx.to(p), p).toHaveLength(2);

    // ---- resolved: yes pays bob 5000 and dave 500 cents; profits 5000 − 2810 = 2190 and
    // 500 − 291 = 209; carol lost 803.
    const res = await admin.post('/api/markets/rd-ship/resolve', {
      outcomeId: 'yes',
      note: 'shipped',
    });
    expect(res.status).toBe(200);
    await rx.waitFor(posted(3));
    const slackResolved = rx.to('/slack')[2]!.json;
    expect(slackResolved.text).toBe(
      'Resolved Yes: Will the R&amp;D team ship &lt;v2&gt; by Friday? — Resolved: Yes',
    );
    expect(slackResolved.blocks[2]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Top gainers:* bob_hooks +21.90 · dave_hooks +2.09' },
    });
    expect(rx.to('/api/webhooks/11/tok')[2]!.json.embeds[0]).toMatchObject({
      description: 'Resolved: Yes',
      color: 0x8b5cf6,
      fields: [
        { name: 'Top gainers', value: 'bob_hooks +21.90 · dave_hooks +2.09', inline: false },
      ],
      footer: { text: `Volume 39.04 credits · ${footer}` },
    });
    expect(rx.to('/teams')[2]!.json.attachments[0].content.body).toContainEqual({
      type: 'TextBlock',
      text: 'Top gainers: bob_hooks +21.90 · dave_hooks +2.09',
      wrap: true,
    });
    const genResolved = rx.to('/generic')[2]!;
    expect(genResolved.json).toMatchObject({
      event: 'resolved',
      market: { status: 'resolved', resolution: { outcomeId: 'yes', note: 'shipped' } },
      gainers: [
        { username: 'bob_hooks', profitCents: 2190 },
        { username: 'dave_hooks', profitCents: 209 },
      ],
    });
    expectSigned(genResolved, generic.secret);

    // The delivery log shows each as delivered on the first attempt.
    // Each answer is recorded a moment after the receiver saw its request.
    let deliveries: DeliveriesResponse['deliveries'] = [];
    for (const end = Date.now() + 5000; Date.now() < end; ) {
      const log = await admin.get(`/api/integrations/deliveries?webhookId=${slack.webhook.id}`);
      expect(log.status).toBe(200);
      deliveries = DeliveriesResponse.parse(log.body).deliveries;
      if (deliveries.every((d) => d.status === 'delivered')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(deliveries.map((d) => [d.event, d.status, d.attempts])).toEqual([
      ['resolved', 'delivered', 1],
      ['moved', 'delivered', 1],
      ['created', 'delivered', 1],
    ]);
    expect(deliveries[0]).toMatchObject({
      kind: 'slack',
      marketId: 'rd-ship',
      live: false,
      lastError: null,
      nextAttemptAt: null,
    });
    for (const p of paths) expect(rx.to(p), p).toHaveLength(3);
    await clearHooks();
  });

  it('respects each webhook’s events and markets, and says when a market is cancelled or closing', async () => {
    await admin.post('/api/markets', {
      id: 'filter-a',
      question: 'Filter A?',
      closesAt: inDays(30),
    });
    await hook({ kind: 'generic', url: `${rx.url}/only-a`, marketIds: ['filter-a'] });
    await hook({ kind: 'generic', url: `${rx.url}/only-resolved`, events: ['resolved'] });
    await hook({ kind: 'slack', url: `${rx.url}/closing`, events: ['closing'] });
    await admin.post('/api/markets', {
      id: 'filter-b',
      question: 'Filter B?',
      closesAt: inDays(30),
    });
    // Closes in 30 minutes: inside both windows, so one notice (the 1 h one), not two.
    await admin.post('/api/markets', {
      id: 'filter-soon',
      question: 'Closing soon?',
      closesAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    });
    // Closes in 5 hours: inside the 24 h window only.
    await admin.post('/api/markets', {
      id: 'filter-later',
      question: 'Closing later?',
      closesAt: new Date(Date.now() + 5 * 3_600_000).toISOString(),
    });
    const trader1 = await trader('filter_trader');
    await trader1.post('/api/markets/filter-a/trades', { outcomeId: 'yes', toProbability: 0.7 });
    await trader1.post('/api/markets/filter-b/trades', { outcomeId: 'yes', toProbability: 0.7 });
    // A move still settling when its market resolves is dropped, so let it go out first.
    await rx.waitFor(() => rx.to('/only-a').length >= 1);
    await admin.post('/api/markets/filter-a/resolve', { cancel: true });
    await admin.post('/api/markets/filter-b/resolve', { outcomeId: 'no' });
    await rx.waitFor(
      () =>
        rx.to('/only-a').length >= 2 &&
        rx.to('/only-resolved').length >= 2 &&
        rx.to('/closing').length >= 2,
    );
    await sleep(MOVED_INTERVAL_MS * 2);

    // filter-a was created before the hook, so: moved, then resolved (as cancelled).
    expect(rx.to('/only-a').map((r) => [r.json.event, r.json.market.id])).toEqual([
      ['moved', 'filter-a'],
      ['resolved', 'filter-a'],
    ]);
    expect(rx.to('/only-a')[1]!.json.market.status).toBe('cancelled');
    expect(rx.to('/only-a')[1]!.json.gainers).toEqual([]);
    expect(rx.to('/only-resolved').map((r) => [r.json.event, r.json.market.id])).toEqual([
      ['resolved', 'filter-a'],
      ['resolved', 'filter-b'],
    ]);
    const texts = rx
      .to('/closing')
      .map((r) => r.json.text as string)
      .sort();
    expect(texts[0]).toMatch(/^Closes in (29|30) minutes: Closing soon\? — Yes 50%$/);
    expect(texts[1]).toMatch(/^Closes in 5 hours: Closing later\? — Yes 50%$/);
    expect(rx.to('/closing')).toHaveLength(2);
    await clearHooks();
  });

  it('coalesces a burst of trades into one moved post showing the final odds', async () => {
    await admin.post('/api/markets', { id: 'burst', question: 'Burst?', closesAt: inDays(30) });
    await hook({ kind: 'generic', url: `${rx.url}/burst`, events: ['moved'] });
    const t = await trader('burst_trader');
    // 20 buys of 4 yes: q_yes = 80 at b = 100, so P(yes) = e^0.8/(e^0.8+1) = 0.689974.
    const started = Date.now();
    for (let i = 1; i <= 20; i++) {
      const r = await t.post('/api/markets/burst/trades', { outcomeId: 'yes', shares: 4 });
      expect(r.status).toBe(200);
    }
    expect(Date.now() - started).toBeLessThan(SETTLE_MS);
    await rx.waitFor(() => rx.to('/burst').length >= 1);
    await sleep(MOVED_INTERVAL_MS * 2);
    const posts = rx.to('/burst');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.json.market.outcomes[0].probability).toBeCloseTo(0.689974, 6);
    expect(posts[0]!.json.from).toEqual([0.5, 0.5]);
    // Posted once the move settled: no sooner than SETTLE_MS after the trade that crossed 5%.
    expect(posts[0]!.at - started).toBeGreaterThanOrEqual(SETTLE_MS);
    await clearHooks();
  });
});

function expectSigned(r: { headers: Record<string, unknown>; body: string }, secret: string): void {
  const ts = String(r.headers['x-parity-timestamp']);
  expect(ts).toMatch(/^\d{10}$/);
  expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
  const expected = createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex');
  expect(r.headers['x-parity-signature']).toBe(`sha256=${expected}`);
  expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
}

async function clearHooks(): Promise<void> {
  const list = await admin.get('/api/integrations/webhooks');
  for (const w of list.body.webhooks) await admin.delete(`/api/integrations/webhooks/${w.id}`);
}
