import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpStatusOf } from '../../shared/errors.ts';
import { rawRequest } from '../fuzz/harness.ts';
import { discordKeys, discordSigned, slackSigned } from '../helpers/chatSigning.ts';
import {
  answerChecker,
  docPath,
  type OpenApiDoc,
  pointAt,
  refsOf,
} from '../helpers/openapiSchemas.ts';
import {
  type ApiResult,
  adminClient,
  Client,
  startServer,
  type TestServer,
} from '../helpers/server.ts';
import { expressApiRoutes, fillPath, ROUTES, routeKey } from '../security/routes.ts';

/**
 * GET /api/openapi.json against three independent sources: OpenAPI 3.1's own JSON Schema (a
 * validator package), the routes Express really serves, and the answers the real server gives
 * in a run through the API, each checked with a JSON Schema validator against the schema the
 * document names for its status.
 */

const SLACK_SECRET = 'openapi-slack-secret';
const discord = discordKeys();
const PACKAGE_VERSION = JSON.parse(readFileSync('package.json', 'utf8')).version;
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

let server: TestServer;
let doc: OpenApiDoc;
let docAnswer: ApiResult<any>;
let admin: Client;
let tina: Client;
let otto: Client;

beforeAll(async () => {
  server = await startServer({
    env: {
      SEED: 'off',
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      DISCORD_PUBLIC_KEY: discord.publicKeyHex,
    },
  });
  docAnswer = await new Client(server.url).get('/api/openapi.json');
  doc = docAnswer.body;
  admin = await adminClient(server.url);
  tina = new Client(server.url);
  await tina.register('oa_tina');
  otto = new Client(server.url);
  await otto.register('oa_otto');
});

afterAll(() => server?.close());

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
  );

