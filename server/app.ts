import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import { Redis } from 'ioredis';
import { type Logger, pino } from 'pino';
import type { HealthResponse } from '../shared/schemas/index.ts';
import { keepRawBody } from './chat/routes.ts';
import { relayBus } from './cluster/bus.ts';
import { type Leadership, pgLeadership, soleLeader } from './cluster/leader.ts';
import type { Config } from './config.ts';
import { adminRoutes, type SimulationControl } from './http/adminRoutes.ts';
import { authenticate, sameOrigin } from './http/auth.ts';
import { authRoutes } from './http/authRoutes.ts';
import { docsRoutes } from './http/docsRoutes.ts';
import { errorHandler, notFound } from './http/errors.ts';
import { exportRoutes } from './http/exportRoutes.ts';
import { marketRoutes } from './http/marketRoutes.ts';
import { spaceRoutes } from './http/spaceRoutes.ts';
import { userRoutes } from './http/userRoutes.ts';
import { createIntegrations } from './integrations/integrations.ts';
import { createSocketServer, type ParityIo, type SocketLimits } from './realtime/socketServer.ts';
import { seedOnce } from './seed.ts';
import { ensureAdmin } from './services/accounts.ts';
import { startCloser } from './services/closer.ts';
import type { Ctx } from './services/context.ts';
import { EventBus } from './services/events.ts';
import { createLiveSimulation } from './sim/liveSimulation.ts';
import { SqliteStore } from './store/sqliteStore.ts';
import type { Store } from './store/store.ts';

export const VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

export interface ParityOptions {
  config: Config;
  now?: () => Date;
  logger?: Logger;
  socketLimits?: SocketLimits;
  httpTimeouts?: HttpTimeouts;
  /** Where the built client lives (default client/dist). */
  clientDir?: string;
  seedsDir?: string;
}

export interface Parity {
  ctx: Ctx;
  app: Express;
  httpServer: HttpServer;
  io: ParityIo;
  simulation: SimulationControl & { stop(): void };
  /** Admin password when this start created the admin without ADMIN_PASSWORD. */
  generatedAdminPassword?: string;
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * How long a connection may take to send its request, so that slow clients (slowloris) cannot
 * hold connections open: the headers within `headersMs`, the whole request within `requestMs`;
 * checked every `checkIntervalMs`.
 */
export interface HttpTimeouts {
  headersMs: number;
  requestMs: number;
  checkIntervalMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: 15_000,
  requestMs: 30_000,
  checkIntervalMs: 1000,
};

const CSP_BASE = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
};

function buildApp(
  ctx: Ctx,
  sim: SimulationControl,
  clientDir: string,
  integrationRoutes: Router,
  redis: Redis | undefined,
): Express {
  const app = express();
  app.disable('x-powered-by');
  // Behind a proxy, trust exactly one hop: the client address is the last X-Forwarded-For
  // entry, the one our proxy appended. `true` would take the first, which the client writes.
  app.set('trust proxy', ctx.config.TRUST_PROXY ? 1 : false);
  app.set('etag', false);

  // Embeds may be framed by any site; everything else by none.
  const embedHelmet = helmet({
    frameguard: false,
    contentSecurityPolicy: { directives: { ...CSP_BASE, frameAncestors: ['*'] } },
  });
  const defaultHelmet = helmet({
    contentSecurityPolicy: { directives: { ...CSP_BASE, frameAncestors: ["'none'"] } },
  });
  app.use((req, res, next) =>
    req.path.startsWith('/embed/') ? embedHelmet(req, res, next) : defaultHelmet(req, res, next),
  );

  // Request timings at debug level only: a listener per request is not free.
  if (ctx.log.isLevelEnabled('debug')) {
    app.use((req, res, next) => {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        ctx.log.debug(
          { method: req.method, path: req.path, status: res.statusCode, ms },
          'request',
        );
      });
      next();
    });
  }

  const api = express.Router();
  // Discord signs the exact bytes of its JSON: they are kept for that one route.
  api.use(
    express.json({
      limit: '64kb',
      strict: true,
      verify: (req, res, buf) => {
        if (req.url?.startsWith('/integrations/discord/')) keepRawBody(req, res, buf);
      },
    }),
  );
  api.use(authenticate(ctx));
  api.use(sameOrigin(ctx));
  api.get('/health', (_req, res) => {
    const body: HealthResponse = { ok: true, version: VERSION, node: ctx.nodeId };
    res.json(body);
  });
  api.use(authRoutes(ctx, redis));
  api.use(marketRoutes(ctx));
  api.use(spaceRoutes(ctx, redis));
  api.use(exportRoutes(ctx));
  api.use(userRoutes(ctx));
  api.use(adminRoutes(ctx, sim));
  api.use(integrationRoutes);
  api.use(docsRoutes(VERSION));
  api.use(notFound);
  app.use('/api', api);

  const index = join(clientDir, 'index.html');
  app.use(express.static(clientDir, { index: false, maxAge: '1h' }));
  app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => {
    if (existsSync(index)) {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(resolve(index));
    } else {
      res
        .status(200)
        .type('text/plain')
        .send(
          'Parity API is running under /api. The browser client is not built: run `npm start`.',
        );
    }
  });
  app.use(notFound);
  app.use(errorHandler(ctx.log));
  return app;
}

