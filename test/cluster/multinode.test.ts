import { rmSync } from 'node:fs';
import type pg from 'pg';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaderKey } from '../../server/cluster/leader.ts';
import { apiToken, type ChildServer, launchServer } from '../helpers/childServer.ts';
import { deleteRedisKeys, http, sleep, waitFor } from '../helpers/cluster.ts';
import { auditSchema, rowsOf, schemaClient } from '../helpers/pgAudit.ts';
import { pidOwningLocalPort } from '../helpers/procSockets.ts';
import {
  ADMIN,
  dropSchema,
  freshSchema,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
} from '../helpers/server.ts';
import { type SinkRequest, startWebhookSink, type WebhookSink } from '../helpers/webhookSink.ts';
import { Follower, type NodeRef } from './followers.ts';
import { TradeLoad, type TradeMarket, type Trader } from './traders.ts';

/**
 * Three nodes on one PostgreSQL schema and one Redis, started at once (three migrations at
 * once), traded on by 60 users through every node while one node after another is killed with
 * SIGKILL and started again: once a node in the middle of a webhook delivery, once the leader.
 * Sockets on every node follow the markets and must see each node's chain of updates whole,
 * reconnecting elsewhere when their node dies. Afterwards the database must hold every
 * acknowledged trade exactly once and exact books, the leader's work (the auto-closer) must have
 * moved on to a survivor, and every webhook delivery must have been made at least once.
 */

const SEED = process.env.CLUSTER_SEED ?? 'parity-cluster-1';
const GRANT = 100_000;
const USERS = 60;
const LOAD_MS = 24_000;
const MAX_TRADES_PER_USER = 400;
/** The sink holds each webhook answer this long, so that deliveries are in flight at a kill. */
const SINK_DELAY_MS = 200;
/** A killed node's claimed delivery waits out its lease: WEBHOOK_TIMEOUT_MS + 15 s. */
const WEBHOOK_TIMEOUT_MS = 1000;

const schema = freshSchema('multi');
const prefix = `t_${schema}`;
const ENV: Record<string, string> = {
  DATABASE_URL: TEST_DATABASE_URL,
  DATABASE_SCHEMA: schema,
  REDIS_URL: TEST_REDIS_URL,
  REDIS_PREFIX: prefix,
  LEADER_POLL_MS: '500',
  WEBHOOK_ALLOW_PRIVATE: '1',
  WEBHOOK_POLL_MS: '100',
  WEBHOOK_RETRY_BASE_MS: '200',
  WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
  // Moves are posted often, so that there are deliveries to interrupt.
  WEBHOOK_MOVED_INTERVAL_MS: '300',
  WEBHOOK_MOVED_SETTLE_MS: '50',
  SEED: 'off',
  SIM: 'off',
  LOG_LEVEL: 'warn',
  STARTING_GRANT_CENTS: String(GRANT),
};

interface Slot {
  index: number;
  server: ChildServer | undefined;
  launches: number;
  up: boolean;
}
const slots: Slot[] = [0, 1, 2].map((index) => ({
  index,
  server: undefined,
  launches: 0,
  up: false,
}));
const dataDirs: string[] = [];
const kills: { pid: number; at: number; slot: number; why: string }[] = [];
const followers: Follower[] = [];
let sink: WebhookSink | undefined;
let direct: pg.Client | undefined;

const nodeName = (s: Slot) => `n${s.index}#${s.launches}`;
const liveSlots = () => slots.filter((s) => s.up && s.server);
const liveNodes = (): NodeRef[] =>
  liveSlots().map((s) => ({ name: nodeName(s), url: s.server!.url }));
const livePids = () => liveSlots().map((s) => s.server!.pid);
const nodeOfUrl = (url: string) => liveNodes().find((n) => n.url === url)?.name ?? url;

async function launch(slot: Slot): Promise<void> {
  const launching = launchServer({ env: ENV });
  dataDirs.push(launching.dataDir);
  const server = await launching.ready;
  slot.server = server;
  slot.launches += 1;
  slot.up = true;
  server.child.once('exit', (code, signal) => {
    if (signal !== 'SIGKILL')
      console.error(
        `${nodeName(slot)} exited (${signal ?? code}):\n${server.output().slice(-4000)}`,
      );
  });
}