describe('the document', () => {
  it('is served as public, cacheable JSON', () => {
    expect(docAnswer.status).toBe(200);
    expect(docAnswer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(docAnswer.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    expect(docAnswer.headers.get('etag')).toMatch(/^"[\w-]+"$/);
  });

  it('answers 304 to a request that has it already', async () => {
    // Plain node:http: fetch adds `Cache-Control: no-cache` to a conditional request.
    const again = await rawRequest(server.url, 'GET', '/api/openapi.json', {
      headers: { 'if-none-match': docAnswer.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
  });

  it('is a valid OpenAPI 3.1 document, by the specification schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(
      structuredClone(doc) as unknown as Record<string, unknown>,
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.version).toBe(PACKAGE_VERSION);
    // The same validator refuses a document that is not one, so its yes means something.
    const broken = structuredClone(doc) as unknown as Record<string, any>;
    broken.paths['/api/health'].get.responses = { '200': { content: {} } };
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('resolves every $ref within itself', () => {
    const refs = refsOf(doc);
    expect(refs.length).toBeGreaterThan(100);
    const dangling = refs.filter(({ ref }) => !ref.startsWith('#/') || !pointAt(doc, ref));
    expect(dangling).toEqual([]);
  });

  it('gives each operation a unique id, a summary, its success and its error answers', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of ROUTES) {
      const op = doc.paths[docPath(r.path)]?.[r.method.toLowerCase()];
      expect(op, routeKey(r)).toBeDefined();
      expect(op!.summary).toBe(r.summary);
      expect(Object.keys(op!.responses)).toContain(String(r.okStatus));
      if (!r.response) {
        expect(
          (op!.responses[String(r.okStatus)] as { content?: unknown }).content,
        ).toBeUndefined();
      }
      for (const code of r.errors) {
        const answer = op!.responses[String(httpStatusOf(code))] as { $ref?: string };
        const resolved = (answer.$ref ? pointAt(doc, answer.$ref) : answer) as {
          description: string;
        };
        expect(resolved.description, `${routeKey(r)} ${code}`).toContain(`\`${code}\``);
      }
    }
  });

  it('takes form bodies on the Slack routes and JSON elsewhere, with path and query parameters', () => {
    for (const r of ROUTES) {
      const op = doc.paths[docPath(r.path)]![r.method.toLowerCase()]!;
      const types = Object.keys(op.requestBody?.content ?? {});
      if (!r.body) expect(types).toEqual([]);
      else if (r.access === 'slack') expect(types).toEqual(['application/x-www-form-urlencoded']);
      else expect(types).toEqual(['application/json']);
      const inPath = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect(inPath.sort(), routeKey(r)).toEqual(Object.keys(r.params ?? {}).sort());
      if (r.query)
        expect(
          op.parameters?.some((p) => p.in === 'query'),
          routeKey(r),
        ).toBe(true);
    }
    const trades = doc.paths['/api/markets/{id}/trades']!.get!;
    expect(trades.parameters?.map((p) => `${p.in} ${p.name}`)).toContain('query limit');
  });

  it('asks for a session or token on user and admin routes, a signature on chat, nothing on public ones', () => {
    for (const r of ROUTES) {
      const security = doc.paths[docPath(r.path)]![r.method.toLowerCase()]!.security;
      const expected = {
        public: [{}, { session: [] }, { bearer: [] }],
        user: [{ session: [] }, { bearer: [] }],
        admin: [{ session: [] }, { bearer: [] }],
        slack: [{ slackSignature: [] }],
        discord: [{ discordSignature: [] }],
      }[r.access];
      expect(security, routeKey(r)).toEqual(expected);
    }
    const schemes = doc.components!.securitySchemes as Record<string, Record<string, string>>;
    expect(schemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'parity_session' });
    expect(schemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('names the objects of API.md as components', () => {
    const names = Object.keys(doc.components!.schemas!);
    for (const name of ['Market', 'Trade', 'Forecast', 'User', 'Space', 'Proposal', 'Comment']) {
      expect(names).toContain(name);
    }
    expect(names).toContain('ErrorBody');
    // A request is described as what it accepts: `text()` fields trim, then check; before the
    // transform they are strings.
    const create = doc.paths['/api/markets']!.post!.requestBody!.content['application/json']!
      .schema as { properties: Record<string, { type: string }> };
    expect(create.properties.question!.type).toBe('string');
  });
});

describe('the routes', () => {
  it('are those Express serves, every one of them and no other', () => {
    const served = expressApiRoutes(server.parity.app).map((k) => {
      const [method, path] = k.split(' ');
      return `${method} ${docPath(path!)}`;
    });
    expect(
      operations()
        .map((o) => o.key)
        .sort(),
    ).toEqual(served.sort());
  });
});

/** Every answer seen, checked against the document at the end of each test. */
interface Seen {
  key: string;
  method: string;
  path: string;
  status: number;
  body: unknown;
  contentType: string | null;
}

function recorder() {
  const seen: Seen[] = [];
  async function call(
    who: Client,
    key: string,
    params: Record<string, string> = {},
    body?: unknown,
    extra: { query?: string; expect?: number } = {},
  ): Promise<ApiResult<any>> {
    const [method, path] = key.split(' ') as [string, string];
    const url = fillPath(path, params) + (extra.query ? `?${extra.query}` : '');
    const res = await who.request(method, url, body);
    seen.push({
      key,
      method,
      path,
      status: res.status,
      body: res.body,
      contentType: res.headers.get('content-type'),
    });
    if (extra.expect !== undefined) {
      expect(res.status, `${key}: ${String(JSON.stringify(res.body)).slice(0, 300)}`).toBe(
        extra.expect,
      );
    }
    return res;
  }
  async function raw(
    key: string,
    params: Record<string, string>,
    body: string,
    headers: Record<string, string>,
  ) {
    const [method, path] = key.split(' ') as [string, string];
    const res = await new Client(server.url).raw(method, fillPath(path, params), {
      body,
      headers,
      origin: false,
    });
    seen.push({
      key,
      method,
      path,
      status: res.status,
      body: res.body,
      contentType: res.headers.get('content-type'),
    });
    return res;
  }
  function problems(closed = false): string[] {
    const checker = answerChecker(doc, { closed });
    return seen.flatMap((s) =>
      checker
        .check(s.method, s.path, s)
        .map((p) => `${s.key} → ${s.status}: ${p} (${JSON.stringify(s.body)?.slice(0, 200)})`),
    );
  }
  return { seen, call, raw, problems };
}

describe('real answers', () => {
  it('match the documented schema for every route the run reaches, GETs all included', async () => {
    const { seen, call, raw, problems } = recorder();
    const ok = (r: { key: string }) => ROUTES.find((x) => routeKey(x) === r.key)!.okStatus;
    const as = async (who: Client, key: string, params = {}, body?: unknown, query?: string) =>
      call(who, key, params, body, {
        expect: ok({ key }),
        ...(query ? { query } : {}),
      });

    await as(
      new Client(server.url),
      'POST /api/auth/register',
      {},
      {
        username: 'oa_newcomer',
        password: 'password-123',
      },
    );
    // Markets: one to trade, one multiple choice, one resolved with claims and scores.
    for (const [id, extra] of [
      ['oa-bin', {}],
      ['oa-multi', { type: 'multiple', outcomes: ['Red', 'Green', 'Blue'] }],
      [
        'oa-done',
        {
          claims: [
            {
              who: 'A pundit',
              said: 'Surely yes',
              source: 'https://example.com/a',
              date: '2026-01-02',
              outcomeId: 'yes',
              probability: 0.9,
            },
          ],
        },
      ],
    ] as const) {
      await as(
        admin,
        'POST /api/markets',
        {},
        {
          id,
          question: `OpenAPI market ${id}?`,
          description: '  Trimmed by the schema.  ',
          closesAt: inDays(30),
          ...extra,
        },
      );
    }
    const bin = { id: 'oa-bin' };
    await as(tina, 'POST /api/markets/:id/quote', bin, { outcomeId: 'yes', amountCents: 500 });
    await as(tina, 'POST /api/markets/:id/trades', bin, { outcomeId: 'yes', shares: 10 });
    await as(otto, 'POST /api/markets/:id/trades', bin, {
      outcomeId: 'no',
      amountCents: 300,
      idempotencyKey: 'oa-1',
    });
    await as(tina, 'POST /api/markets/:id/forecasts', bin, { probability: 0.7, comment: 'why' });
    await as(
      tina,
      'POST /api/markets/:id/forecasts',
      { id: 'oa-multi' },
      {
        probabilities: [0.5, 0.3, 0.2],
      },
    );
    const done = { id: 'oa-done' };
    await as(tina, 'POST /api/markets/:id/trades', done, { outcomeId: 'yes', shares: 5 });
    await as(otto, 'POST /api/markets/:id/forecasts', done, { probability: 0.2 });
    await as(admin, 'POST /api/markets/:id/close', done, { note: 'closing' });
    await as(admin, 'POST /api/markets/:id/resolve', done, { outcomeId: 'yes', note: 'it did' });
    await as(admin, 'POST /api/markets/:id/unresolve', done, { note: 'oops' });
    await as(admin, 'POST /api/markets/:id/resolve', done, { outcomeId: 'yes' });
    const comment = await as(tina, 'POST /api/markets/:id/comments', bin, { text: 'First!' });
    await as(otto, 'POST /api/markets/:id/comments', bin, {
      text: 'A reply',
      replyTo: comment.body.comment.id,
    });
    const doomed = await as(tina, 'POST /api/markets/:id/comments', bin, { text: 'Doomed' });
    await as(tina, 'DELETE /api/comments/:id', { id: doomed.body.comment.id });
    await as(tina, 'POST /api/markets/:id/embed', bin);

    // Spaces, invites, members, proposals.
    const space = await as(
      tina,
      'POST /api/spaces',
      {},
      { name: 'OA team', visibility: 'private' },
    );
    const spaceId: string = space.body.space.id;
    const invite = await as(tina, 'POST /api/spaces/:id/invites', { id: spaceId }, { maxUses: 5 });
    const token: string = invite.body.invite.token;
    await as(otto, 'POST /api/invites/:token/accept', { token });
    await as(
      tina,
      'PATCH /api/spaces/:id/members/:username',
      {
        id: spaceId,
        username: 'oa_otto',
      },
      { role: 'moderator' },
    );
    const leaver = new Client(server.url);
    await leaver.register('oa_leaver');
    await leaver.post(`/api/invites/${token}/accept`, {});
    await as(leaver, 'DELETE /api/spaces/:id/members/:username', {
      id: spaceId,
      username: 'oa_leaver',
    });
    await as(
      admin,
      'POST /api/markets',
      {},
      {
        id: 'oa-space',
        question: 'A question of the OA team?',
        closesAt: inDays(30),
        spaceId,
      },
    );
    const proposal = (n: number, extra = {}) => ({
      question: `Will OpenAPI proposal ${n} pass?`,
      criteria: 'Resolves Yes if it does.',
      closesAt: inDays(60),
      sources: ['https://example.com/source'],
      ...extra,
    });
    const p1 = await as(tina, 'POST /api/proposals', {}, proposal(1));
    const p2 = await as(tina, 'POST /api/proposals', {}, proposal(2, { spaceId }));
    const p3 = await as(tina, 'POST /api/proposals', {}, proposal(3));
    await as(
      tina,
      'PATCH /api/proposals/:id',
      { id: p1.body.proposal.id },
      {
        description: 'More words.',
      },
    );
    await as(admin, 'POST /api/proposals/:id/approve', { id: p1.body.proposal.id }, {});
    await as(
      otto,
      'POST /api/proposals/:id/reject',
      { id: p2.body.proposal.id },
      {
        reason: 'Not this quarter.',
      },
    );
    expect(p3.status).toBe(201);

    // Tokens, webhooks, the simulation.
    const made = await as(tina, 'POST /api/me/tokens', {}, {});
    await as(tina, 'DELETE /api/me/tokens/:id', { id: made.body.id });
    const scoped = await as(tina, 'POST /api/me/tokens', {}, { spaceId });
    expect(scoped.body.token).toBeTruthy();
    // Only `resolved` of a market that never resolves: nothing is ever sent anywhere.
    const quiet = {
      kind: 'generic',
      url: 'https://hooks.example.com/parity',
      events: ['resolved'],
      marketIds: ['oa-multi'],
    };
    const hook = await as(admin, 'POST /api/integrations/webhooks', {}, quiet);
    const gone = await as(admin, 'POST /api/integrations/webhooks', {}, quiet);
    await as(admin, 'DELETE /api/integrations/webhooks/:id', { id: gone.body.webhook.id });
    expect(hook.body.secret).toBeTruthy();
    await as(admin, 'POST /api/admin/simulation', {}, { running: false, seed: 7 });

    // Chat: a signed Slack command that hands out a link, the link opened, a Discord PING.
    const command = new URLSearchParams({
      command: '/parity',
      text: 'link',
      team_id: 'TOPENAPI',
      user_id: 'UOPENAPI',
      user_name: 'member',
    }).toString();
    const slack = slackSigned(SLACK_SECRET, command);
    const linked = await raw('POST /api/integrations/slack/command', {}, command, slack.headers);
    expect(linked.status).toBe(200);
    const code = /\/link\/([A-Za-z0-9_-]{32})/.exec(JSON.stringify(linked.body))?.[1];
    expect(code).toBeDefined();
    const interaction = new URLSearchParams({
      payload: JSON.stringify({
        type: 'view_closed',
        team: { id: 'TOPENAPI' },
        user: { id: 'U1' },
      }),
    }).toString();
    const closed = slackSigned(SLACK_SECRET, interaction);
    expect(
      (await raw('POST /api/integrations/slack/interactions', {}, interaction, closed.headers))
        .status,
    ).toBe(200);
    const ping = discordSigned(
      discord.privateKey,
      JSON.stringify({
        id: '1230000000000000001',
        application_id: '1105548120487460914',
        type: 1,
        token: 'ping',
        version: 1,
      }),
    );
    expect(
      (await raw('POST /api/integrations/discord/interactions', {}, ping.body, ping.headers))
        .status,
    ).toBe(200);
    const link = { code: code! };
    await as(tina, 'GET /api/integrations/links/:code', link);
    await as(tina, 'POST /api/integrations/links/:code', link, {});
    await as(tina, 'PUT /api/me/chat/reminders', {}, { enabled: false });

    // Now every GET in the table, each with something to show.
    const values: Record<string, string> = {
      username: 'oa_tina',
      token,
      code: code!,
    };
    const answered = (key: string) => seen.some((s) => s.key === key && s.status < 300);
    for (const r of ROUTES.filter((x) => x.method === 'GET')) {
      const key = routeKey(r);
      // A link code works once: its preview was read before it was used.
      if (answered(key)) continue;
      const params = { ...values };
      if (r.path.startsWith('/api/markets/:id')) {
        params.id = /\/scores(\.csv)?$/.test(r.path) ? 'oa-done' : 'oa-bin';
      }
      if (r.path.startsWith('/api/spaces/:id')) params.id = spaceId;
      const who = r.access === 'admin' ? admin : r.access === 'public' ? otto : tina;
      await as(who, key, params);
    }
    // Lists again, with their queries.
    await as(otto, 'GET /api/markets', {}, undefined, 'status=all');
    await as(otto, 'GET /api/markets', {}, undefined, `spaceId=${spaceId}`);
    await as(tina, 'GET /api/leaderboard', {}, undefined, `metric=brier&spaceId=${spaceId}`);
    await as(otto, 'GET /api/markets/:id/trades', bin, undefined, 'limit=1');
    await as(tina, 'GET /api/proposals', {}, undefined, 'status=pending');
    await as(admin, 'GET /api/integrations/deliveries', {}, undefined, 'status=pending&limit=5');
    await as(tina, 'DELETE /api/me/chat/links/:platform/:teamId/:externalUserId', {
      platform: 'slack',
      teamId: 'TOPENAPI',
      externalUserId: 'UOPENAPI',
    });
    await as(tina, 'POST /api/auth/logout', {}, {});
    await as(tina, 'POST /api/auth/login', {}, { username: 'oa_tina', password: 'password-123' });

    // Every route of the table was answered as it succeeds, at least once.
    const reached = new Set(seen.filter((s) => s.status < 300).map((s) => s.key));
    expect(ROUTES.map(routeKey).filter((k) => !reached.has(k))).toEqual([]);
    expect(problems()).toEqual([]);
    // Closed, the document shows what the server sends beyond it: nothing.
    expect(problems(true)).toEqual([]);
  });

  it('match the documented errors: 400, 401, 403, 404, 409, 413', async () => {
    const { call, problems, seen } = recorder();
    await call(new Client(server.url), 'GET /api/me', {}, undefined, { expect: 401 });
    await call(
      otto,
      'POST /api/markets',
      {},
      { question: 'Not mine?', closesAt: inDays(3) },
      {
        expect: 403,
      },
    );
    await call(otto, 'GET /api/markets/:id', { id: 'no-such-market' }, undefined, { expect: 404 });
    await call(otto, 'GET /api/markets/:id', { id: 'Not A Slug!' }, undefined, { expect: 400 });
    await call(
      otto,
      'POST /api/markets/:id/trades',
      { id: 'oa-bin' },
      { outcomeId: 'yes' },
      {
        expect: 400,
      },
    );
    await call(otto, 'GET /api/markets', {}, undefined, { query: 'status=sideways', expect: 400 });
    await call(
      otto,
      'POST /api/markets/:id/trades',
      { id: 'oa-done' },
      {
        outcomeId: 'yes',
        shares: 1,
      },
      { expect: 409 },
    );
    await call(
      otto,
      'POST /api/markets/:id/trades',
      { id: 'oa-bin' },
      {
        outcomeId: 'yes',
        amountCents: 1e11,
      },
      { expect: 409 },
    );
    await call(
      otto,
      'POST /api/auth/register',
      {},
      { username: 'oa_otto', password: 'password-123' },
      {
        expect: 409,
      },
    );
    await call(
      otto,
      'POST /api/markets/:id/comments',
      { id: 'oa-bin' },
      {
        text: 'x'.repeat(70_000),
      },
      { expect: 413 },
    );
    const codes = seen.map((s) => (s.body as { error: { code: string } }).error.code);
    expect(codes).toEqual([
      'unauthenticated',
      'forbidden',
      'not_found',
      'validation_failed',
      'validation_failed',
      'validation_failed',
      'market_not_open',
      'insufficient_funds',
      'conflict',
      'payload_too_large',
    ]);
    expect(problems()).toEqual([]);
  });

  it('fail the check when they are off the document, so its passes mean something', () => {
    const checker = answerChecker(doc);
    expect(
      checker.check('GET', '/api/markets/:id', { status: 200, body: { market: {} } }),
    ).not.toEqual([]);
    expect(checker.check('GET', '/api/markets/:id', { status: 418, body: {} })).toEqual([
      'status 418 is not documented',
    ]);
    // A code the route does not name for the status.
    const wrongCode = { error: { code: 'slippage', message: 'no' } };
    expect(checker.check('GET', '/api/markets/:id', { status: 409, body: wrongCode })).toEqual([
      'status 409 is not documented',
    ]);
    expect(checker.check('GET', '/api/me', { status: 401, body: wrongCode })).not.toEqual([]);
  });
});

describe('the reference page', () => {
  it('answers /api/docs with HTML whose script and styles are our own files, allowed by the CSP', async () => {
    const page = await fetch(`${server.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    const html = await page.text();
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls).toContain('/api/docs/viewer.js');
    expect(urls).toContain('/api/docs/viewer.css');
    // Nothing from another origin, and no inline script for the CSP to refuse.
    expect(urls.filter((u) => /^(https?:)?\/\//.test(u))).toEqual([]);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    for (const [file, type] of [
      ['viewer.js', /^(text|application)\/javascript/],
      ['schemaView.js', /^(text|application)\/javascript/],
      ['viewer.css', /^text\/css/],
    ] as const) {
      const asset = await fetch(`${server.url}/api/docs/${file}`);
      expect(asset.status, file).toBe(200);
      expect(asset.headers.get('content-type'), file).toMatch(type);
      expect(await asset.text()).not.toMatch(/https?:\/\/(?!localhost)/);
    }
  });
});
