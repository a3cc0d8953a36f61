import { Socket } from 'node:net';
import pg from 'pg';
import { describeDatabaseUrl } from '../../server/store/postgres/pgErrors.ts';

/**
 * `npm run test:cluster` needs PostgreSQL and Redis. When either does not answer within a few
 * seconds the run fails here, saying which and how to start it: these suites never skip.
 */

const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TIMEOUT_MS = 4000;

async function checkPostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: TIMEOUT_MS });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

/** PING over a raw connection (AUTH first when the URL has a password), PONG expected. */
function checkRedis(): Promise<string | undefined> {
  const u = new URL(REDIS_URL);
  if (u.protocol !== 'redis:')
    return Promise.resolve(`only redis:// is checked, not ${u.protocol}`);
  const port = Number(u.port || 6379);
  const auth = u.password
    ? `AUTH ${u.username ? `${decodeURIComponent(u.username)} ` : ''}${decodeURIComponent(u.password)}\r\n`
    : '';
  const commands = `${auth}PING\r\n`;
  return new Promise((resolve) => {
    const socket = new Socket();
    let text = '';
    const done = (why: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => done(`no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS);
    socket.on('error', (err) => done(err.message || String(err)));
    socket.on('data', (d) => {
      text += d.toString();
      if (text.includes('+PONG')) done(undefined);
      else if (text.includes('-')) done(`Redis answered ${text.trim()}`);
    });
    socket.connect(port, u.hostname, () => socket.write(commands));
  });
}

export default async function setup(): Promise<void> {
  const [pgProblem, redisProblem] = await Promise.all([checkPostgres(), checkRedis()]);
  const problems: string[] = [];
  if (pgProblem) {
    problems.push(
      `PostgreSQL does not answer at DATABASE_URL=${describeDatabaseUrl(PG_URL)} (${pgProblem}). ` +
        'Start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, ' +
        'or set DATABASE_URL to one that runs.',
    );
  }
  if (redisProblem) {
    problems.push(
      `Redis does not answer at REDIS_URL=${describeDatabaseUrl(REDIS_URL)} (${redisProblem}). ` +
        'Start it with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`, ' +
        'or set REDIS_URL to one that runs.',
    );
  }
  if (problems.length) {
    throw new Error(`npm run test:cluster needs PostgreSQL and Redis:\n  ${problems.join('\n  ')}`);
  }
}
