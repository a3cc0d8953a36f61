import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, Client, startServer, type TestServer } from '../helpers/server.ts';

/** The Slack `/odds` slash command: signature checks, market search and top movers. */

const SECRET = 'test-signing-secret';
const PATH = '/api/integrations/slack/command';
let server: TestServer;
let slack: Client;
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

beforeAll(async () => {
  server = await startServer({ env: { SEED: 'off', SLACK_SIGNING_SECRET: SECRET } });
  const admin = await adminClient(server.url);
  for (const m of [
    {
      id: 'chip-export-ban',
      question: 'Will the US tighten chip export controls by 2026?',
      tags: ['policy', 'chips'],
    },
    {
      id: 'open-weights-lead',
      question: 'Will an open-weights model lead the leaderboard?',
      tags: ['models'],
    },
    {
      id: 'gpu-prices',
      question: 'Will GPU rental prices fall below $1 an hour?',
      tags: ['chips', 'compute'],
    },
  ]) {
    expect((await admin.post('/api/markets', { ...m, closesAt: inDays(30) })).status).toBe(201);
  }
  const t = new Client(server.url);
  await t.register('slack_trader');
  await t.post('/api/markets/chip-export-ban/trades', { outcomeId: 'yes', toProbability: 0.8 });
  await t.post('/api/markets/gpu-prices/trades', { outcomeId: 'yes', toProbability: 0.4 });
  // Slack sends no cookie and no Origin: a bare client.
  slack = new Client(server.url);
});
afterAll(() => server.close());

function form(text: string): string {
  return new URLSearchParams({
    token: 'legacy-token-ignored',
    team_id: 'T0001',
    channel_id: 'C2147483705',
    user_id: 'U2147483697',
    user_name: 'steve',
    command: '/odds',
    text,
    response_url: 'https://hooks.slack.com/commands/1234/5678',
  }).toString();
}

/** Signs as Slack does: v0=hex(HMAC-SHA256(secret, "v0:<ts>:<body>")). */
function send(body: string, opts: { ts?: number; secret?: string; signature?: string } = {}) {
  const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
  const sig =
    opts.signature ??
    `v0=${createHmac('sha256', opts.secret ?? SECRET)
      .update(`v0:${ts}:${body}`)
      .digest('hex')}`;
  return slack.raw('POST', PATH, {
    body,
    origin: false,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': sig,
    },
  });
}

describe('/odds', () => {
  it('answers matching open markets with their odds, best match first, as an ephemeral message', async () => {
    const r = await send(form('chip export'));
    expect(r.status).toBe(200);
    expect(r.body.response_type).toBe('ephemeral');
    // "chip" and "export" are both words of the first question (2 + 2); "chip" only prefixes the
    // tag "chips" of gpu-prices (1); the open-weights market matches neither.
    const link = (id: string) => `http://localhost:${server.port}/markets/${id}`;
    expect(r.body.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Odds for “chip export”' } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*<${link('chip-export-ban')}|Will the US tighten chip export controls by 2026?>*\nYes 80% · closes ${inDays(30).slice(0, 10)}`,
        },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*<${link('gpu-prices')}|Will GPU rental prices fall below $1 an hour?>*\nYes 40% · closes ${inDays(30).slice(0, 10)}`,
        },
      },
    ]);
    expect(r.body.text).toContain('Will the US tighten chip export controls by 2026? Yes 80%');
  });

  it('lists the top movers of the last 24 hours when given no words', async () => {
    const r = await send(form(''));
    expect(r.status).toBe(200);
    expect(r.body.response_type).toBe('ephemeral');
    // From 50%: chip-export-ban to 80% (+30 points), gpu-prices to 40% (−10); the third is flat.
    expect(r.body.blocks.map((b: any) => b.text.text)).toEqual([
      'Top movers, last 24 hours',
      expect.stringMatching(/chip-export-ban\|.*\*\nYes 80% \(▲ 30 pts in 24 h\)$/),
      expect.stringMatching(/gpu-prices\|.*\*\nYes 40% \(▼ 10 pts in 24 h\)$/),
    ]);
  });

  it('says so when nothing matches', async () => {
    const r = await send(form('quantum teleportation'));
    expect(r.status).toBe(200);
    expect(r.body.text).toBe(
      'No open market matches “quantum teleportation”. Try /odds alone for the top movers.',
    );
  });

  it('refuses forged, tampered, stale, future and unsigned requests with 401', async () => {
    const body = form('chip');
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Promise<any>, string][] = [
      ['wrong secret', send(body, { secret: 'not-the-secret' }), 'mismatch'],
      ['garbage signature', send(body, { signature: 'v0=deadbeef' }), 'mismatch'],
      ['stale', send(body, { ts: now - 5 * 60 - 30 }), 'stale'],
      ['future', send(body, { ts: now + 5 * 60 + 30 }), 'stale'],
    ];
    for (const [name, p, reason] of cases) {
      const r = await p;
      expect(r.status, name).toBe(401);
      expect(r.body.error.code, name).toBe('unauthenticated');
      expect(r.body.error.details, name).toEqual({ reason });
    }
    // Signed for one body, sent with another.
    const ts = String(now);
    const sig = `v0=${createHmac('sha256', SECRET)
      .update(`v0:${ts}:${form('chip')}`)
      .digest('hex')}`;
    const tampered = await slack.raw('POST', PATH, {
      body: form('gpu'),
      origin: false,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': ts,
        'x-slack-signature': sig,
      },
    });
    expect(tampered.status).toBe(401);
    const unsigned = await slack.raw('POST', PATH, {
      body,
      origin: false,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error.details).toEqual({ reason: 'missing' });
  });

  it('accepts a request four minutes old', async () => {
    const r = await send(form('gpu'), { ts: Math.floor(Date.now() / 1000) - 4 * 60 });
    expect(r.status).toBe(200);
    expect(r.body.blocks[1].text.text).toContain('gpu-prices');
  });

  it('is refused plainly when no signing secret is configured', async () => {
    const bare = await startServer({ env: { SEED: 'off' } });
    try {
      const r = await new Client(bare.url).raw('POST', PATH, {
        body: form('chip'),
        origin: false,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(r.status).toBe(403);
      expect(r.body.error.message).toMatch(/SLACK_SIGNING_SECRET/);
    } finally {
      await bare.close();
    }
  });
});
