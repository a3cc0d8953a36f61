import { z } from 'zod';

const flag = z
  .enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'on' || v === 'yes');

/** Environment variables, parsed once at start (an untrusted edge like any other). */
export const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  ADMIN_USERNAME: z
    .string()
    .regex(/^[a-z0-9_]{3,32}$/)
    .default('admin'),
  ADMIN_PASSWORD: z.string().min(8).optional(),
  STARTING_GRANT_CENTS: z.coerce.number().int().min(0).default(100_000),
  /** Accounts one IP address may register per hour. */
  REGISTRATIONS_PER_HOUR: z.coerce.number().int().min(1).default(20),
  /** Question proposals one user may make per day. */
  PROPOSALS_PER_DAY: z.coerce.number().int().min(1).default(10),
  /** Comments one user may post per minute. */
  COMMENTS_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  /** Failed-or-not login attempts per IP per 15 minutes (per username: a third of it). */
  LOGINS_PER_15_MIN: z.coerce.number().int().min(3).default(30),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .default(24 * 30),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  SEED: flag.default(true),
  SIM: flag.default(false),
  SIM_SEED: z.coerce.number().int().min(0).default(1),
  SIM_TRADES_PER_MINUTE: z.coerce.number().min(1).max(6000).default(30),
  WEBHOOK_ALLOW_PRIVATE: flag.default(false),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_BOT_TOKEN: z.string().optional(),
  SLACK_API_URL: z.url().default('https://slack.com/api'),
  DISCORD_API_URL: z.url().default('https://discord.com/api'),
  /** Discord interactions: the application's public key (hex), which verifies each request. */
  DISCORD_PUBLIC_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be the 64 hex characters of the application public key')
    .optional(),
  /** Discord: the application id and bot token, for `npm run discord:register` and reminders. */
  DISCORD_APPLICATION_ID: z
    .string()
    .regex(/^\d{1,25}$/)
    .optional(),
  DISCORD_BOT_TOKEN: z.string().optional(),
  /** How often the reminder run looks for members to remind (each gets at most one a day). */
  REMINDER_POLL_MS: z.coerce.number().int().min(100).default(3_600_000),
  /** Team channels: the first retry delay of a failed delivery; it doubles per attempt. */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(10_000),
  /** Team channels: attempts before a delivery is marked failed. */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** Team channels: how often the delivery worker looks for due work. */
  WEBHOOK_POLL_MS: z.coerce.number().int().min(5).default(1000),
  /** Team channels: how long one outgoing request may take. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Team channels: at most one post per market per this interval. */
  WEBHOOK_MOVED_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  /** Team channels: a move is posted this long after it crossed minMove, so a burst makes one post. */
  WEBHOOK_MOVED_SETTLE_MS: z.coerce.number().int().min(0).default(5000),
  /** Team channels: at most one edit of a live message per this interval. */
  LIVE_EDIT_INTERVAL_MS: z.coerce.number().int().min(0).default(5000),
  PUBLIC_URL: z.url().optional(),
  TRUST_PROXY: flag.default(false),
  /** PostgreSQL instead of the embedded SQLite file (postgres://user:pass@host:port/db). */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** The PostgreSQL schema Parity's tables live in (one database can hold several). */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .default('public'),
  /** Connections each node keeps to PostgreSQL. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Redis joins the nodes: socket fan-out (Redis Streams) and shared rate limits. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Prefix of every Redis key and stream, so deployments can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{1,64}$/)
    .default('parity'),
  /** How often a node tries to become the leader (or checks it still is). */
  LEADER_POLL_MS: z.coerce.number().int().min(100).max(10_000).default(2000),
  /** Socket.io connections one client address may hold at once. */
  SOCKETS_PER_ADDRESS: z.coerce.number().int().min(1).default(2000),
});
export type Config = z.infer<typeof Env>;

/** Parses the environment; a bad value is a clear message, not a crash later. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
