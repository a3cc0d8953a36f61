import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelCtx } from '../../server/integrations/channelCtx.ts';
import { backoffMs, MAX_DELAY_MS } from '../../server/integrations/deliver.ts';
import { genericBody, signatureOf } from '../../server/integrations/genericFormat.ts';
import {
  duration,
  largestMove,
  percent,
  points,
  topGainers,
} from '../../server/integrations/notification.ts';
import { discordEndpoint, readAnswer, retryAfterMs } from '../../server/integrations/requests.ts';
import {
  BlockedAddressError,
  blockedRange,
  checkUrlShape,
  safeRequest,
} from '../../server/integrations/safeRequest.ts';
import { escapeMrkdwn } from '../../server/integrations/slackFormat.ts';
import {
  matchScore,
  searchMarkets,
  searchTokens,
  verifySlackSignature,
} from '../../server/integrations/slashCommand.ts';
import type { Market } from '../../shared/schemas/index.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

/** The pure parts of team channels, and the address guard against a local receiver. */

describe('top gainers', () => {
  it('ranks payout minus net cost, positive profits only', () => {
    // alice paid 300 + 200 over two outcomes and is paid 1000: +500. bob paid 100, paid 0: −100.
    // carol sold for more than she paid (cost −50) and holds nothing that pays: +50.
    const positions = [
      { userId: 'alice', costCents: 300 },
      { userId: 'alice', costCents: 200 },
      { userId: 'bob', costCents: 100 },
      { userId: 'carol', costCents: -50 },
    ];
    const payouts = [{ userId: 'alice', amountCents: 1000 }];
    expect(topGainers(payouts, positions)).toEqual([
      { userId: 'alice', profitCents: 500 },
      { userId: 'carol', profitCents: 50 },
    ]);
  });

  it('returns at most n users, sorted, each with their exact profit', () => {
    const user = fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5', 'u6');
    fc.assert(
      fc.property(
        fc.array(fc.record({ userId: user, costCents: fc.integer({ min: -5000, max: 5000 }) })),
        fc.array(fc.record({ userId: user, amountCents: fc.integer({ min: 0, max: 10_000 }) })),
        fc.integer({ min: 1, max: 6 }),
        (positions, payouts, n) => {
          const top = topGainers(payouts, positions, n);
          expect(top.length).toBeLessThanOrEqual(n);
          for (let i = 1; i < top.length; i++) {
            expect(top[i - 1]!.profitCents).toBeGreaterThanOrEqual(top[i]!.profitCents);
          }
          for (const g of top) {
            const paid = positions
              .filter((p) => p.userId === g.userId)
              .reduce((a, p) => a + p.costCents, 0);
            const got = payouts
              .filter((p) => p.userId === g.userId)
              .reduce((a, p) => a + p.amountCents, 0);
            expect(g.profitCents).toBe(got - paid);
            expect(g.profitCents).toBeGreaterThan(0);
          }
        },
      ),
    );
  });
});

describe('backoff', () => {
  it('waits between half and all of base · 2^(n−1), capped at an hour', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (n, base, r) => {
          const full = Math.min(base * 2 ** (n - 1), MAX_DELAY_MS);
          const d = backoffMs(n, base, () => r);
          expect(d).toBeGreaterThanOrEqual(Math.floor(full / 2));
          expect(d).toBeLessThanOrEqual(Math.ceil(full));
        },
      ),
    );
    // base 10 s: attempts 1, 2, 3 wait 5–10 s, 10–20 s, 20–40 s.
    expect(backoffMs(3, 10_000, () => 0)).toBe(20_000);
    expect(backoffMs(3, 10_000, () => 0.5)).toBe(30_000);
  });
});

