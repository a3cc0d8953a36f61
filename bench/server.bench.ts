// bench:server — durable trades per second through HTTP (each acknowledged trade is committed
// with synchronous=FULL), from several concurrent connections with autocannon, beside the
// throughput of an Express endpoint that does nothing, measured the same way in the same run.
// Server and no-op app each run in a child process; the load generator has this process.
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import { call, fmt, line, load, prepare, type Running, spawnNoop } from './httpLoad.ts';
import { spawnServer } from './serverProcess.ts';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '16' },
    users: { type: 'string', default: '16' },
    markets: { type: 'string', default: '4' },
    duration: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '2' },
    env: { type: 'string', multiple: true, default: [] },
    /** A server already running (e.g. under `node --cpu-prof`) instead of a spawned one. */
    url: { type: 'string' },
  },
});
const connections = Number(values.connections);
const userCount = Number(values.users);
const marketCount = Number(values.markets);
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
/** Extra server environment, e.g. --env SOME_SETTING=value, to compare configurations. */
const extraEnv = Object.fromEntries(
  values.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);

async function main() {
  console.log(
    `bench:server — ${connections} connections, ${userCount} users, ${marketCount} markets, ${rounds} × ${duration} s`,
  );
  const started: Running[] = [];
  try {
    const noop = await spawnNoop();
    started.push(noop);
    let server: { url: string };
    if (values.url) {
      server = { url: values.url };
    } else {
      const child = await spawnServer('server/main.ts', {
        STARTING_GRANT_CENTS: String(1e11),
        ...extraEnv,
      });
      started.push(child);
      server = child;
    }
    const setup = await prepare(server, marketCount, userCount);
    const tradePath = (id: string) => `/api/markets/${id}/trades`;
    let trades2xx = 0;
    // Warm both processes up (JIT, SQLite page cache) before measuring.
    await load(noop.url, () => '/noop', setup, warmup, connections);
    trades2xx += (await load(server.url, tradePath, setup, warmup, connections))['2xx'];

    const noopRuns: Result[] = [];
    const tradeRuns: Result[] = [];
    for (let i = 0; i < rounds; i++) {
      const n = await load(noop.url, () => '/noop', setup, duration, connections);
      noopRuns.push(n);
      console.log(line(`no-op POST (round ${i + 1})`, n));
      const t = await load(server.url, tradePath, setup, duration, connections);
      tradeRuns.push(t);
      trades2xx += t['2xx'];
      console.log(line(`trades (round ${i + 1})`, t));
    }
    const health = await autocannon({
      url: `${server.url}/api/health`,
      connections,
      duration: Math.min(duration, 4),
    });
    console.log(line('GET /api/health', health));

    // Durable means in the database: every acknowledged trade moved its market's seq by one.
    let seqTotal = 0;
    for (const id of setup.marketIds)
      seqTotal += (await call(server.url, 'GET', `/api/markets/${id}`)).body.market.seq;

    const mean = (rs: Result[]) => rs.reduce((a, r) => a + r.requests.average, 0) / rs.length;
    const tradeRate = mean(tradeRuns);
    const noopRate = mean(noopRuns);
    const ratio = tradeRate / noopRate;
    console.log('');
    console.log(
      `trades acknowledged: ${fmt(trades2xx)}; in the database: ${fmt(seqTotal)} (the rest were in flight when a run stopped)`,
    );
    console.log(`durable trades/s:    ${fmt(tradeRate)}`);
    console.log(`no-op Express /s:    ${fmt(noopRate)}`);
    console.log(
      `ratio:               ${ratio.toFixed(2)} (target ≥ 0.50: ${ratio >= 0.5 ? 'met' : 'NOT met'})`,
    );
    // A run ends with up to one request in flight per connection: committed, never acknowledged.
    const inFlight = connections * (rounds + 1);
    if (seqTotal < trades2xx || seqTotal > trades2xx + inFlight) {
      console.error('acknowledged trades are missing from the database');
      process.exitCode = 1;
    }
    if (tradeRuns.some((r) => r.non2xx > 0 || r.errors > 0)) {
      console.error('some trade requests failed');
      process.exitCode = 1;
    }
  } finally {
    await Promise.all(started.map((c) => c.stop()));
  }
}

await main();
