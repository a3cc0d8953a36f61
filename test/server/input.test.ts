import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminClient,
  Client,
  startServer,
  stateSnapshot,
  type TestServer,
} from '../helpers/server.ts';

/**
 * Bad input at every POST endpoint: each answer is a 4xx with `{error: {code, message}}`,
 * never a 5xx, and the state (ledger, trades, forecasts, users, sessions, tokens, audit, every
 * market's seq) is exactly what it was.
 */

let server: TestServer;
let admin: Client;
let trader: Client;
const future = () => new Date(Date.now() + 30 * 86400_000).toISOString();

beforeAll(async () => {
  server = await startServer();
  admin = await adminClient(server.url);
  trader = new Client(server.url);
  await trader.register('ivan');
  for (const [id, extra] of [
    ['in-bin', {}],
    ['in-multi', { outcomes: ['Zhipu', 'DeepSeek', 'Moonshot'] }],
    ['in-res', {}],
  ] as const) {
    expect(
      (
        await admin.post('/api/markets', {
          id,
          question: `Input test ${id}?`,
          closesAt: future(),
          ...extra,
        })
      ).status,
    ).toBe(201);
  }
  await trader.post('/api/markets/in-bin/trades', { outcomeId: 'yes', shares: 10 });
  await trader.post('/api/markets/in-res/trades', { outcomeId: 'yes', shares: 10 });
  expect((await admin.post('/api/markets/in-res/resolve', { outcomeId: 'yes' })).status).toBe(200);
});
afterAll(() => server.close());

type Who = 'anon' | 'trader' | 'admin';
interface Endpoint {
  path: string;
  who: Who;
  /** A body the endpoint accepts, mutated field by field. */
  valid: Record<string, unknown>;
  /** Per field, values that must be refused. */
  badFields: Record<string, unknown[]>;
  /** Whether `{}` is a valid body (all fields optional). */
  emptyOk?: boolean;
}

/** Fields whose absence is valid, so dropping them is no probe. */
const OPTIONAL = new Set(['note', 'comment', 'liquidity']);
const NON_NUMBERS = [null, 'ten', '10', '', true, [], {}, [1]];
const NOT_TEXT = [null, 5, true, [], {}, ['x']];
const tradeFields = {
  outcomeId: [...NOT_TEXT, '', 'YES', 'yes no', 'x'.repeat(41), '../yes'],
  shares: [...NON_NUMBERS, 0, 1e8, -1e8, 1e308, -1e308],
  amountCents: [...NON_NUMBERS, 0, -1, -500, 1.5, 0.001, 1e12, 1e308, 2 ** 53 + 2],
  toProbability: [...NON_NUMBERS, 0, 1, -0.5, 1.5, 1e308],
  maxCostCents: [...NON_NUMBERS, 1.5, -0.5, 1e12, -1e12, 1e308],
  idempotencyKey: [null, 5, true, [], {}, '', 'k'.repeat(129)],
};

