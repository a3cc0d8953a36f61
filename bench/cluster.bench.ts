// bench:cluster — durable trades per second through HTTP for the deployments Parity supports:
// one node on SQLite, one node on PostgreSQL, three nodes on PostgreSQL + Redis; on many
// markets and on one hot market; each beside the no-op Express endpoint measured in the same
// run. Then live fan-out: latency from a trade request to each of 2,000 sockets' receipt of its
// market:update, with the sockets on one node and spread over three.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Result } from 'autocannon';
import pg from 'pg';
import { type ChildServer, spawnServer } from '../test/helpers/childServer.ts';
import { ADMIN_PASSWORD, call, fmt, load, prepare, type Setup, spawnNoop } from './httpLoad.ts';
import { connectAll, drive, post, receiptLog, tally, traderToken } from './liveLoad.ts';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '24' },
    duration: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '2' },
    markets: { type: 'string', default: '50' },
    sockets: { type: 'string', default: '2000' },
    trades: { type: 'string', default: '40' },
  },
});
const connections = Number(values.connections);
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const manyMarkets = Number(values.markets);
const socketCount = Number(values.sockets);
const liveTrades = Number(values.trades);

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const schemas: string[] = [];

interface Deployment {
  label: string;
  nodes: ChildServer[];
}

/** Starts `n` nodes with one environment; on PostgreSQL, in a schema of their own. */
async function deploy(
  label: string,
  n: number,
  engine: 'sqlite' | 'postgres',
): Promise<Deployment> {
  const env: Record<string, string> = {
    STARTING_GRANT_CENTS: String(1e11),
    SEED: 'off',
    SOCKETS_PER_ADDRESS: '10000',
    LOG_LEVEL: 'error',
  };
  if (engine === 'postgres') {
    const schema = `bench_${randomBytes(5).toString('hex')}`;
    schemas.push(schema);
    Object.assign(env, { DATABASE_URL, DATABASE_SCHEMA: schema, DATABASE_POOL_SIZE: '12' });
    if (n > 1) Object.assign(env, { REDIS_URL, REDIS_PREFIX: schema });
  }
  // The first node alone: it migrates and makes the admin; the others find both done.
  const first = await spawnServer('server/main.ts', env);
  const rest = await Promise.all(
    Array.from({ length: n - 1 }, () => spawnServer('server/main.ts', env)),
  );
  return { label, nodes: [first, ...rest] };
}

/** The load split over the nodes (connections shared out), run at once; rates add up. */
async function loadAll(d: Deployment, s: Setup, seconds: number) {
  const per = Math.max(1, Math.round(connections / d.nodes.length));
  const results: Result[] = await Promise.all(
    d.nodes.map((node) => load(node.url, (id) => `/api/markets/${id}/trades`, s, seconds, per)),
  );
  return {
    rate: results.reduce((a, r) => a + r.requests.average, 0),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    ok: results.reduce((a, r) => a + r['2xx'], 0),
    failed: results.reduce((a, r) => a + r.non2xx + r.errors, 0),
  };
}

async function tradeRates(d: Deployment, noopRate: () => Promise<number>) {
  const rates: number[] = [];
  for (const [layout, marketCount] of [
    [`${manyMarkets} markets`, manyMarkets],
    ['1 hot market', 1],
  ] as const) {
    const setup = await prepare(d.nodes[0]!, marketCount, connections, `x${marketCount}`);
    await loadAll(d, setup, warmup);
    const noop = await noopRate();
    const t = await loadAll(d, setup, duration);
    let seqTotal = 0;
    for (const id of setup.marketIds) {
      seqTotal += (await call(d.nodes[0]!.url, 'GET', `/api/markets/${id}`)).body.market.seq;
    }
    rates.push(t.rate);
    console.log(
      `${d.label.padEnd(26)} ${layout.padEnd(12)} ${fmt(t.rate).padStart(6)} trades/s  p99 ${String(t.p99).padStart(4)} ms  no-op ${fmt(noop).padStart(6)}/s  ratio ${(t.rate / noop).toFixed(2)}  failed ${t.failed}  in db ${fmt(seqTotal)}`,
    );
    if (t.failed > 0 || seqTotal < t.ok) process.exitCode = 1;
  }
  return rates;
}

