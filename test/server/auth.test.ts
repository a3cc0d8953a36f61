import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  adminClient,
  Client,
  sqlAll,
  startServer,
  stateSnapshot,
  type TestServer,
} from '../helpers/server.ts';

const future = () => new Date(Date.now() + 30 * 86400_000).toISOString();

/** Every line the server logs, at trace level, to check that no secret reaches the logs. */
const logLines: string[] = [];
const logSink = new Writable({
  write(chunk, _enc, done) {
    logLines.push(String(chunk));
    done();
  },
});

let server: TestServer;
let admin: Client;
let trader: Client;

beforeAll(async () => {
  server = await startServer({
    env: { LOG_LEVEL: 'trace' },
    logger: pino({ level: 'trace' }, logSink),
  });
  admin = await adminClient(server.url);
  trader = new Client(server.url);
  await trader.register('tina', 'tina-password-1');
  const m = await admin.post('/api/markets', {
    question: 'Will auth hold?',
    closesAt: future(),
    id: 'auth-m',
  });
  expect(m.status).toBe(201);
});
afterAll(() => server.close());

function expectError(r: { status: number; body: any }, status: number, code: string) {
  expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status, code });
  expect(typeof r.body.error.message).toBe('string');
}

describe('authorization', () => {
  it('refuses every admin action to a trader with 403 forbidden and changes nothing', async () => {
    const before = await stateSnapshot(server.parity);
    const attempts = [
      trader.post('/api/markets', { question: 'A trader market?', closesAt: future() }),
      trader.post('/api/markets/auth-m/close', {}),
      trader.post('/api/markets/auth-m/resolve', { outcomeId: 'yes' }),
      trader.post('/api/markets/auth-m/resolve', { cancel: true }),
      trader.post('/api/markets/auth-m/unresolve', {}),
      trader.get('/api/audit'),
      trader.get('/api/admin/simulation'),
      trader.post('/api/admin/simulation', { running: true }),
    ];
    for (const r of await Promise.all(attempts)) expectError(r, 403, 'forbidden');
    expect(await stateSnapshot(server.parity)).toEqual(before);
    expect((await trader.get('/api/markets/auth-m')).body.market.status).toBe('open');
  });

  it('answers unauthenticated writes and private reads with 401 unauthenticated', async () => {
    const anon = new Client(server.url);
    const before = await stateSnapshot(server.parity);
    const attempts = [
      anon.post('/api/markets', { question: 'Anonymous market?', closesAt: future() }),
      anon.post('/api/markets/auth-m/trades', { outcomeId: 'yes', shares: 1 }),
      anon.post('/api/markets/auth-m/forecasts', { probability: 0.5 }),
      anon.post('/api/markets/auth-m/close', {}),
      anon.post('/api/markets/auth-m/resolve', { outcomeId: 'yes' }),
      anon.post('/api/markets/auth-m/unresolve', {}),
      anon.post('/api/me/tokens', {}),
      anon.post('/api/auth/logout', {}),
      anon.post('/api/admin/simulation', { running: true }),
      anon.get('/api/me'),
      anon.get('/api/audit'),
    ];
    for (const r of await Promise.all(attempts)) expectError(r, 401, 'unauthenticated');
    expect(await stateSnapshot(server.parity)).toEqual(before);
  });

  it('lets an anonymous visitor read markets and quote', async () => {
    const anon = new Client(server.url);
    expect((await anon.get('/api/markets/auth-m')).status).toBe(200);
    const q = await anon.post('/api/markets/auth-m/quote', { outcomeId: 'yes', shares: 10 });
    // b = 100, q = (0, 0): 10 yes cost 100 ln((e^0.1 + 1) / 2) = 5.12495 credits → 513 cents.
    expect(q.body.costCents).toBe(513);
  });
});

