import { createHmac } from 'node:crypto';
import { parse as parseQuery } from 'node:querystring';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, Client, sqlAll } from '../helpers/server.ts';
import { fillPath, ROUTES, type RouteSpec, route, routeKey } from '../security/routes.ts';
import {
  hostileQuery,
  hostileSegment,
  hostileString,
  mutatedBody,
  NOT_JSON,
  parseLikeServer,
} from './arbitraries.ts';
import {
  expectServerIntact,
  type FuzzServer,
  fcParams,
  fullSnapshot,
  isErrorAnswer,
  rawRequest,
  snapshotDiff,
  startFuzzServer,
} from './harness.ts';

/**
 * Property-based fuzzing of every HTTP endpoint: generated bodies, query strings, path
 * parameters and headers, each judged against an oracle built from the same zod schemas the
 * server uses. Every answer is a 2xx that matches the endpoint's response schema, or a 4xx with
 * `{error: {code, message}}` that changed nothing at all (every table's row count, every
 * balance, every market's seq and status); never a 5xx, a logged error or an unhandled one.
 */

const SLACK_SECRET = 'fuzz-slack-secret';
const JSON_LIMIT = 64 * 1024;
const future = () => new Date(Date.now() + 30 * 86_400_000).toISOString();

let s: FuzzServer;
let admin: Client;
let trader: Client;
/** The trader's API token, sent without an Origin as a bot would. */
let bot: Client;
let anon: Client;
/** Cases per family, and how many of them the server accepted (2xx). */
const counts = new Map<string, number>();
const accepted = new Map<string, number>();
let lastFamily = '';
const count = (family: string) => {
  lastFamily = family;
  counts.set(family, (counts.get(family) ?? 0) + 1);
};

beforeAll(async () => {
  s = await startFuzzServer({
    env: {
      SEED: 'off',
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      LOGINS_PER_15_MIN: '100000',
      PROPOSALS_PER_DAY: '100000',
      COMMENTS_PER_MINUTE: '100000',
    },
  });
  admin = await adminClient(s.url);
  trader = new Client(s.url);
  await trader.register('fz_trader', 'password-123');
  const token = await trader.post('/api/me/tokens', {});
  bot = new Client(s.url);
  bot.token = token.body.token;
  anon = new Client(s.url);
  for (const [id, extra] of [
    ['fz-bin', {}],
    ['fz-multi', { outcomes: ['Zhipu', 'DeepSeek', 'Moonshot'] }],
    ['fz-close', {}],
    ['fz-resolve', {}],
    ['fz-res', {}],
    ['fz-tiny', { liquidity: 1 }],
    ['fz-deep', { liquidity: 1_000_000 }],
    ['fz-wide', { outcomes: Array.from({ length: 20 }, (_, i) => `Bucket ${i}`) }],
  ] as const) {
    const r = await admin.post('/api/markets', {
      id,
      question: `Fuzz market ${id}?`,
      closesAt: future(),
      ...extra,
    });
    expect(r.status).toBe(201);
  }
  for (const id of ['fz-bin', 'fz-res', 'fz-resolve']) {
    expect(
      (await trader.post(`/api/markets/${id}/trades`, { outcomeId: 'yes', shares: 5 })).status,
    ).toBe(200);
    expect((await trader.post(`/api/markets/${id}/forecasts`, { probability: 0.6 })).status).toBe(
      201,
    );
  }
  expect((await admin.post('/api/markets/fz-res/resolve', { outcomeId: 'yes' })).status).toBe(200);
});

afterAll(async () => {
  console.log(
    `fuzz http (cases, of which 2xx): ${[...counts].map(([k, n]) => `${k} ${n}/${accepted.get(k) ?? 0}`).join(', ')}; total ${[...counts.values()].reduce((a, b) => a + b, 0)}`,
  );
  await s?.stop();
});

/** What the oracle expects: an exact error, or "whatever the domain says" (2xx or 4xx). */
type Expect = { status: number; code: string } | { oneOf: number[] } | { maybe: true };

/**
 * Judges one answer: never a 5xx; a 4xx has the error body and changed nothing; a 2xx matches
 * the endpoint's response schema. Throws with a readable message, so fast-check reports it.
 */
