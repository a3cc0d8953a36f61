import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordKeys } from '../../helpers/chatSigning.ts';
import { discordLike, type Receiver, slackApiLike, startReceiver } from '../../helpers/receiver.ts';
import { adminClient, type Client, startServer, type TestServer } from '../../helpers/server.ts';

/**
 * The buttons on the messages Parity posts: present while the app can answer them (Slack's
 * signing secret, Discord's public key), changing with the market's status through live edits,
 * and gone once the market is settled.
 */

const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
const PUBLIC_KEY_HEX = discordKeys().publicKeyHex;

interface Running {
  server: TestServer;
  rx: Receiver;
  admin: Client;
}

async function start(interactive: boolean): Promise<Running> {
  const discord = discordLike();
  const slack = slackApiLike();
  const rx = await startReceiver((req) =>
    req.path.startsWith('/slack-api/') ? slack(req) : discord(req),
  );
  const server = await startServer({
    env: {
      SEED: 'off',
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_POLL_MS: '20',
      WEBHOOK_RETRY_BASE_MS: '50',
      LIVE_EDIT_INTERVAL_MS: '50',
      DISCORD_API_URL: `${rx.url}/discord-api`,
      SLACK_API_URL: `${rx.url}/slack-api`,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      ...(interactive
        ? { SLACK_SIGNING_SECRET: 'posted-actions-secret', DISCORD_PUBLIC_KEY: PUBLIC_KEY_HEX }
        : {}),
    },
  });
  const admin = await adminClient(server.url);
  for (const body of [
    { kind: 'slack', mode: 'live', url: 'https://hooks.slack.com/services/T0/B0/XX?channel=C0' },
    { kind: 'discord', mode: 'live', url: 'https://discord.com/api/webhooks/1/tok' },
  ]) {
    const r = await admin.post('/api/integrations/webhooks', body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  return { server, rx, admin };
}

let on: Running;
let off: Running;

beforeAll(async () => {
  [on, off] = await Promise.all([start(true), start(false)]);
});
afterAll(async () => {
  for (const r of [on, off]) {
    await r?.server.close();
    await r?.rx.close();
  }
});

/** The latest Slack message for the market (post or edit), and its actions block. */
function slackLatest(rx: Receiver) {
  const all = [...rx.to('/slack-api/chat.postMessage'), ...rx.to('/slack-api/chat.update')].sort(
    (a, b) => a.at - b.at,
  );
  const last = all.at(-1)?.json as { blocks: { type: string }[] } | undefined;
  return last && { blocks: last.blocks, actions: last.blocks.find((b) => b.type === 'actions') };
}

/** The latest Discord message body (post or edit). */
function discordLatest(rx: Receiver) {
  const all = rx.requests
    .filter((r) => r.path.startsWith('/discord-api/webhooks/1/tok'))
    .sort((a, b) => a.at - b.at);
  return all.at(-1)?.json as { components: unknown[] } | undefined;
}

const buttons = (actions: any) =>
  actions.elements.map((e: any) =>
    e.type === 'button'
      ? [e.text.text, e.action_id, e.value]
      : ['overflow', e.options.map((o: any) => o.text.text)],
  );

const discordControls = (components: any[]) =>
  components.flatMap((row: any) =>
    row.components.map((c: any) => [c.label ?? c.placeholder, c.custom_id]),
  );

describe('buttons on posted messages', () => {
  it('puts Forecast, Buy Yes, Buy No and the admin menu on an open market', async () => {
    const r = await on.admin.post('/api/markets', {
      id: 'posted-bin',
      question: 'Will the posted message carry buttons?',
      closesAt: inDays(9),
    });
    expect(r.status).toBe(201);
    await on.rx.waitFor(() => slackLatest(on.rx)?.actions !== undefined);
    expect(buttons(slackLatest(on.rx)!.actions)).toEqual([
      ['Forecast', 'parity_forecast', 'posted-bin'],
      ['Buy Yes', 'parity_buy_0', 'posted-bin:0'],
      ['Buy No', 'parity_buy_1', 'posted-bin:1'],
      ['overflow', ['Close trading', 'Resolve…']],
    ]);
    await on.rx.waitFor(() => (discordLatest(on.rx)?.components.length ?? 0) > 0);
    const controls = discordControls(discordLatest(on.rx)!.components);
    expect(controls.map((c: string[]) => c[1])).toEqual(
      expect.arrayContaining(['pf:posted-bin', 'pb:posted-bin:0', 'pb:posted-bin:1']),
    );
    expect(controls.some((c: string[]) => c[1]!.startsWith('pa:'))).toBe(true);
  });

  it('leaves only Resolve once trading closes, and no buttons once resolved', async () => {
    expect((await on.admin.post('/api/markets/posted-bin/close', {})).status).toBe(200);
    await on.rx.waitFor(() => {
      const a = slackLatest(on.rx)?.actions;
      return a !== undefined && buttons(a).length === 1;
    }, 3000);
    expect(buttons(slackLatest(on.rx)!.actions)).toEqual([['overflow', ['Resolve…']]]);
    // Slack's edit and Discord's go out independently: wait for Discord's too.
    const tradable = () =>
      discordControls(discordLatest(on.rx)!.components).some(
        (c: string[]) => c[1]!.startsWith('pf:') || c[1]!.startsWith('pb:'),
      );
    await on.rx.waitFor(() => !tradable(), 3000);
    expect(
      discordControls(discordLatest(on.rx)!.components).some((c: string[]) =>
        c[1]!.startsWith('pa:'),
      ),
    ).toBe(true);

    expect(
      (await on.admin.post('/api/markets/posted-bin/resolve', { outcomeId: 'yes' })).status,
    ).toBe(200);
    await on.rx.waitFor(() => slackLatest(on.rx)?.actions === undefined, 3000);
    await on.rx.waitFor(() => discordLatest(on.rx)?.components.length === 0, 3000);
  });

  it('offers Forecast and one Buy… on a multiple-choice market', async () => {
    const r = await on.admin.post('/api/markets', {
      id: 'posted-multi',
      question: 'Which posted outcome?',
      outcomes: ['Alpha', 'Beta', 'Gamma'],
      closesAt: inDays(9),
    });
    expect(r.status).toBe(201);
    await on.rx.waitFor(() => {
      const a = slackLatest(on.rx)?.actions as any;
      return a?.block_id === 'parity_actions:posted-multi';
    });
    expect(buttons(slackLatest(on.rx)!.actions)).toEqual([
      ['Forecast', 'parity_forecast', 'posted-multi'],
      ['Buy…', 'parity_buy_any', 'posted-multi:0'],
      ['overflow', ['Close trading', 'Resolve…']],
    ]);
  });

  it('posts no buttons where Slack and Discord cannot send their presses back', async () => {
    const r = await off.admin.post('/api/markets', {
      id: 'posted-plain',
      question: 'Will a plain message carry buttons?',
      closesAt: inDays(9),
    });
    expect(r.status).toBe(201);
    await off.rx.waitFor(() => slackLatest(off.rx) !== undefined);
    await off.rx.waitFor(() => discordLatest(off.rx) !== undefined);
    expect(slackLatest(off.rx)!.actions).toBeUndefined();
    expect(discordLatest(off.rx)!.components).toEqual([]);
  });
});
