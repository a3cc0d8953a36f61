import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';

/**
 * Which node runs the singletons (live bots, the auto-closer, the closing-notice scan,
 * pruning). Embedded there is one node and it always leads; on PostgreSQL the leader is the
 * node holding a session advisory lock on a connection of its own.
 */
export interface Leadership {
  isLeader(): boolean;
  /** Settles once the first attempt to lead is over (won or not). */
  ready: Promise<void>;
  /** Called when this node starts or stops leading; returns the unsubscribe. */
  onChange(listener: (leader: boolean) => void): () => void;
  stop(): Promise<void>;
}

export const soleLeader: Leadership = {
  isLeader: () => true,
  ready: Promise.resolve(),
  onChange: () => () => {},
  stop: async () => {},
};

/** The advisory lock key of a deployment: one per database schema. */
export function leaderKey(schema: string): bigint {
  const digest = createHash('sha256').update(`parity-leader:${schema}`).digest();
  return digest.readBigInt64BE(0);
}

/**
 * Leadership by `pg_try_advisory_lock` on a dedicated connection, tried every `pollMs`. The lock
 * lives as long as the connection: a leader that dies (or loses its connection) releases it at
 * once and the next try of another node takes it, so a new leader runs within `pollMs` plus the
 * time the database needs to notice a dead peer. A node that loses its connection stops leading
 * before anything else can start.
 */
export function pgLeadership(opts: {
  connectionString: string;
  schema: string;
  log: Logger;
  pollMs?: number;
}): Leadership {
  const listeners = new Set<(leader: boolean) => void>();
  const pollMs = opts.pollMs ?? 2000;
  const key = leaderKey(opts.schema).toString();
  let client: pg.Client | undefined;
  let leader = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const set = (value: boolean) => {
    if (value === leader) return;
    leader = value;
    opts.log.info({ leader }, leader ? 'this node leads now' : 'this node no longer leads');
    for (const l of listeners) l(leader);
  };

  const drop = (err?: unknown) => {
    set(false);
    if (err) opts.log.warn({ err }, 'the leadership connection failed');
    const c = client;
    client = undefined;
    c?.end().catch(() => {});
  };

  const attempt = async () => {
    if (stopped) return;
    try {
      if (!client) {
        const c = new pg.Client({
          connectionString: opts.connectionString,
          connectionTimeoutMillis: 3000,
          keepAlive: true,
        });
        c.on('error', (err) => {
          if (client === c) drop(err);
        });
        await c.connect();
        if (stopped) {
          await c.end();
          return;
        }
        client = c;
      }
      if (!leader) {
        const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
          key,
        ]);
        set(r.rows[0]?.ok === true);
      } else {
        // The lock holds while the connection does: a round trip proves it still does.
        await client.query('SELECT 1');
      }
    } catch (err) {
      drop(err);
    }
  };

  const loop = async () => {
    await attempt();
    if (!stopped) {
      timer = setTimeout(() => void loop(), pollMs);
      timer.unref();
    }
  };
  const ready = loop();

  return {
    isLeader: () => leader,
    ready,
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      set(false);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