function judge(
  label: string,
  r: RouteSpec | undefined,
  expected: Expect,
  a: { status: number; body: unknown },
  before: Record<string, number | string>,
  after: Record<string, number | string>,
): void {
  const shown = `${label}: ${a.status} ${String(JSON.stringify(a.body)).slice(0, 300)}`;
  if (a.status >= 500) throw new Error(`5xx ${shown}`);
  if ('status' in expected) {
    const code = (a.body as { error?: { code?: string } } | undefined)?.error?.code;
    if (a.status !== expected.status || code !== expected.code) {
      throw new Error(`expected ${expected.status} ${expected.code}, got ${shown}`);
    }
  }
  if ('oneOf' in expected && !expected.oneOf.includes(a.status)) {
    throw new Error(`expected one of ${expected.oneOf.join(', ')}, got ${shown}`);
  }
  if (a.status >= 400) {
    if (!isErrorAnswer(a)) throw new Error(`a 4xx without the error body: ${shown}`);
    const diff = snapshotDiff(before, after);
    if (diff.length)
      throw new Error(`a refused request changed state (${diff.join('; ')}): ${shown}`);
    return;
  }
  if (a.status < 200 || a.status >= 300) throw new Error(`unexpected status ${shown}`);
  accepted.set(lastFamily, (accepted.get(lastFamily) ?? 0) + 1);
  if (r?.response) {
    const parsed = r.response.safeParse(a.body);
    if (!parsed.success) throw new Error(`2xx off its schema (${parsed.error.message}): ${shown}`);
  }
}

/** Undoes what a fuzzed request that happened to be valid switched on. */
async function cleanUp(r: RouteSpec, a: { status: number; body: any }): Promise<void> {
  if (a.status >= 300) return;
  if (r.path === '/api/admin/simulation' && r.method === 'POST' && a.body?.running) {
    expect((await admin.post('/api/admin/simulation', { running: false })).status).toBe(200);
  }
  if (r.path === '/api/integrations/webhooks' && r.method === 'POST') {
    const del = await admin.delete(`/api/integrations/webhooks/${a.body.webhook.id}`);
    expect(del.status).toBe(204);
  }
}

interface BodyTarget {
  key: string;
  who: Client;
  params?: Record<string, string>;
  valid: Record<string, unknown>;
  /** Optional fields of the schema, so mutations also set them. */
  extra?: string[];
  runs: number;
}

/** A valid value for each path parameter, where a case varies another or none. */
const PATH_VALUES = {
  id: 'fz-bin',
  token: 'Fz0123456789abcdefghijklmnopqrsT',
  username: 'fz_trader',
  code: 'Fz0123456789abcdefghijklmnopqrst',
  platform: 'slack',
  teamId: 'TFUZZ',
  externalUserId: 'UFUZZ',
};

/** Well-formed ids of each kind, for a route's parameters that `PATH_VALUES` does not fit. */
const SAMPLE_IDS = ['sp_FuzzFuzzFuzzFuzz', 'pr_FuzzFuzzFuzzFuzz', '999999'];

/** Valid values for every parameter of a route: PATH_VALUES, or a sample its schema accepts. */
function validParams(r: RouteSpec): Record<string, string> {
  const out: Record<string, string> = { ...PATH_VALUES };
  for (const [name, schema] of Object.entries(r.params ?? {})) {
    if (schema.safeParse(out[name]).success) continue;
    const fit = SAMPLE_IDS.find((v) => schema.safeParse(v).success);
    if (fit) out[name] = fit;
  }
  return out;
}

const tradeExtra = ['shares', 'amountCents', 'toProbability', 'maxCostCents', 'idempotencyKey'];

