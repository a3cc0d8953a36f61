// bench:live — latency from a trade's HTTP response to each subscribed client's receipt of the
// matching market:update, for N clients on one market, beside a bare socket.io broadcast to
// the same number of clients in the same run (the floor). Also the server's RSS.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { type ChildServer, percentile, spawnServer } from '../test/helpers/childServer.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '100,1000,2000' },
    trades: { type: 'string', default: '50' },
    rate: { type: 'string', default: '10' },
  },
});
const sizes = values.clients.split(',').map(Number);
const tradeCount = Number(values.trades);
const perSecond = Number(values.rate);

async function connectAll(
  url: string,
  n: number,
  setup: (s: Socket) => Promise<void>,
): Promise<Socket[]> {
  const sockets: Socket[] = [];
  const batch = 100;
  for (let i = 0; i < n; i += batch) {
    const group = Array.from({ length: Math.min(batch, n - i) }, () => {
      const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
      sockets.push(s);
      return new Promise<void>((resolve, reject) => {
        s.once('connect', () => setup(s).then(resolve, reject));
        s.once('connect_error', reject);
      });
    });
    await Promise.all(group);
  }
  return sockets;
}

function summary(latencies: number[]): { p50: number; p99: number; max: number; n: number } {
  const sorted = latencies.slice().sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    n: sorted.length,
  };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json().catch(() => null)) as any,
    headers: res.headers,
  };
}

/** Arrival times of updates at every client, by seq. */
function receiptLog() {
  const receipts = new Map<number, number[]>();
  const record = (seq: number) => {
    const t = performance.timeOrigin + performance.now();
    const list = receipts.get(seq) ?? [];
    receipts.set(seq, list);
    list.push(t);
  };
  return { receipts, record };
}

/**
 * Sends `tradeCount` requests at `perSecond`; `send` resolves to the seq its request caused.
 * Returns, by seq, when each request was sent and when it was answered.
 */
async function drive(send: (i: number) => Promise<number>) {
  const sent = new Map<number, number>();
  const answered = new Map<number, number>();
  for (let i = 0; i < tradeCount; i++) {
    const started = performance.now();
    const seq = await send(i);
    answered.set(seq, performance.timeOrigin + performance.now());
    sent.set(seq, performance.timeOrigin + started);
    const wait = 1000 / perSecond - (performance.now() - started);
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
  }
  await new Promise((res) => setTimeout(res, 500));
  return { sent, answered };
}

/** Latency from the answer and from the send, over every client, and updates never received. */
function tally(
  n: number,
  receipts: Map<number, number[]>,
  { sent, answered }: Awaited<ReturnType<typeof drive>>,
) {
  const latencies: number[] = [];
  const fromSend: number[] = [];
  let missing = 0;
  for (const [seq, at] of answered) {
    const got = receipts.get(seq) ?? [];
    missing += n - got.length;
    // An update can beat the HTTP response to the client; that counts as zero latency.
    for (const t of got) {
      latencies.push(Math.max(0, t - at));
      fromSend.push(t - sent.get(seq)!);
    }
  }
  return { ...summary(latencies), send: summary(fromSend), missing };
}

async function measureParity(server: ChildServer, n: number, marketId: string) {
  const { receipts, record } = receiptLog();
  const sockets = await connectAll(server.url, n, (s) => {
    s.on('market:update', (u: { seq: number }) => record(u.seq));
    return new Promise((resolve, reject) =>
      s.emit('subscribe', marketId, (ack: { ok: boolean }) =>
        ack.ok ? resolve() : reject(new Error('subscribe')),
      ),
    );
  });
  const token = await traderToken(server.url, `bench_${n}`);
  const times = await drive(async (i) => {
    const r = await post(
      `${server.url}/api/markets/${marketId}/trades`,
      { outcomeId: i % 2 ? 'yes' : 'no', shares: 1 },
      { authorization: `Bearer ${token}` },
    );
    if (r.status !== 200) throw new Error(`trade failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.market.seq as number;
  });
  const rss = server.rssMb();
  for (const s of sockets) s.disconnect();
  return { ...tally(n, receipts, times), rss };
}

async function measureBare(url: string, n: number) {
  const { receipts, record } = receiptLog();
  const sockets = await connectAll(url, n, async (s) => {
    s.on('tick', (m: { seq: number }) => record(m.seq));
  });
  const times = await drive(async () => (await post(`${url}/broadcast`, {})).body.seq as number);
  for (const s of sockets) s.disconnect();
  return tally(n, receipts, times);
}

async function traderToken(url: string, username: string): Promise<string> {
  const reg = await post(`${url}/api/auth/register`, { username, password: 'password-123' });
  const cookie = reg.headers.get('set-cookie')!.split(';')[0]!;
  const tok = await post(`${url}/api/me/tokens`, {}, { cookie, origin: url });
  return tok.body.token;
}

const parity = await spawnServer('server/main.ts', { SEED: 'off', SOCKETS_PER_ADDRESS: '10000' });
const bare = await spawnServer('bench/bareBroadcast.ts');
try {
  const adminLogin = await post(`${parity.url}/api/auth/login`, {
    username: 'admin',
    password: 'admin-password-123',
  });
  const adminCookie = adminLogin.headers.get('set-cookie')!.split(';')[0]!;
  console.log(
    `bench:live — ${tradeCount} trades at ${perSecond}/s per size; latency from HTTP response to update receipt (ms)`,
  );
  console.log(
    'clients  parity p50/p99/max        bare p50/p99/max          p99 ratio  missing  server RSS',
  );
  for (const n of sizes) {
    const id = `bench-live-${n}`;
    await post(
      `${parity.url}/api/markets`,
      {
        question: `Bench market for ${n} clients?`,
        id,
        closesAt: new Date(Date.now() + 86400_000).toISOString(),
      },
      { cookie: adminCookie, origin: parity.url },
    );
    const p = await measureParity(parity, n, id);
    const b = await measureBare(bare.url, n);
    const fmt = (s: { p50: number; p99: number; max: number }) =>
      `${s.p50.toFixed(1)}/${s.p99.toFixed(1)}/${s.max.toFixed(1)}`.padEnd(24);
    console.log(
      `${String(n).padEnd(8)} ${fmt(p)} ${fmt(b)} ${(p.p99 / Math.max(b.p99, 0.1)).toFixed(2).padEnd(10)} ${String(p.missing).padEnd(8)} ${p.rss.toFixed(0)} MB`,
    );
    console.log(
      `  from request sent: ${fmt(p.send)} ${fmt(b.send)} ${(p.send.p99 / Math.max(b.send.p99, 0.1)).toFixed(2)}`,
    );
  }
} finally {
  await parity.stop();
  await bare.stop();
}