async function kill(slot: Slot, why: string): Promise<void> {
  // Out of the rotation first: new requests go elsewhere, those in flight fail.
  slot.up = false;
  kills.push({ pid: slot.server!.pid, at: Date.now(), slot: slot.index, why });
  await slot.server!.kill();
}

/** The slot whose node holds the leader's advisory lock now (PostgreSQL names its port). */
async function leaderSlot(): Promise<Slot | undefined> {
  const rows = await rowsOf<{ client_port: number | null }>(
    direct!,
    `SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
       AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint`,
    [leaderKey(schema).toString()],
  );
  const port = rows[0]?.client_port;
  if (rows.length !== 1 || !port) return undefined;
  const pid = pidOwningLocalPort(port, livePids());
  return liveSlots().find((s) => s.server!.pid === pid);
}

afterAll(async () => {
  for (const f of followers) f.close();
  await Promise.all(slots.map((s) => s.server?.kill()));
  await sink?.close();
  await direct?.end().catch(() => {});
  await dropSchema(schema);
  await deleteRedisKeys(TEST_REDIS_URL, prefix);
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});

describe('three nodes under load, killed one after another', () => {
  let admin: string;
  let traders: Trader[];
  let hot: TradeMarket;
  let cold: TradeMarket[];
  let webhookId: string;
  let load: TradeLoad;

  beforeAll(async () => {
    // Three nodes migrating one fresh schema at once.
    await Promise.all(slots.map((s) => launch(s)));
    direct = await schemaClient(TEST_DATABASE_URL, schema);
    const [n0, n1, n2] = slots.map((s) => s.server!.url) as [string, string, string];
    admin = await apiToken(n0, ADMIN.username, ADMIN.password);
    sink = await startWebhookSink({ delayMs: SINK_DELAY_MS, pids: livePids });
    const hook = await http(n1, 'POST', '/api/integrations/webhooks', {
      token: admin,
      body: {
        kind: 'generic',
        url: `${sink.url}/parity`,
        events: ['created', 'moved', 'resolved'],
        // Any move at all: a post is skipped when the odds moved back within minMove, which a
        // quiet market's random walk does now and then for any larger threshold.
        minMove: 1e-9,
      },
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    webhookId = hook.body.webhook.id;
    // Every node drops its cached webhook list on the relayed change before markets appear.
    await sleep(300);

    const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const defs = [
      { id: 'hot', question: 'Is this the market everyone trades?', liquidity: 400 },
      { id: 'cold-a', question: 'Is this a quiet market?', liquidity: 100 },
      { id: 'cold-b', question: 'Is this another quiet market?', liquidity: 150 },
      {
        id: 'cold-m',
        question: 'Which of three?',
        outcomes: ['Alpha', 'Beta', 'Gamma'],
        liquidity: 120,
      },
    ];
    const markets: TradeMarket[] = [];
    for (const d of defs) {
      const r = await http(n0, 'POST', '/api/markets', {
        token: admin,
        body: { ...d, closesAt: inAWeek },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      markets.push({ id: d.id, outcomes: r.body.market.outcomes.map((o: { id: string }) => o.id) });
    }
    [hot, ...cold] = markets as [TradeMarket, ...TradeMarket[]];

    // 60 users, registered on the three nodes in turn, a few at a time.
    traders = [];
    const urls = [n0, n1, n2];
    for (let i = 0; i < USERS; i += 6) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(6, USERS - i) }, async (_, j) => {
          const name = `trader_${i + j}`;
          const url = urls[(i + j) % 3]!;
          const token = await apiToken(url, name, 'password-123', { register: true });
          const me = await http(urls[(i + j + 1) % 3]!, 'GET', '/api/me', { token });
          expect(me.status).toBe(200);
          return { name, id: me.body.user.id as string, token };
        }),
      );
      traders.push(...batch);
    }

    // Three sockets on every node, each following every market.
    for (const s of slots) {
      for (let k = 0; k < 3; k++) {
        const f = new Follower(`socket ${followers.length}`, liveNodes);
        for (const m of markets) await f.follow(m.id);
        await f.connect({ name: nodeName(s), url: s.server!.url });
        followers.push(f);
      }
    }
    load = new TradeLoad(() => liveNodes().map((n) => n.url), nodeOfUrl);
  });

  it('keeps every acknowledged trade once, exact books, whole update chains and at-least-once webhooks', async () => {
    const started = Date.now();
    const rng = seedrandom(SEED);
    const loadUntil = started + LOAD_MS;
    const lanes = traders.map((t, i) =>
      load.run(seedrandom(`${SEED}|${i}`), t, hot, cold, {
        until: loadUntil,
        maxTrades: MAX_TRADES_PER_USER,
        answerBy: loadUntil + 20_000,
      }),
    );

    // The faults, during the load.
    const log: string[] = [];
    // Sockets on a restarted node too: its coalescer starts afresh.
    const socketsOn = async (slot: Slot) => {
      for (let k = 0; k < 2; k++) {
        const f = new Follower(`socket ${followers.length}`, liveNodes);
        for (const m of [hot, ...cold]) await f.follow(m.id);
        await f.connect({ name: nodeName(slot), url: slot.server!.url });
        followers.push(f);
      }
    };
    const at = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    const chaos = (async () => {
      await sleep(4000);
      // 1: a node in the middle of a webhook delivery (the sink is holding its request back):
      // its claim must be sent again by another node once its lease is over.
      const sending = await waitFor(
        'a node in the middle of a webhook delivery',
        () => {
          const pid = sink!.pending().find((r) => r.senderPid !== undefined)?.senderPid;
          return liveSlots().find((s) => s.server!.pid === pid);
        },
        4000,
        5,
      ).catch(() => undefined);
      const first = sending ?? liveSlots()[Math.floor(rng() * liveSlots().length)]!;
      await kill(first, sending ? 'sending a webhook' : 'any');
      log.push(
        `${at()}: killed ${nodeName(first)}${sending ? ' in the middle of a webhook delivery' : ''}`,
      );
      await sleep(2500);
      await launch(first);
      log.push(`${at()}: ${nodeName(first)} up`);
      await socketsOn(first);
      await sleep(2000);
      // 2: the leader. A survivor must take the lock over.
      const leader = await waitFor('the leader', () => leaderSlot(), 5000);
      await kill(leader, 'leader');
      log.push(`${at()}: killed ${nodeName(leader)} (the leader)`);
      const next = await waitFor('a new leader', () => leaderSlot(), 5000, 50);
      log.push(`${at()}: ${nodeName(next)} leads`);
      await sleep(2500);
      await launch(leader);
      log.push(`${at()}: ${nodeName(leader)} up`);
      await socketsOn(leader);
    })();
    const [faults] = await Promise.allSettled([chaos, Promise.all(lanes)]);
    if (faults.status === 'rejected') throw faults.reason;
    log.push(`${at()}: load over`);

    // The leader's work moved on: a market closes at its close time on its own (only the
    // leader's auto-closer closes it: nobody trades on it), and every socket hears of it.
    const closesAt = new Date(Date.now() + 2500).toISOString();
    const closing = await http(liveNodes()[0]!.url, 'POST', '/api/markets', {
      token: admin,
      body: { id: 'closing', question: 'Does the leader close this at its time?', closesAt },
    });
    expect(closing.status, JSON.stringify(closing.body)).toBe(201);
    await Promise.all(followers.map((f) => f.follow('closing')));
    const closedAfter = await waitFor(
      'the auto-closer to close the market at its time',
      async () => {
        const r = await rowsOf<{ status: string }>(
          direct!,
          `SELECT status FROM markets WHERE id = 'closing'`,
        );
        return r[0]?.status === 'closed' ? Date.now() - Date.parse(closesAt) : undefined;
      },
      12_000,
      100,
    );
    log.push(`${at()}: 'closing' closed ${closedAfter} ms after its close time`);
    await waitFor('every socket to hear the market close', () =>
      followers.every((f) => f.state('closing')?.statuses.has('closed')) ? true : undefined,
    );
    const resolved = await http(liveNodes()[0]!.url, 'POST', '/api/markets/closing/resolve', {
      token: admin,
      body: { outcomeId: 'no', note: 'closed by the clock' },
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);

    console.log(
      [
        `multinode (seed ${SEED}):`,
        ...log.map((l) => `  ${l}`),
        `  trades acknowledged ${load.acked.size} (${[...load.acked.values()].filter((a) => a.retried).length} after a retry), requests ${load.stats.requests}, network failures ${load.stats.networkFailures}, 503s ${JSON.stringify(Object.fromEntries(load.stats.unavailable))}, refused ${JSON.stringify(Object.fromEntries(load.refused))}`,
        `  requests by node ${JSON.stringify(Object.fromEntries(load.stats.byNode))}`,
      ].join('\n'),
    );

    // The load's own faults: 5xx other than 503, unexpected refusals, a key answered twice.
    expect(load.faults).toEqual([]);
    expect(load.unanswered.size, 'trades never answered despite retries').toBe(0);

    // The database: every acknowledged trade once, nothing nobody sent, exact books.
    const dbTrades = await rowsOf<{
      id: number;
      created_at: string;
      user_id: string;
      idempotency_key: string | null;
      market_id: string;
      outcome_id: string;
      shares: number;
      cost_cents: number;
    }>(
      direct!,
      'SELECT id, created_at, user_id, idempotency_key, market_id, outcome_id, shares, cost_cents FROM trades',
    );
    const byKey = new Map(dbTrades.map((t) => [`${t.user_id}|${t.idempotency_key}`, t]));
    expect(byKey.size, 'two trades with one key').toBe(dbTrades.length);
    const missing: string[] = [];
    for (const [k, a] of load.acked) {
      const t = byKey.get(k);
      if (
        !t ||
        t.id !== a.tradeId ||
        t.market_id !== a.marketId ||
        t.outcome_id !== a.outcomeId ||
        t.shares !== a.shares ||
        t.cost_cents !== a.costCents
      )
        missing.push(`${k}: acknowledged trade ${a.tradeId} ${t ? 'differs' : 'is missing'}`);
    }
    expect(missing).toEqual([]);
    const unsent = dbTrades.filter((t) => !load.sent.has(`${t.user_id}|${t.idempotency_key}`));
    expect(unsent.map((t) => t.id)).toEqual([]);
    // Every key sent was answered (retried to the end), so the database holds just the acked.
    expect(dbTrades.length).toBe(load.acked.size);
    expect(await auditSchema(direct!, { grantCents: GRANT })).toEqual([]);
    expect(load.acked.size).toBeGreaterThan(500);
    // Answers lost in a kill whose trade had committed: the retry got the first trade back.
    const lost = [...load.acked.values()].filter((a) => a.lostAt !== undefined);
    const lostCommitted = lost.filter(
      (a) => Date.parse(byKey.get(`${a.trader.id}|${a.key}`)!.created_at) <= a.lostAt!,
    ).length;

    // Sockets: settled on the final state of every market, chains whole, same state per seq on
    // every node as in the database's history.
    const finals = await rowsOf<{ id: string; seq: number }>(
      direct!,
      'SELECT id, seq FROM markets',
    );
    await waitFor(
      'every socket on the final seq of every market',
      () =>
        followers.every((f) =>
          finals.every((m) => f.state(m.id) === undefined || f.state(m.id)!.known === m.seq),
        )
          ? true
          : undefined,
      8000,
    );
    expect(followers.flatMap((f) => f.violations)).toEqual([]);
    const history = new Map(
      (
        await rowsOf<{ market_id: string; seq: number; probabilities: string }>(
          direct!,
          'SELECT market_id, seq, probabilities FROM market_history',
        )
      ).map((h) => [`${h.market_id}|${h.seq}`, JSON.parse(h.probabilities) as number[]]),
    );
    const differing: string[] = [];
    for (const f of followers)
      for (const [k, p] of f.seen) {
        const h = history.get(k);
        if (!h || h.some((x, i) => Math.abs(x - (p[i] ?? Number.NaN)) > 1e-12))
          differing.push(`${f.name} ${k}: ${JSON.stringify(p)} vs ${JSON.stringify(h)}`);
      }
    expect(differing.slice(0, 10)).toEqual([]);
    const updatesByNode = new Map<string, number>();
    for (const f of followers)
      for (const [n, c] of f.updatesByNode) updatesByNode.set(n, (updatesByNode.get(n) ?? 0) + c);
    for (const s of slots)
      expect(updatesByNode.get(nodeName(s)) ?? 0, nodeName(s)).toBeGreaterThan(0);

    // Webhooks: every delivery delivered (a killed node's claim waits out its lease), each seen
    // by the sink; a delivery seen twice only if its first sender was killed after sending it.
    const rows = await waitFor(
      'every webhook delivery to be delivered',
      async () => {
        const r = await rowsOf<{
          id: number;
          status: string;
          event: string;
          market_id: string;
          last_error: string | null;
        }>(
          direct!,
          `SELECT id, status, event, market_id, last_error FROM webhook_deliveries
           WHERE webhook_id = $1 ORDER BY id`,
          [webhookId],
        );
        return r.length && r.every((x) => x.status !== 'pending' && x.status !== 'retrying')
          ? r
          : undefined;
      },
      WEBHOOK_TIMEOUT_MS + 15_000 + 15_000,
      250,
    );
    expect(rows.filter((r) => r.status !== 'delivered')).toEqual([]);
    const received = new Map<string, SinkRequest[]>();
    for (const r of sink!.requests) {
      expect(r.bodyId, 'body id equals X-Parity-Delivery').toBe(r.delivery);
      const list = received.get(r.delivery ?? '?') ?? [];
      list.push(r);
      received.set(r.delivery ?? '?', list);
    }
    expect([...received.keys()].sort()).toEqual(rows.map((r) => String(r.id)).sort());
    for (const row of rows) {
      const first = received.get(String(row.id))![0]!;
      expect(`${first.event} ${first.marketId}`).toBe(`${row.event} ${row.market_id}`);
    }
    const duplicates = [...received.entries()].filter(([, list]) => list.length > 1);
    const unexplained = duplicates.filter(([, list]) => {
      const first = list[0]!;
      const k = kills.find((x) => x.pid === first.senderPid && x.at >= first.at);
      return !k || list.slice(1).some((again) => again.at < k.at);
    });
    expect(unexplained.map(([id]) => id)).toEqual([]);

    const count = (pick: (f: Follower) => number) => followers.reduce((s, f) => s + pick(f), 0);
    console.log(
      [
        `multinode checks done in ${((Date.now() - started) / 1000).toFixed(1)} s:`,
        `  answers lost at a kill ${lost.length}: ${lostCommitted} had committed (the retry answered the first trade), ${lost.length - lostCommitted} traded on the retry`,
        `  sockets ${followers.length}: updates ${count((f) => f.stats.updates)} by node ${JSON.stringify(Object.fromEntries(updatesByNode))}, reconnects ${count((f) => f.stats.reconnects)}`,
        `  at a (re)subscription: stale ${count((f) => f.stats.staleAtResubscribe)}, gaps (a refetch) ${count((f) => f.stats.gapsAtResubscribe)}; within a connection: stale ${count((f) => f.stats.staleInConnection)}, gaps ${count((f) => f.stats.gapsInConnection)}; early ${count((f) => f.stats.earlyUpdates)}`,
        ...followers.flatMap((f) =>
          f.boundaryGaps.map((g) => `    gap at subscription: ${f.name} ${g}`),
        ),
        `  subscribe acks: slowest ${Math.max(...followers.flatMap((f) => f.ackMs))} ms; over 2 s: ${followers.flatMap((f) => f.slowAcks).join(', ') || 'none'}; errors ${followers.flatMap((f) => f.subscribeErrors).join(', ') || 'none'}`,
        `  webhook deliveries ${rows.length}, requests ${sink!.requests.length}, delivered twice ${duplicates.length} (${duplicates.map(([id]) => id).join(', ') || 'none'})`,
      ].join('\n'),
    );
  }, 150_000);
});