describe('wording', () => {
  it('formats probabilities, moves and durations', () => {
    expect([0, 0.004, 0.005, 0.5, 0.6224, 0.995, 0.996, 1].map(percent)).toEqual([
      '0%',
      '<1%',
      '1%',
      '50%',
      '62%',
      '100%',
      '>99%',
      '100%',
    ]);
    expect(points(0.122459)).toBe('▲ 12.2 pts');
    expect(points(-0.1)).toBe('▼ 10 pts');
    expect(points(0)).toBe('± 0 pts');
    expect(duration(30 * 60_000)).toBe('30 minutes');
    expect(duration(60_000)).toBe('1 minute');
    expect(duration(5 * 3_600_000)).toBe('5 hours');
    expect(duration(3 * 86_400_000)).toBe('3 days');
    expect(largestMove([0.5, 0.3, 0.2], [0.4, 0.45, 0.15])).toBeCloseTo(0.15, 12);
    expect(escapeMrkdwn('a <b> & c')).toBe('a &lt;b&gt; &amp; c');
  });
});

describe('signatures', () => {
  it('verifies Slack’s documented example request', () => {
    // The example in Slack's "Verifying requests from Slack" guide.
    const body = Buffer.from(
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    );
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    const sig = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
    const at = new Date(1531420618 * 1000 + 10_000);
    expect(verifySlackSignature(secret, '1531420618', sig, body, at)).toBe('ok');
    expect(verifySlackSignature(secret, '1531420618', sig.replace('a2', 'a3'), body, at)).toBe(
      'mismatch',
    );
    expect(
      verifySlackSignature(secret, '1531420618', sig, Buffer.concat([body, Buffer.from('x')]), at),
    ).toBe('mismatch');
    expect(
      verifySlackSignature(secret, '1531420618', sig, body, new Date(1531420618 * 1000 + 301_000)),
    ).toBe('stale');
    expect(verifySlackSignature(secret, undefined, sig, body, at)).toBe('missing');
    expect(verifySlackSignature(secret, '15314x', sig, body, at)).toBe('missing');
  });

  it('signs generic posts over "<timestamp>.<body>"', async () => {
    // Checked against Web Crypto's HMAC, a separate implementation from node:crypto's.
    const key = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode('Jefe'),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const mac = await crypto.subtle.sign(
      'HMAC',
      key,
      new TextEncoder().encode('1700000000.{"a":1}'),
    );
    const hex = Buffer.from(mac).toString('hex');
    expect(signatureOf('Jefe', 1700000000, '{"a":1}')).toBe(`sha256=${hex}`);
    expect(signatureOf('Jefe', 1700000001, '{"a":1}')).not.toBe(`sha256=${hex}`);
  });
});

