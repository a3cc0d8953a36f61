import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import {
  adminClient,
  type Client,
  sqlRun,
  startServer,
  type TestServer,
} from '../helpers/server.ts';

/** The outbox under failure: retries with backoff, 429s, permanent refusals, restarts, SSRF. */

const RETRY_BASE_MS = 60;
const ENV = {
  SEED: 'off',
  WEBHOOK_ALLOW_PRIVATE: '1',
  WEBHOOK_POLL_MS: '20',
  WEBHOOK_RETRY_BASE_MS: String(RETRY_BASE_MS),
  WEBHOOK_MAX_ATTEMPTS: '4',
};
let rx: Receiver;
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(() => rx.close());

async function withServer(
  env: Record<string, string>,
  dataDir?: string,
): Promise<{ server: TestServer; admin: Client }> {
  const server = await startServer({ env: { ...ENV, ...env }, ...(dataDir ? { dataDir } : {}) });
  return { server, admin: await adminClient(server.url) };
}

async function hook(
  admin: Client,
  path: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const r = await admin.post('/api/integrations/webhooks', {
    kind: 'generic',
    url: `${rx.url}${path}`,
    events: ['created'],
    ...extra,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.webhook.id;
}

async function deliveries(admin: Client, webhookId: string): Promise<any[]> {
  const r = await admin.get(`/api/integrations/deliveries?webhookId=${webhookId}`);
  expect(r.status).toBe(200);
  return r.body.deliveries;
}

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`not reached: ${JSON.stringify(v)}`);
    await sleep(20);
  }
}