const ENDPOINTS: Endpoint[] = [
  {
    path: '/api/auth/register',
    who: 'anon',
    valid: { username: 'newbie', password: 'password-123' },
    badFields: {
      username: [
        ...NOT_TEXT,
        '',
        'ab',
        'a'.repeat(33),
        'Newbie',
        'new bie',
        'ｎｅｗｂｉｅ',
        'new-bie',
        'newbie\u0000',
      ],
      password: [...NOT_TEXT, '', 'short', 'p'.repeat(257)],
    },
  },
  {
    path: '/api/auth/login',
    who: 'anon',
    valid: { username: 'ivan', password: 'password-123' },
    badFields: {
      username: [...NOT_TEXT, '', 'IVAN', 'a'.repeat(33)],
      password: [...NOT_TEXT, '', 'short', 'p'.repeat(257)],
    },
  },
  { path: '/api/auth/logout', who: 'trader', valid: {}, badFields: {}, emptyOk: true },
  { path: '/api/me/tokens', who: 'trader', valid: {}, badFields: {}, emptyOk: true },
  {
    path: '/api/markets',
    who: 'admin',
    valid: { question: 'A valid question?', closesAt: future(), liquidity: 50 },
    badFields: {
      question: [...NOT_TEXT, '', 'abc', '    x     ', 'q'.repeat(301), 'bell \u0007 rings?'],
      description: [...NOT_TEXT, 'd'.repeat(10_001)],
      criteria: [...NOT_TEXT, 'c'.repeat(5001)],
      tags: [null, 'tag', [5], ['Tag'], ['a b'], Array(11).fill('t')],
      type: [null, 'numeric', 5, 'multiple'],
      outcomes: [
        null,
        'A,B',
        [],
        ['only'],
        ['A', 'a'],
        ['A', ''],
        Array(21)
          .fill(0)
          .map((_, i) => `o${i}`),
        [1, 2],
      ],
      liquidity: [...NON_NUMBERS, 0, -1, 0.5, 1e7, 1e308],
      closesAt: [
        ...NOT_TEXT,
        '',
        'tomorrow',
        '2020-01-01T00:00:00Z',
        '2030-02-30T00:00:00Z',
        '2030-01-01',
        '2030-01-01T25:00:00Z',
        1900000000000,
      ],
      id: [...NOT_TEXT, '', 'Bad Id', '-lead', 'trail-', 'x'.repeat(81), '../etc'],
      claims: [
        null,
        {},
        [{}],
        [
          {
            who: 'Musk',
            said: 'x',
            source: 's',
            date: '2026-01-01',
            outcomeId: 'maybe',
            probability: 0.5,
          },
        ],
        [
          {
            who: 'Musk',
            said: 'x',
            source: 's',
            date: '2026-13-01',
            outcomeId: 'yes',
            probability: 0.5,
          },
        ],
        [
          {
            who: 'Musk',
            said: 'x',
            source: 's',
            date: '2026-01-01',
            outcomeId: 'yes',
            probability: 2,
          },
        ],
        [
          {
            who: 'Musk',
            said: 'x',
            source: 's',
            date: '2026-01-01',
            outcomeId: 'yes',
            probability: 0.5,
            extra: 1,
          },
        ],
      ],
    },
  },
  {
    path: '/api/markets/in-bin/quote',
    who: 'anon',
    valid: { outcomeId: 'yes', shares: 1 },
    badFields: tradeFields,
  },
  {
    path: '/api/markets/in-bin/trades',
    who: 'trader',
    valid: { outcomeId: 'yes', shares: 1 },
    badFields: { ...tradeFields, outcomeId: [...tradeFields.outcomeId, 'maybe'] },
  },
  {
    path: '/api/markets/in-multi/trades',
    who: 'trader',
    valid: { outcomeId: 'zhipu', amountCents: 100 },
    badFields: { outcomeId: ['yes', 'other'], amountCents: tradeFields.amountCents },
  },
  {
    path: '/api/markets/in-bin/forecasts',
    who: 'trader',
    valid: { probability: 0.4, comment: 'why' },
    badFields: {
      probability: [...NON_NUMBERS, -0.1, 1.1, 1e308],
      probabilities: [[0.5, 0.6], [1], 'half', [0.5, '0.5']],
      comment: [...NOT_TEXT, 'c'.repeat(1001), 'nul \u0000 byte'],
    },
  },
  {
    path: '/api/markets/in-multi/forecasts',
    who: 'trader',
    valid: { probabilities: [0.2, 0.3, 0.5] },
    badFields: {
      probabilities: [
        null,
        [0.5, 0.5],
        [0.25, 0.25, 0.25, 0.25],
        [0.2, 0.3, 0.6],
        [-0.2, 0.7, 0.5],
        [1.5, -0.25, -0.25],
        Array(21).fill(1 / 21),
        [0.2, 0.3, '0.5'],
      ],
      probability: [0.5],
    },
  },
  {
    path: '/api/markets/in-bin/close',
    who: 'admin',
    valid: { note: 'ok' },
    badFields: { note: [...NOT_TEXT, 'n'.repeat(2001)] },
    emptyOk: true,
  },
  {
    path: '/api/markets/in-bin/resolve',
    who: 'admin',
    valid: { outcomeId: 'yes', note: 'ok' },
    badFields: {
      outcomeId: [...NOT_TEXT, '', 'maybe', 'zhipu'],
      note: [...NOT_TEXT, 'n'.repeat(2001)],
      knownAt: [
        ...NOT_TEXT,
        '',
        'yesterday',
        '2099-01-01T00:00:00Z',
        '2000-01-01T00:00:00Z',
        '2030-02-30T00:00:00Z',
      ],
      cancel: [true, false, 'true', 1],
    },
  },
  {
    path: '/api/markets/in-bin/resolve',
    who: 'admin',
    valid: { cancel: true },
    badFields: { cancel: [false, 'true', 1, null], knownAt: [new Date().toISOString()] },
  },
  {
    path: '/api/markets/in-res/unresolve',
    who: 'admin',
    valid: { note: 'ok' },
    badFields: { note: [...NOT_TEXT, 'n'.repeat(2001)] },
    emptyOk: true,
  },
  {
    path: '/api/admin/simulation',
    who: 'admin',
    valid: { running: false },
    badFields: {
      running: [null, 'true', 1, 'yes'],
      seed: [...NON_NUMBERS, -1, 1.5, 2 ** 31 + 1, 1e308],
      tradesPerMinute: [...NON_NUMBERS, 0, -5, 6001, 1e308],
    },
  },
];

