import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordKeys, discordSigned, slackSigned } from '../../helpers/chatSigning.ts';
import { type Receiver, startReceiver } from '../../helpers/receiver.ts';
import { adminClient, Client, startServer, type TestServer } from '../../helpers/server.ts';

/**
 * Daily reminders by direct message, end to end: forecasts made "15 days ago" on the server's
 * clock, a market that moved since, a market closed and left unresolved, and the Slack Web API
 * and Discord API stand-ins that receive the messages the reminder loop sends.
 */

const SECRET = 'reminder-signing-secret';
const TEAM = 'T0REMIND';
const GUILD = '613425648685547541';
const DAY_MS = 86_400_000;
const POLL_MS = 100;
const { privateKey, publicKeyHex: PUBLIC_KEY_HEX } = discordKeys();

let clockOffsetMs = 0;
const serverNow = () => new Date(Date.now() + clockOffsetMs);
let server: TestServer;
let slackApi: Receiver;
let discordApi: Receiver;
let admin: Client;
let alice: Client;
let bob: Client;
let carol: Client;
let seq = 0;

function slackCommand(text: string, user: string) {
  const body = new URLSearchParams({
    team_id: TEAM,
    channel_id: 'C0FORECAST',
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/parity',
    text,
    trigger_id: `tr.${++seq}`,
  }).toString();
  const signed = slackSigned(SECRET, body);
  return new Client(server.url).raw('POST', '/api/integrations/slack/command', {
    ...signed,
    origin: false,
  });
}

function discordLink(memberId: string) {
  const id = String(1_230_000_000_000_000_000n + BigInt(++seq));
  const body = JSON.stringify({
    id,
    application_id: '1105548120487460914',
    type: 2,
    token: `token-${id}`,
    guild_id: GUILD,
    channel_id: '1105549431421255720',
    member: { user: { id: memberId, username: 'carol', global_name: 'Carol' } },
    data: { name: 'parity', options: [{ name: 'link', type: 1, options: [] }] },
    version: 1,
  });
  return new Client(server.url).raw('POST', '/api/integrations/discord/interactions', {
    ...discordSigned(privateKey, body),
    origin: false,
  });
}

/** Opens the one-time link of a link prompt as `user`. */
async function confirm(prompt: { status: number; body: unknown }, user: Client): Promise<void> {
  expect(prompt.status, JSON.stringify(prompt.body)).toBe(200);
  const code = /\/link\/([A-Za-z0-9_-]{32})/.exec(JSON.stringify(prompt.body))![1]!;
  expect((await user.post(`/api/integrations/links/${code}`, {})).status).toBe(200);
}

/** The direct messages Slack received, by recipient. */
function slackDms(user: string): string[] {
  return slackApi
    .to('/api/chat.postMessage')
    .map((r) => r.json ?? Object.fromEntries(new URLSearchParams(r.body)))
    .filter((f) => f.channel === user)
    .map((f) => String(f.text));
}

function discordDms(): string[] {
  return discordApi
    .to('/v10/channels/dm-carol/messages')
    .map((r) => String((r.json as { content: string }).content));
}

