import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  ApplicationCommandOptionType,
  ButtonStyle,
  ComponentType,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
} from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordComponents } from '../../../server/chat/discord/components.ts';
import type { Market } from '../../../shared/schemas/index.ts';
import { discordKeys, discordSigned, type SignedRequest } from '../../helpers/chatSigning.ts';
import { discordLike, type Receiver, startReceiver } from '../../helpers/receiver.ts';
import {
  adminClient,
  Client,
  startServer,
  stateSnapshot,
  type TestServer,
} from '../../helpers/server.ts';

/**
 * Discord's interactions endpoint, end to end: requests signed with Ed25519 exactly as Discord
 * signs them, in the shape Discord sends them, answered over HTTP by the real server.
 */

const PATH = '/api/integrations/discord/interactions';
const { privateKey, publicKeyHex: PUBLIC_KEY_HEX } = discordKeys();
const APP = '1105548120487460914';
const GUILD = '613425648685547541';
const CHANNEL = '1105549431421255720';
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
const nowSeconds = () => Math.floor(Date.now() / 1000);

interface Member {
  id: string;
  username: string;
  globalName: string | null;
}
// One member per area of the tests: each may take 30 actions a minute.
const TRADER: Member = { id: '80351110224678912', username: 'nelly', globalName: 'Nelly' };
const NEWCOMER: Member = { id: '80351110224678913', username: 'newbie', globalName: null };
const CLICKER: Member = { id: '80351110224678914', username: 'clicky', globalName: 'Clicky' };
const ADMIN_MEMBER: Member = { id: '80351110224678915', username: 'boss', globalName: 'Boss' };
const LEAVER: Member = { id: '80351110224678916', username: 'leaver', globalName: 'Leaver' };

let server: TestServer;
let discordApi: Receiver;
let admin: Client;
let trader: Client;
let clicker: Client;
const discord = () => new Client(server.url);

let nextId = 1_230_000_000_000_000_000n;
const snowflake = () => String(nextId++);

type Json = Record<string, unknown>;

/** An interaction as Discord posts it from a guild channel, fields it adds that we ignore too. */
function interaction(type: InteractionType, member: Member, data: Json, id = snowflake()): Json {
  return {
    app_permissions: '562949953601536',
    application_id: APP,
    attachment_size_limit: 10_485_760,
    authorizing_integration_owners: { '0': GUILD },
    channel: { id: CHANNEL, type: 0, guild_id: GUILD, name: 'forecasting', nsfw: false },
    channel_id: CHANNEL,
    context: 0,
    data,
    entitlements: [],
    guild: { id: GUILD, features: [], locale: 'en-US' },
    guild_id: GUILD,
    guild_locale: 'en-US',
    id,
    locale: 'en-GB',
    member: {
      avatar: null,
      deaf: false,
      flags: 0,
      joined_at: '2024-03-01T10:00:00.000000+00:00',
      mute: false,
      nick: null,
      pending: false,
      permissions: '1099511627775',
      premium_since: null,
      roles: [],
      user: {
        avatar: null,
        discriminator: '0',
        global_name: member.globalName,
        id: member.id,
        public_flags: 0,
        username: member.username,
      },
    },
    token: `aW50ZXJhY3Rpb246${id}OnRva2VuLXRoYXQtZGlzY29yZC1zZW5kcy13aXRoLWVhY2gtaW50ZXJhY3Rpb24`,
    type,
    version: 1,
  };
}

type Option = { name: string; type: ApplicationCommandOptionType; value?: unknown };

function command(member: Member, name: string, options: (Option & { options?: Option[] })[] = []) {
  return interaction(InteractionType.ApplicationCommand, member, {
    guild_id: GUILD,
    id: '1105550000000000001',
    name,
    options,
    type: 1,
  });
}

const str = (name: string, value: string): Option => ({
  name,
  type: ApplicationCommandOptionType.String,
  value,
});

function forecastCommand(member: Member, market: string, probability: number, outcome?: string) {
  return command(member, 'forecast', [
    str('market', market),
    { name: 'probability', type: ApplicationCommandOptionType.Number, value: probability },
    ...(outcome ? [str('outcome', outcome)] : []),
  ]);
}

