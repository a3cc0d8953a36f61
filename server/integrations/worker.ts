import type { DeliveryRow } from '../store/integrationsStore.ts';
import type { Answer } from './attempt.ts';
import type { ChannelCtx } from './channelCtx.ts';
import { scanClosing } from './closingScheduler.ts';
import { commit, type Plan, plan } from './deliver.ts';
import { networkFailure, readAnswer } from './requests.ts';
import { safeRequest } from './safeRequest.ts';

/** Requests in flight at once, across webhooks (each webhook has at most one). */
const MAX_IN_FLIGHT = 8;
/** A claimed row is this node's for the request's time limit plus this margin. */
const LEASE_MARGIN_MS = 15_000;
const PRUNE_EVERY_MS = 3_600_000;
/** Finished deliveries stay visible in the admin console this long. */
const RETAIN_MS = 14 * 86_400_000;

export interface DeliveryWorker {
  /** Looks for due work now (after a commit that may have queued some). */
  kick(): void;
  /** Stops polling and waits for the requests in flight to be answered and recorded. */
  stop(): Promise<void>;
}

/**
 * Delivers the outbox: claims due rows with a lease (so across nodes each row has one sender,
 * and a sender that dies leaves its lease to expire for another), sends each webhook's rows one
 * at a time, and records every answer in the database as soon as it arrives, so a restart
 * resends only what was never acknowledged. The leader also runs the closing-notice scan and
 * the pruning on each poll.
 */
export function startWorker(c: ChannelCtx, isLeader: () => boolean = () => true): DeliveryWorker {
  const log = c.ctx.log;
  const inFlight = new Map<number, Promise<void>>();
  const busy = new Set<string>();
  /** Webhooks a 429 asked us to leave alone until then (ms since the epoch). */
  const blockedUntil = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let kicked = false;
  let stopped = false;
  let lastPrune = 0;
  let ticking = false;
  let again = false;

  async function send(row: DeliveryRow, p: Extract<Plan, { kind: 'send' }>): Promise<void> {
    let answer: Answer;
    try {
      const res = await safeRequest(p.request);
      answer = readAnswer(res, p.api, p.live?.message != null, c.ctx.now());
    } catch (err) {
      answer = networkFailure(err);
    }
    const now = c.ctx.now();
    if (!answer.ok) {
      if (answer.retryAfterMs !== undefined) {
        blockedUntil.set(row.webhookId, now.getTime() + answer.retryAfterMs);
      }
      log.warn(
        {
          webhookId: row.webhookId,
          delivery: row.id,
          attempt: row.attempts + 1,
          error: answer.error,
        },
        'webhook delivery failed',
      );
    }
    try {
      await commit(c, row, p, answer, now);
    } catch (err) {
      // The store may be closing under a shutdown; the row stays open and is retried.
      log.error({ err, delivery: row.id }, 'recording a webhook delivery failed');
    }
  }

  async function start(row: DeliveryRow, now: Date): Promise<void> {
    const at = now.toISOString();
    let p: Plan;
    try {
      p = await plan(c, row, now);
    } catch (err) {
      // A bug, not the destination's fault: give the row up rather than let it block the queue.
      log.error({ err, delivery: row.id }, 'planning a webhook delivery failed');
      await c.store.recordAttempt(row.id, {
        status: 'failed',
        at,
        error: 'internal error',
        httpStatus: null,
      });
      return;
    }
    switch (p.kind) {
      case 'skip':
        await c.store.skip(row.id, p.reason, at);
        return;
      case 'wait':
        await c.store.postpone(row.id, p.until, at);
        return;
      case 'fail':
        log.warn(
          { webhookId: row.webhookId, delivery: row.id, error: p.reason },
          'webhook delivery impossible',
        );
        await c.store.recordAttempt(row.id, {
          status: 'failed',
          at,
          error: p.reason,
          httpStatus: null,
        });
        return;
      case 'send': {
        busy.add(row.webhookId);
        const done = send(row, p).finally(() => {
          inFlight.delete(row.id);
          busy.delete(row.webhookId);
          kick();
        });
        inFlight.set(row.id, done);
        return;
      }
      default:
        p satisfies never;
    }
  }

  async function round(fromTimer: boolean, now: Date): Promise<void> {
    if (fromTimer && isLeader()) {
      await scanClosing(c);
      if (now.getTime() - lastPrune > PRUNE_EVERY_MS) {
        lastPrune = now.getTime();
        await c.store.pruneDeliveries(new Date(now.getTime() - RETAIN_MS).toISOString());
      }
    }
    const room = MAX_IN_FLIGHT - inFlight.size;
    if (room <= 0) return;
    const leaseUntil = new Date(
      now.getTime() + c.settings.timeoutMs + LEASE_MARGIN_MS,
    ).toISOString();
    const at = now.toISOString();
    for (const row of await c.store.claimDeliveries(at, room, leaseUntil)) {
      const blocked = blockedUntil.get(row.webhookId) ?? 0;
      if (blocked > now.getTime()) {
        // The destination asked us to wait (429): the row waits, and its lease ends.
        await c.store.postpone(row.id, new Date(blocked).toISOString(), at);
        continue;
      }
      if (inFlight.has(row.id) || busy.has(row.webhookId)) continue;
      await start(row, now);
    }
  }

  async function tick(fromTimer: boolean): Promise<void> {
    kicked = false;
    if (stopped) return;
    if (ticking) {
      // A round is running: look again right after it.
      again = true;
      return;
    }
    ticking = true;
    let now = c.ctx.now();
    try {
      await round(fromTimer, now);
      while (again && !stopped) {
        again = false;
        now = c.ctx.now();
        await round(false, now);
      }
    } catch (err) {
      log.error({ err }, 'the webhook worker failed a round');
    } finally {
      ticking = false;
      again = false;
    }
    await arm(now);
  }

  async function arm(now: Date): Promise<void> {
    if (stopped) return;
    let next: string | undefined;
    try {
      next = await c.store.nextDueAt();
    } catch {
      next = undefined;
    }
    if (stopped) return;
    if (timer) clearTimeout(timer);
    const untilNext =
      next === undefined ? Number.POSITIVE_INFINITY : Date.parse(next) - now.getTime();
    // Rows due now but held back (busy webhook, 429) are picked up when the blocker finishes.
    const delay = untilNext > 0 ? Math.min(untilNext, c.settings.pollMs) : c.settings.pollMs;
    timer = setTimeout(() => void tick(true), delay);
    timer.unref();
  }

  function kick(): void {
    if (kicked || stopped) return;
    kicked = true;
    setImmediate(() => void tick(false));
  }

  const off = c.ctx.bus.on((e) => {
    if (e.type === 'webhooks.changed') c.webhooks.invalidate();
    else if (c.webhooks.maybeAny()) kick();
  });
  // The first round runs once start-up is done (links need the listening port).
  timer = setTimeout(() => void tick(true), 0);
  timer.unref();

  return {
    kick,
    stop: async () => {
      stopped = true;
      off();
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