/** Waits out a few reminder runs, so a message that should not come had its chance to. */
const severalRuns = () => new Promise((r) => setTimeout(r, POLL_MS * 6));

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  slackApi = await startReceiver((req) =>
    req.path.startsWith('/api/') ? { body: { ok: true, ts: '1700000000.000100' } } : undefined,
  );
  discordApi = await startReceiver((req) => {
    if (req.path === '/v10/users/@me/channels') return { status: 200, body: { id: 'dm-carol' } };
    if (req.path.startsWith('/v10/channels/')) return { status: 200, body: { id: '1' } };
    return undefined;
  });
  server = await startServer({
    env: {
      SEED: 'off',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-reminders',
      SLACK_API_URL: `${slackApi.url}/api`,
      DISCORD_PUBLIC_KEY: PUBLIC_KEY_HEX,
      DISCORD_BOT_TOKEN: 'discord-bot-token',
      DISCORD_API_URL: discordApi.url,
      WEBHOOK_ALLOW_PRIVATE: '1',
      REMINDER_POLL_MS: String(POLL_MS),
    },
    now: serverNow,
  });
  admin = await adminClient(server.url);
  alice = new Client(server.url);
  await alice.register('rem_alice');
  bob = new Client(server.url);
  await bob.register('rem_bob');
  carol = new Client(server.url);
  await carol.register('rem_carol');
  await confirm(await slackCommand('link', 'U0ALICE'), alice);
  await confirm(await slackCommand('link', 'U0BOB'), bob);
  await confirm(await slackCommand('link', 'U0ADMIN'), admin);
  await confirm(await discordLink('80351110224678999'), carol);
  expect((await slackCommand('reminders off', 'U0BOB')).status).toBe(200);
  expect((await bob.get('/api/me/chat')).body.reminders).toBe(false);

  // Fifteen days ago: the questions open, everyone forecasts, one market closes.
  clockOffsetMs = -15 * DAY_MS;
  const closesAt = new Date(Date.now() + 60 * DAY_MS).toISOString();
  for (const [id, question, extra] of [
    ['rem-moved', 'Will a Chinese lab top the leaderboard by March?', {}],
    ['rem-still', 'Will export controls widen this year?', {}],
    ['rem-multi', 'Which lab ships first?', { outcomes: ['DeepSeek', 'Qwen', 'Moonshot'] }],
    ['rem-closed', 'Did the summit happen on time?', {}],
  ] as const) {
    const r = await admin.post('/api/markets', { id, question, closesAt, ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  for (const who of [alice, bob, carol]) {
    expect((await who.post('/api/markets/rem-moved/forecasts', { probability: 0.5 })).status).toBe(
      201,
    );
    expect((await who.post('/api/markets/rem-still/forecasts', { probability: 0.4 })).status).toBe(
      201,
    );
  }
  expect(
    (await alice.post('/api/markets/rem-multi/forecasts', { probabilities: [0.2, 0.5, 0.3] }))
      .status,
  ).toBe(201);
  expect((await admin.post('/api/markets/rem-closed/close', {})).status).toBe(200);

  // A minute later, rem-moved and rem-multi move by far more than 10 points; rem-still hardly
  // moves. The clock comes back to today only then, so no reminder run sees half of it.
  clockOffsetMs += 60_000;
  const trader = new Client(server.url);
  await trader.register('rem_trader');
  for (const [id, outcomeId, shares] of [
    ['rem-moved', 'yes', 120],
    ['rem-multi', 'deepseek', 150],
    ['rem-still', 'yes', 2],
  ] as const) {
    const r = await trader.post(`/api/markets/${id}/trades`, { outcomeId, shares });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  clockOffsetMs = 0;
});

afterAll(async () => {
  await server?.close();
  await slackApi?.close();
  await discordApi?.close();
});

describe('daily reminders', () => {
  it('reminds a forecaster of a stale forecast on a market that moved, and only of that', async () => {
    await until('a reminder to alice', () => slackDms('U0ALICE').length > 0);
    const [text] = slackDms('U0ALICE');
    expect(text).toContain('Will a Chinese lab top the leaderboard by March?');
    expect(text).toContain('Reaffirm or update: /forecast rem-moved 50%');
    // A multiple-choice reminder repeats the outcome the member thought likeliest.
    expect(text).toContain('Which lab ships first?');
    expect(text).toContain('/forecast rem-multi Qwen 50%');
    expect(text).not.toContain('export controls');
    expect(text).not.toContain('summit');
  });

  it('reminds an admin of a market closed and left unresolved for two days', async () => {
    await until('a reminder to the admin', () => slackDms('U0ADMIN').length > 0);
    const [text] = slackDms('U0ADMIN');
    expect(text).toContain('“Did the summit happen on time?” closed on');
    expect(text).toContain('awaits resolution');
  });

  it('reaches a Discord member in a direct message opened through the bot', async () => {
    await until('a reminder to carol', () => discordDms().length > 0);
    const open = discordApi.to('/v10/users/@me/channels');
    expect(open[0]!.json).toEqual({ recipient_id: '80351110224678999' });
    expect(open[0]!.headers.authorization).toBe('Bot discord-bot-token');
    expect(discordDms()[0]).toContain('/forecast rem-moved 50%');
  });

  it('sends nothing to a member who turned reminders off', async () => {
    await severalRuns();
    expect(slackDms('U0BOB')).toEqual([]);
  });

  it('sends at most one message a day, and the next one a day later', async () => {
    await severalRuns();
    expect(slackDms('U0ALICE')).toHaveLength(1);
    expect(discordDms()).toHaveLength(1);
    clockOffsetMs = DAY_MS + 3_600_000;
    await until('the next day’s reminder', () => slackDms('U0ALICE').length === 2);
    await severalRuns();
    expect(slackDms('U0ALICE')).toHaveLength(2);
  });

  it('stops when the user turns reminders off on their page, and resumes when back on', async () => {
    expect((await alice.put('/api/me/chat/reminders', { enabled: false })).body.reminders).toBe(
      false,
    );
    clockOffsetMs = 2 * DAY_MS + 7_200_000;
    await severalRuns();
    expect(slackDms('U0ALICE')).toHaveLength(2);
    expect((await alice.put('/api/me/chat/reminders', { enabled: true })).body.reminders).toBe(
      true,
    );
    await until('the reminder after turning them back on', () => slackDms('U0ALICE').length === 3);
  });

  it('stops reminding of a forecast once the member updates it', async () => {
    expect(
      (await alice.post('/api/markets/rem-moved/forecasts', { probability: 0.7 })).status,
    ).toBe(201);
    clockOffsetMs = 3 * DAY_MS + 10_800_000;
    await until('the fourth reminder', () => slackDms('U0ALICE').length === 4);
    const latest = slackDms('U0ALICE')[3]!;
    expect(latest).not.toContain('rem-moved');
    expect(latest).toContain('rem-multi');
  });
});