function parityCommand(member: Member, sub: string, options: Option[] = []) {
  return command(member, 'parity', [
    { name: sub, type: ApplicationCommandOptionType.Subcommand, options },
  ]);
}

/** A press on a button (or a choice in a select) under a message the app posted. */
function press(member: Member, customId: string, values?: string[]) {
  return interaction(InteractionType.MessageComponent, member, {
    component_type: values ? ComponentType.StringSelect : ComponentType.Button,
    custom_id: customId,
    ...(values ? { values } : {}),
  });
}

function submit(member: Member, customId: string, fields: Record<string, string>) {
  return interaction(InteractionType.ModalSubmit, member, {
    custom_id: customId,
    components: Object.entries(fields).map(([id, value]) => ({
      type: ComponentType.ActionRow,
      components: [{ type: ComponentType.TextInput, custom_id: id, value }],
    })),
  });
}

type Signed = SignedRequest;

function signed(payload: Json, opts: { ts?: number; key?: KeyObject } = {}): Signed {
  return discordSigned(opts.key ?? privateKey, JSON.stringify(payload), opts.ts);
}

/** Discord sends no cookie and no Origin. */
function post(req: Signed) {
  return discord().raw('POST', PATH, { body: req.body, origin: false, headers: req.headers });
}

const send = (payload: Json, opts: { ts?: number; key?: KeyObject } = {}) =>
  post(signed(payload, opts));

/** The content of an ephemeral message answer, after checking it is one. */
function ephemeral(r: { status: number; body: any }): string {
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.type).toBe(InteractionResponseType.ChannelMessageWithSource);
  expect(r.body.data.flags).toBe(MessageFlags.Ephemeral);
  expect(r.body.data.allowed_mentions).toEqual({ parse: [] });
  return r.body.data.content;
}

/** The one-time link of a link prompt, checked against the contract. */
function linkUrlOf(r: { status: number; body: any }): string {
  const content = ephemeral(r);
  const button = r.body.data.components[0].components[0];
  expect(button).toMatchObject({ type: ComponentType.Button, style: ButtonStyle.Link });
  expect(button.url).toMatch(
    new RegExp(`^http://localhost:${server.port}/link/[A-Za-z0-9_-]{32}$`),
  );
  expect(content).toContain(button.url);
  return button.url;
}

async function confirm(user: Client, url: string) {
  return user.post(`/api/integrations/links/${url.split('/link/')[1]}`, {});
}

/** Links a Discord member to a Parity account the way a member does: /parity link, open it. */
async function link(member: Member, user: Client): Promise<void> {
  const url = linkUrlOf(await send(parityCommand(member, 'link')));
  const r = await confirm(user, url);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.link).toMatchObject({
    platform: 'discord',
    teamId: GUILD,
    externalUserId: member.id,
    externalName: member.globalName ?? member.username,
  });
}

/** Forecasts are stored as floats: 1 − 0.8 is 0.19999999999999996. */
function expectProbabilities(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, p] of expected.entries()) expect(actual[i], `outcome ${i}`).toBeCloseTo(p, 12);
}

async function forecastsOf(marketId: string): Promise<any[]> {
  const r = await discord().get(`/api/markets/${marketId}/forecasts`);
  expect(r.status).toBe(200);
  return r.body.forecasts;
}

async function marketOf(id: string): Promise<Market> {
  const r = await discord().get(`/api/markets/${id}`);
  expect(r.status).toBe(200);
  return r.body.market;
}

