// bench:server — durable trades per second through HTTP (each acknowledged trade is committed
// with synchronous=FULL), from several concurrent connections with autocannon, beside the
// throughput of an Express endpoint that does nothing, measured the same way in the same run.
// Server and no-op app each run in a child process; the load generator has this process.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
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

const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? 'admin-password-123';
/** Names unique to this run, so a bench can run again against the same server. */
const RUN = Date.now().toString(36);

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(base + path, {
    method,
    headers: { origin: base, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return {
    body: text ? JSON.parse(text) : undefined,
    cookie: res.headers.get('set-cookie')?.split(';')[0],
  };
}

/** An API token for a session opened by `auth` (register or login). */
async function tokenFor(base: string, auth: string, username: string, password: string) {
  const { cookie } = await call(base, 'POST', auth, { username, password });
  if (!cookie) throw new Error(`no session cookie for ${username}`);
  return (await call(base, 'POST', '/api/me/tokens', {}, { cookie })).body.token as string;
}

interface Running {
  url: string;
  stop(): Promise<void>;
}

/** The no-op app in its own process, like the server; it prints its URL once listening. */
function spawnNoop(): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/noopServer.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }
    });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/localhost:(\d+)/.exec(out);
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, stop });
    });
    child.once('exit', (code) => reject(new Error(`the no-op app exited with ${code}: ${out}`)));
  });
}

interface Setup {
  tokens: string[];
  marketIds: string[];
  adminToken: string;
}

async function prepare(server: { url: string }): Promise<Setup> {
  const adminToken = await tokenFor(server.url, '/api/auth/login', 'admin', ADMIN_PASSWORD);
  const auth = { authorization: `Bearer ${adminToken}` };
  const closesAt = new Date(Date.now() + 86400_000).toISOString();
  const marketIds: string[] = [];
  for (let i = 0; i < marketCount; i++) {
    const id = `bench-${RUN}-${i}`;
    await call(
      server.url,
      'POST',
      '/api/markets',
      { id, question: `Benchmark market ${i}?`, closesAt, liquidity: 1000 },
      auth,
    );
    marketIds.push(id);
  }
  const tokens: string[] = [];
  for (let i = 0; i < userCount; i++) {
    tokens.push(
      await tokenFor(server.url, '/api/auth/register', `bench_${RUN}_${i}`, 'bench-password-1'),
    );
  }
  return { tokens, marketIds, adminToken };
}

/**
 * Drives `path` with trade bodies. Each connection is one user on one market and alternates
 * buying 2 shares and selling 1 of the same outcome, so it always holds what it sells and every
 * request is a real trade (a buy or a sell) on the server.
 */
function load(
  url: string,
  path: (marketId: string) => string,
  s: Setup,
  seconds: number,
): Promise<Result> {
  let nextConnection = 0;
  return autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req, ctx) => {
          if (ctx.user === undefined) {
            const c = nextConnection++;
            ctx.user = c % s.tokens.length;
            ctx.market = s.marketIds[c % s.marketIds.length];
            ctx.n = 0;
          }
          const n = (ctx.n as number) + 1;
          ctx.n = n;
          const outcomeId = Math.floor(n / 2) % 2 ? 'yes' : 'no';
          return {
            ...req,
            path: path(ctx.market as string),
            headers: { ...req.headers, authorization: `Bearer ${s.tokens[ctx.user as number]}` },
            body: JSON.stringify({ outcomeId, shares: n % 2 ? 2 : -1 }),
          };
        },
      },
    ],
  });
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

function line(label: string, r: Result): string {
  return `${label.padEnd(22)} ${fmt(r.requests.average).padStart(7)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   non-2xx ${r.non2xx}   errors ${r.errors}`;
}

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
    const setup = await prepare(server);
    const tradePath = (id: string) => `/api/markets/${id}/trades`;
    let trades2xx = 0;
    // Warm both processes up (JIT, SQLite page cache) before measuring.
    await load(noop.url, () => '/noop', setup, warmup);
    trades2xx += (await load(server.url, tradePath, setup, warmup))['2xx'];

    const noopRuns: Result[] = [];
    const tradeRuns: Result[] = [];
    for (let i = 0; i < rounds; i++) {
      const n = await load(noop.url, () => '/noop', setup, duration);
      noopRuns.push(n);
      console.log(line(`no-op POST (round ${i + 1})`, n));
      const t = await load(server.url, tradePath, setup, duration);
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