const BODY_TARGETS: BodyTarget[] = [
  {
    key: 'POST /api/auth/register',
    who: anonClient(),
    valid: { username: 'fz_new', password: 'password-123' },
    runs: 60,
  },
  {
    key: 'POST /api/auth/login',
    who: anonClient(),
    valid: { username: 'fz_trader', password: 'password-123' },
    runs: 60,
  },
  { key: 'POST /api/auth/logout', who: botClient(), valid: {}, extra: ['note'], runs: 60 },
  { key: 'POST /api/me/tokens', who: traderClient(), valid: {}, extra: ['spaceId'], runs: 60 },
  {
    key: 'POST /api/spaces',
    who: traderClient(),
    valid: { name: 'A fuzzed space', visibility: 'private' },
    runs: 60,
  },
  {
    key: 'POST /api/proposals',
    who: traderClient(),
    valid: {
      question: 'A fuzzed proposal?',
      criteria: 'Resolves on the record.',
      closesAt: '2099-01-01T00:00:00Z',
    },
    extra: ['description', 'type', 'outcomes', 'sources', 'spaceId'],
    runs: 100,
  },
  {
    key: 'POST /api/markets/:id/comments',
    who: traderClient(),
    params: { id: 'fz-bin' },
    valid: { text: 'A fuzzed comment' },
    extra: ['replyTo'],
    runs: 80,
  },
  {
    key: 'POST /api/markets',
    who: adminClient_(),
    valid: { question: 'A fuzzed question?', closesAt: '2099-01-01T00:00:00Z' },
    extra: ['description', 'criteria', 'tags', 'type', 'outcomes', 'liquidity', 'id', 'claims'],
    runs: 120,
  },
  {
    key: 'POST /api/markets/:id/quote',
    who: anonClient(),
    params: { id: 'fz-bin' },
    valid: { outcomeId: 'yes', shares: 1 },
    extra: tradeExtra,
    runs: 120,
  },
  {
    key: 'POST /api/markets/:id/trades',
    who: traderClient(),
    params: { id: 'fz-bin' },
    valid: { outcomeId: 'yes', shares: 1 },
    extra: tradeExtra,
    runs: 150,
  },
  {
    key: 'POST /api/markets/:id/trades',
    who: botClient(),
    params: { id: 'fz-multi' },
    valid: { outcomeId: 'zhipu', amountCents: 100 },
    extra: tradeExtra,
    runs: 80,
  },
  {
    key: 'POST /api/markets/:id/forecasts',
    who: traderClient(),
    params: { id: 'fz-bin' },
    valid: { probability: 0.4 },
    extra: ['probabilities', 'comment'],
    runs: 100,
  },
  {
    key: 'POST /api/markets/:id/forecasts',
    who: botClient(),
    params: { id: 'fz-multi' },
    valid: { probabilities: [0.2, 0.3, 0.5] },
    extra: ['probability', 'comment'],
    runs: 80,
  },
  {
    key: 'POST /api/markets/:id/close',
    who: adminClient_(),
    params: { id: 'fz-close' },
    valid: { note: 'fuzz' },
    runs: 60,
  },
  {
    key: 'POST /api/markets/:id/resolve',
    who: adminClient_(),
    params: { id: 'fz-resolve' },
    valid: { outcomeId: 'yes', note: 'fuzz' },
    extra: ['knownAt', 'cancel'],
    runs: 100,
  },
  {
    key: 'POST /api/markets/:id/unresolve',
    who: adminClient_(),
    params: { id: 'fz-res' },
    valid: { note: 'fuzz' },
    runs: 60,
  },
  {
    key: 'POST /api/admin/simulation',
    who: adminClient_(),
    valid: { running: false },
    extra: ['seed', 'tradesPerMinute'],
    runs: 80,
  },
  {
    key: 'PUT /api/me/chat/reminders',
    who: traderClient(),
    valid: { enabled: false },
    runs: 60,
  },
  {
    key: 'POST /api/integrations/links/:code',
    who: traderClient(),
    params: { code: PATH_VALUES.code },
    valid: {},
    runs: 40,
  },
  {
    key: 'POST /api/integrations/webhooks',
    who: adminClient_(),
    valid: { kind: 'generic', url: 'https://hooks.example.com/parity', events: ['resolved'] },
    extra: ['mode', 'minMove', 'marketIds'],
    runs: 100,
  },
];

// The clients exist only after beforeAll; the table refers to them lazily.
function lazy(get: () => Client): Client {
  return new Proxy({} as Client, {
    get: (_t, prop) => {
      const c = get() as unknown as Record<PropertyKey, unknown>;
      const v = c[prop];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(c) : v;
    },
  });
}
function anonClient() {
  return lazy(() => anon);
}
function traderClient() {
  return lazy(() => trader);
}
function botClient() {
  return lazy(() => bot);
}
function adminClient_() {
  return lazy(() => admin);
}