async function createMarket(body: Json): Promise<Market> {
  const r = await admin.post('/api/markets', { closesAt: inDays(30), ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.market;
}

const ELECTION = ['Ada Ames', 'Bo Brown', 'Cy Chen'];

beforeAll(async () => {
  discordApi = await startReceiver(discordLike());
  server = await startServer({
    env: {
      SEED: 'off',
      DISCORD_PUBLIC_KEY: PUBLIC_KEY_HEX,
      DISCORD_API_URL: discordApi.url,
      WEBHOOK_ALLOW_PRIVATE: '1',
    },
  });
  admin = await adminClient(server.url);
  await createMarket({ id: 'lisbon-rain', question: 'Will it rain in Lisbon on Friday?' });
  await createMarket({ id: 'signed-rain', question: 'Will it rain in Porto on Friday?' });
  await createMarket({ id: 'scored-rain', question: 'Will it rain in Faro on Friday?' });
  await createMarket({ id: 'mayor', question: 'Who becomes mayor of Lisbon?', outcomes: ELECTION });
  await createMarket({
    id: 'council',
    question: 'Who chairs the city council?',
    outcomes: ELECTION,
  });
  await createMarket({ id: 'bridge-open', question: 'Will the new bridge open by June?' });
  trader = new Client(server.url);
  await trader.register('discord_nelly');
  clicker = new Client(server.url);
  await clicker.register('discord_clicky');
  await link(TRADER, trader);
  await link(CLICKER, clicker);
});
afterAll(async () => {
  await server?.close();
  await discordApi?.close();
});

describe('signatures', () => {
  it('answers a PING with a PONG', async () => {
    const ping = {
      application_id: APP,
      entitlements: [],
      id: snowflake(),
      token: 'aW50ZXJhY3Rpb246cGluZw',
      type: InteractionType.Ping,
      user: {
        avatar: null,
        discriminator: '0',
        global_name: 'Discord',
        id: '643945264868098049',
        public_flags: 1,
        username: 'discord',
      },
      version: 1,
    };
    const r = await send(ping);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ type: InteractionResponseType.Pong });
  });

  it('refuses a request signed with another key with 401 and records nothing', async () => {
    const before = await stateSnapshot(server.parity);
    const other = generateKeyPairSync('ed25519').privateKey;
    const r = await send(forecastCommand(TRADER, 'signed-rain', 90), { key: other });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthenticated');
    expect(r.body.error.details).toEqual({ reason: 'mismatch' });
    expect(await stateSnapshot(server.parity)).toEqual(before);
    expect(await forecastsOf('signed-rain')).toEqual([]);
  });

  it('refuses a body other than the one signed', async () => {
    const good = signed(forecastCommand(TRADER, 'signed-rain', 10));
    const tampered = { ...good, body: good.body.replace('"value":10', '"value":99') };
    expect(tampered.body).not.toBe(good.body);
    const r = await post(tampered);
    expect(r.status).toBe(401);
    expect(r.body.error.details).toEqual({ reason: 'mismatch' });
    expect(await forecastsOf('signed-rain')).toEqual([]);
  });

  it('refuses requests stamped more than five minutes away, past or future', async () => {
    for (const ts of [nowSeconds() - 5 * 60 - 30, nowSeconds() + 5 * 60 + 30]) {
      const r = await send(forecastCommand(TRADER, 'signed-rain', 90), { ts });
      expect(r.status, String(ts)).toBe(401);
      expect(r.body.error.details).toEqual({ reason: 'stale' });
    }
    expect(await forecastsOf('signed-rain')).toEqual([]);
  });

  it('refuses requests without the signature headers', async () => {
    const full = signed(forecastCommand(TRADER, 'signed-rain', 90));
    const cases: Record<string, string>[] = [
      { 'content-type': 'application/json' },
      {
        'content-type': 'application/json',
        'x-signature-timestamp': full.headers['x-signature-timestamp']!,
      },
      {
        'content-type': 'application/json',
        'x-signature-ed25519': full.headers['x-signature-ed25519']!,
      },
    ];
    for (const headers of cases) {
      const r = await post({ body: full.body, headers });
      expect(r.status, JSON.stringify(headers)).toBe(401);
      expect(r.body.error.details).toEqual({ reason: 'missing' });
    }
    expect(await forecastsOf('signed-rain')).toEqual([]);
  });

  it('accepts a signed request once and refuses its exact replay', async () => {
    const req = signed(forecastCommand(TRADER, 'signed-rain', 35));
    const first = await post(req);
    expect(ephemeral(first)).toMatch(
      /^Recorded your forecast on “Will it rain in Porto on Friday\?”: Yes 35%/,
    );
    const before = await stateSnapshot(server.parity);
    const replay = await post(req);
    expect(replay.status).toBe(401);
    expect(replay.body.error.details).toEqual({ reason: 'replayed' });
    expect(await stateSnapshot(server.parity)).toEqual(before);
    const forecasts = await forecastsOf('signed-rain');
    expect(forecasts).toHaveLength(1);
    expectProbabilities(forecasts[0].probabilities, [0.35, 0.65]);
  });

  it('accepts a request four minutes old', async () => {
    const r = await send(press(TRADER, 'pf:signed-rain'), { ts: nowSeconds() - 4 * 60 });
    expect(r.status).toBe(200);
    expect(r.body.type).toBe(InteractionResponseType.Modal);
  });
});