/** p99 from request sent to receipt over `socketCount` sockets spread over `nodes`. */
async function fanOut(d: Deployment, marketId: string, token: string) {
  const { receipts, record } = receiptLog();
  const per = Math.ceil(socketCount / d.nodes.length);
  const sockets = (
    await Promise.all(
      d.nodes.map((node, i) =>
        connectAll(node.url, Math.min(per, socketCount - i * per), (s) => {
          s.on('market:update', (u: { seq: number }) => record(u.seq));
          return new Promise((resolve, reject) =>
            s.emit('subscribe', marketId, (ack: { ok: boolean }) =>
              ack.ok ? resolve() : reject(new Error('subscribe')),
            ),
          );
        }),
      ),
    )
  ).flat();
  const times = await drive(
    async (i) => {
      const r = await post(
        `${d.nodes[0]!.url}/api/markets/${marketId}/trades`,
        { outcomeId: i % 2 ? 'yes' : 'no', shares: 1 },
        { authorization: `Bearer ${token}` },
      );
      if (r.status !== 200) throw new Error(`trade failed: ${r.status}`);
      return r.body.market.seq as number;
    },
    liveTrades,
    10,
  );
  for (const s of sockets) s.disconnect();
  return tally(sockets.length, receipts, times);
}

async function liveMarket(d: Deployment): Promise<{ id: string; token: string }> {
  const url = d.nodes[0]!.url;
  const login = await post(`${url}/api/auth/login`, {
    username: 'admin',
    password: ADMIN_PASSWORD,
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const id = `bench-fanout-${randomBytes(3).toString('hex')}`;
  await post(
    `${url}/api/markets`,
    { id, question: 'Fan-out?', closesAt: new Date(Date.now() + 86400_000).toISOString() },
    { cookie, origin: url },
  );
  return { id, token: await traderToken(url, `fan_${randomBytes(4).toString('hex')}`) };
}

async function stopAll(d: Deployment) {
  await Promise.all(d.nodes.map((n) => n.stop()));
}

async function dropSchemas() {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
}

async function main() {
  console.log(
    `bench:cluster — ${connections} connections over the nodes, ${duration} s per run; no-op measured before each run`,
  );
  const noop = await spawnNoop();
  // The no-op endpoint needs no accounts: any token and market id do.
  const setupNoop: Setup = { tokens: ['none'], marketIds: ['none'], adminToken: '' };
  const noopRate = async () =>
    (await load(noop.url, () => '/noop', setupNoop, duration, connections)).requests.average;
  try {
    const rates = new Map<string, number[]>();
    for (const [label, n, engine] of [
      ['1 node, SQLite', 1, 'sqlite'],
      ['1 node, PostgreSQL', 1, 'postgres'],
      ['3 nodes, PostgreSQL+Redis', 3, 'postgres'],
    ] as const) {
      const d = await deploy(label, n, engine);
      try {
        rates.set(label, await tradeRates(d, noopRate));
      } finally {
        await stopAll(d);
      }
    }

    const one = rates.get('1 node, PostgreSQL')!;
    const three = rates.get('3 nodes, PostgreSQL+Redis')!;
    console.log(
      `3 nodes / 1 node on PostgreSQL: ${(three[0]! / one[0]!).toFixed(2)} (${manyMarkets} markets), ${(three[1]! / one[1]!).toFixed(2)} (hot market)`,
    );

    console.log(
      `\nlive fan-out: ${socketCount} sockets, ${liveTrades} trades at 10/s (ms from request sent)`,
    );
    const measure = async (n: number) => {
      const d = await deploy(`${n} nodes`, n, 'postgres');
      try {
        const m = await liveMarket(d);
        return await fanOut(d, m.id, m.token);
      } finally {
        await stopAll(d);
      }
    };
    const oneResult = await measure(1);
    const threeResult = await measure(3);
    for (const [label, r] of [
      ['one node', oneResult],
      ['across 3 nodes', threeResult],
    ] as const) {
      console.log(
        `${label.padEnd(16)} p50 ${r.send.p50.toFixed(1)}  p99 ${r.send.p99.toFixed(1)}  max ${r.send.max.toFixed(1)}  missing ${r.missing}`,
      );
    }
    console.log(
      `p99 ratio across nodes / one node: ${(threeResult.send.p99 / Math.max(oneResult.send.p99, 0.1)).toFixed(2)}`,
    );
    if (oneResult.missing || threeResult.missing) process.exitCode = 1;
  } finally {
    await noop.stop();
    await dropSchemas().catch((err) => console.error(`dropping bench schemas: ${err}`));
  }
}

await main();