/** The oracle for a body: too large, not JSON, off the schema, or up to the domain. */
function expectForBody(r: RouteSpec, text: string): Expect {
  if (Buffer.byteLength(text) > JSON_LIMIT) return { status: 413, code: 'payload_too_large' };
  const parsed = parseLikeServer(text);
  if (!parsed.ok) return { status: 400, code: 'validation_failed' };
  if (r.body && !r.body.safeParse(parsed.value).success) {
    return { status: 400, code: 'validation_failed' };
  }
  return { maybe: true };
}

async function sendBody(t: BodyTarget, text: string, family: string): Promise<void> {
  const r = route(t.key);
  const path = fillPath(r.path, t.params ?? {});
  const expected = expectForBody(r, text);
  const before = await fullSnapshot(s.parity);
  const a = await t.who.raw(r.method, path, {
    body: text,
    headers: { 'content-type': 'application/json' },
  });
  const after = await fullSnapshot(s.parity);
  count(family);
  judge(`${t.key} ${text.slice(0, 200)}`, r, expected, a, before, after);
  await cleanUp(r, a);
}

describe('generated bodies', () => {
  for (const t of BODY_TARGETS) {
    it(`answers ${t.key}${t.params ? ` (${Object.values(t.params).join(', ')})` : ''} with a schema-checked 2xx or a 4xx that changes nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 8, arbitrary: mutatedBody(t.valid, t.extra) },
            { weight: 1, arbitrary: fc.constantFrom(...NOT_JSON) },
          ),
          async (text) => sendBody(t, text, `body ${t.key}`),
        ),
        fcParams(t.runs),
      );
    }, 60_000);
  }
});

/** Numbers at the edges of what the schemas allow, where the LMSR's arithmetic is tested. */
const edgeDouble = (min: number, max: number) =>
  fc.oneof(
    fc.double({ min, max, noNaN: true }),
    fc
      .constantFrom(min, max, -0, 0, Number.MIN_VALUE, 1e-9, 1 - 2 ** -53, 0.5)
      .filter((x) => x >= min && x <= max),
  );

/** Text as the schemas' text() allows it (no control characters), of any script. */
const freeText = (min: number, max: number) =>
  hostileString
    // biome-ignore lint/suspicious/noControlCharactersInRegex: what text() refuses
    .map((x) => x.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').slice(0, max))
    .filter((x) => x.trim().length >= min);

function tradeBody(outcomes: string[]) {
  const outcomeId = fc.constantFrom(...outcomes, 'maybe');
  const form = fc.oneof(
    fc.record({
      outcomeId,
      shares: fc.oneof(edgeDouble(-20, 20), edgeDouble(-1e7, 1e7)).filter((x) => x !== 0),
    }),
    fc.record({
      outcomeId,
      amountCents: fc.oneof(fc.integer({ min: 1, max: 1e11 }), fc.constantFrom(1, 1e11)),
    }),
    fc.record({
      outcomeId,
      toProbability: edgeDouble(Number.MIN_VALUE, 1 - 2 ** -53).filter((x) => x > 0 && x < 1),
    }),
  );
  return fc
    .tuple(
      form,
      fc.option(fc.integer({ min: -1e11, max: 1e11 }), { nil: undefined }),
      fc.option(freeText(1, 128), { nil: undefined }),
    )
    .map(([f, maxCostCents, idempotencyKey]) => ({
      ...f,
      ...(maxCostCents === undefined ? {} : { maxCostCents }),
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    }));
}

const vector = (n: number) =>
  fc
    .array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n })
    .filter((xs) => xs.reduce((a, b) => a + b, 0) > 1e-3)
    .map((xs) => {
      const sum = xs.reduce((a, b) => a + b, 0);
      return xs.map((x) => x / sum);
    });

describe('schema-valid bodies at the edges', () => {
  const cases: {
    name: string;
    key: string;
    who: () => Client;
    params?: Record<string, string>;
    body: fc.Arbitrary<unknown>;
    runs: number;
  }[] = [
    {
      name: 'trades, b = 100',
      key: 'POST /api/markets/:id/trades',
      who: () => trader,
      params: { id: 'fz-bin' },
      body: tradeBody(['yes', 'no']),
      runs: 120,
    },
    {
      name: 'trades, b = 1',
      key: 'POST /api/markets/:id/trades',
      who: () => bot,
      params: { id: 'fz-tiny' },
      body: tradeBody(['yes', 'no']),
      runs: 120,
    },
    {
      name: 'trades, b = 1,000,000',
      key: 'POST /api/markets/:id/trades',
      who: () => trader,
      params: { id: 'fz-deep' },
      body: tradeBody(['yes', 'no']),
      runs: 80,
    },
    {
      name: 'trades, 20 outcomes',
      key: 'POST /api/markets/:id/trades',
      who: () => bot,
      params: { id: 'fz-wide' },
      body: tradeBody(Array.from({ length: 20 }, (_, i) => `bucket-${i}`)),
      runs: 80,
    },
    {
      name: 'quotes, b = 1',
      key: 'POST /api/markets/:id/quote',
      who: () => anon,
      params: { id: 'fz-tiny' },
      body: tradeBody(['yes', 'no']),
      runs: 80,
    },
    {
      name: 'forecasts, binary',
      key: 'POST /api/markets/:id/forecasts',
      who: () => trader,
      params: { id: 'fz-bin' },
      body: fc.record({ probability: edgeDouble(0, 1), comment: freeText(0, 1000) }),
      runs: 60,
    },
    {
      name: 'forecasts, 20 outcomes',
      key: 'POST /api/markets/:id/forecasts',
      who: () => bot,
      params: { id: 'fz-wide' },
      body: fc.record({ probabilities: vector(20) }),
      runs: 60,
    },
    {
      name: 'new markets',
      key: 'POST /api/markets',
      who: () => admin,
      body: fc.record(
        {
          question: freeText(5, 300),
          closesAt: fc
            .date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true })
            .map((d) => d.toISOString()),
          liquidity: edgeDouble(1, 1_000_000),
          outcomes: fc.uniqueArray(freeText(1, 80), {
            minLength: 2,
            maxLength: 20,
            selector: (x) => x.trim().toLowerCase(),
          }),
          description: freeText(0, 10_000),
          tags: fc.array(fc.stringMatching(/^[a-z0-9-]{1,30}$/), { maxLength: 10 }),
        },
        { requiredKeys: ['question', 'closesAt'] },
      ),
      runs: 80,
    },
    {
      name: 'logins',
      key: 'POST /api/auth/login',
      who: () => anon,
      body: fc.record({
        username: fc.stringMatching(/^[a-z0-9_]{3,32}$/),
        password: freeText(8, 256).filter((x) => x.length >= 8),
      }),
      runs: 20,
    },
  ];
  for (const c of cases) {
    it(`answers ${c.name} with a schema-checked 2xx or a 4xx domain error that changes nothing`, async () => {
      const r = route(c.key);
      await fc.assert(
        fc.asyncProperty(c.body, async (body) => {
          const text = JSON.stringify(body);
          const before = await fullSnapshot(s.parity);
          const a = await c.who().raw(r.method, fillPath(r.path, c.params ?? {}), {
            body: text,
            headers: { 'content-type': 'application/json' },
          });
          count(`edge ${c.name}`);
          judge(
            `${c.key} ${text.slice(0, 200)}`,
            r,
            { maybe: true },
            a,
            before,
            await fullSnapshot(s.parity),
          );
        }),
        fcParams(c.runs),
      );
    }, 60_000);
  }
});

describe('oversized and deeply nested bodies', () => {
  const posts = BODY_TARGETS.filter((t, i, all) => all.findIndex((x) => x.key === t.key) === i);

  it('refuses a 10 MB body at every POST endpoint with 413 and changes nothing', async () => {
    const tenMb = `{"pad":"${'x'.repeat(10 * 1024 * 1024)}"}`;
    for (const t of posts) await sendBody(t, tenMb, 'huge body');
    // Chunked, so the server cannot refuse it from Content-Length alone.
    for (const t of posts.slice(0, 4)) {
      const r = route(t.key);
      const chunk = new TextEncoder().encode('x'.repeat(1024 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent++ < 10) c.enqueue(chunk);
          else c.close();
        },
      });
      const before = await fullSnapshot(s.parity);
      const res = await fetch(s.url + fillPath(r.path, t.params ?? {}), {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: s.url },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      const a = { status: res.status, body: await res.json() };
      count('huge body');
      judge(
        `${t.key} chunked 10 MB`,
        r,
        { status: 413, code: 'payload_too_large' },
        a,
        before,
        await fullSnapshot(s.parity),
      );
    }
  }, 60_000);

  it('refuses JSON nested 100,000 levels deep, and parses 30,000 levels without harm', async () => {
    for (const t of posts) {
      for (const text of [
        `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
        `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`,
        `${'['.repeat(30_000)}1${']'.repeat(30_000)}`,
        `${'{"a":'.repeat(12_000)}1${'}'.repeat(12_000)}`,
        `{"${Object.keys(t.valid)[0] ?? 'note'}":${'['.repeat(30_000)}${']'.repeat(30_000)}}`,
        `{"__proto__":${'{"__proto__":'.repeat(8000)}1${'}'.repeat(8000)}}`,
      ]) {
        await sendBody(t, text, 'deep body');
      }
    }
  }, 60_000);
});