function clientFor(who: Who): Client {
  if (who === 'admin') return admin;
  if (who === 'trader') return trader;
  return new Client(server.url);
}

interface Probe {
  label: string;
  body?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
  status?: number;
  code?: string;
}

/** Raw bodies that are bad everywhere, valid JSON or not. */
function rawProbes(e: Endpoint): Probe[] {
  const v = JSON.stringify(e.valid);
  const withField = (text: string) => (v === '{}' ? `{${text}}` : v.replace(/}$/, `,${text}}`));
  const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
  const probes: Probe[] = [
    { label: 'not JSON', body: 'not json' },
    { label: 'truncated JSON', body: v.slice(0, -1) },
    { label: 'single quotes', body: "{'a': 1}" },
    { label: 'NaN literal', body: withField('"n": NaN') },
    { label: 'Infinity literal', body: withField('"n": Infinity') },
    { label: 'trailing comma', body: withField('"n": 1,') },
    { label: 'null', body: 'null' },
    { label: 'array', body: '[]' },
    { label: 'array of the valid body', body: `[${v}]` },
    { label: 'string', body: '"text"' },
    { label: 'number', body: '42' },
    { label: 'true', body: 'true' },
    { label: 'deep nesting', body: deep },
    { label: 'unknown field', body: withField('"unknownField": 1') },
    { label: 'role escalation field', body: withField('"role": "admin"') },
    {
      label: '__proto__ key',
      body: withField('"__proto__": {"polluted": "yes", "role": "admin"}'),
    },
    {
      label: 'constructor.prototype key',
      body: withField('"constructor": {"prototype": {"polluted": "yes"}}'),
    },
    { label: 'prototype key', body: withField('"prototype": {"polluted": "yes"}') },
    { label: 'lone surrogate in a key', body: withField('"\\ud800": 1') },
    {
      label: 'body over 64 KB',
      body: withField(`"pad": "${'x'.repeat(70 * 1024)}"`),
      status: 413,
      code: 'payload_too_large',
    },
    {
      label: 'gzip body inflating past 64 KB',
      body: new Uint8Array(gzipSync(Buffer.from(withField(`"pad": "${' '.repeat(1024 * 1024)}"`)))),
      headers: { 'content-encoding': 'gzip' },
      status: 413,
      code: 'payload_too_large',
    },
    { label: 'corrupt gzip', body: 'not gzip at all', headers: { 'content-encoding': 'gzip' } },
    { label: 'unknown content encoding', body: v, headers: { 'content-encoding': 'br2' } },
    {
      label: 'unsupported charset',
      body: v,
      headers: { 'content-type': 'application/json; charset=latin1' },
    },
    { label: 'text/plain', body: v, headers: { 'content-type': 'text/plain' } },
    {
      label: 'form body',
      body: 'note=x&outcomeId=yes&shares=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
    {
      label: 'multipart body',
      body: '--b\r\nContent-Disposition: form-data; name="note"\r\n\r\nx\r\n--b--\r\n',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
    },
    { label: 'no content type', body: v, headers: { 'content-type': '' } },
  ];
  if (!e.emptyOk) {
    probes.push(
      { label: 'empty object', body: '{}' },
      { label: 'no body', headers: { 'content-type': '' } },
    );
  }
  // Numbers JSON.parse turns into Infinity, and ones past 2^53, in every numeric field.
  for (const [field, value] of Object.entries(e.valid)) {
    if (typeof value === 'number') {
      for (const n of ['1e999', '-1e999', '123456789012345678901234567890']) {
        probes.push({
          label: `${field} = ${n}`,
          body: v.replace(`"${field}":${value}`, `"${field}":${n}`),
        });
      }
    }
  }
  for (const [field, values] of Object.entries(e.badFields)) {
    for (const value of values) {
      probes.push({
        label: `${field} = ${JSON.stringify(value)?.slice(0, 40)}`,
        body: JSON.stringify({ ...e.valid, [field]: value }),
      });
    }
    if (field in e.valid) {
      const { [field]: _dropped, ...rest } = e.valid;
      if (!e.emptyOk && !OPTIONAL.has(field)) {
        probes.push({ label: `missing ${field}`, body: JSON.stringify(rest) });
      }
    }
  }
  return probes;
}