describe('the address guard', () => {
  it('allows only public unicast addresses', () => {
    const blocked: [string, string][] = [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.254', 'private'],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'linkLocal'],
      ['0.0.0.0', 'unspecified'],
      ['224.0.0.1', 'multicast'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['::1', 'loopback'],
      ['::', 'unspecified'],
      ['fe80::1', 'linkLocal'],
      ['fc00::1', 'uniqueLocal'],
      ['fd12:3456::1', 'uniqueLocal'],
      ['ff02::1', 'multicast'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:10.0.0.1', 'private'],
    ];
    for (const [a, range] of blocked) expect(blockedRange(a), a).toBe(range);
    for (const a of ['8.8.8.8', '93.184.216.34', '172.32.0.1', '2606:4700:4700::1111']) {
      expect(blockedRange(a), a).toBeNull();
    }
  });

  it('refuses bad URLs before resolving anything', () => {
    expect(checkUrlShape('ftp://example.com/', false)).toBe('only http and https URLs');
    expect(checkUrlShape('http://u:p@example.com/', true)).toBe(
      'credentials in the URL are not allowed',
    );
    expect(checkUrlShape('http://LOCALHOST/', false)).toBe('a loopback host');
    expect(checkUrlShape('http://[::1]:8080/', false)).toBe('a loopback address');
    expect(checkUrlShape('http://127.0.0.1/', true)).toBeNull();
    expect(checkUrlShape('https://hooks.slack.com/services/T/B/X', false)).toBeNull();
  });

  describe('after resolution', () => {
    let rx: Receiver;
    beforeAll(async () => {
      rx = await startReceiver();
    });
    afterAll(() => rx.close());
    const port = () => new URL(rx.url).port;
    const request = (resolve: (h: string) => Promise<{ address: string; family: number }[]>) =>
      safeRequest({
        method: 'POST',
        url: `http://hooks.example.test:${port()}/guarded`,
        headers: {},
        body: '{}',
        timeoutMs: 2000,
        allowPrivate: false,
        resolve,
      });

    it('refuses a name that resolves to a private address, or to any private among several', async () => {
      await expect(request(async () => [{ address: '127.0.0.1', family: 4 }])).rejects.toThrow(
        'refused: hooks.example.test resolves to 127.0.0.1 (loopback)',
      );
      await expect(
        request(async () => [
          { address: '93.184.216.34', family: 4 },
          { address: '10.0.0.7', family: 4 },
        ]),
      ).rejects.toBeInstanceOf(BlockedAddressError);
      expect(rx.requests).toHaveLength(0);
    });

    it('connects to the checked address when private addresses are allowed', async () => {
      const res = await safeRequest({
        method: 'POST',
        url: `${rx.url}/allowed`,
        headers: { 'content-type': 'application/json' },
        body: '{"x":1}',
        timeoutMs: 2000,
        allowPrivate: true,
      });
      expect(res.status).toBe(200);
      expect(rx.to('/allowed')[0]!.json).toEqual({ x: 1 });
    });
  });
});

describe('answers', () => {
  const res = (status: number, headers: Record<string, string> = {}, body = '') => ({
    status,
    headers,
    body,
  });
  const now = new Date('2030-01-01T00:00:00Z');

  it('reads Retry-After as seconds, as a date, or from Discord’s body', () => {
    expect(retryAfterMs(res(429, { 'retry-after': '7' }), now)).toBe(7000);
    expect(retryAfterMs(res(429, { 'retry-after': 'Tue, 01 Jan 2030 00:00:30 GMT' }), now)).toBe(
      30_000,
    );
    expect(retryAfterMs(res(429, {}, '{"retry_after": 1.25}'), now)).toBe(1250);
    expect(retryAfterMs(res(429, { 'retry-after': '999999' }), now)).toBe(3_600_000);
    expect(retryAfterMs(res(429), now)).toBeUndefined();
  });

  it('retries 408, 425, 429 and 5xx, gives up on other 4xx, and reads Slack API errors', () => {
    expect(readAnswer(res(204), 'webhook', false, now)).toEqual({ ok: true, httpStatus: 204 });
    expect(readAnswer(res(200, {}, '{"id":"99"}'), 'webhook', false, now)).toEqual({
      ok: true,
      httpStatus: 200,
      messageId: '99',
    });
    for (const s of [408, 425, 500, 502, 503])
      expect(readAnswer(res(s), 'webhook', false, now)).toMatchObject({
        ok: false,
        permanent: false,
      });
    for (const s of [301, 400, 401, 403, 404, 410])
      expect(readAnswer(res(s), 'webhook', false, now)).toMatchObject({
        ok: false,
        permanent: true,
      });
    expect(readAnswer(res(404), 'webhook', true, now)).toMatchObject({
      ok: false,
      permanent: false,
      messageGone: true,
    });
    expect(
      readAnswer(res(200, {}, '{"ok":true,"channel":"C1","ts":"1.2"}'), 'slack-api', false, now),
    ).toEqual({
      ok: true,
      httpStatus: 200,
      messageId: '1.2',
      channel: 'C1',
    });
    expect(
      readAnswer(res(200, {}, '{"ok":false,"error":"channel_not_found"}'), 'slack-api', false, now),
    ).toMatchObject({
      ok: false,
      permanent: true,
      error: 'Slack API: channel_not_found',
    });
    expect(
      readAnswer(res(200, {}, '{"ok":false,"error":"message_not_found"}'), 'slack-api', true, now),
    ).toMatchObject({
      ok: false,
      messageGone: true,
    });
    expect(
      readAnswer(res(200, {}, '{"ok":false,"error":"internal_error"}'), 'slack-api', false, now),
    ).toMatchObject({
      ok: false,
      permanent: false,
    });
  });

  it('sends Discord’s own webhook URLs to DISCORD_API_URL, keeping thread_id', () => {
    const c = { settings: { discordApiUrl: 'http://127.0.0.1:9999/api' } } as unknown as ChannelCtx;
    expect(
      discordEndpoint(c, 'https://discord.com/api/webhooks/1/abc?thread_id=5').toString(),
    ).toBe('http://127.0.0.1:9999/api/webhooks/1/abc?thread_id=5');
    expect(discordEndpoint(c, 'https://discordapp.com/api/v10/webhooks/1/abc').toString()).toBe(
      'http://127.0.0.1:9999/api/webhooks/1/abc',
    );
    expect(discordEndpoint(c, 'https://relay.example.com/api/webhooks/1/abc').toString()).toBe(
      'https://relay.example.com/api/webhooks/1/abc',
    );
  });
});

describe('market search', () => {
  const market = (id: string, question: string, tags: string[], volumeCents = 0) =>
    ({ id, question, tags, volumeCents }) as Market;

  it('scores tags above words above prefixes, ignoring filler words', () => {
    expect(searchTokens('Will the GPU prices fall?')).toEqual(['gpu', 'prices', 'fall']);
    expect(searchTokens('the')).toEqual(['the']);
    const m = market('gpu-prices', 'Will GPU rental prices fall?', ['compute']);
    expect(matchScore(m, ['compute'])).toBe(3);
    expect(matchScore(m, ['rental'])).toBe(2);
    expect(matchScore(m, ['rent'])).toBe(1);
    expect(matchScore(m, ['re'])).toBe(0);
    expect(matchScore(m, ['gpu', 'compute', 'zzz'])).toBe(5);
  });

  it('returns only matches, ranked by score then volume', () => {
    const words = fc.constantFrom('chip', 'gpu', 'model', 'open', 'export', 'price', 'law');
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            q: fc.array(words, { minLength: 1, maxLength: 5 }),
            t: fc.array(words, { maxLength: 2 }),
            v: fc.nat(1000),
          }),
          { maxLength: 12 },
        ),
        fc.array(words, { minLength: 1, maxLength: 3 }),
        (defs, query) => {
          const ms = defs.map((d, i) => market(`m-${i}`, d.q.join(' '), d.t, d.v));
          const found = searchMarkets(ms, query.join(' '), 50);
          const tokens = searchTokens(query.join(' '));
          const scores = found.map((m) => matchScore(m, tokens));
          expect(scores.every((s) => s > 0)).toBe(true);
          expect(found.length).toBe(ms.filter((m) => matchScore(m, tokens) > 0).length);
          for (let i = 1; i < found.length; i++) {
            const ok =
              scores[i - 1]! > scores[i]! ||
              (scores[i - 1] === scores[i] && found[i - 1]!.volumeCents >= found[i]!.volumeCents);
            expect(ok).toBe(true);
          }
        },
      ),
    );
  });
});