describe('generated query strings', () => {
  const targets: { key: string; who: () => Client; params?: Record<string, string> }[] = [
    { key: 'GET /api/markets', who: () => anon },
    { key: 'GET /api/markets/:id/trades', who: () => anon, params: { id: 'fz-bin' } },
    { key: 'GET /api/leaderboard', who: () => anon },
    { key: 'GET /api/audit', who: () => admin },
    { key: 'GET /api/integrations/deliveries', who: () => admin },
  ];
  for (const t of targets) {
    it(`answers ${t.key} with a query the schema allows, and 400 for any other`, async () => {
      const r = route(t.key);
      const fields = Object.keys((r.query as unknown as { shape: Record<string, unknown> }).shape);
      await fc.assert(
        fc.asyncProperty(hostileQuery(fields), async (qs) => {
          const parsed = r.query!.safeParse(parseQuery(qs));
          const expected: Expect = parsed.success
            ? { maybe: true }
            : { status: 400, code: 'validation_failed' };
          const path = `${fillPath(r.path, t.params ?? {})}?${qs}`;
          const before = await fullSnapshot(s.parity);
          const who = t.who();
          const a = await rawRequest(s.url, 'GET', path, {
            headers: who.cookie ? { cookie: who.cookie } : {},
          });
          count('query');
          judge(`${t.key}?${qs}`, r, expected, a, before, await fullSnapshot(s.parity));
          // A cursor the server did not make is refused, whatever its shape.
          const badCursor =
            a.status === 400 &&
            (a.body as { error?: { details?: { field?: string } } })?.error?.details?.field ===
              'before';
          if (parsed.success && a.status !== 200 && !badCursor)
            throw new Error(`valid query refused: ${path} ${a.status}`);
        }),
        fcParams(60),
      );
    }, 60_000);
  }
});