describe('API tokens', () => {
  it('trades with a Bearer token and no cookie, without an Origin header', async () => {
    const made = await trader.post('/api/me/tokens', {});
    expect(made.status).toBe(201);
    const token: string = made.body.token;
    expect(token).toMatch(/^[A-Za-z0-9_\-.~+/=]{10,200}$/);

    const bot = new Client(server.url);
    bot.token = token;
    const r = await bot.raw('POST', '/api/markets/auth-m/trades', {
      origin: false,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcomeId: 'yes', shares: 10 }),
    });
    expect(r.status).toBe(200);
    expect(r.body.user.username).toBe('tina');
    expect(r.body.trade.costCents).toBe(513);
    const me = await bot.get('/api/me');
    expect(me.body.user.username).toBe('tina');
    expect(me.body.user.balanceCents).toBe(100_000 - 513);
    // The token is stored hashed: its text is nowhere in the database.
    const rows = await sqlAll<{ token_hash: string }>(
      server.parity,
      'SELECT token_hash FROM api_tokens',
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((x) => x.token_hash !== token && /^[0-9a-f]{64}$/.test(x.token_hash))).toBe(
      true,
    );
  });

  it('answers a bad or revoked token with 401, even on public reads', async () => {
    const before = await stateSnapshot(server.parity);
    for (const header of [
      'Bearer not-a-real-token-at-all',
      'Bearer x',
      'Basic dGluYTpwYXNz',
      'Bearer ',
    ]) {
      const r = await new Client(server.url).raw('POST', '/api/markets/auth-m/trades', {
        headers: { authorization: header, 'content-type': 'application/json' },
        body: JSON.stringify({ outcomeId: 'yes', shares: 1 }),
      });
      expectError(r, 401, 'unauthenticated');
      const read = await new Client(server.url).raw('GET', '/api/markets/auth-m', {
        headers: { authorization: header },
      });
      expectError(read, 401, 'unauthenticated');
    }
    const made = await trader.post('/api/me/tokens', {});
    const bot = new Client(server.url);
    bot.token = made.body.token;
    expect((await bot.get('/api/me')).status).toBe(200);
    expect((await trader.delete(`/api/me/tokens/${made.body.id}`)).status).toBe(204);
    expectError(await bot.get('/api/me'), 401, 'unauthenticated');
    expectError(
      await bot.post('/api/markets/auth-m/trades', { outcomeId: 'yes', shares: 1 }),
      401,
      'unauthenticated',
    );
    // Another user cannot revoke tina's token.
    const other = await trader.post('/api/me/tokens', {});
    const eve = new Client(server.url);
    await eve.register('eve_tokens');
    expectError(await eve.delete(`/api/me/tokens/${other.body.id}`), 404, 'not_found');
    const snapshot = await stateSnapshot(server.parity);
    expect(snapshot.trades).toBe(before.trades);
    expect(snapshot.ledgerTx - before.ledgerTx).toBe(1); // eve's starting grant only
  });
});

