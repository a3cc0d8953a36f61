import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createParity, DEFAULT_HTTP_TIMEOUTS } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { ADMIN, adminClient, Client, startServer, type TestServer } from '../helpers/server.ts';

/**
 * One test per finding of the security review (SECURITY.md), each failing before its fix.
 */

const PASSWORD = 'password-123';
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const servers: TestServer[] = [];
const sockets: Socket[] = [];
afterAll(async () => {
  for (const s of sockets) s.close();
  for (const s of servers) await s.close();
});

async function serve(opts: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const s = await startServer({ ...opts, env: { SEED: 'off', ...opts.env } });
  servers.push(s);
  return s;
}

function socketTo(
  url: string,
  opts: { cookie?: string; token?: string; origin?: string; forwardedFor?: string } = {},
): Promise<Socket | Error> {
  const headers: Record<string, string> = { origin: opts.origin ?? url };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.forwardedFor) headers['x-forwarded-for'] = opts.forwardedFor;
  const s = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: headers,
    ...(opts.token ? { auth: { token: opts.token } } : {}),
  });
  sockets.push(s);
  return new Promise((resolve) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => resolve(e));
  });
}

async function socketOk(url: string, opts: Parameters<typeof socketTo>[1] = {}): Promise<Socket> {
  const s = await socketTo(url, opts);
  if (s instanceof Error) throw s;
  return s;
}

/** Counts the me:update events a socket gets. */
function balanceUpdates(s: Socket): { n: number } {
  const seen = { n: 0 };
  s.on('me:update', () => seen.n++);
  return seen;
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(10);
  }
}