describe('generated path parameters', () => {
  const bodies: Record<string, string> = {
    'POST /api/markets/:id/quote': '{"outcomeId":"yes","shares":1}',
    'POST /api/markets/:id/trades': '{"outcomeId":"yes","shares":1}',
    'POST /api/markets/:id/forecasts': '{"probability":0.5}',
    'POST /api/markets/:id/close': '{}',
    'POST /api/markets/:id/resolve': '{"outcomeId":"yes"}',
    'POST /api/markets/:id/unresolve': '{}',
    'POST /api/markets/:id/comments': '{"text":"hi"}',
    'POST /api/markets/:id/embed': '{}',
    'POST /api/spaces/:id/invites': '{}',
    'POST /api/invites/:token/accept': '{}',
    'PATCH /api/spaces/:id/members/:username': '{"role":"member"}',
    'PATCH /api/proposals/:id': '{}',
    'POST /api/proposals/:id/approve': '{}',
    'POST /api/proposals/:id/reject': '{"reason":"Not a question."}',
  };
  const withParams = ROUTES.filter((r) => r.params);
  for (const r of withParams) {
    it(`answers ${routeKey(r)} with 400 or 404 for a hostile parameter, never a 5xx`, async () => {
      const who = r.access === 'admin' ? admin : trader;
      await fc.assert(
        fc.asyncProperty(hostileSegment, async (segment) => {
          // One parameter is hostile at a time; the others hold valid values.
          const names = Object.keys(r.params!);
          const name = names[(segment.length + names.length) % names.length]!;
          let decoded: string | undefined;
          try {
            decoded = decodeURIComponent(segment);
          } catch {
            decoded = undefined;
          }
          // An encoded slash still matches one segment, decoded to a value no schema allows.
          const schemaOk = decoded !== undefined && r.params![name]!.safeParse(decoded).success;
          const path = fillPath(r.path, { ...validParams(r), [name]: segment });
          const body = bodies[routeKey(r)];
          const before = await fullSnapshot(s.parity);
          const a = await rawRequest(s.url, r.method, path, {
            headers: {
              origin: s.url,
              ...(who.cookie ? { cookie: who.cookie } : {}),
              ...(body ? { 'content-type': 'application/json' } : {}),
            },
            ...(body ? { body } : {}),
          });
          count('path parameter');
          // Tokens and webhooks answer any unknown id with 404, whatever its shape.
          const lenient = ['/tokens/', '/webhooks/', '/links/'].some((p) => r.path.includes(p));
          const expected: Expect =
            decoded === undefined
              ? { status: 400, code: 'validation_failed' }
              : schemaOk
                ? { maybe: true }
                : lenient
                  ? { status: 404, code: 'not_found' }
                  : { status: 400, code: 'validation_failed' };
          judge(
            `${r.method} ${path.slice(0, 120)}`,
            r,
            expected,
            a,
            before,
            await fullSnapshot(s.parity),
          );
          // A well-formed id is not found (404), or names a market the fuzzing created, which
          // may refuse the fixed body (a multiple-choice market has no "yes": 400; 409).
          const exists =
            name === 'id' &&
            r.path.startsWith('/api/markets/') &&
            // No stored id holds a NUL (PostgreSQL cannot even compare one).
            !decoded?.includes('\0') &&
            (await sqlAll(s.parity, 'SELECT 1 AS one FROM markets WHERE id = ?', [decoded]))
              .length > 0;
          if (schemaOk && a.status >= 400 && a.status !== 404 && !exists) {
            throw new Error(`a well-formed unknown id answered ${a.status}: ${path}`);
          }
        }),
        fcParams(40),
      );
    }, 60_000);
  }

  it('refuses traversal in raw paths without serving anything outside the API', async () => {
    for (const path of [
      '/api/markets/../../package.json',
      '/api/../package.json',
      '/api/markets/%2e%2e/%2e%2e/package.json',
      '/api/markets/fz-bin/..%2f..%2f..%2fpackage.json',
      '/api/users/..%5c..%5cpackage.json',
      '/api//markets',
      '/api/markets/fz-bin/trades/../../../../etc/passwd',
      '/api/%00',
      '/api/markets/fz-bin%00',
      '/api/markets/fz-bin;x=1',
    ]) {
      const a = await rawRequest(s.url, 'GET', path);
      count('path parameter');
      expect(a.status, path).toBeLessThan(500);
      expect(a.text, path).not.toContain('"dependencies"');
      expect(a.text, path).not.toContain('root:');
    }
  });
});