describe('retries', () => {
  let server: TestServer;
  let admin: Client;
  beforeAll(async () => {
    ({ server, admin } = await withServer({}));
  });
  afterAll(() => server.close());
  afterEach(async () => {
    const list = await admin.get('/api/integrations/webhooks');
    for (const w of list.body.webhooks) await admin.delete(`/api/integrations/webhooks/${w.id}`);
  });

  it('delivers exactly once to a receiver that fails twice, backing off between attempts', async () => {
    rx.script('/flaky', [{ status: 500, body: 'boom' }, { status: 503 }]);
    const id = await hook(admin, '/flaky');
    await admin.post('/api/markets', {
      id: 'flaky-market',
      question: 'Flaky?',
      closesAt: inDays(9),
    });
    await rx.waitFor(() => rx.to('/flaky').some((r) => r.status === 200));
    await sleep(RETRY_BASE_MS * 4);
    const got = rx.to('/flaky');
    expect(got.map((r) => r.status)).toEqual([500, 503, 200]);
    // The same delivery every time: a receiver can drop duplicates by this id.
    expect(new Set(got.map((r) => r.headers['x-parity-delivery'])).size).toBe(1);
    // Equal jitter: attempt n waits between half and all of base · 2^(n−1).
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(RETRY_BASE_MS / 2);
    expect(got[2]!.at - got[1]!.at).toBeGreaterThanOrEqual(RETRY_BASE_MS);
    const [d] = await deliveries(admin, id);
    expect(d).toMatchObject({
      status: 'delivered',
      attempts: 3,
      lastStatus: 200,
      nextAttemptAt: null,
    });
    expect(d.deliveredAt).not.toBeNull();
  });

  it('waits as long as a 429 Retry-After asks', async () => {
    rx.script('/limited', [{ status: 429, headers: { 'retry-after': '1' }, body: 'slow down' }]);
    const id = await hook(admin, '/limited');
    await admin.post('/api/markets', {
      id: 'limited-market',
      question: 'Limited?',
      closesAt: inDays(9),
    });
    await rx.waitFor(() => rx.to('/limited').length >= 1);
    // The answer is recorded a moment after the receiver saw the request.
    const during = await until(
      () => deliveries(admin, id),
      (ds) => ds[0]?.status !== 'pending',
    );
    expect(during[0]).toMatchObject({
      status: 'retrying',
      attempts: 1,
      lastStatus: 429,
      lastError: 'HTTP 429: slow down',
    });
    await rx.waitFor(() => rx.to('/limited').length >= 2, 3000);
    const [first, second] = rx.to('/limited');
    // Without Retry-After the retry would come after 30–60 ms.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
  });

  it('honours Discord’s retry_after in a 429 body', async () => {
    rx.script('/api/webhooks/5/limited', [
      {
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: 0.4, global: false },
      },
    ]);
    await hook(admin, '/api/webhooks/5/limited', { kind: 'discord' });
    await admin.post('/api/markets', {
      id: 'discord-limited',
      question: 'Discord limited?',
      closesAt: inDays(9),
    });
    await rx.waitFor(() => rx.to('/api/webhooks/5/limited').length >= 2, 3000);
    const [first, second] = rx.to('/api/webhooks/5/limited');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(400);
  });

  it('gives up at once on a 4xx, and after the attempt cap on 5xx', async () => {
    rx.script('/gone', [{ status: 404, body: 'no_service' }]);
    rx.script(
      '/down',
      Array.from({ length: 10 }, () => ({ status: 502 })),
    );
    const gone = await hook(admin, '/gone');
    const down = await hook(admin, '/down');
    await admin.post('/api/markets', {
      id: 'failing-market',
      question: 'Failing?',
      closesAt: inDays(9),
    });
    const [g] = await until(
      () => deliveries(admin, gone),
      (ds) => ds[0]?.status === 'failed',
    );
    expect(g).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastStatus: 404,
      lastError: 'HTTP 404: no_service',
      nextAttemptAt: null,
    });
    const [d] = await until(
      () => deliveries(admin, down),
      (ds) => ds[0]?.status === 'failed',
    );
    expect(d).toMatchObject({ status: 'failed', attempts: 4, lastStatus: 502 });
    await sleep(RETRY_BASE_MS * 8);
    expect(rx.to('/gone')).toHaveLength(1);
    expect(rx.to('/down')).toHaveLength(4);
    const failed = await admin.get('/api/integrations/deliveries?status=failed');
    expect(failed.body.deliveries.map((x: any) => x.webhookId).sort()).toEqual([down, gone].sort());
  });

  it('drops queued deliveries with their webhook', async () => {
    rx.script(
      '/deleted',
      Array.from({ length: 10 }, () => ({ status: 500 })),
    );
    const id = await hook(admin, '/deleted');
    await admin.post('/api/markets', {
      id: 'deleted-market',
      question: 'Deleted?',
      closesAt: inDays(9),
    });
    await rx.waitFor(() => rx.to('/deleted').length >= 1);
    expect((await admin.delete(`/api/integrations/webhooks/${id}`)).status).toBe(204);
    const n = rx.to('/deleted').length;
    await sleep(RETRY_BASE_MS * 6);
    expect(rx.to('/deleted').length).toBeLessThanOrEqual(n + 1);
    expect(
      (await admin.get(`/api/integrations/deliveries?webhookId=${id}`)).body.deliveries,
    ).toEqual([]);
  });
});

