import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAnswer } from '../../server/integrations/requests.ts';
import {
  BlockedAddressError,
  blockedRange,
  checkUrlShape,
  safeRequest,
} from '../../server/integrations/safeRequest.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

/**
 * Outgoing webhooks must not become a way into the server's own network: no loopback,
 * link-local (cloud metadata), private or otherwise special address, however it is written,
 * whatever DNS answers (also when the answer changes between two lookups), and no redirect
 * followed to one.
 */

/** IPv4 ranges that are not the public internet (RFC 6890 and friends), written out by hand. */
const SPECIAL_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

function v4(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function isSpecialV4(address: string): boolean {
  const n = v4(address);
  return SPECIAL_V4.some(
    ([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(v4(base) / 2 ** (32 - bits)),
  );
}

describe('the address guard', () => {
  it('refuses every IPv4 address in a special-purpose range', () => {
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        if (isSpecialV4(address)) expect(blockedRange(address), address).not.toBeNull();
      }),
      { numRuns: 20_000 },
    );
    // Spot checks of the ranges' edges, which random addresses rarely hit.
    for (const a of [
      '10.255.255.255',
      '172.31.255.255',
      '100.127.255.255',
      '169.254.169.254',
      '255.255.255.255',
    ]) {
      expect(blockedRange(a), a).not.toBeNull();
    }
    for (const a of ['172.32.0.0', '100.128.0.0', '8.8.8.8', '1.1.1.1'])
      expect(blockedRange(a), a).toBeNull();
  });

  it('refuses IPv4 special addresses hidden inside IPv6 (mapped, NAT64, 6to4) and IPv6 special ranges', () => {
    fc.assert(
      fc.property(
        fc.ipV4().filter(isSpecialV4),
        fc.constantFrom('::ffff:', '64:ff9b::', '2002:'),
        (address, prefix) => {
          const [a, b, c, d] = address.split('.').map(Number) as [number, number, number, number];
          const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
          const v6 = prefix === '2002:' ? `2002:${hex}::1` : `${prefix}${hex}`;
          expect(blockedRange(v6), v6).not.toBeNull();
        },
      ),
      { numRuns: 2000 },
    );
    for (const a of [
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd00:ec2::254',
      'ff02::1',
      '2001:db8::1',
    ]) {
      expect(blockedRange(a), a).not.toBeNull();
    }
  });

  it('refuses loopback and private hosts however the URL spells them', () => {
    for (const url of [
      'http://127.1/',
      'http://2130706433/',
      'http://0x7f000001/',
      'http://0177.0.0.1/',
      'http://[::ffff:7f00:1]/',
      'http://[0:0:0:0:0:ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://LOCALHOST/',
      'http://localhost./',
      'http://a.b.localhost/',
      'http://0/',
    ]) {
      expect(checkUrlShape(url, false), url).not.toBeNull();
    }
    expect(checkUrlShape('gopher://example.com/', false)).toBe('only http and https URLs');
    expect(checkUrlShape('http://user:pass@example.com/', false)).toBe(
      'credentials in the URL are not allowed',
    );
  });
});

describe('sending', () => {
  let target: Receiver;
  let redirector: Receiver;
  beforeAll(async () => {
    target = await startReceiver();
    redirector = await startReceiver(() => ({
      status: 302,
      headers: { location: `${target.url}/stolen` },
    }));
  });
  afterAll(async () => {
    await target.close();
    await redirector.close();
  });

  it('never follows a redirect, and gives the delivery up', async () => {
    const res = await safeRequest({
      method: 'POST',
      url: `${redirector.url}/hook`,
      headers: {},
      body: '{}',
      timeoutMs: 2000,
      allowPrivate: true,
    });
    expect(res.status).toBe(302);
    expect(target.requests).toHaveLength(0);
    const answer = readAnswer(res, 'webhook', false, new Date());
    expect(answer).toMatchObject({ ok: false, httpStatus: 302, permanent: true });
  });

  it('connects only to an address it checked, however DNS answers from one lookup to the next', async () => {
    // A rebinding name: public on one lookup (example.com's address, which answers nothing on
    // this port within the timeout), this machine on the next.
    let calls = 0;
    const rebinding = async () =>
      calls++ % 2 === 0
        ? [{ address: '93.184.216.34', family: 4 }]
        : [{ address: '127.0.0.1', family: 4 }];
    const port = new URL(target.url).port;
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      try {
        await safeRequest({
          method: 'POST',
          url: `http://rebind.example.test:${port}/hook`,
          headers: {},
          body: '{}',
          timeoutMs: 50,
          allowPrivate: false,
          resolve: rebinding,
        });
        outcomes.push('sent');
      } catch (e) {
        outcomes.push(e instanceof BlockedAddressError ? 'refused' : 'unreachable');
      }
    }
    // Each attempt looked up once and went where that answer said: refused on the private
    // answer, tried (and timed out) on the public one; this machine never.
    expect(calls).toBe(8);
    expect(outcomes).toEqual(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? 'refused' : 'unreachable')),
    );
    expect(target.requests).toHaveLength(0);
  });
});
