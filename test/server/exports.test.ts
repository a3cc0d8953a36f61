import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, Client, startServer, type TestServer } from '../helpers/server.ts';

/**
 * CSV exports: RFC 4180, UTF-8, a header row, formula-safe text, money in credits with two
 * decimals, streamed; a private space's market is 404 to non-members, as everywhere.
 */

let server: TestServer;
let admin: Client;
let tina: Client;
let otto: Client;
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

/** RFC 4180 read back: CRLF records, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  expect(cell, 'the file ends with CRLF').toBe('');
  expect(row).toEqual([]);
  return rows;
}

async function csv(
  c: Client,
  path: string,
): Promise<{ status: number; rows: string[][]; headers: Headers; text: string }> {
  const r = await c.raw('GET', path);
  const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  return {
    status: r.status,
    rows: r.status === 200 ? parseCsv(text) : [],
    headers: r.headers,
    text,
  };
}

const HOSTILE = '=HYPERLINK("http://evil.example","click"), then\n"quoted"';

beforeAll(async () => {
  server = await startServer({ env: { SEED: 'off' } });
  admin = await adminClient(server.url);
  tina = new Client(server.url);
  await tina.register('tina_csv');
  otto = new Client(server.url);
  await otto.register('otto_csv');
  expect(
    (
      await admin.post('/api/markets', {
        id: 'csv-rain',
        question: 'Will it rain?',
        closesAt: inDays(30),
      })
    ).status,
  ).toBe(201);
  expect(
    (await tina.post('/api/markets/csv-rain/trades', { outcomeId: 'yes', amountCents: 1234 }))
      .status,
  ).toBe(200);
  expect(
    (await tina.post('/api/markets/csv-rain/trades', { outcomeId: 'yes', shares: -3 })).status,
  ).toBe(200);
  expect(
    (await otto.post('/api/markets/csv-rain/trades', { outcomeId: 'no', shares: 7 })).status,
  ).toBe(200);
  expect(
    (await tina.post('/api/markets/csv-rain/forecasts', { probability: 0.7, comment: HOSTILE }))
      .status,
  ).toBe(201);
  expect(
    (
      await otto.post('/api/markets/csv-rain/forecasts', {
        probability: 0.2,
        comment: '+1 and @you, -me',
      })
    ).status,
  ).toBe(201);
});

afterAll(() => server?.close());

describe('CSV exports', () => {
  it("exports a market's trades, newest first, with money in credits", async () => {
    const r = await csv(new Client(server.url), '/api/markets/csv-rain/trades.csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="csv-rain-trades.csv"');
    const [header, ...rows] = r.rows;
    expect(header).toEqual([
      'id',
      'created_at',
      'username',
      'outcome_id',
      'outcome',
      'shares',
      'cost_credits',
      'probability_after',
    ]);
    const api = (await new Client(server.url).get('/api/markets/csv-rain/trades?limit=1000')).body
      .trades;
    expect(rows.map((x) => x[0])).toEqual(api.map((t: any) => t.id));
    for (const [i, t] of api.entries()) {
      const row = rows[i]!;
      expect(row[2]).toBe(t.username);
      expect(Number(row[5])).toBe(t.shares);
      // Two decimals, the sign of the cash flow kept (a sale is negative), no thousands separator.
      expect(row[6]).toMatch(/^-?\d+\.\d{2}$/);
      expect(Math.round(Number(row[6]) * 100)).toBe(t.costCents);
    }
    // A sale's negative shares and proceeds stay numbers, not quoted text.
    expect(rows.some((x) => x[5] === '-3' && x[6]!.startsWith('-'))).toBe(true);
  });

  it('escapes commas, quotes and line breaks, and defuses formulas', async () => {
    const r = await csv(tina, '/api/markets/csv-rain/forecasts.csv');
    const [header, ...rows] = r.rows;
    expect(header).toEqual(['id', 'created_at', 'username', 'p_yes', 'p_no', 'comment']);
    const byUser = new Map(rows.map((x) => [x[2], x]));
    expect(byUser.get('tina_csv')![5]).toBe(`'${HOSTILE}`);
    expect(byUser.get('otto_csv')![5]).toBe("'+1 and @you, -me");
    expect(Number(byUser.get('tina_csv')![3])).toBeCloseTo(0.7, 12);
    // The raw bytes: the hostile cell quoted, its quotes doubled, its newline kept inside.
    expect(r.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click""), then\n""quoted"""`);
  });

  it('exports scores once the market resolves, and says why not before', async () => {
    const early = await tina.get('/api/markets/csv-rain/scores.csv');
    expect(early.status).toBe(409);
    expect((await admin.post('/api/markets/csv-rain/resolve', { outcomeId: 'yes' })).status).toBe(
      200,
    );
    const r = await csv(tina, '/api/markets/csv-rain/scores.csv');
    const [header, ...rows] = r.rows;
    expect(header).toEqual(['kind', 'who', 'brier', 'log', 'baseline', 'peer']);
    expect(rows.map((x) => x[0])).toEqual(['market', 'community', 'user', 'user']);
    const tinaRow = rows.find((x) => x[1] === 'tina_csv')!;
    expect(Number(tinaRow[2])).toBeGreaterThan(0);
  });

  it("exports a user's forecasts, and only those on markets the reader may see", async () => {
    const s = (await tina.post('/api/spaces', { name: 'Hidden CSV', visibility: 'private' })).body
      .space;
    const hidden = await tina.post('/api/markets', {
      question: 'Will the hidden CSV thing ship?',
      closesAt: inDays(20),
      spaceId: s.id,
    });
    expect(hidden.status).toBe(201);
    expect(
      (await tina.post(`/api/markets/${hidden.body.market.id}/forecasts`, { probability: 0.4 }))
        .status,
    ).toBe(201);
    const own = await csv(tina, '/api/users/tina_csv/forecasts.csv');
    const outside = await csv(otto, '/api/users/tina_csv/forecasts.csv');
    expect(own.rows[0]).toEqual([
      'id',
      'created_at',
      'market_id',
      'question',
      'probabilities',
      'comment',
    ]);
    expect(own.rows.map((x) => x[2])).toContain(hidden.body.market.id);
    expect(outside.text).not.toContain(hidden.body.market.id);
    expect(outside.text).not.toContain('hidden CSV');
    expect(outside.rows.length).toBe(own.rows.length - 1);
    for (const path of ['trades.csv', 'forecasts.csv', 'scores.csv']) {
      const r = await otto.get(`/api/markets/${hidden.body.market.id}/${path}`);
      expect(r.status, path).toBe(404);
    }
    expect((await otto.get('/api/users/nobody_here/forecasts.csv')).status).toBe(404);
  });

  it('exports every trade, forecast and ledger entry to admins only; the ledger sums to zero', async () => {
    for (const path of ['trades', 'forecasts', 'ledger']) {
      expect((await tina.get(`/api/admin/export/${path}.csv`)).status).toBe(403);
      expect((await new Client(server.url).get(`/api/admin/export/${path}.csv`)).status).toBe(401);
    }
    const trades = await csv(admin, '/api/admin/export/trades.csv');
    expect(trades.rows[0]).toEqual([
      'id',
      'created_at',
      'market_id',
      'username',
      'outcome_id',
      'shares',
      'cost_credits',
    ]);
    expect(trades.rows.length - 1).toBe(3);
    const forecasts = await csv(admin, '/api/admin/export/forecasts.csv');
    expect(forecasts.rows.length - 1).toBe(3);
    const ledger = await csv(admin, '/api/admin/export/ledger.csv');
    const [header, ...entries] = ledger.rows;
    expect(header).toEqual([
      'entry_id',
      'tx_id',
      'created_at',
      'kind',
      'market_id',
      'ref',
      'account',
      'amount_credits',
    ]);
    const total = entries.reduce((a, x) => a + Math.round(Number(x[7]) * 100), 0);
    expect(total).toBe(0);
    expect(new Set(entries.map((x) => x[3]))).toEqual(
      new Set(['grant', 'subsidy', 'trade', 'resolution']),
    );
  });

  it('streams a long export page by page', async () => {
    const store = server.parity.ctx.store;
    const users = await store.userByUsername('tina_csv');
    for (let i = 0; i < 2500; i++) {
      await store.insertForecast({
        marketId: 'csv-rain',
        userId: users!.id,
        probabilities: [0.5, 0.5],
        comment: i % 2 ? null : `row ${i}`,
        createdAt: new Date().toISOString(),
      });
    }
    const res = await fetch(`${server.url}/api/admin/export/forecasts.csv`, {
      headers: { cookie: admin.cookie! },
    });
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(res.headers.get('content-length')).toBeNull();
    let chunks = 0;
    let text = '';
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks += 1;
      text += decoder.decode(value, { stream: true });
    }
    expect(chunks).toBeGreaterThan(1);
    const rows = parseCsv(text);
    expect(rows.length - 1).toBe(2503);
    expect(new Set(rows.slice(1).map((x) => x[0])).size).toBe(2503);
  });
});