describe('bad input at every POST endpoint', () => {
  for (const e of ENDPOINTS) {
    it(`refuses bad bodies at ${e.path} (${Object.keys(e.valid).join(', ') || 'no fields'}) with a 4xx and changes nothing`, async () => {
      const c = clientFor(e.who);
      const before = await stateSnapshot(server.parity);
      const failures: string[] = [];
      for (const p of rawProbes(e)) {
        const r = await c.raw('POST', e.path, {
          ...(p.body === undefined ? {} : { body: p.body }),
          headers: { 'content-type': 'application/json', ...p.headers },
        });
        const code = r.body?.error?.code;
        const wantStatus = p.status ?? 400;
        const wantCode = p.code ?? 'validation_failed';
        if (
          r.status !== wantStatus ||
          code !== wantCode ||
          typeof r.body?.error?.message !== 'string'
        ) {
          failures.push(`${p.label}: ${r.status} ${String(JSON.stringify(r.body)).slice(0, 200)}`);
        }
      }
      expect(failures).toEqual([]);
      expect(await stateSnapshot(server.parity)).toEqual(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('role');
    });
  }

  it('still accepts the valid bodies the probes were built from', async () => {
    // Guards against probes that fail for the wrong reason (a broken valid body).
    const q = await trader.post('/api/markets/in-bin/quote', { outcomeId: 'yes', shares: 1 });
    expect(q.status).toBe(200);
    const f = await trader.post('/api/markets/in-multi/forecasts', {
      probabilities: [0.2, 0.3, 0.5],
    });
    expect(f.status).toBe(201);
    const m = await admin.post('/api/markets', {
      question: 'A valid question?',
      closesAt: future(),
      liquidity: 50,
    });
    expect(m.status).toBe(201);
    const s = await admin.post('/api/admin/simulation', { running: false });
    expect(s.status).toBe(200);
  });

  it('answers schema-valid but extreme trades with a 4xx domain error', async () => {
    const before = await stateSnapshot(server.parity);
    const cases: [Record<string, unknown>, number, string][] = [
      [{ outcomeId: 'yes', shares: 1e7 }, 409, 'insufficient_funds'],
      [{ outcomeId: 'yes', shares: -1e7 }, 409, 'insufficient_shares'],
      [{ outcomeId: 'no', shares: 1e-300 }, 400, 'validation_failed'],
      [{ outcomeId: 'yes', amountCents: 1e11 }, 409, 'insufficient_funds'],
      [{ outcomeId: 'yes', toProbability: 1 - 1e-15 }, 409, 'insufficient_funds'],
      [{ outcomeId: 'yes', shares: 1, maxCostCents: -1e11 }, 409, 'slippage'],
    ];
    const got = [];
    for (const [body] of cases) {
      const r = await trader.post('/api/markets/in-bin/trades', body);
      got.push([body, r.status, r.body.error?.code]);
    }
    expect(got).toEqual(cases);
    // P(yes) → 5e-324 without yes shares buys no up to 1 − 5e-324, which rounds to 1: refused
    // (the planner reports it as an empty trade; the money check never runs).
    const tiny = await trader.post('/api/markets/in-bin/trades', {
      outcomeId: 'yes',
      toProbability: Number.MIN_VALUE,
    });
    expect(tiny.status).toBeGreaterThanOrEqual(400);
    expect(tiny.status).toBeLessThan(500);
    const dup = await admin.post('/api/markets', {
      id: 'in-bin',
      question: 'Same id again?',
      closesAt: future(),
    });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'conflict']);
    expect(await stateSnapshot(server.parity)).toEqual(before);
  });
});

