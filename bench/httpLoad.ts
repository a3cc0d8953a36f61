// What the HTTP benchmarks share: the no-op baseline app, setup over the API, and the
// autocannon load that makes every request a real trade.
import { spawn } from 'node:child_process';
import autocannon, { type Result } from 'autocannon';

export const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? 'admin-password-123';
/** Names unique to this run, so a bench can run again against the same server. */
export const RUN = Date.now().toString(36);

export async function call(
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
export async function tokenFor(base: string, auth: string, username: string, password: string) {
  const { cookie } = await call(base, 'POST', auth, { username, password });
  if (!cookie) throw new Error(`no session cookie for ${username}`);
  return (await call(base, 'POST', '/api/me/tokens', {}, { cookie })).body.token as string;
}

export interface Running {
  url: string;
  stop(): Promise<void>;
}

/** The no-op app in its own process, like the server; it prints its URL once listening. */
export function spawnNoop(): Promise<Running> {
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

export interface Setup {
  tokens: string[];
  marketIds: string[];
  adminToken: string;
}

export async function prepare(
  server: { url: string },
  marketCount: number,
  userCount: number,
  tag = '',
): Promise<Setup> {
  const adminToken = await tokenFor(server.url, '/api/auth/login', 'admin', ADMIN_PASSWORD);
  const auth = { authorization: `Bearer ${adminToken}` };
  const closesAt = new Date(Date.now() + 86400_000).toISOString();
  const marketIds: string[] = [];
  for (let i = 0; i < marketCount; i++) {
    const id = `bench-${RUN}${tag}-${i}`;
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
      await tokenFor(
        server.url,
        '/api/auth/register',
        `bench_${RUN}${tag}_${i}`,
        'bench-password-1',
      ),
    );
  }
  return { tokens, marketIds, adminToken };
}

/**
 * Drives `path` with trade bodies. Each connection is one user on one market and alternates
 * buying 2 shares and selling 1 of the same outcome, so it always holds what it sells and every
 * request is a real trade (a buy or a sell) on the server.
 */
export function load(
  url: string,
  path: (marketId: string) => string,
  s: Setup,
  seconds: number,
  connections: number,
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

export const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

export function line(label: string, r: Result): string {
  return `${label.padEnd(22)} ${fmt(r.requests.average).padStart(7)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   non-2xx ${r.non2xx}   errors ${r.errors}`;
}
