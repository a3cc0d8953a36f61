import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../../helpers/receiver.ts';
import { adminClient, Client, startServer, type TestServer } from '../../helpers/server.ts';

/**
 * Slack both ways: signed commands and interactions exactly as Slack sends them, against a
 * local stand-in of the Slack Web API (views.open, chat.postEphemeral, response_url).
 */

const SECRET = 'slack-signing-secret';
const TEAM = 'T0TEAM';
const BINARY = 'chip-export-ban';
const MULTI = 'top-lab-2027';
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

let server: TestServer;
let slackApi: Receiver;
let admin: Client;
let slack: Client;
let seq = 0;

/** Slack's Web API: every method answers ok (chat.postMessage with a channel and ts). */
function webApi(): Parameters<typeof startReceiver>[0] {
  return (req) => {
    if (!req.path.startsWith('/api/')) return undefined;
    const form = new URLSearchParams(req.body);
    return { body: { ok: true, channel: form.get('channel'), ts: '1700000000.000100' } };
  };
}

/** The calls made to one Web API method, their form fields decoded. */
function calls(method: string): Record<string, any>[] {
  return slackApi.to(`/api/${method}`).map((r) => {
    const out: Record<string, any> = {};
    const fields = r.json ?? Object.fromEntries(new URLSearchParams(r.body));
    for (const [k, v] of Object.entries(fields)) {
      try {
        out[k] = typeof v === 'string' && /^[[{]/.test(v) ? JSON.parse(v) : v;
      } catch {
        out[k] = v;
      }
    }
    return out;
  });
}

beforeAll(async () => {
  slackApi = await startReceiver(webApi());
  server = await startServer({
    env: {
      SEED: 'off',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_API_URL: `${slackApi.url}/api`,
      WEBHOOK_ALLOW_PRIVATE: '1',
    },
  });
  admin = await adminClient(server.url);
  expect(
    (
      await admin.post('/api/markets', {
        id: BINARY,
        question: 'Will the US tighten chip export controls by 2026?',
        tags: ['chips'],
        closesAt: inDays(30),
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await admin.post('/api/markets', {
        id: MULTI,
        question: 'Which lab leads the open-weights leaderboard in 2027?',
        outcomes: ['DeepSeek', 'Qwen', 'Moonshot AI'],
        closesAt: inDays(30),
      })
    ).status,
  ).toBe(201);
  // Slack sends no cookie and no Origin.
  slack = new Client(server.url);
});
afterAll(async () => {
  await server.close();
  await slackApi.close();
});

interface Signed {
  body: string;
  ts?: number;
  signature?: string;
  headers?: Record<string, string>;
}

function sign(body: string, ts: number, secret = SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

function send(path: string, s: Signed) {
  const ts = s.ts ?? Math.floor(Date.now() / 1000);
  return slack.raw('POST', `/api/integrations/slack/${path}`, {
    body: s.body,
    origin: false,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': s.signature ?? sign(s.body, ts),
      ...s.headers,
    },
  });
}

function commandBody(command: string, text: string, user = 'U0ALICE', trigger = `tr.${++seq}`) {
  return new URLSearchParams({
    token: 'legacy-ignored',
    team_id: TEAM,
    team_domain: 'acme',
    channel_id: 'C0FORECAST',
    channel_name: 'forecasting',
    user_id: user,
    user_name: user.toLowerCase(),
    command,
    text,
    api_app_id: 'A0PARITY',
    is_enterprise_install: 'false',
    response_url: `${slackApi.url}/commands/${TEAM}/${seq}`,
    trigger_id: trigger,
  }).toString();
}

const command = (c: string, text: string, user?: string, trigger?: string) =>
  send('command', { body: commandBody(c, text, user, trigger) });

function interaction(payload: unknown) {
  return send('interactions', {
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
  });
}

function blockAction(user: string, action: Record<string, unknown>) {
  return interaction({
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM },
    api_app_id: 'A0PARITY',
    token: 'legacy-ignored',
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0FORECAST' },
    trigger_id: `tr.${++seq}`,
    team: { id: TEAM, domain: 'acme' },
    channel: { id: 'C0FORECAST', name: 'forecasting' },
    response_url: `${slackApi.url}/actions/${TEAM}/${seq}`,
    actions: [{ type: 'button', block_id: 'b1', action_ts: '1700000001.0', ...action }],
  });
}

function submitView(user: string, view: any, values: Record<string, Record<string, unknown>>) {
  return interaction({
    type: 'view_submission',
    team: { id: TEAM, domain: 'acme' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM },
    api_app_id: 'A0PARITY',
    trigger_id: `tr.${++seq}`,
    view: {
      id: `V${++seq}`,
      team_id: TEAM,
      type: 'modal',
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      hash: '1700000000.abc',
      state: { values },
    },
  });
}

/** Links a Slack member to a Parity user through `/parity link` and the link page's POST. */
async function link(user: string, as: Client): Promise<void> {
  const r = await command('/parity', 'link', user);
  expect(r.status).toBe(200);
  const code = /\/link\/([A-Za-z0-9_-]{32})/.exec(JSON.stringify(r.body))![1]!;
  expect((await as.get(`/api/integrations/links/${code}`)).body.identity).toMatchObject({
    platform: 'slack',
    teamId: TEAM,
    externalUserId: user,
  });
  expect((await as.post(`/api/integrations/links/${code}`, {})).status).toBe(200);
}

async function forecastsOf(marketId: string): Promise<any[]> {
  return (await admin.get(`/api/markets/${marketId}/forecasts`)).body.forecasts;
}

describe('signatures', () => {
  it('refuses forged, stale and replayed requests with 401 and records nothing', async () => {
    const before = (await forecastsOf(BINARY)).length;
    const body = commandBody('/forecast', `${BINARY} 70%`);
    const forged = await send('command', { body, signature: sign(body, Date.now() / 1000, 'x') });
    expect(forged.status).toBe(401);
    const stale = await send('command', { body, ts: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.status).toBe(401);
    expect(stale.body.error.details.reason).toBe('stale');
    const missing = await slack.raw('POST', '/api/integrations/slack/interactions', {
      body: 'payload=%7B%7D',
      origin: false,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(missing.status).toBe(401);
    const ts = Math.floor(Date.now() / 1000);
    const first = await send('command', { body: commandBody('/odds', 'chip'), ts });
    expect(first.status).toBe(200);
    const again = await send('command', { body: commandBody('/odds', 'chip'), ts });
    // A different body (seq moved): signed anew, so not a replay.
    expect(again.status).toBe(200);
    const exact = commandBody('/odds', 'chips');
    expect((await send('command', { body: exact, ts })).status).toBe(200);
    const replay = await send('command', { body: exact, ts });
    expect(replay.status).toBe(401);
    expect(replay.body.error.details.reason).toBe('replayed');
    expect((await forecastsOf(BINARY)).length).toBe(before);
  });
});

describe('linking and /forecast', () => {
  let alice: Client;
  beforeAll(async () => {
    alice = new Client(server.url);
    await alice.register('alice_slack');
  });

  it('answers an unlinked member with a one-time link and records nothing', async () => {
    const r = await command('/forecast', `${BINARY} 65%`, 'U0NOBODY');
    expect(r.status).toBe(200);
    expect(r.body.response_type).toBe('ephemeral');
    expect(JSON.stringify(r.body)).toMatch(/\/link\/[A-Za-z0-9_-]{32}/);
    expect(await forecastsOf(BINARY)).toHaveLength(0);
  });

  it('links once: the URL is single use', async () => {
    const r = await command('/parity', 'link', 'U0ALICE');
    const code = /\/link\/([A-Za-z0-9_-]{32})/.exec(JSON.stringify(r.body))![1]!;
    expect((await new Client(server.url).get(`/api/integrations/links/${code}`)).status).toBe(401);
    expect((await alice.post(`/api/integrations/links/${code}`, {})).status).toBe(200);
    const reuse = await alice.post(`/api/integrations/links/${code}`, {});
    expect(reuse.status).toBe(404);
    expect((await alice.get('/api/me/chat')).body.links).toMatchObject([
      { platform: 'slack', teamId: TEAM, externalUserId: 'U0ALICE' },
    ]);
  });

  it("records a linked member's forecast, shown in the market's forecasts and scores", async () => {
    const r = await command('/forecast', 'chip export controls 65%', 'U0ALICE');
    expect(r.status).toBe(200);
    expect(r.body.text).toMatch(/Recorded your forecast/);
    expect(r.body.text).toMatch(/community forecast Yes 65%/);
    const fs = await forecastsOf(BINARY);
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ username: 'alice_slack' });
    expect(fs[0].probabilities[0]).toBeCloseTo(0.65, 9);
  });

  it('a retry (X-Slack-Retry-Num) of the same command changes nothing twice', async () => {
    const before = (await forecastsOf(BINARY)).length;
    const body = commandBody('/forecast', `${BINARY} 55%`, 'U0ALICE', 'tr.retry-1');
    expect((await send('command', { body })).body.text).toMatch(/Recorded/);
    // Slack's retry: the same payload, signed again, saying it is a retry.
    const retry = await send('command', {
      body,
      ts: Math.floor(Date.now() / 1000) + 1,
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(retry.status).toBe(200);
    expect(retry.body.text).toMatch(/done already/);
    expect((await forecastsOf(BINARY)).length).toBe(before + 1);
  });

  it('a multiple-choice forecast names the outcome; the others share the rest', async () => {
    const r = await command('/forecast', `${MULTI} Qwen 40%`, 'U0ALICE');
    expect(r.body.text).toMatch(/Recorded/);
    const f = (await forecastsOf(MULTI))[0];
    expect(f.probabilities[1]).toBeCloseTo(0.4, 9);
    expect(f.probabilities[0] + f.probabilities[2]).toBeCloseTo(0.6, 9);
    const bad = await command('/forecast', `${MULTI} 40%`, 'U0ALICE');
    expect(bad.body.text).toMatch(/name the outcome/i);
  });

  it('refuses a bad probability with a clear message and records nothing', async () => {
    const before = (await forecastsOf(BINARY)).length;
    for (const text of [`${BINARY} 140%`, `${BINARY}`, 'no such market words 50%']) {
      const r = await command('/forecast', text, 'U0ALICE');
      expect(r.status).toBe(200);
      expect(r.body.text).not.toMatch(/Recorded/);
    }
    expect((await forecastsOf(BINARY)).length).toBe(before);
  });
});

describe('buttons and modals', () => {
  let bob: Client;
  beforeAll(async () => {
    bob = new Client(server.url);
    await bob.register('bob_slack');
    await link('U0BOB', bob);
    await link('U0ADMIN', admin);
  });

  it('"Forecast" opens a modal; submitting it records the forecast', async () => {
    const opened = calls('views.open').length;
    expect(
      (await blockAction('U0BOB', { action_id: 'parity_forecast', value: BINARY })).status,
    ).toBe(200);
    const view = calls('views.open')[opened]!.view;
    expect(view.callback_id).toBe('parity_forecast');
    const r = await submitView('U0BOB', view, {
      probability: { probability: { type: 'plain_text_input', value: '30' } },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ response_action: 'clear' });
    const mine = (await forecastsOf(BINARY)).find((f) => f.username === 'bob_slack');
    expect(mine.probabilities[0]).toBeCloseTo(0.3, 9);
    const told = calls('chat.postEphemeral').at(-1)!;
    expect(told).toMatchObject({ channel: 'C0FORECAST', user: 'U0BOB' });
    expect(told.text).toMatch(/Recorded/);
  });

  it('a modal with a bad value answers with a field error and records nothing', async () => {
    const before = (await forecastsOf(BINARY)).length;
    const r = await submitView(
      'U0BOB',
      { callback_id: 'parity_forecast', private_metadata: JSON.stringify({ m: BINARY }) },
      { probability: { probability: { type: 'plain_text_input', value: 'lots' } } },
    );
    expect(r.body.response_action).toBe('errors');
    expect(r.body.errors.probability).toMatch(/percentage/);
    expect((await forecastsOf(BINARY)).length).toBe(before);
  });

  it('"Buy Yes" opens a modal with the quote; submitting buys', async () => {
    const balance = (await bob.get('/api/me')).body.user.balanceCents;
    const opened = calls('views.open').length;
    await blockAction('U0BOB', { action_id: 'parity_buy_0', value: `${BINARY}:0` });
    const view = calls('views.open')[opened]!.view;
    expect(view.callback_id).toBe('parity_buy');
    expect(JSON.stringify(view.blocks)).toMatch(/credits buys about/);
    const r = await submitView('U0BOB', view, {
      amount: { parity_amount: { type: 'plain_text_input', value: '25' } },
    });
    expect(r.body).toEqual({ response_action: 'clear' });
    const trades = (await admin.get(`/api/markets/${BINARY}/trades`)).body.trades;
    expect(trades[0]).toMatchObject({ username: 'bob_slack', outcomeId: 'yes', costCents: 2500 });
    expect((await bob.get('/api/me')).body.user.balanceCents).toBe(balance - 2500);
  });

  it("refuses a trader's Resolve, and leaves the market open", async () => {
    const opened = calls('views.open').length;
    await blockAction('U0BOB', {
      type: 'overflow',
      action_id: 'parity_admin',
      selected_option: {
        text: { type: 'plain_text', text: 'Resolve…' },
        value: `resolve:${BINARY}`,
      },
    });
    expect(calls('views.open').length).toBe(opened);
    await slackApi.waitFor((rs) =>
      rs.some((r) => r.path.startsWith('/actions/') && /only admins/i.test(r.body)),
    );
    expect((await admin.get(`/api/markets/${BINARY}`)).body.market.status).toBe('open');
  });

  it('an admin closes and resolves from the overflow menu; settled buttons then say so', async () => {
    let opened = calls('views.open').length;
    await blockAction('U0ADMIN', {
      type: 'overflow',
      action_id: 'parity_admin',
      selected_option: { value: `close:${MULTI}` },
    });
    const close = calls('views.open')[opened]!.view;
    expect(close.callback_id).toBe('parity_close');
    expect((await submitView('U0ADMIN', close, {})).body).toEqual({ response_action: 'clear' });
    expect((await admin.get(`/api/markets/${MULTI}`)).body.market.status).toBe('closed');

    opened = calls('views.open').length;
    await blockAction('U0ADMIN', {
      type: 'overflow',
      action_id: 'parity_admin',
      selected_option: { value: `resolve:${BINARY}` },
    });
    const resolve = calls('views.open')[opened]!.view;
    expect(resolve.callback_id).toBe('parity_resolve');
    const r = await submitView('U0ADMIN', resolve, {
      outcome: { outcome: { type: 'static_select', selected_option: { value: '0' } } },
    });
    expect(r.body).toEqual({ response_action: 'clear' });
    expect((await admin.get(`/api/markets/${BINARY}`)).body.market.status).toBe('resolved');
    const scores = (await admin.get(`/api/markets/${BINARY}/scores`)).body;
    expect(scores.users.map((u: any) => u.username)).toEqual(
      expect.arrayContaining(['alice_slack', 'bob_slack']),
    );

    opened = calls('views.open').length;
    await blockAction('U0BOB', { action_id: 'parity_forecast', value: BINARY });
    expect(calls('views.open').length).toBe(opened);
    await slackApi.waitFor((rs) =>
      rs.some((x) => x.path.startsWith('/actions/') && /is resolved/.test(x.body)),
    );
  });

  it('/parity new from a non-admin opens a proposal form; submitting queues a proposal', async () => {
    const opened = calls('views.open').length;
    const r = await command('/parity', 'new', 'U0BOB');
    expect(r.status).toBe(200);
    const view = calls('views.open')[opened]!.view;
    expect(view.title.text).toBe('Propose a question');
    const question = 'Will a Chinese lab open-source a frontier model?';
    const done = await submitView('U0BOB', view, {
      question: { question: { type: 'plain_text_input', value: question } },
      closes: { closes: { type: 'datepicker', selected_date: inDays(90).slice(0, 10) } },
      outcomes: { outcomes: { type: 'plain_text_input', value: null } },
      criteria: {
        criteria: { type: 'plain_text_input', value: 'Weights published under an open licence.' },
      },
    });
    expect(done.body).toEqual({ response_action: 'clear' });
    const pending = (await admin.get('/api/proposals?status=pending')).body.proposals;
    expect(pending.map((p: any) => [p.question, p.proposer])).toContainEqual([
      question,
      'bob_slack',
    ]);
    // Nothing opened: the question waits for a reviewer.
    const markets = (await admin.get('/api/markets?status=open')).body.markets;
    expect(markets.map((m: any) => m.question)).not.toContain(question);
  });

  it('/parity new opens the question modal for admins; submitting creates the market', async () => {
    const opened = calls('views.open').length;
    const r = await command('/parity', 'new', 'U0ADMIN');
    expect(r.status).toBe(200);
    const view = calls('views.open')[opened]!.view;
    expect(view.callback_id).toBe('parity_new');
    const done = await submitView('U0ADMIN', view, {
      question: {
        question: { type: 'plain_text_input', value: 'Will a Chinese lab ship a 10T model?' },
      },
      closes: { closes: { type: 'datepicker', selected_date: inDays(60).slice(0, 10) } },
      outcomes: { outcomes: { type: 'plain_text_input', value: null } },
      criteria: { criteria: { type: 'plain_text_input', value: 'Per the lab’s announcement.' } },
    });
    expect(done.body).toEqual({ response_action: 'clear' });
    const markets = (await admin.get('/api/markets?status=open')).body.markets;
    expect(markets.map((m: any) => m.question)).toContain('Will a Chinese lab ship a 10T model?');
  });

  it('/parity unlink stops acting for the account', async () => {
    expect((await command('/parity', 'unlink', 'U0BOB')).body.text).toMatch(/Unlinked/);
    const r = await command('/forecast', 'chip 50%', 'U0BOB');
    expect(JSON.stringify(r.body)).toMatch(/\/link\//);
  });
});

describe('limits', () => {
  it('takes 30 actions a minute from one member, then answers that it is too many and records nothing', async () => {
    const dana = new Client(server.url);
    await dana.register('dana_slack');
    await link('U0DANA', dana);
    const made = await admin.post('/api/markets', {
      id: 'slack-limit',
      question: 'Will the limit hold?',
      closesAt: inDays(30),
    });
    expect(made.status).toBe(201);
    const mine = async () =>
      (await forecastsOf('slack-limit')).filter((f) => f.username === 'dana_slack').length;
    // Linking took one action; 29 forecasts take the rest of the minute's 30.
    for (let i = 0; i < 29; i++) {
      const r = await command('/forecast', `slack-limit ${40 + (i % 20)}%`, 'U0DANA');
      expect(r.body.text, r.body.text).toMatch(/Recorded your forecast/);
    }
    const count = await mine();
    const over = await command('/forecast', `slack-limit 90%`, 'U0DANA');
    expect(over.status).toBe(200);
    expect(over.body.response_type).toBe('ephemeral');
    expect(over.body.text).toMatch(/too many/i);
    expect(await mine()).toBe(count);
    // Another member is not held back by the first.
    expect((await command('/odds', 'chip', 'U0ALICE')).status).toBe(200);
    const alice = await command('/forecast', `slack-limit 61%`, 'U0ALICE');
    expect(alice.body.text).toMatch(/Recorded your forecast/);
  });
});
