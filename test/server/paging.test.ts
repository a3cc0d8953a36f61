import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, Client, startServer, type TestServer } from '../helpers/server.ts';

/**
 * Paging: every list takes `?limit=` and `?before=<cursor>` and answers newest first with a
 * `nextCursor`; following it to null yields every item that existed when the walk began
 * exactly once, while new items are written between the pages.
 */

let server: TestServer;
let admin: Client;
let trader: Client;
let spaceId: string;
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

beforeAll(async () => {
  server = await startServer({
    env: { SEED: 'off', PROPOSALS_PER_DAY: '1000', COMMENTS_PER_MINUTE: '1000' },
  });
  admin = await adminClient(server.url);
  trader = new Client(server.url);
  await trader.register('pager');
  spaceId = (await trader.post('/api/spaces', { name: 'Pages', visibility: 'private' })).body.space
    .id;
  for (let i = 0; i < 7; i++) {
    const r = await admin.post('/api/markets', {
      id: `page-${i}`,
      question: `Page question ${i}?`,
      closesAt: inDays(30),
    });
    expect(r.status).toBe(201);
  }
  for (let i = 0; i < 9; i++) {
    expect(
      (await trader.post('/api/markets/page-0/trades', { outcomeId: 'yes', shares: 1 + i })).status,
    ).toBe(200);
    expect(
      (await trader.post('/api/markets/page-0/forecasts', { probability: 0.1 + i / 20 })).status,
    ).toBe(201);
    expect(
      (await trader.post('/api/markets/page-0/comments', { text: `Comment ${i}` })).status,
    ).toBe(201);
    expect(
      (
        await trader.post('/api/proposals', {
          question: `Paged proposal number ${i}?`,
          criteria: 'Resolves on the record.',
          closesAt: inDays(60),
          spaceId,
        })
      ).status,
    ).toBe(201);
  }
});

afterAll(() => server?.close());

interface ListCase {
  name: string;
  path: string;
  key: string;
  who: () => Client;
  id: (item: any) => string;
  /** Writes one more item of the list. */
  more: (n: number) => Promise<void>;
}

const CASES: ListCase[] = [
  {
    name: 'trades',
    path: '/api/markets/page-0/trades',
    key: 'trades',
    who: () => trader,
    id: (t) => t.id,
    more: async () => {
      await trader.post('/api/markets/page-0/trades', { outcomeId: 'no', shares: 1 });
    },
  },
  {
    name: 'a market’s forecasts',
    path: '/api/markets/page-0/forecasts',
    key: 'forecasts',
    who: () => trader,
    id: (f) => f.id,
    more: async () => {
      await trader.post('/api/markets/page-0/forecasts', { probability: 0.5 });
    },
  },
  {
    name: 'a user’s forecasts',
    path: '/api/users/pager/forecasts',
    key: 'forecasts',
    who: () => trader,
    id: (f) => f.id,
    more: async () => {
      await trader.post('/api/markets/page-1/forecasts', { probability: 0.4 });
    },
  },
  {
    name: 'comments',
    path: '/api/markets/page-0/comments',
    key: 'comments',
    who: () => trader,
    id: (c) => c.id,
    more: async (n) => {
      await trader.post('/api/markets/page-0/comments', { text: `Later ${n}` });
    },
  },
  {
    name: 'markets',
    path: '/api/markets?status=all',
    key: 'markets',
    who: () => trader,
    id: (m) => m.id,
    more: async (n) => {
      await admin.post('/api/markets', {
        id: `late-${n}`,
        question: `A later question ${n}?`,
        closesAt: inDays(30),
      });
    },
  },
  {
    name: 'proposals',
    path: '/api/proposals',
    key: 'proposals',
    who: () => trader,
    id: (p) => p.id,
    more: async (n) => {
      await trader.post('/api/proposals', {
        question: `A later proposal ${n}?`,
        criteria: 'Resolves on the record.',
        closesAt: inDays(60),
      });
    },
  },
  {
    name: 'the audit log',
    path: '/api/audit',
    key: 'entries',
    who: () => admin,
    id: (e) => JSON.stringify(e),
    more: async (n) => {
      await admin.post('/api/markets', {
        id: `audited-${n}`,
        question: `An audited question ${n}?`,
        closesAt: inDays(30),
      });
    },
  },
];

let serial = 0;

describe('paging', () => {
  for (const c of CASES) {
    it(`walks ${c.name} page by page, each item once, while more are written`, async () => {
      const sep = c.path.includes('?') ? '&' : '?';
      const everything = await c.who().get(`${c.path}${sep}limit=1000`);
      expect(everything.status).toBe(200);
      expect(everything.body.nextCursor).toBeNull();
      const all: string[] = everything.body[c.key].map(c.id);
      expect(all.length).toBeGreaterThan(3);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r: { status: number; body: any } = await c
          .who()
          .get(`${c.path}${sep}limit=2${cursor ? `&before=${encodeURIComponent(cursor)}` : ''}`);
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expect(r.body[c.key].length).toBeLessThanOrEqual(2);
        seen.push(...r.body[c.key].map(c.id));
        cursor = r.body.nextCursor;
        pages += 1;
        // New items arrive while the walk goes on: newest first, they come before page one.
        await c.more(++serial);
      } while (cursor && pages < 500);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(all);
      expect(pages).toBe(Math.ceil(all.length / 2));
    });
  }

  it('refuses a cursor it did not make and a limit out of range, changing nothing', async () => {
    for (const c of CASES) {
      const sep = c.path.includes('?') ? '&' : '?';
      for (const bad of ['nonsense', 'eyJ4IjoxfQ', 'W10', `${'A'.repeat(300)}`]) {
        const r = await c.who().get(`${c.path}${sep}before=${bad}`);
        expect(r.status, `${c.name} ${bad}`).toBe(400);
        expect(r.body.error.code).toBe('validation_failed');
      }
      for (const limit of ['0', '1001', 'x']) {
        const r = await c.who().get(`${c.path}${sep}limit=${limit}`);
        expect(r.status, `${c.name} limit=${limit}`).toBe(400);
      }
    }
  });

  it('pages the delivery log too', async () => {
    const r = await admin.get('/api/integrations/deliveries?limit=1');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ deliveries: [], nextCursor: null });
    expect((await admin.get('/api/integrations/deliveries?before=zzz')).status).toBe(400);
  });
});