describe('client addresses behind a proxy (TRUST_PROXY)', () => {
  it('takes the address the proxy appended, so a client cannot rotate its way past the login limit', async () => {
    const s = await serve({ env: { TRUST_PROXY: '1' } });
    const c = new Client(s.url);
    // A proxy appends the address it saw (203.0.113.9) to whatever the client sent.
    const forwarded = (i: number) => ({
      'x-forwarded-for': `10.0.${i >> 8}.${i & 255}, 203.0.113.9`,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const r = await c.raw('POST', '/api/auth/login', {
        headers: { 'content-type': 'application/json', ...forwarded(i) },
        body: JSON.stringify({ username: `nobody_${i % 10}`, password: 'wrong-password' }),
      });
      statuses.push(r.status);
    }
    // 30 attempts per 15 minutes per address: the 31st is refused.
    expect(statuses.slice(0, 30).every((x) => x === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
    // Another real client behind the same proxy is not affected.
    const other = await c.raw('POST', '/api/auth/login', {
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
      body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
    });
    expect(other.status).toBe(200);
  });

  it('does not let an address over its limit lock a username out for everyone else', async () => {
    const s = await serve({ env: { TRUST_PROXY: '1' } });
    await new Client(s.url).register('victim', PASSWORD);
    const attacker = new Client(s.url);
    const from = (ip: string) => ({ 'content-type': 'application/json', 'x-forwarded-for': ip });
    for (let i = 0; i < 30; i++) {
      await attacker.raw('POST', '/api/auth/login', {
        headers: from('192.0.2.66'),
        body: JSON.stringify({ username: `spray_${i}`, password: 'wrong-password' }),
      });
    }
    // Over its address limit, the attacker keeps guessing the victim's password.
    for (let i = 0; i < 15; i++) {
      const r = await attacker.raw('POST', '/api/auth/login', {
        headers: from('192.0.2.66'),
        body: JSON.stringify({ username: 'victim', password: `guess-${i}-x` }),
      });
      expect(r.status).toBe(429);
    }
    // Those refused guesses did not count against the name: the victim signs in elsewhere.
    const victim = await new Client(s.url).raw('POST', '/api/auth/login', {
      headers: from('198.51.100.20'),
      body: JSON.stringify({ username: 'victim', password: PASSWORD }),
    });
    expect(victim.status).toBe(200);
  });
});

describe('sockets after their credential ends', () => {
  it('stops sending a balance to a socket whose session logged out, but keeps it as a public socket', async () => {
    const s = await serve();
    await (await adminClient(s.url)).post('/api/markets', {
      id: 'sk-a',
      question: 'Socket A?',
      closesAt: inDays(60),
    });
    const web = new Client(s.url);
    await web.register('sally', PASSWORD);
    const bot = new Client(s.url);
    bot.token = (await web.post('/api/me/tokens', {})).body.token;
    const socket = await socketOk(s.url, { cookie: web.cookie! });
    const seen = balanceUpdates(socket);
    await bot.post('/api/markets/sk-a/trades', { outcomeId: 'yes', shares: 1 });
    await until(() => seen.n === 1);
    expect((await web.post('/api/auth/logout', {})).status).toBe(204);
    await bot.post('/api/markets/sk-a/trades', { outcomeId: 'yes', shares: 1 });
    const trades: unknown[] = [];
    socket.on('trade', (t: unknown) => trades.push(t));
    expect((await socket.timeout(2000).emitWithAck('subscribe', 'sk-a')).ok).toBe(true);
    await bot.post('/api/markets/sk-a/trades', { outcomeId: 'yes', shares: 1 });
    await until(() => trades.length === 1);
    await sleep(100);
    expect(seen.n).toBe(1);
    expect(socket.connected).toBe(true);
  });

  it('stops sending a balance to a socket whose API token was revoked', async () => {
    const s = await serve();
    await (await adminClient(s.url)).post('/api/markets', {
      id: 'sk-b',
      question: 'Socket B?',
      closesAt: inDays(60),
    });
    const web = new Client(s.url);
    await web.register('tom', PASSWORD);
    const made = (await web.post('/api/me/tokens', {})).body;
    const socket = await socketOk(s.url, { token: made.token });
    const seen = balanceUpdates(socket);
    await web.post('/api/markets/sk-b/trades', { outcomeId: 'no', shares: 1 });
    await until(() => seen.n === 1);
    expect((await web.delete(`/api/me/tokens/${made.id}`)).status).toBe(204);
    await web.post('/api/markets/sk-b/trades', { outcomeId: 'no', shares: 1 });
    await web.post('/api/markets/sk-b/trades', { outcomeId: 'no', shares: 1 });
    await sleep(200);
    expect(seen.n).toBe(1);
    // And the revoked token cannot open a new socket.
    expect(await socketTo(s.url, { token: made.token })).toBeInstanceOf(Error);
  });

  it('stops sending a balance to a socket whose session expired while it was open', async () => {
    let offsetMs = 0;
    const s = await serve({
      now: () => new Date(Date.now() + offsetMs),
      env: { SESSION_TTL_HOURS: '1' },
    });
    await (await adminClient(s.url)).post('/api/markets', {
      id: 'sk-c',
      question: 'Socket C?',
      closesAt: inDays(60),
    });
    const web = new Client(s.url);
    await web.register('una', PASSWORD);
    const bot = new Client(s.url);
    bot.token = (await web.post('/api/me/tokens', {})).body.token;
    const socket = await socketOk(s.url, { cookie: web.cookie! });
    const seen = balanceUpdates(socket);
    await bot.post('/api/markets/sk-c/trades', { outcomeId: 'yes', shares: 1 });
    await until(() => seen.n === 1);
    offsetMs = 2 * 3_600_000; // two hours on: the one-hour session is over.
    expect((await web.get('/api/me')).status).toBe(401);
    await bot.post('/api/markets/sk-c/trades', { outcomeId: 'yes', shares: 1 });
    await sleep(200);
    expect(seen.n).toBe(1);
  });
});

describe('many sockets from one address', () => {
  it('refuses connections past SOCKETS_PER_ADDRESS and takes new ones as others close', async () => {
    const s = await serve({ env: { SOCKETS_PER_ADDRESS: '3' } });
    const held = await Promise.all([socketOk(s.url), socketOk(s.url), socketOk(s.url)]);
    const refused = await socketTo(s.url);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toBe('too many connections from this address');
    held[0]!.close();
    await sleep(100);
    const again = await socketOk(s.url);
    expect((await again.timeout(2000).emitWithAck('feed:join')).ok).toBe(true);
    expect(held[1]!.connected && held[2]!.connected).toBe(true);
  });

  it('counts behind a trusted proxy by the forwarded address', async () => {
    const s = await serve({ env: { SOCKETS_PER_ADDRESS: '2', TRUST_PROXY: '1' } });
    await socketOk(s.url, { forwardedFor: '203.0.113.1' });
    await socketOk(s.url, { forwardedFor: 'spoofed, 203.0.113.1' });
    expect(await socketTo(s.url, { forwardedFor: '203.0.113.1' })).toBeInstanceOf(Error);
    await socketOk(s.url, { forwardedFor: '203.0.113.2' });
  });
});

describe('slow clients', () => {
  it('uses header and request timeouts by default', async () => {
    const s = await serve();
    expect(s.parity.httpServer.headersTimeout).toBe(DEFAULT_HTTP_TIMEOUTS.headersMs);
    expect(s.parity.httpServer.requestTimeout).toBe(DEFAULT_HTTP_TIMEOUTS.requestMs);
    expect(DEFAULT_HTTP_TIMEOUTS.headersMs).toBeLessThanOrEqual(15_000);
  });

  it('closes a connection whose headers trickle in slower than the header timeout', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parity-slow-'));
    const parity = await createParity({
      config: loadConfig({
        DATA_DIR: dataDir,
        ADMIN_PASSWORD: ADMIN.password,
        SEED: 'off',
        LOG_LEVEL: 'silent',
      }),
      logger: pino({ level: 'silent' }),
      httpTimeouts: { headersMs: 400, requestMs: 800, checkIntervalMs: 50 },
    });
    const port = await parity.listen(0, '127.0.0.1');
    try {
      // A byte every 100 ms: every write is fresh activity, but the headers never finish.
      const result = await new Promise<{ text: string; ms: number }>((resolve) => {
        const started = Date.now();
        const socket = tcpConnect(port, '127.0.0.1');
        let text = '';
        const drip = setInterval(() => socket.write('X-Slow: a\r\n'), 100);
        socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\n');
        socket.on('data', (d) => {
          text += d.toString();
        });
        socket.on('close', () => {
          clearInterval(drip);
          resolve({ text, ms: Date.now() - started });
        });
        socket.on('error', () => {});
      });
      expect(result.text).toMatch(/^HTTP\/1\.1 408/);
      expect(result.ms).toBeLessThan(3000);
      const ok = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(ok.status).toBe(200);
    } finally {
      await parity.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('error messages', () => {
  it('names the limit of the parser that refused a body: 64 KB for JSON, 16 KB for Slack forms', async () => {
    const s = await serve({ env: { SLACK_SIGNING_SECRET: 'x' } });
    const c = new Client(s.url);
    const json = await c.raw('POST', '/api/auth/login', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }),
    });
    expect([json.status, json.body.error.message]).toEqual([413, 'the body is larger than 64 KB']);
    const form = await c.raw('POST', '/api/integrations/slack/command', {
      origin: false,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `text=${'x'.repeat(20 * 1024)}`,
    });
    expect([form.status, form.body.error.message]).toEqual([413, 'the body is larger than 16 KB']);
  });
});

describe('webhook addresses', () => {
  it('refuses localhost written with a trailing dot, as it refuses localhost', async () => {
    const s = await serve({ env: { WEBHOOK_ALLOW_PRIVATE: '0' } });
    const admin = await adminClient(s.url);
    for (const url of [
      'http://localhost./hook',
      'http://api.localhost./hook',
      'http://LOCALHOST../x',
    ]) {
      const r = await admin.post('/api/integrations/webhooks', { kind: 'generic', url });
      expect([r.status, r.body.error.message], url).toEqual([
        400,
        'the webhook URL is refused: a loopback host',
      ]);
    }
  });
});

describe('sockets behind a proxy that rewrites Host', () => {
  it('knows a browser on PUBLIC_URL as same-origin, like the HTTP check does', async () => {
    const publicUrl = 'https://parity.example.com';
    const s = await serve({ env: { PUBLIC_URL: publicUrl } });
    await (await adminClient(s.url)).post('/api/markets', {
      id: 'sk-d',
      question: 'Socket D?',
      closesAt: inDays(60),
    });
    const web = new Client(s.url);
    await web.register('pia', PASSWORD);
    const mine = await socketOk(s.url, { cookie: web.cookie!, origin: publicUrl });
    const foreign = await socketOk(s.url, { cookie: web.cookie!, origin: 'https://evil.example' });
    const seenMine = balanceUpdates(mine);
    const seenForeign = balanceUpdates(foreign);
    const trade = await web.raw('POST', '/api/markets/sk-d/trades', {
      origin: false,
      headers: { 'content-type': 'application/json', origin: publicUrl },
      body: JSON.stringify({ outcomeId: 'yes', shares: 1 }),
    });
    expect(trade.status).toBe(200);
    await until(() => seenMine.n === 1);
    await sleep(100);
    expect(seenForeign.n).toBe(0);
  });
});