describe('linking and /forecast', () => {
  let newcomer: Client;

  it('answers an unlinked member with a one-time link and records nothing', async () => {
    const before = await stateSnapshot(server.parity);
    const r = await send(forecastCommand(NEWCOMER, 'scored-rain', 80));
    const url = linkUrlOf(r);
    expect(ephemeral(r)).toBe(
      `Link your account first; nothing was recorded. Open this link while signed in to Parity to link your Discord account (valid 10 minutes, once): ${url}`,
    );
    expect(await stateSnapshot(server.parity)).toEqual(before);
    expect(await forecastsOf('scored-rain')).toEqual([]);
  });

  it('links the member through the code, once, and then records the forecast', async () => {
    newcomer = new Client(server.url);
    await newcomer.register('discord_newbie');
    const url = linkUrlOf(await send(parityCommand(NEWCOMER, 'link')));
    // Opening the link shows what it binds before the member confirms.
    const preview = await newcomer.get(`/api/integrations/links/${url.split('/link/')[1]}`);
    expect(preview.body.identity).toEqual({
      platform: 'discord',
      teamId: GUILD,
      externalUserId: NEWCOMER.id,
      // No global name: the username stands in.
      externalName: 'newbie',
    });
    expect((await confirm(newcomer, url)).status).toBe(200);
    expect((await confirm(newcomer, url)).status).toBe(404);

    const r = await send(forecastCommand(NEWCOMER, 'scored-rain', 80));
    expect(ephemeral(r)).toBe(
      'Recorded your forecast on “Will it rain in Faro on Friday?”: Yes 80%. Now: community forecast Yes 80% (1 forecaster); market Yes 50%.',
    );
    const forecasts = await forecastsOf('scored-rain');
    expect(forecasts).toHaveLength(1);
    expect(forecasts[0].username).toBe('discord_newbie');
    expectProbabilities(forecasts[0].probabilities, [0.8, 0.2]);
  });

  it('scores the linked member once the market resolves', async () => {
    const r = await admin.post('/api/markets/scored-rain/resolve', { outcomeId: 'yes' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const scores = await discord().get('/api/markets/scored-rain/scores');
    expect(scores.status).toBe(200);
    const mine = scores.body.users.find((u: any) => u.username === 'discord_newbie');
    // One forecast, 80% on Yes, which happened: Brier (0.8 − 1)² = 0.04, log ln 0.8.
    expect(mine.brier).toBeCloseTo(0.04, 10);
    expect(mine.log).toBeCloseTo(Math.log(0.8), 10);
  });

  it('changes nothing for the same interaction twice, even freshly signed', async () => {
    const payload = forecastCommand(NEWCOMER, 'lisbon-rain', 62);
    // Ed25519 signatures are deterministic: the retry's timestamp is set apart from the first's,
    // or a retry in the next second could carry the very same signature (a replay).
    const ts = nowSeconds();
    expect(ephemeral(await send(payload, { ts }))).toMatch(/^Recorded your forecast/);
    const before = await stateSnapshot(server.parity);
    // Discord's retry: the same interaction id, a new timestamp and so a new signature.
    const again = await send(payload, { ts: ts - 1 });
    expect(ephemeral(again)).toBe('That was done already (the request arrived twice).');
    expect(await stateSnapshot(server.parity)).toEqual(before);
    const mine = (await forecastsOf('lisbon-rain')).filter((f) => f.username === 'discord_newbie');
    expect(mine).toHaveLength(1);
    expectProbabilities(mine[0].probabilities, [0.62, 0.38]);
  });

  it('records a multiple-choice forecast for the outcome named', async () => {
    const r = await send(forecastCommand(NEWCOMER, 'mayor', 60, 'bo brown'));
    expect(ephemeral(r)).toMatch(
      /^Recorded your forecast on “Who becomes mayor of Lisbon\?”: Bo Brown 60%, Ada Ames 20%, Cy Chen 20%\./,
    );
    const [f] = await forecastsOf('mayor');
    // The other 40% split as the market's odds (a third each) stand: 20% and 20%.
    expectProbabilities(f.probabilities, [0.2, 0.6, 0.2]);
  });

  it('asks for the outcome when a multiple-choice forecast names none', async () => {
    const r = await send(forecastCommand(NEWCOMER, 'council', 60));
    expect(ephemeral(r)).toBe(
      'Name the outcome: /forecast council <outcome> 60% (Ada Ames, Bo Brown, Cy Chen).',
    );
    expect(await forecastsOf('council')).toEqual([]);
  });

  it('turns reminders off with /parity reminders', async () => {
    const r = await send(
      parityCommand(NEWCOMER, 'reminders', [
        { name: 'enabled', type: ApplicationCommandOptionType.Boolean, value: false },
      ]),
    );
    expect(ephemeral(r)).toBe('Reminders are off.');
    expect((await newcomer.get('/api/me/chat')).body.reminders).toBe(false);
  });
});

describe('buttons and modals', () => {
  it('opens the forecast modal from the Forecast button and records what is submitted', async () => {
    const r = await send(press(CLICKER, 'pf:lisbon-rain'));
    expect(r.status).toBe(200);
    expect(r.body.type).toBe(InteractionResponseType.Modal);
    expect(r.body.data.custom_id).toBe('mf:lisbon-rain');
    expect(r.body.data.title).toBe('Forecast: Will it rain in Lisbon on Friday?');
    expect(r.body.data.components).toEqual([
      {
        type: ComponentType.ActionRow,
        components: [
          expect.objectContaining({ type: ComponentType.TextInput, custom_id: 'p', value: '50' }),
        ],
      },
    ]);
    const done = await send(submit(CLICKER, 'mf:lisbon-rain', { p: '70%' }));
    expect(ephemeral(done)).toMatch(
      /^Recorded your forecast on “Will it rain in Lisbon on Friday\?”: Yes 70%/,
    );
    const mine = (await forecastsOf('lisbon-rain')).filter((f) => f.username === 'discord_clicky');
    expect(mine).toHaveLength(1);
    expectProbabilities(mine[0].probabilities, [0.7, 0.3]);
  });

  it('asks for the outcome in the multiple-choice modal', async () => {
    const r = await send(press(CLICKER, 'pf:council'));
    expect(r.body.type).toBe(InteractionResponseType.Modal);
    expect(r.body.data.custom_id).toBe('mf:council');
    expect(r.body.data.components.map((row: any) => row.components[0].custom_id)).toEqual([
      'o',
      'p',
    ]);
    expect(r.body.data.components[0].components[0].placeholder).toBe('Ada Ames, Bo Brown, Cy Chen');
    const done = await send(submit(CLICKER, 'mf:council', { o: 'cy chen', p: '40' }));
    expect(ephemeral(done)).toMatch(
      /^Recorded your forecast on “Who chairs the city council\?”: Cy Chen 40%/,
    );
    const [f] = await forecastsOf('council');
    expectProbabilities(f.probabilities, [0.3, 0.3, 0.4]);
  });

  it('refuses a probability out of range in the modal and records nothing', async () => {
    const before = await stateSnapshot(server.parity);
    const r = await send(submit(CLICKER, 'mf:lisbon-rain', { p: '150' }));
    expect(ephemeral(r)).toBe('A probability is a percentage from 0 to 100.');
    expect(await stateSnapshot(server.parity)).toEqual(before);
  });

  it('buys from the Buy modal: 25 credits is a trade of 2500 cents', async () => {
    const r = await send(press(CLICKER, 'pb:bridge-open:0'));
    expect(r.body.type).toBe(InteractionResponseType.Modal);
    expect(r.body.data.custom_id).toBe('mb:bridge-open:0');
    expect(r.body.data.title).toBe('Buy Yes');
    expect(r.body.data.components[0].components[0]).toMatchObject({ custom_id: 'a', value: '10' });

    const balanceBefore = (await clicker.get('/api/me')).body.user.balanceCents;
    const done = await send(submit(CLICKER, 'mb:bridge-open:0', { a: '25' }));
    // From 50% with b = 100, 25 credits buy s with 100·ln((e^(s/100) + 1)/2) = 25:
    // s = 100·ln(2e^0.25 − 1) = 44.98 shares.
    expect(ephemeral(done)).toMatch(
      /^Bought 44\.98 Yes shares in “Will the new bridge open by June\?” for 25(\.00)? credits\./,
    );
    const trades = (await discord().get('/api/markets/bridge-open/trades')).body.trades;
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({
      username: 'discord_clicky',
      outcomeId: 'yes',
      costCents: 2500,
    });
    expect(trades[0].shares).toBeCloseTo(100 * Math.log(2 * Math.exp(0.25) - 1), 6);
    expect((await clicker.get('/api/me')).body.user.balanceCents).toBe(balanceBefore - 2500);
  });

  it('refuses an amount that is not credits and trades nothing', async () => {
    const before = await stateSnapshot(server.parity);
    const r = await send(submit(CLICKER, 'mb:bridge-open:1', { a: 'lots' }));
    expect(ephemeral(r)).toBe('An amount of credits, like 25 or 12.50.');
    expect(await stateSnapshot(server.parity)).toEqual(before);
  });
});

describe('admin actions', () => {
  let adminDiscord: Client;
  beforeAll(async () => {
    adminDiscord = await adminClient(server.url);
    await link(ADMIN_MEMBER, adminDiscord);
    await createMarket({ id: 'admin-rain', question: 'Will it rain in Braga on Friday?' });
  });

  it('refuses the admin select to a trader and leaves the market open', async () => {
    const before = await stateSnapshot(server.parity);
    for (const verb of ['close', 'resolve']) {
      const r = await send(press(TRADER, 'pa:admin-rain', [verb]));
      expect(ephemeral(r)).toBe(`Only admins can ${verb} markets.`);
    }
    expect(ephemeral(await send(press(TRADER, 'cc:admin-rain')))).toBe(
      'Only admins can close markets.',
    );
    expect(ephemeral(await send(press(TRADER, 'rc:admin-rain:0')))).toBe(
      'Only admins can resolve markets.',
    );
    expect((await marketOf('admin-rain')).status).toBe('open');
    expect(await stateSnapshot(server.parity)).toEqual(before);
  });

  it('closes a market through the select and its confirmation button', async () => {
    const r = await send(press(ADMIN_MEMBER, 'pa:admin-rain', ['close']));
    expect(ephemeral(r)).toBe(
      'Close trading on “Will it rain in Braga on Friday?”? Trading stops for everyone.',
    );
    const button = r.body.data.components[0].components[0];
    expect(button).toMatchObject({
      type: ComponentType.Button,
      style: ButtonStyle.Danger,
      custom_id: 'cc:admin-rain',
    });
    expect((await marketOf('admin-rain')).status).toBe('open');

    const done = await send(press(ADMIN_MEMBER, button.custom_id));
    expect(ephemeral(done)).toBe(
      'Closed “Will it rain in Braga on Friday?”. Trading has stopped; resolve it when the answer is known.',
    );
    expect((await marketOf('admin-rain')).status).toBe('closed');
  });

  it('resolves a market through the select, the outcome select and the confirmation', async () => {
    const r = await send(press(ADMIN_MEMBER, 'pa:admin-rain', ['resolve']));
    expect(ephemeral(r)).toBe('Resolve “Will it rain in Braga on Friday?”: what happened?');
    const select = r.body.data.components[0].components[0];
    expect(select.custom_id).toBe('rs:admin-rain');
    expect(select.options).toEqual([
      { label: 'Yes', value: '0' },
      { label: 'No', value: '1' },
      { label: 'Cancel the market and refund everyone', value: 'cancel' },
    ]);

    const chosen = await send(press(ADMIN_MEMBER, select.custom_id, ['1']));
    expect(ephemeral(chosen)).toMatch(/^Resolve “Will it rain in Braga on Friday\?” as No\?/);
    const button = chosen.body.data.components[0].components[0];
    expect(button.custom_id).toBe('rc:admin-rain:1');
    expect((await marketOf('admin-rain')).status).toBe('closed');

    const done = await send(press(ADMIN_MEMBER, button.custom_id));
    expect(ephemeral(done)).toBe(
      'Resolved “Will it rain in Braga on Friday?” as No; 0 traders paid.',
    );
    const m = await marketOf('admin-rain');
    expect(m.status).toBe('resolved');
    expect(m.resolution?.outcomeId).toBe('no');
  });

  it('answers that a resolved market is resolved when Forecast or Buy is pressed', async () => {
    const text =
      '“Will it rain in Braga on Friday?” is resolved: there is nothing left to trade or forecast.';
    expect(ephemeral(await send(press(CLICKER, 'pf:admin-rain')))).toBe(text);
    expect(ephemeral(await send(press(CLICKER, 'pb:admin-rain:0')))).toBe(text);
  });

  it('cancels a market from the resolve select', async () => {
    await createMarket({ id: 'admin-cancel', question: 'Will the ferry strike end?' });
    const chosen = await send(press(ADMIN_MEMBER, 'rs:admin-cancel', ['cancel']));
    expect(ephemeral(chosen)).toMatch(/as cancelled \(everyone refunded\)\?/);
    expect(chosen.body.data.components[0].components[0].custom_id).toBe('rc:admin-cancel:cancel');
    const done = await send(press(ADMIN_MEMBER, 'rc:admin-cancel:cancel'));
    expect(ephemeral(done)).toBe(
      'Cancelled “Will the ferry strike end?”: every trader was refunded.',
    );
    expect((await marketOf('admin-cancel')).status).toBe('cancelled');
  });

  it('keeps the resolve select and its buttons within Discord limits at the longest id', async () => {
    const id = `m${'-x'.repeat(39)}9`;
    expect(id).toHaveLength(80);
    const labels = Array.from(
      { length: 20 },
      (_, i) => `Outcome number ${i + 1} ${'z'.repeat(60)}`,
    );
    await createMarket({
      id,
      question: 'Which of twenty long outcomes happens?',
      outcomes: labels,
    });
    const r = await send(press(ADMIN_MEMBER, `pa:${id}`, ['resolve']));
    const select = r.body.data.components[0].components[0];
    expect(select.custom_id).toBe(`rs:${id}`);
    expect(select.options).toHaveLength(21);
    for (const o of select.options) expect(o.label.length).toBeLessThanOrEqual(100);
    const chosen = await send(press(ADMIN_MEMBER, `rs:${id}`, ['19']));
    const confirmId: string = chosen.body.data.components[0].components[0].custom_id;
    expect(confirmId).toBe(`rc:${id}:19`);
    expect(`rc:${id}:cancel`.length).toBeLessThanOrEqual(100);
    const done = await send(press(ADMIN_MEMBER, confirmId));
    expect(ephemeral(done)).toMatch(
      /^Resolved “Which of twenty long outcomes happens\?” as Outcome number 20/,
    );
    expect((await marketOf(id)).status).toBe('resolved');
  });
});

describe('/odds and /parity unlink', () => {
  it('answers /odds with an embed per matching market', async () => {
    const r = await send(command(LEAVER, 'odds', [str('query', 'bridge')]));
    expect(ephemeral(r)).toBe('Odds for “bridge”');
    const m = await marketOf('bridge-open');
    const yes = Math.round(m.outcomes[0]!.probability * 100);
    expect(r.body.data.embeds).toEqual([
      {
        title: 'Will the new bridge open by June?',
        url: `http://localhost:${server.port}/markets/bridge-open`,
        description: `Yes ${yes}% · closes ${m.closesAt.slice(0, 10)}`,
      },
    ]);
  });

  it('says so when /odds matches nothing', async () => {
    const r = await send(command(LEAVER, 'odds', [str('query', 'quantum teleportation')]));
    expect(ephemeral(r)).toBe(
      'No open market matches “quantum teleportation”. Try /odds alone for the top movers.',
    );
  });

  it('asks to link again after /parity unlink', async () => {
    const leaver = new Client(server.url);
    await leaver.register('discord_leaver');
    await link(LEAVER, leaver);
    expect((await leaver.get('/api/me/chat')).body.links).toHaveLength(1);
    expect(ephemeral(await send(parityCommand(LEAVER, 'unlink')))).toBe(
      'Unlinked: this Discord account no longer acts for a Parity account.',
    );
    expect((await leaver.get('/api/me/chat')).body.links).toEqual([]);
    const r = await send(forecastCommand(LEAVER, 'lisbon-rain', 20));
    expect(ephemeral(r)).toMatch(/^Link your account first; nothing was recorded\./);
    linkUrlOf(r);
    expect((await forecastsOf('lisbon-rain')).some((f) => f.username === 'discord_leaver')).toBe(
      false,
    );
    expect(ephemeral(await send(parityCommand(LEAVER, 'unlink')))).toBe(
      'This Discord account was not linked.',
    );
  });
});

describe('discordComponents', () => {
  const LONG_ID = `a${'-b'.repeat(39)}c`;
  function market(over: Partial<Market>): Market {
    return {
      id: LONG_ID,
      question: 'Which of twenty outcomes happens?',
      description: '',
      type: 'binary',
      outcomes: [
        { id: 'yes', label: 'Yes', probability: 0.5, shares: 0 },
        { id: 'no', label: 'No', probability: 0.5, shares: 0 },
      ],
      liquidity: 100,
      status: 'open',
      createdAt: '2026-01-01T00:00:00.000Z',
      closesAt: '2027-01-01T00:00:00.000Z',
      volumeCents: 0,
      seq: 1,
      resolution: null,
      claims: [],
      ...over,
    };
  }
  const twenty = Array.from({ length: 20 }, (_, i) => ({
    id: `o${i}`,
    label: `A very long outcome label number ${i} ${'y'.repeat(70)}`,
    probability: 1 / 20,
    shares: 0,
  }));
  const customIds = (rows: ReturnType<typeof discordComponents>) =>
    rows.flatMap((r) => r.components.map((c) => ('custom_id' in c ? c.custom_id : '')));

  it('gives an open binary market Forecast, a Buy per outcome and the admin select', () => {
    expect(LONG_ID).toHaveLength(80);
    const rows = discordComponents(market({}));
    expect(customIds(rows)).toEqual([
      `pf:${LONG_ID}`,
      `pb:${LONG_ID}:0`,
      `pb:${LONG_ID}:1`,
      `pa:${LONG_ID}`,
    ]);
    expect(rows[0]!.components.map((c) => ('label' in c ? c.label : ''))).toEqual([
      'Forecast',
      'Buy Yes',
      'Buy No',
    ]);
    const select = rows[1]!.components[0]!;
    expect('options' in select && select.options.map((o) => o.value)).toEqual(['close', 'resolve']);
  });

  it('keeps every id and label within Discord limits for twenty long outcomes', () => {
    for (const status of ['open', 'closed', 'resolved', 'cancelled'] as const) {
      const rows = discordComponents(market({ type: 'multiple', outcomes: twenty, status }));
      expect(rows.length).toBeLessThanOrEqual(5);
      for (const row of rows) {
        expect(row.components.length).toBeLessThanOrEqual(5);
        for (const c of row.components) {
          if ('custom_id' in c) expect(c.custom_id.length, status).toBeLessThanOrEqual(100);
          if ('label' in c && c.label) expect(c.label.length).toBeLessThanOrEqual(80);
        }
      }
    }
    // The longest ids the flow builds from a posted message stay within 100 characters too.
    for (const id of [
      `pb:${LONG_ID}:19`,
      `mb:${LONG_ID}:19`,
      `rc:${LONG_ID}:19`,
      `rc:${LONG_ID}:cancel`,
    ]) {
      expect(id.length).toBeLessThanOrEqual(100);
    }
  });

  it('offers only Resolve on a closed market and nothing on a settled one', () => {
    const closed = discordComponents(market({ status: 'closed' }));
    expect(customIds(closed)).toEqual([`pa:${LONG_ID}`]);
    const select = closed[0]!.components[0]!;
    expect('options' in select && select.options).toEqual([
      { label: 'Resolve…', value: 'resolve' },
    ]);
    expect(discordComponents(market({ status: 'resolved' }))).toEqual([]);
    expect(discordComponents(market({ status: 'cancelled' }))).toEqual([]);
  });

  it('gives a multiple-choice market Forecast but no Buy buttons', () => {
    const rows = discordComponents(market({ type: 'multiple', outcomes: twenty }));
    expect(customIds(rows)).toEqual([`pf:${LONG_ID}`, `pa:${LONG_ID}`]);
  });
});
