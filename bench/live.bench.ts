// bench:live — latency from a trade's HTTP response to each subscribed client's receipt of the
// matching market:update, for N clients on one market, beside a bare socket.io broadcast to
// the same number of clients in the same run (the floor). Also the server's RSS.
import { parseArgs } from 'node:util';
import { type ChildServer, spawnServer } from '../test/helpers/childServer.ts';
import { connectAll, drive, post, receiptLog, tally, traderToken } from './liveLoad.ts';

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
  const times = await drive(
    async (i) => {
      const r = await post(
        `${server.url}/api/markets/${marketId}/trades`,
        { outcomeId: i % 2 ? 'yes' : 'no', shares: 1 },
        { authorization: `Bearer ${token}` },
      );
      if (r.status !== 200) throw new Error(`trade failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.market.seq as number;
    },
    tradeCount,
    perSecond,
  );
  const rss = server.rssMb();
  for (const s of sockets) s.disconnect();
  return { ...tally(n, receipts, times), rss };
}

async function measureBare(url: string, n: number) {
  const { receipts, record } = receiptLog();
  const sockets = await connectAll(url, n, async (s) => {
    s.on('tick', (m: { seq: number }) => record(m.seq));
  });
  const times = await drive(
    async () => (await post(`${url}/broadcast`, {})).body.seq as number,
    tradeCount,
    perSecond,
  );
  for (const s of sockets) s.disconnect();
  return tally(n, receipts, times);
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