describe('generic body', () => {
  it('carries the market, the move and the delivery id', () => {
    const m = {
      id: 'x',
      question: 'X?',
      type: 'binary',
      status: 'open',
      closesAt: '2030-01-01T00:00:00.000Z',
      volumeCents: 5,
      resolution: null,
      outcomes: [
        { id: 'yes', label: 'Yes', probability: 0.6, shares: 1 },
        { id: 'no', label: 'No', probability: 0.4, shares: 0 },
      ],
    } as unknown as Market;
    const b = genericBody(
      {
        event: 'moved',
        market: m,
        link: 'https://p/markets/x',
        at: '2029-01-01T00:00:00.000Z',
        from: [0.5, 0.5],
      },
      '17',
      false,
    );
    expect(b).toEqual({
      id: '17',
      event: 'moved',
      live: false,
      at: '2029-01-01T00:00:00.000Z',
      market: {
        id: 'x',
        question: 'X?',
        url: 'https://p/markets/x',
        type: 'binary',
        status: 'open',
        closesAt: '2030-01-01T00:00:00.000Z',
        volumeCents: 5,
        outcomes: [
          { id: 'yes', label: 'Yes', probability: 0.6 },
          { id: 'no', label: 'No', probability: 0.4 },
        ],
        resolution: null,
      },
      from: [0.5, 0.5],
    });
  });
});