describe('bad input elsewhere', () => {
  it('answers bad query strings, path parameters and headers with a 4xx', async () => {
    const anon = new Client(server.url);
    const before = await stateSnapshot(server.parity);
    const gets: [Client, string][] = [
      [anon, '/api/markets?status=nope'],
      [anon, '/api/markets?status=open&status=all'],
      [anon, '/api/markets?status[x]=open'],
      [anon, '/api/markets?unknown=1'],
      [anon, '/api/markets/in-bin/trades?limit=0'],
      [anon, '/api/markets/in-bin/trades?limit=-1'],
      [anon, '/api/markets/in-bin/trades?limit=abc'],
      [anon, '/api/markets/in-bin/trades?limit=1e999'],
      [anon, '/api/markets/in-bin/trades?limit=1.5'],
      [anon, '/api/markets/in-bin/trades?limit=100000'],
      [anon, '/api/leaderboard?metric=wealth'],
      [anon, '/api/leaderboard?metric=__proto__'],
      [admin, '/api/audit?limit=NaN'],
      [anon, '/api/markets/BAD_ID'],
      [anon, `/api/markets/${'x'.repeat(2000)}`],
      [anon, '/api/markets/%E0%A4%A'],
      [anon, '/api/markets/%00'],
      [anon, '/api/markets/in-bin%2F..%2F..'],
      [anon, '/api/markets/no-such-market'],
      [anon, '/api/markets/no-such-market/history'],
      [anon, '/api/markets/in-bin/scores'],
      [anon, '/api/users/A'],
      [anon, '/api/users/ab'],
      [anon, '/api/users/__proto__'],
      [anon, '/api/users/constructor'],
      [anon, '/api/nothing-here'],
    ];
    const failures: string[] = [];
    for (const [c, path] of gets) {
      const r = await c.get(path);
      if (r.status < 400 || r.status >= 500 || typeof r.body?.error?.code !== 'string') {
        failures.push(`${path.slice(0, 60)}: ${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
      }
    }
    const posts: [Client, string][] = [
      [trader, '/api/markets/BAD_ID/trades'],
      [trader, '/api/markets/no-such-market/trades'],
      [trader, '/api/markets/%E0%A4%A/forecasts'],
      [admin, '/api/markets/no-such-market/close'],
      [admin, '/api/markets/no-such-market/resolve'],
    ];
    for (const [c, path] of posts) {
      const r = await c.post(path, { outcomeId: 'yes', shares: 1 });
      if (r.status < 400 || r.status >= 500 || typeof r.body?.error?.code !== 'string') {
        failures.push(`POST ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
      }
    }
    const headers: Record<string, string>[] = [
      { cookie: 'parity_session=%%%; other=1' },
      { cookie: `parity_session=${'a'.repeat(4000)}` },
      { cookie: '=;;;=' },
      { authorization: 'Bearer' },
      { authorization: `Bearer ${'a'.repeat(5000)}` },
      { authorization: 'Digest x' },
    ];
    for (const h of headers) {
      const r = await anon.raw('GET', '/api/me', { headers: h });
      if (r.status !== 401 || r.body?.error?.code !== 'unauthenticated') {
        failures.push(`GET /api/me ${JSON.stringify(h).slice(0, 60)}: ${r.status}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await stateSnapshot(server.parity)).toEqual(before);
  });

  it('refuses a token revocation for an unknown id', async () => {
    for (const id of ['nope', 'x'.repeat(500), '%00']) {
      const r = await trader.delete(`/api/me/tokens/${id}`);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('not_found');
    }
  });
});