describe('restarts', () => {
  it('delivers after a restart in the middle of retries, and never resends what was acknowledged', async () => {
    // A long backoff: the retry is still pending when the server stops.
    const env = { WEBHOOK_RETRY_BASE_MS: '400' };
    let { server, admin } = await withServer(env);
    rx.script('/restart', [{ status: 500 }]);
    const id = await hook(admin, '/restart');
    await admin.post('/api/markets', {
      id: 'restart-market',
      question: 'Restart?',
      closesAt: inDays(9),
    });
    await rx.waitFor(() => rx.to('/restart').length === 1);
    const [before] = await until(
      () => deliveries(admin, id),
      (ds) => ds[0]?.status === 'retrying',
    );
    expect(before.attempts).toBe(1);
    await server.close({ keepData: true });

    ({ server, admin } = await withServer(env, server.dataDir));
    await rx.waitFor(() => rx.to('/restart').some((r) => r.status === 200), 5000);
    const [after] = await until(
      () => deliveries(admin, id),
      (ds) => ds[0]?.status === 'delivered',
    );
    expect(after).toMatchObject({ attempts: 2, lastStatus: 200 });
    await server.close({ keepData: true });

    // A third start finds nothing to send.
    ({ server, admin } = await withServer(env, server.dataDir));
    await sleep(300);
    expect(rx.to('/restart').map((r) => r.status)).toEqual([500, 200]);
    await server.close();
  });

  it('sends closing notices once per market and threshold across restarts', async () => {
    let { server, admin } = await withServer({});
    await hook(admin, '/closing-once', { events: ['closing'] });
    await admin.post('/api/markets', {
      id: 'closing-once',
      question: 'Closing once?',
      closesAt: new Date(Date.now() + 20 * 60_000).toISOString(),
    });
    await rx.waitFor(() => rx.to('/closing-once').length >= 1);
    await server.close({ keepData: true });
    ({ server, admin } = await withServer({}, server.dataDir));
    await sleep(300);
    const got = rx.to('/closing-once');
    expect(got).toHaveLength(1);
    expect(got[0]!.json).toMatchObject({ event: 'closing', market: { id: 'closing-once' } });
    // 20 minutes left, give or take the seconds this test took.
    expect(got[0]!.json.closesInSeconds).toBeGreaterThan(19 * 60);
    expect(got[0]!.json.closesInSeconds).toBeLessThanOrEqual(20 * 60);
    await server.close();
  });
});

describe('address guard', () => {
  it('refuses loopback, private, link-local and unique-local URLs when private addresses are off', async () => {
    const { server, admin } = await withServer({ WEBHOOK_ALLOW_PRIVATE: '0' });
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://localhost/hook',
      'http://api.localhost/hook',
      'http://10.1.2.3/hook',
      'http://192.168.0.10/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/hook',
      'http://[fd00::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://0.0.0.0/hook',
      'http://224.0.0.1/hook',
    ]) {
      const r = await admin.post('/api/integrations/webhooks', { kind: 'generic', url });
      expect(r.status, url).toBe(400);
      expect(r.body.error.message, url).toMatch(/refused/);
    }
    // A public address is accepted at creation (it is checked again, resolved, when sending).
    const ok = await admin.post('/api/integrations/webhooks', {
      kind: 'generic',
      url: 'https://93.184.216.34/hook',
    });
    expect(ok.status).toBe(201);
    await server.close();
  });

  it('refuses to send to a private address when the setting is turned off later', async () => {
    let { server, admin } = await withServer({
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_RETRY_BASE_MS: '100000',
    });
    rx.script('/guarded', [{ status: 500 }]);
    const id = await hook(admin, '/guarded');
    await admin.post('/api/markets', {
      id: 'guarded-market',
      question: 'Guarded?',
      closesAt: inDays(9),
    });
    await rx.waitFor(() => rx.to('/guarded').length === 1);
    await server.close({ keepData: true });
    // The retry is far off; the restarted server takes it up only once it is due, so move it.
    ({ server, admin } = await withServer({ WEBHOOK_ALLOW_PRIVATE: '0' }, server.dataDir));
    await sqlRun(
      server.parity,
      'UPDATE webhook_deliveries SET next_attempt_at = ? WHERE webhook_id = ?',
      [new Date(0).toISOString(), id],
    );
    const [d] = await until(
      () => deliveries(admin, id),
      (ds) => ds[0]?.status === 'failed',
    );
    expect(d.attempts).toBe(2);
    expect(d.lastError).toMatch(/^refused a loopback address/);
    expect(rx.to('/guarded')).toHaveLength(1);
    await server.close();
  });
});