describe('generated headers', () => {
  // Header values as Node sends them (no control characters), under its 16 KB header limit.
  const printable = (x: string) => x.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?').slice(0, 3000);
  const header = fc.oneof(
    hostileString.map(printable),
    hostileString.map((x) => `Bearer ${printable(x)}`),
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'bearer pty_x',
      `Bearer ${'a'.repeat(5000)}`,
      'Basic YTpi',
    ),
  );
  it('treats any Authorization header that is not a live token as 401, on every endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES.map(routeKey)), header, async (key, value) => {
        const r = route(key);
        const path = fillPath(r.path, validParams(r));
        const before = await fullSnapshot(s.parity);
        const a = await rawRequest(s.url, r.method, path, {
          headers: { authorization: value, origin: s.url, 'content-type': 'application/json' },
          body: '{}',
        });
        count('header');
        judge(
          `${routeKey(r)} authorization ${value.slice(0, 60)}`,
          r,
          { status: 401, code: 'unauthenticated' },
          a,
          before,
          await fullSnapshot(s.parity),
        );
      }),
      fcParams(150),
    );
  }, 60_000);

  it('treats garbage cookies, origins and content types as no session, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES.map(routeKey)),
        fc.record({
          cookie: fc.oneof(
            hostileString.map(printable),
            hostileString.map((x) => `parity_session=${printable(x)}`),
            fc.constant(`parity_session=${'a'.repeat(100)}; parity_session=x`),
          ),
          origin: fc.oneof(hostileString.map(printable), fc.constant('null')),
          'content-type': fc.oneof(
            hostileString.map(printable),
            fc.constantFrom(
              'application/json; charset=utf-16',
              'application/json; charset=x-evil',
              'application/x-www-form-urlencoded',
              'multipart/form-data; boundary=x',
              'application/json; boundary=;;;',
            ),
          ),
        }),
        async (key, headers) => {
          const r = route(key);
          const path = fillPath(r.path, validParams(r));
          const before = await fullSnapshot(s.parity);
          const a = await rawRequest(s.url, r.method, path, {
            headers,
            body: '{"outcomeId":"yes","shares":1}',
          });
          count('header');
          // The JSON parser may refuse the content type first (400); a foreign Origin is refused
          // on writes (403); otherwise there is no session (401).
          const expected: Expect =
            r.access === 'user' || r.access === 'admin'
              ? { oneOf: r.method === 'GET' ? [400, 401] : [400, 401, 403] }
              : { maybe: true };
          judge(
            `${routeKey(r)} ${JSON.stringify(headers).slice(0, 160)}`,
            r,
            expected,
            a,
            before,
            await fullSnapshot(s.parity),
          );
        },
      ),
      fcParams(150),
    );
  }, 60_000);
});