/** Builds the whole server (storage, HTTP, sockets, closer, live simulation) without listening. */
export async function createParity(opts: ParityOptions): Promise<Parity> {
  const { config } = opts;
  const log =
    opts.logger ??
    pino({ level: config.LOG_LEVEL, redact: ['password', '*.password', 'token', '*.token'] });
  // PostgreSQL's driver loads only when it is used: the embedded default needs nothing of it.
  const store: Store = config.DATABASE_URL
    ? await (await import('./store/postgres/pgStore.ts')).PgStore.open({
        connectionString: config.DATABASE_URL,
        schema: config.DATABASE_SCHEMA,
        max: config.DATABASE_POOL_SIZE,
        log,
      })
    : new SqliteStore(join(config.DATA_DIR, 'parity.db'));
  const redis = config.REDIS_URL ? connectRedis(config.REDIS_URL, log) : undefined;
  const ctx: Ctx = {
    store,
    now: opts.now ?? (() => new Date()),
    bus: new EventBus(),
    config,
    log,
    txHooks: [],
    nodeId: `n_${randomBytes(6).toString('hex')}`,
  };
  const leadership: Leadership = config.DATABASE_URL
    ? pgLeadership({
        connectionString: config.DATABASE_URL,
        schema: config.DATABASE_SCHEMA,
        log,
        pollMs: config.LEADER_POLL_MS,
      })
    : soleLeader;
  const isLeader = () => leadership.isLeader();
  await leadership.ready;

  const admin = await ensureAdmin(ctx);
  // Team channels: the outbox hook sees every transaction from here on (seeding included).
  const integrations = createIntegrations(
    ctx,
    () => {
      const port = httpServer.listening ? (httpServer.address() as AddressInfo).port : config.PORT;
      return config.PUBLIC_URL ?? `http://localhost:${port}`;
    },
    isLeader,
    redis,
  );
  if (config.SEED) {
    const n = await seedOnce(ctx, opts.seedsDir);
    if (n) log.info({ markets: n }, 'seeded markets from seeds/');
  }

  const simulation = createLiveSimulation(ctx, isLeader);
  // In a cluster the simulation is one for all nodes: a node that starts later (or a new
  // leader) picks up what an admin set. Embedded, SIM alone decides at start.
  if (store.engine === 'postgres') await simulation.load();
  const app = buildApp(
    ctx,
    simulation,
    opts.clientDir ?? 'client/dist',
    integrations.router,
    redis,
  );
  const timeouts = opts.httpTimeouts ?? DEFAULT_HTTP_TIMEOUTS;
  const httpServer = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
    app,
  );
  const sockets = createSocketServer(httpServer, ctx, opts.socketLimits, redis);
  if (redis) {
    relayBus(ctx.bus, sockets.io, () => redis.status === 'ready');
    // Back from an outage: what this node missed meanwhile reaches its sockets now.
    onRedisBack(redis, () => {
      log.info('Redis is back; resynchronising');
      integrations.channels.webhooks.invalidate();
      void simulation.load().catch((err) => log.warn({ err }, 'reloading the simulation failed'));
      void sockets.resync().catch((err) => log.warn({ err }, 'resynchronising sockets failed'));
    });
  }
  const closer = startCloser(ctx, isLeader);
  const offLeader = leadership.onChange((leader) => {
    if (!leader) return;
    closer.check();
    // A new leader runs the simulation as last set, whichever node set it.
    if (store.engine === 'postgres') {
      void simulation.load().catch((err) => log.warn({ err }, 'reloading the simulation failed'));
    }
  });

  const parity: Parity = {
    ctx,
    app,
    httpServer,
    io: sockets.io,
    simulation,
    listen: (port = config.PORT, host = config.HOST) =>
      new Promise((resolveListen, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolveListen((httpServer.address() as AddressInfo).port);
        });
      }),
    close: async () => {
      simulation.stop();
      closer.stop();
      offLeader();
      sockets.close();
      await new Promise<void>((r) => sockets.io.close(() => r()));
      if (httpServer.listening) await new Promise<void>((r) => httpServer.close(() => r()));
      await integrations.stop();
      await leadership.stop();
      await redis?.quit().catch(() => {});
      await store.close();
    },
  };
  if (admin.password) parity.generatedAdminPassword = admin.password;
  return parity;
}

/**
 * A Redis connection that reconnects on its own; its errors are logged, at most every 10 s.
 * The socket.io adapter publishes without waiting for the answer, so a publish that fails
 * while Redis is away is caught here: it would otherwise be an unhandled rejection, and end
 * the process.
 */
function connectRedis(url: string, log: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  const publish = redis.publish.bind(redis) as (...args: unknown[]) => Promise<number>;
  (redis as unknown as { publish: (...args: unknown[]) => Promise<number> }).publish = (
    ...args
  ) => {
    const sent = publish(...args);
    sent.catch(() => {});
    return sent;
  };
  let lastLog = 0;
  redis.on('error', (err) => {
    if (Date.now() - lastLog < 10_000) return;
    lastLog = Date.now();
    log.warn({ err: err.message }, 'Redis connection error; retrying');
  });
  return redis;
}

/** Calls `back` each time the connection is ready again after it was lost. */
function onRedisBack(redis: Redis, back: () => void): void {
  let lost = false;
  redis.on('close', () => {
    lost = true;
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    back();
  });
}