describe('cross-site requests', () => {
  it('refuses a cookie-authenticated write from a foreign origin or with neither Origin nor Referer', async () => {
    const before = await stateSnapshot(server.parity);
    const body = JSON.stringify({ outcomeId: 'yes', shares: 1 });
    const json = { 'content-type': 'application/json' };
    const foreign = await trader.raw('POST', '/api/markets/auth-m/trades', {
      origin: false,
      headers: { ...json, origin: 'https://evil.example' },
      body,
    });
    expectError(foreign, 403, 'forbidden');
    const foreignReferer = await trader.raw('POST', '/api/markets/auth-m/trades', {
      origin: false,
      headers: { ...json, referer: 'https://evil.example/page' },
      body,
    });
    expectError(foreignReferer, 403, 'forbidden');
    const none = await trader.raw('POST', '/api/markets/auth-m/trades', {
      origin: false,
      headers: json,
      body,
    });
    expectError(none, 403, 'forbidden');
    const nullOrigin = await trader.raw('POST', '/api/markets/auth-m/trades', {
      origin: false,
      headers: { ...json, origin: 'null' },
      body,
    });
    expectError(nullOrigin, 403, 'forbidden');
    // A form post from another site, the classic CSRF shape.
    const form = await trader.raw('POST', '/api/me/tokens', {
      origin: false,
      headers: {
        origin: 'https://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'a=1',
    });
    expectError(form, 403, 'forbidden');
    expect(await stateSnapshot(server.parity)).toEqual(before);

    // Same-origin Referer without Origin is accepted.
    const sameReferer = await trader.raw('POST', '/api/markets/auth-m/trades', {
      origin: false,
      headers: { ...json, referer: `${server.url}/markets/auth-m` },
      body,
    });
    expect(sameReferer.status).toBe(200);
  });
});

describe('sessions', () => {
  it('ends the session on logout, so the old cookie no longer works', async () => {
    const c = new Client(server.url);
    await c.register('logan');
    const cookie = c.cookie!;
    expect((await c.get('/api/me')).status).toBe(200);
    const out = await c.post('/api/auth/logout', {});
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/parity_session=;/);
    expect(c.cookie).toBeUndefined();
    const replay = new Client(server.url);
    replay.cookie = cookie;
    expectError(await replay.get('/api/me'), 401, 'unauthenticated');
    expectError(
      await replay.post('/api/markets/auth-m/trades', { outcomeId: 'yes', shares: 1 }),
      401,
      'unauthenticated',
    );
    // Logging in again opens a new session with a different cookie.
    await c.login('logan', 'password-123');
    expect(c.cookie).toBeDefined();
    expect(c.cookie).not.toBe(cookie);
    expect((await c.get('/api/me')).body.user.username).toBe('logan');
  });

  it('registers a username once when the same name is registered concurrently', async () => {
    const before = await stateSnapshot(server.parity);
    const all = await Promise.all(
      Array.from({ length: 6 }, () =>
        new Client(server.url).post('/api/auth/register', {
          username: 'racer',
          password: 'password-123',
        }),
      ),
    );
    expect(all.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const r of all.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('conflict');
    const after = await stateSnapshot(server.parity);
    expect(after.users - before.users).toBe(1);
    // One starting grant: one ledger transaction.
    expect(after.ledgerTx - before.ledgerTx).toBe(1);
    expect(after.sessions - before.sessions).toBe(1);
  });

  it('expires a session after SESSION_TTL_HOURS', async () => {
    let offsetMs = 0;
    const clocked = await startServer({
      env: { SESSION_TTL_HOURS: '1' },
      now: () => new Date(Date.now() + offsetMs),
    });
    try {
      const c = new Client(clocked.url);
      await c.register('shortlived');
      expect((await c.get('/api/me')).status).toBe(200);
      offsetMs = 59 * 60_000;
      expect((await c.get('/api/me')).status).toBe(200);
      offsetMs = 61 * 60_000;
      expectError(await c.get('/api/me'), 401, 'unauthenticated');
      // The cookie itself says when it expires, an hour after sign-in.
      const again = new Client(clocked.url);
      const r = await again.login('shortlived', 'password-123');
      const expires = Date.parse(/Expires=([^;]+)/i.exec(r.headers.get('set-cookie')!)![1]!);
      expect(Math.abs(expires - (Date.now() + offsetMs + 3600_000))).toBeLessThan(5000);
    } finally {
      await clocked.close();
    }
  });

  it('rate-limits logins per username after 10 failures, even with the right password', async () => {
    const c = new Client(server.url);
    await c.register('rita', 'rita-password-1');
    const anon = new Client(server.url);
    for (let i = 0; i < 10; i++) {
      expectError(
        await anon.post('/api/auth/login', { username: 'rita', password: `wrong-${i}-pass` }),
        401,
        'unauthenticated',
      );
    }
    const limited = await anon.post('/api/auth/login', {
      username: 'rita',
      password: 'rita-password-1',
    });
    expectError(limited, 429, 'rate_limited');
    // A 15-minute window: the wait is announced in seconds, at most 900.
    const retry = Number(limited.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(800);
    expect(retry).toBeLessThanOrEqual(900);
    expect(limited.headers.get('set-cookie')).toBeNull();
    // Other usernames are unaffected, and rita's existing session still works.
    await new Client(server.url).login('tina', 'tina-password-1');
    expect((await c.get('/api/me')).body.user.username).toBe('rita');
  });

  it('rate-limits logins per address after 30 attempts across usernames', async () => {
    const fresh = await startServer();
    try {
      const c = new Client(fresh.url);
      // 3 attempts for each of 10 usernames: under the per-username limit, at the per-address one.
      for (let i = 0; i < 30; i++) {
        const r = await c.post('/api/auth/login', {
          username: `nobody_${i % 10}`,
          password: 'wrong-password',
        });
        expect(r.status).toBe(401);
      }
      expectError(
        await c.post('/api/auth/login', { username: ADMIN.username, password: ADMIN.password }),
        429,
        'rate_limited',
      );
    } finally {
      await fresh.close();
    }
  });
});

describe('secrets', () => {
  it('never sends a password or its hash back, and shows a token only once', async () => {
    const c = new Client(server.url);
    const password = 'very-secret-password-42';
    const reg = await c.register('sam', password);
    const login = await c.login('sam', password);
    const me = await c.get('/api/me');
    const tok = await c.post('/api/me/tokens', {});
    const token: string = tok.body.token;
    await c.post('/api/markets/auth-m/trades', { outcomeId: 'no', shares: 2 });
    const everything = [
      reg,
      login,
      me,
      await c.get('/api/me'),
      await c.get('/api/users/sam'),
      await c.get('/api/leaderboard'),
      await c.get('/api/markets/auth-m/trades'),
      await admin.get('/api/audit'),
    ];
    for (const r of everything) {
      const text = JSON.stringify(r.body);
      expect(text).not.toContain(password);
      expect(text).not.toMatch(/argon2|password/i);
      expect(text).not.toContain(token);
    }
    expect(Object.keys(reg.body.user).sort()).toEqual([
      'balanceCents',
      'createdAt',
      'id',
      'role',
      'username',
    ]);
    expect(Object.keys(tok.body).sort()).toEqual(['id', 'token']);
  });

  it('exposes no balance or id on a public profile', async () => {
    const r = await new Client(server.url).get('/api/users/tina');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.user).sort()).toEqual(['createdAt', 'role', 'username']);
    expect(JSON.stringify(r.body)).not.toMatch(/balance/i);
    expectError(await new Client(server.url).get('/api/users/no_such_user'), 404, 'not_found');
  });

  it('writes no password, token or session cookie to the logs', async () => {
    const c = new Client(server.url);
    const password = 'log-secret-password-7';
    await c.register('logsy', password);
    await c.login('logsy', password);
    await new Client(server.url).post('/api/auth/login', {
      username: 'logsy',
      password: 'wrong-log-secret',
    });
    // A body that fails to parse is not logged either (body-parser keeps the raw text on the error).
    await new Client(server.url).raw('POST', '/api/auth/login', {
      headers: { 'content-type': 'application/json' },
      body: `{"username":"logsy","password":"${password}"`,
    });
    const tok = await c.post('/api/me/tokens', {});
    const bot = new Client(server.url);
    bot.token = tok.body.token;
    await bot.post('/api/markets/auth-m/trades', { outcomeId: 'yes', shares: 1 });
    await new Client(server.url).raw('GET', '/api/me', {
      headers: { authorization: 'Bearer leaked-token-value-xyz' },
    });
    const sessionValue = c.cookie!.split('=')[1]!;
    const logs = logLines.join('');
    // The server does log at trace level (requests), so an empty log proves nothing.
    expect(logLines.length).toBeGreaterThan(10);
    for (const secret of [
      password,
      'wrong-log-secret',
      tok.body.token,
      sessionValue,
      'leaked-token-value-xyz',
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});