describe('the Slack command', () => {
  const slackRoute = route('POST /api/integrations/slack/command');
  const sign = (ts: string, body: string) =>
    `v0=${createHmac('sha256', SLACK_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  const formBody = fc.oneof(
    fc
      .record({
        command: fc.oneof(fc.constant('/odds'), hostileString),
        text: hostileString,
        user_name: hostileString,
      })
      .map((f) => new URLSearchParams(f).toString()),
    hostileString.map((x) => x.replace(/^\ufeff/, '')),
    fc.constantFrom(
      'text=%zz',
      'text[]=a&text[]=b',
      'text=a&text=b',
      '__proto__[x]=1&text=y',
      '=&&=',
    ),
  );

  it('answers a correctly signed form with a Slack message or 400, and an unsigned one with 401', async () => {
    await fc.assert(
      fc.asyncProperty(
        formBody,
        fc.constantFrom('signed', 'unsigned', 'stale', 'forged', 'garbage'),
        async (body, how) => {
          const now = Math.floor(Date.now() / 1000);
          const ts = how === 'stale' ? String(now - 600) : String(now);
          const headers: Record<string, string> = {
            'content-type': 'application/x-www-form-urlencoded',
          };
          if (how !== 'unsigned') {
            headers['x-slack-request-timestamp'] = how === 'garbage' ? '1e9' : ts;
            headers['x-slack-signature'] = how === 'forged' ? sign(ts, `${body}x`) : sign(ts, body);
          }
          const before = await fullSnapshot(s.parity);
          const a = await rawRequest(s.url, 'POST', slackRoute.path, { headers, body });
          count('slack command');
          let expected: Expect;
          if (Buffer.byteLength(body) > 16 * 1024)
            expected = { status: 413, code: 'payload_too_large' };
          else if (how !== 'signed') expected = { status: 401, code: 'unauthenticated' };
          else expected = { maybe: true };
          judge(
            `slack ${how} ${body.slice(0, 100)}`,
            slackRoute,
            expected,
            a,
            before,
            await fullSnapshot(s.parity),
          );
          if (how === 'signed' && a.status === 400) {
            // Only a text over Slack's 4,000 characters, or repeated fields, is refused.
            const form = new URLSearchParams(body);
            const bad =
              form.getAll('text').length > 1 ||
              form.getAll('command').length > 1 ||
              (form.get('text') ?? '').length > 4000 ||
              (form.get('command') ?? '').length > 100;
            if (!bad)
              throw new Error(
                `a signed form refused: ${body.slice(0, 100)} ${JSON.stringify(a.body)}`,
              );
          }
        },
      ),
      fcParams(120),
    );
  }, 60_000);
});

describe('after the run', () => {
  it('logged no error, raised no unhandled rejection, kept the ledger exact and still answers', async () => {
    await expectServerIntact(s);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(1000);
  });
});
